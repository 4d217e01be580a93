#include "model_validation.h"

#include <cmath>

namespace offload::sim {

TimeValidation validateLayerTimes(const NetworkModel& model, const DeviceProfile& profile, DType dtype,
                                  const GpuSpec* hierarchyFrom)
{
    TimeValidation v;
    v.gpu = gpuSpecFromProfile(profile);
    if (!hasMemoryHierarchy(v.gpu) && hierarchyFrom) {
        v.gpu.sm_count = hierarchyFrom->sm_count;
        v.gpu.shared_bytes_per_sm = hierarchyFrom->shared_bytes_per_sm;
        v.gpu.l1_bytes_per_s = hierarchyFrom->l1_bytes_per_s;
        v.gpu.l2_bytes = hierarchyFrom->l2_bytes;
        v.gpu.l2_bytes_per_s = hierarchyFrom->l2_bytes_per_s;
    }
    v.delta_has_hierarchy = hasMemoryHierarchy(v.gpu);
    double deltaSum = 0, rooflineSum = 0;
    for (const auto& [name, times] : profile.layer_times) {
        const int layer = model.indexOf(name);
        if (layer < 0) {
            v.missing_layers.push_back(name);
            continue;
        }
        LayerTimeComparison c;
        c.layer = name;
        c.batch = times.batch;
        c.measured_s = times.forward_s + times.backward_s;
        const LayerEstimate delta = estimateLayer(ComputeModelKind::delta, model, layer, times.batch, dtype, v.gpu);
        const LayerEstimate roof = estimateLayer(ComputeModelKind::roofline, model, layer, times.batch, dtype, v.gpu);
        c.delta_s = delta.forward.seconds + delta.backward.seconds;
        c.roofline_s = roof.forward.seconds + roof.backward.seconds;
        c.delta_bound = delta.forward.bound;
        if (c.measured_s > 0) {
            deltaSum += std::abs(c.delta_s / c.measured_s - 1);
            rooflineSum += std::abs(c.roofline_s / c.measured_s - 1);
        }
        v.layers.push_back(c);
    }
    if (!v.layers.empty()) {
        v.delta_error = deltaSum / static_cast<double>(v.layers.size());
        v.roofline_error = rooflineSum / static_cast<double>(v.layers.size());
    }
    return v;
}

} // namespace offload::sim
