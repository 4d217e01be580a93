#pragma once
// The compute models against measured layer times: a device profile from
// `offload-probe calibrate` (measured conv and fc times) next to what delta and the roofline
// estimate for the same layers on the same GPU. `offload-sim compare-times` prints it.
#include "compute_model.h"

#include "core/device_profile.h"
#include "core/network_model.h"

#include <string>
#include <vector>

namespace offload::sim {

struct LayerTimeComparison {
    std::string layer;
    std::int64_t batch = 0;
    double measured_s = 0; // forward + backward
    double delta_s = 0;
    double roofline_s = 0;
    Bound delta_bound = Bound::compute; // of the forward pass
};

struct TimeValidation {
    GpuSpec gpu;                      // what the estimates ran on
    bool delta_has_hierarchy = false; // false: delta fell back to the roofline
    std::vector<LayerTimeComparison> layers;
    std::vector<std::string> missing_layers; // in the profile, not in the network
    // Mean of |estimate / measured - 1| over the layers.
    double delta_error = 0;
    double roofline_error = 0;
};

// `hierarchyFrom`: a preset whose memory hierarchy stands in when the profile has none (older
// profiles); nullptr for none.
TimeValidation validateLayerTimes(const NetworkModel& model, const DeviceProfile& profile, DType dtype,
                                  const GpuSpec* hierarchyFrom);

} // namespace offload::sim
