#pragma once
// Parameter sweeps, run in parallel on all cores.
#include "result.h"
#include "scenario.h"

#include <vector>

namespace offload::sim {

// ResourceScale and scaledGpu: scenario.h.

struct SweepPoint {
    std::string gpu;                  // the GPU's preset id (or the scenario's GPU id)
    ResourceScale scale;
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
    std::vector<std::string> gpus;              // preset ids; empty: the scenario's GPU
    std::vector<double> compute_scales;         // empty: 1
    std::vector<double> l2_scales;              // empty: 1
    std::vector<double> dram_scales;            // empty: 1
    int threads = 0;                            // 0: all cores
};

// The sweep every front end draws around a scenario: the codecs a lecture compares (none, RLE,
// ZVC, zlib, JPEG-ACT, plus the scenario's own) at 25 log-spaced bandwidths from 1 to 200 GB/s.
SweepSpec defaultSweepSpec(const Scenario& scenario);

// GPU generations in order of release (Titan X Maxwell 2015, P100 2016, Titan Xp 2017, V100
// 2017, A100 2020, H100 SXM 2022, H200 2024) at the scenario's own link, for no compression,
// ZVC and JPEG-ACT (plus the scenario's codec): why cDMA exists. Compute grows faster than the
// link, so the same offload stalls more on every newer GPU.
SweepSpec generationsSweepSpec(const Scenario& scenario);

// Log-spaced values from lo to hi inclusive (n >= 1).
std::vector<double> logRange(double lo, double hi, int n);

// The cartesian product of the spec over the base scenario, in a stable order (GPU, compute,
// L2 and DRAM scale, codec, batch, progress, bandwidth: bandwidth varies fastest). Throws
// InputError for an unknown GPU preset or a scale that is not positive.
std::vector<SweepPoint> runSweep(const Scenario& base, const SweepSpec& spec);

} // namespace offload::sim
