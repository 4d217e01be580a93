#pragma once
// The event-driven timeline of one training iteration (vDNN, MICRO 2016, with cDMA's compressed transfers, HPCA 2018; docs/model.md): a compute
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
    // Weights, weight gradients and (mixed precision) fp32 master weights: resident.
    std::uint64_t weight_bytes = 0;
    // Extra workspace resident for the whole iteration (the scenario's workspace_mib), besides
    // the per-layer workspace of the chosen convolution algorithms (ComputePlan).
    std::uint64_t workspace_bytes = 0;
    bool half_duplex = false;
    bool sm_engine = false;
    // Also fills EngineOutput::residency (the tensors' places over time, Result::residency).
    bool collect_events = true;
    // Off: EngineOutput::layers stays empty (runs that need only summary numbers).
    bool collect_layers = true;
    // Off: EngineOutput::memory stays empty and avg_step_bytes 0; peak_bytes is still exact.
    bool collect_memory = true;
};

// Which tensors a policy offloads: only tensors some backward pass reads (stashed) can be, and
// of those neither the network outputs (the loss needs them at once) nor a buffer an in-place
// activation took over. `manualLayers` names the layers whose inputs are offloaded.
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
    std::vector<TensorSpan> residency; // with collect_events
    // With collect_memory: the most memory allocated during each layer step, forward steps
    // (layer 0 .. n-1) then backward steps (layer n-1 .. 0).
    std::vector<std::uint64_t> step_peak_bytes;
    std::uint64_t peak_bytes = 0;
    std::uint64_t avg_step_bytes = 0; // vDNN's average: mean over layer steps of the step's peak
    bool over_budget = false;
    // What crossed the link. A tensor still on the GPU when the backward pass needs it (its
    // offload not finished, possible with relaxed sync) is not copied back.
    std::uint64_t d2h_raw_bytes = 0, d2h_wire_bytes = 0;
    std::uint64_t h2d_raw_bytes = 0, h2d_wire_bytes = 0;
    double d2h_busy_s = 0, h2d_busy_s = 0;
    int offloaded_tensors = 0;
};

// One iteration with the given per-layer costs (algorithms chosen) and transfers.
EngineOutput runEngine(const PreparedNetwork& net, const ComputePlan& compute, const TransferPlan& plan,
                       const EngineSettings& settings);

} // namespace offload::sim
