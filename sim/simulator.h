#pragma once
#include "result.h"
#include "scenario.h"

namespace offload::sim {

// Runs the scenario, its oracle (no offload) and its uncompressed twin, and fills every field
// of Result. Deterministic; thread-safe (no shared state).
Result simulate(const Scenario& scenario);

// Only the scenario itself (no oracle and no uncompressed twin): the summary's oracle and
// comparison fields stay 0. For sweeps and benchmarks.
Result simulateOnly(const Scenario& scenario);

} // namespace offload::sim
