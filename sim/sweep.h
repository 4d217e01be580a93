#pragma once
// Parameter sweeps, run in parallel on all cores.
#include "result.h"
#include "scenario.h"

#include <vector>

namespace offload::sim {

struct SweepPoint {
    double bandwidth_bytes_per_s = 0; // both directions set to this
    CodecId codec = CodecId::none;
    std::int64_t batch = 0;
    double progress = 0;
    Summary summary;
};

struct SweepSpec {
    std::vector<double> bandwidths_bytes_per_s; // empty: the scenario's link
    std::vector<CodecId> codecs;                // empty: the scenario's codec
    std::vector<std::int64_t> batches;          // empty: the scenario's batch
    std::vector<double> progresses;             // empty: the scenario's progress
    int threads = 0;                            // 0: all cores
};

// Log-spaced values from lo to hi inclusive (n >= 1).
std::vector<double> logRange(double lo, double hi, int n);

// The cartesian product of the spec over the base scenario, in a stable order
// (codec, batch, progress, bandwidth: bandwidth varies fastest).
std::vector<SweepPoint> runSweep(const Scenario& base, const SweepSpec& spec);

} // namespace offload::sim
