#pragma once
// What `offload-probe replay` runs, taken from the simulator's own schedule
// (sim::simulate(scenario).events): per compute step, the layer's duration, the offloads and
// prefetches issued with it and the tensors the step must have back on the GPU. Pure C++.
#include "sim/result.h"
#include "sim/scenario.h"

#include <cstdint>
#include <map>
#include <vector>

namespace offload::probe {

struct ReplayTensor {
    int producer = -2; // producer index (-1 = network input), as in sim::Event::tensor
    std::uint64_t raw_bytes = 0;
    std::uint64_t sim_wire_bytes = 0;
    double sparsity = 0;    // the simulator's sparsity of this tensor
    int last_consumer = -1; // its backward needs it back
};

struct ReplayStep {
    bool forward = true;
    int layer = 0;
    double compute_s = 0;        // the simulated (roofline or measured) layer time
    std::vector<int> offloads;   // producer ids offloaded with this forward step
    std::vector<int> prefetches; // producer ids whose prefetch this backward step issues
    std::vector<int> needs;      // producer ids this backward step reads (offloaded ones)
};

struct ReplayPlan {
    std::vector<ReplayStep> steps;       // forward steps in order, then backward steps
    std::map<int, ReplayTensor> tensors; // every offloaded tensor, by producer id
};

// Throws std::invalid_argument when the events do not form one forward and one backward pass.
ReplayPlan buildReplayPlan(const sim::Scenario& scenario, const sim::Result& result);

} // namespace offload::probe
