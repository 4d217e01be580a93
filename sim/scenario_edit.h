#pragma once
// One typed change to a scenario. Every front end edits scenarios through this: the window's
// controls, the command line's overrides (ScenarioOverrides, parsed into an edit), so that each
// setting has exactly one rule (what a custom bandwidth does to the link, what a new network
// resets, which values are valid).
#include "scenario.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace offload::sim {

struct ScenarioEdit {
    // A new network; `network_ref` is where it came from (empty: embedded). Clears the manual
    // layer list, whose names belonged to the old network.
    std::shared_ptr<const NetworkModel> network;
    std::string network_ref;
    std::optional<std::int64_t> batch; // >= 1
    std::optional<DType> dtype;
    std::optional<double> progress;              // training progress, 0..1
    std::optional<std::string> gpu_preset;       // a GPU preset id (devices.h)
    std::optional<ResourceScale> gpu_scale;      // what-if scaling of the GPU, each factor > 0
    std::optional<std::string> link_preset;      // a link preset id
    std::optional<double> bandwidth_bytes_per_s; // both directions; makes the link custom
    std::optional<CodecId> codec;
    std::optional<CodecParams> codec_params;
    std::optional<EngineKind> engine;
    std::optional<double> engine_bytes_per_s; // >= 0 (0: unlimited for the DMA engine)
    std::optional<OffloadPolicy> policy;
    std::optional<PrefetchPolicy> prefetch;
    std::optional<int> eager_depth; // >= 1
    std::optional<SyncPolicy> sync;
    std::optional<AlgorithmPreference> conv_algorithms;
    std::optional<ComputeModelKind> compute_model;
    std::optional<BaselineKind> baseline;
    // Set: the memory budget changes; its value empty means "the GPU's memory".
    std::optional<std::optional<std::uint64_t>> memory_budget_bytes;

    // True when applying the edit can change anything but the link's bandwidth and the codec:
    // what decides whether a sweep over bandwidths and codecs must be run again.
    bool changesMoreThanLinkAndCodec() const;
};

// Applies `edit` to `scenario`. Checks every value first and throws InputError (place: the
// setting's scenario key, "batch", "gpu", ...) without changing the scenario when one is invalid.
void applyEdit(Scenario& scenario, const ScenarioEdit& edit);

// The link after its bandwidth is set to `bytesPerSecond` in both directions: a custom link that
// keeps the preset's latency and duplexing, named for its speed.
LinkSpec withBandwidth(const LinkSpec& link, double bytesPerSecond);

} // namespace offload::sim
