#include "scenario_edit.h"

#include "core/input_error.h"

#include <cmath>
#include <sstream>

namespace offload::sim {

bool ScenarioEdit::changesMoreThanLinkAndCodec() const
{
    return network || batch || dtype || progress || gpu_preset || gpu_scale || link_preset || codec_params || engine ||
           engine_bytes_per_s || policy || prefetch || eager_depth || sync || conv_algorithms || compute_model ||
           baseline || memory_budget_bytes;
}

LinkSpec withBandwidth(const LinkSpec& link, double bytesPerSecond)
{
    LinkSpec custom = link;
    custom.d2h_bytes_per_s = custom.h2d_bytes_per_s = bytesPerSecond;
    custom.id = "custom";
    std::ostringstream name;
    name.precision(3);
    name << "Custom link, " << bytesPerSecond / 1e9 << " GB/s";
    custom.name = name.str();
    custom.citation.clear(); // the speed is the user's, not the source's
    return custom;
}

namespace {
[[noreturn]] void invalid(const char* key, const std::string& message)
{
    throw InputError("", key, message);
}
} // namespace

void applyEdit(Scenario& s, const ScenarioEdit& e)
{
    // Everything is checked before anything changes: a rejected edit leaves the scenario as it was.
    if (e.batch && *e.batch < 1)
        invalid("batch", "the batch must be at least 1");
    if (e.progress && !(*e.progress >= 0 && *e.progress <= 1))
        invalid("progress", "training progress is between 0 and 1");
    const GpuSpec* gpu = nullptr;
    if (e.gpu_preset && !(gpu = findGpuPreset(*e.gpu_preset)))
        invalid("gpu", "unknown GPU preset \"" + *e.gpu_preset + "\"");
    if (e.gpu_scale) {
        for (double f : {e.gpu_scale->compute, e.gpu_scale->l2, e.gpu_scale->dram})
            if (!(f > 0 && std::isfinite(f)))
                invalid("gpu_scale", "scale factors must be positive");
    }
    const LinkSpec* link = nullptr;
    if (e.link_preset && !(link = findLinkPreset(*e.link_preset)))
        invalid("link", "unknown link preset \"" + *e.link_preset + "\"");
    if (e.bandwidth_bytes_per_s && !(*e.bandwidth_bytes_per_s > 0 && std::isfinite(*e.bandwidth_bytes_per_s)))
        invalid("link", "the bandwidth must be a positive number of bytes per second");
    if (e.engine_bytes_per_s && !(*e.engine_bytes_per_s >= 0 && std::isfinite(*e.engine_bytes_per_s)))
        invalid("engine", "the engine's throughput must be zero (unlimited) or positive");
    if (e.eager_depth && *e.eager_depth < 1)
        invalid("eager_depth", "at least one tensor must be in flight");
    if (e.memory_budget_bytes && *e.memory_budget_bytes && **e.memory_budget_bytes == 0)
        invalid("memory_budget_gib", "a memory budget must be positive (leave it out for the GPU's memory)");

    if (e.network) {
        s.network = e.network;
        s.network_ref = e.network_ref;
        s.manual_layers.clear();
    }
    if (e.batch)
        s.batch = *e.batch;
    if (e.dtype)
        s.dtype = *e.dtype;
    if (e.progress)
        s.progress = *e.progress;
    if (gpu)
        s.gpu = *gpu;
    if (e.gpu_scale)
        s.gpu_scale = *e.gpu_scale;
    if (link)
        s.link = *link;
    if (e.bandwidth_bytes_per_s &&
        (s.link.d2h_bytes_per_s != *e.bandwidth_bytes_per_s || s.link.h2d_bytes_per_s != *e.bandwidth_bytes_per_s))
        s.link = withBandwidth(s.link, *e.bandwidth_bytes_per_s);
    if (e.codec)
        s.codec = *e.codec;
    if (e.codec_params)
        s.codec_params = *e.codec_params;
    if (e.engine)
        s.engine = *e.engine;
    if (e.engine_bytes_per_s)
        s.engine_bytes_per_s = *e.engine_bytes_per_s;
    if (e.policy)
        s.policy = *e.policy;
    if (e.prefetch)
        s.prefetch = *e.prefetch;
    if (e.eager_depth)
        s.eager_depth = *e.eager_depth;
    if (e.sync)
        s.sync = *e.sync;
    if (e.conv_algorithms)
        s.conv_algorithms = *e.conv_algorithms;
    if (e.compute_model)
        s.compute_model = *e.compute_model;
    if (e.baseline)
        s.baseline = *e.baseline;
    if (e.memory_budget_bytes)
        s.memory_budget_bytes = *e.memory_budget_bytes;
}

} // namespace offload::sim
