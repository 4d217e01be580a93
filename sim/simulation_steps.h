#pragma once
// The pieces simulate() is made of, for callers that run many variants of one scenario (sweeps,
// benchmarks) and want to prepare the network once.
#include "engine.h"
#include "prepared_network.h"
#include "result.h"
#include "scenario.h"

namespace offload::sim {

// The scenario's own run: offload selection (the dyn search included), transfers, engine, and
// the summary fields that need nothing else. `events`: fill Result::events.
Result runScenario(const Scenario& scenario, const PreparedNetwork& net, bool events);
// What a run fills besides the summary. The summary's stall totals are summed from the layers
// and its average memory comes from the curve: without them those fields stay 0.
struct RunOutputs {
    bool events = false;
    bool layers = true;
    bool memory = true;
};
Result runScenarioWith(const Scenario& scenario, const PreparedNetwork& net, RunOutputs outputs);
// The scenario's iteration time alone (what the uncompressed twin contributes).
double runIterationTime(const Scenario& scenario, const PreparedNetwork& net);
// The oracle: no offload, unlimited memory. Only what the comparison and the GUI read: the
// summary's times and peak and average memory, and Result::memory; Result::layers stays empty.
Result runOracle(const Scenario& scenario, const PreparedNetwork& net);
// Fills the comparison fields of `result`'s summary from the oracle's and the uncompressed
// twin's results (not Result::oracle_memory: simulate() moves that over itself).
void compareWithOracle(Result& result, const Result& oracle);
void compareWithUncompressed(Result& result, double uncompressedIterationS);

// Weights, weight gradients and the fp32 master weights of mixed precision: resident.
std::uint64_t residentWeightBytes(const PreparedNetwork& net);
// vDNN's network-wide allocation (BaselineKind::vdnn) with the given algorithms and resident part.
std::uint64_t vdnnAllocationBytes(const PreparedNetwork& net, const ComputePlan& compute, std::uint64_t residentBytes);

} // namespace offload::sim
