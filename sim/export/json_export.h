#pragma once
// The whole result as JSON ("offload-studio/result" v1): scenario settings, summary, per-layer
// table, timeline events, memory curves and the tensors' residency spans. Field names carry
// units (_s seconds, _bytes bytes).
#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

#include <nlohmann/json.hpp>

namespace offload::sim {

inline constexpr std::string_view kResultFormat = "offload-studio/result";

nlohmann::json summaryToJson(const Summary& summary);
nlohmann::json resultToJson(const Scenario& scenario, const Result& result);
nlohmann::json sweepToJson(const Scenario& base, const std::vector<SweepPoint>& points);

} // namespace offload::sim
