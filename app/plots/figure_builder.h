#pragma once
// Builds a chart off screen from a simulation result, with a figure style: what `offload-sim
// figure` and the window's export draw, so that both produce the same figure.
#include "chart.h"
#include "sweep_plot.h"

#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

#include <QString>

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace offload::plots {

enum class ChartKind { timeline, layers, memory, sweep };

std::string_view chartKindName(ChartKind kind);
std::optional<ChartKind> parseChartKind(std::string_view name);

// Another scenario drawn with the figure's own: stacked (timeline), overlaid (memory, sweep)
// or grouped (per-layer bars).
struct ComparedScenario {
    QString label;
    const sim::Scenario* scenario = nullptr;
    const sim::Result* result = nullptr;
    const std::vector<sim::SweepPoint>* sweep = nullptr; // the sweep chart: ownCodecSweepSpec's points
};

struct FigureInput {
    const sim::Scenario* scenario = nullptr;
    const sim::Result* result = nullptr;
    // The sweep chart: sim::defaultSweepSpec's points alone, ownCodecSweepSpec's with comparisons.
    const std::vector<sim::SweepPoint>* sweep = nullptr;
    const sim::Result* baseline = nullptr;               // optional overlay
    int selectedLayer = -1;
    // The part of the iteration drawn by the timeline and memory charts (ms; what lies outside
    // is not drawn, what crosses an edge is cut there). Absent: the layer range's forward
    // span, or the whole iteration. The per-layer chart keeps the layers that run in it.
    std::optional<std::pair<double, double>> timeRangeMs;
    // First and last layer (indices, inclusive) of the per-layer chart; the time charts show
    // their forward pass when no time range is given.
    std::optional<std::pair<int, int>> layerRange;
    QString label;                          // names this scenario next to comparisons
    std::vector<ComparedScenario> compare;  // other scenarios drawn with it
    SweepMetric sweepMetric = SweepMetric::iterationTime;
    bool logValueAxis = false; // the sweep chart: a logarithmic value axis
};

// Throws std::invalid_argument for missing inputs and for comparisons a chart cannot draw
// (per-layer bars of different networks).
std::unique_ptr<Chart> buildFigureChart(ChartKind kind, const FigureStyle& style, const FigureInput& input);

// The forward pass of layers first..last: from the first one's forward computation to the end
// of the last one's (with the stall after it), in ms; nullopt when none of them ran.
std::optional<std::pair<double, double>> forwardSpanOfLayersMs(const sim::Result& result, int first, int last);
// The first and last layer whose forward or backward computation overlaps a time range (ms).
std::optional<std::pair<int, int>> layersInTimeRange(const sim::Result& result, std::pair<double, double> rangeMs);

} // namespace offload::plots
