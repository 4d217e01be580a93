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
// The oracle: no offload, unlimited memory.
Result runOracle(const Scenario& scenario, const PreparedNetwork& net);
// Fills the comparison fields of `result`'s summary from the oracle's and the uncompressed
// twin's results (not Result::oracle_memory: simulate() moves that over itself).
void compareWithOracle(Result& result, const Result& oracle);
void compareWithUncompressed(Result& result, double uncompressedIterationS);

} // namespace offload::sim
