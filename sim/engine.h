#pragma once
// The event-driven timeline of one training iteration (DOMAIN.md sections 1-2): a compute
// stream, a D2H and an H2D copy stream (one shared stream when the link is half duplex) and,
// for the `sm` engine, compression kernels that occupy the compute stream.
#include "prepared_network.h"
#include "result.h"
#include "scenario.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace offload::sim {

// Per tensor (PreparedNetwork indexing): what is moved and how long it takes.
struct TransferPlan {
    std::vector<std::uint8_t> offloaded;
    std::vector<double> sparsity;
    std::vector<double> ratio;
    std::vector<std::uint64_t> wire_bytes;
    std::vector<double> d2h_s;        // copy time, latency included
    std::vector<double> h2d_s;
    std::vector<double> compress_s;   // compute-stream time (sm engine), 0 otherwise
    std::vector<double> decompress_s;
};

struct EngineSettings {
    SyncPolicy sync = SyncPolicy::vdnn;
    PrefetchPolicy prefetch = PrefetchPolicy::vdnn;
    int eager_depth = 2;
    std::uint64_t budget_bytes = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t weight_bytes = 0;    // weights and weight gradients, resident
    std::uint64_t workspace_bytes = 0; // resident
    bool half_duplex = false;
    bool sm_engine = false;
    bool collect_events = true;
    // Off: EngineOutput::layers stays empty (runs that need only summary numbers).
    bool collect_layers = true;
    // Off: EngineOutput::memory stays empty and avg_step_bytes 0; peak_bytes is still exact.
    bool collect_memory = true;
};

// Which tensors a policy offloads. ReLU inputs never are (vDNN: activations work in place), nor
// tensors nothing reads. `manualLayers` names the layers whose inputs are offloaded.
std::vector<std::uint8_t> offloadSelection(const PreparedNetwork& net, const NetworkModel& model, OffloadPolicy policy,
                                           const std::vector<std::string>& manualLayers);
// True when a tensor may be offloaded at all.
bool offloadable(const PreparedNetwork& net, int tensor);

// Ratios, wire bytes and copy times for the scenario's codec, link and engine. `sparsity`
// false: TransferPlan::sparsity stays 0 where no codec needs it (it only feeds LayerResult).
TransferPlan planTransfers(const PreparedNetwork& net, const NetworkModel& model, const Scenario& scenario,
                           std::vector<std::uint8_t> offloaded, bool sparsity = true);

struct EngineOutput {
    double iteration_s = 0;
    std::vector<LayerResult> layers;
    std::vector<Event> events;
    std::vector<MemoryPoint> memory;
    std::uint64_t peak_bytes = 0;
    std::uint64_t avg_step_bytes = 0; // vDNN's average: mean over layer steps of the step's peak
    bool over_budget = false;
};

EngineOutput runEngine(const PreparedNetwork& net, const TransferPlan& plan, const EngineSettings& settings);

} // namespace offload::sim
