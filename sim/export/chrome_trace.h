#pragma once
// Chrome Trace Event JSON, opened by Perfetto (ui.perfetto.dev) and chrome://tracing: one
// process per run, one named and ordered thread per lane, complete ("X") events with their
// numbers in args, a GPU memory counter ("C") and flow arrows ("s"/"f") from each offload to
// the prefetch of the same tensor. Times are microseconds.
#include "sim/result.h"
#include "sim/scenario.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace offload::sim {

struct TraceRun {
    std::string name; // process name shown in the viewer
    const Scenario* scenario = nullptr;
    const Result* result = nullptr;
};

nlohmann::json chromeTrace(const std::vector<TraceRun>& runs);
inline nlohmann::json chromeTrace(const Scenario& scenario, const Result& result)
{
    return chromeTrace({TraceRun{scenario.name.empty() ? std::string("scenario") : scenario.name, &scenario, &result}});
}

} // namespace offload::sim
