#pragma once
// CSV tables (RFC 4180: comma separated, quoted where needed, one header row), for
// spreadsheets and plotting scripts.
#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

#include <filesystem>
#include <string>

namespace offload::sim {

std::string layersCsv(const Scenario& scenario, const Result& result);
std::string summaryCsv(const Result& result);
std::string eventsCsv(const Scenario& scenario, const Result& result);
// GPU memory by kind over time, the scenario's points then the oracle's (column "oracle" = 1).
std::string memoryCsv(const Result& result);
std::string sweepCsv(const std::vector<SweepPoint>& points);
// Writes layers.csv, summary.csv, events.csv and memory.csv into `directory` (created if needed), atomically.
void writeCsvDirectory(const std::filesystem::path& directory, const Scenario& scenario, const Result& result);

} // namespace offload::sim
