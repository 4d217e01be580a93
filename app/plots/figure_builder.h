#pragma once
// Builds a chart off screen from a simulation result, with a figure style: what `offload-sim
// figure` and the window's export draw, so that both produce the same figure.
#include "chart.h"

#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace offload::plots {

enum class ChartKind { timeline, layers, memory, sweep };

std::string_view chartKindName(ChartKind kind);
std::optional<ChartKind> parseChartKind(std::string_view name);

struct FigureInput {
    const sim::Scenario* scenario = nullptr;
    const sim::Result* result = nullptr;
    const std::vector<sim::SweepPoint>* sweep = nullptr; // required for ChartKind::sweep
    const sim::Result* baseline = nullptr;               // optional overlay
    int selectedLayer = -1;
    std::optional<std::pair<double, double>> timeRangeMs; // timeline zoom; absent: whole iteration
};

std::unique_ptr<Chart> buildFigureChart(ChartKind kind, const FigureStyle& style, const FigureInput& input);

} // namespace offload::plots
