#include "figure_builder.h"

#include "layer_bars_plot.h"
#include "memory_plot.h"
#include "sweep_plot.h"
#include "timeline_plot.h"

#include <stdexcept>

namespace offload::plots {

std::string_view chartKindName(ChartKind kind)
{
    switch (kind) {
    case ChartKind::timeline: return "timeline";
    case ChartKind::layers: return "layers";
    case ChartKind::memory: return "memory";
    case ChartKind::sweep: return "sweep";
    }
    return "timeline";
}

std::optional<ChartKind> parseChartKind(std::string_view name)
{
    for (auto k : {ChartKind::timeline, ChartKind::layers, ChartKind::memory, ChartKind::sweep})
        if (chartKindName(k) == name)
            return k;
    return std::nullopt;
}

std::unique_ptr<Chart> buildFigureChart(ChartKind kind, const FigureStyle& style, const FigureInput& input)
{
    if (!input.scenario || !input.result)
        throw std::invalid_argument("buildFigureChart: scenario and result are required");
    const auto& scenario = *input.scenario;
    const auto& result = *input.result;
    std::optional<sim::Result> baseline;
    if (input.baseline)
        baseline = *input.baseline;
    std::unique_ptr<Chart> chart;
    switch (kind) {
    case ChartKind::timeline: {
        auto plot = std::make_unique<TimelinePlot>(style);
        plot->setData(scenario, result);
        plot->setSelectedLayer(input.selectedLayer);
        if (baseline)
            plot->setBaselineEnd(baseline->summary.iteration_s);
        if (input.timeRangeMs)
            plot->xAxis->setRange(input.timeRangeMs->first, input.timeRangeMs->second);
        plot->setWindowTitle(QStringLiteral("Timeline"));
        chart = std::move(plot);
        break;
    }
    case ChartKind::layers: {
        auto plot = std::make_unique<LayerBarsPlot>(style);
        plot->setData(scenario, result);
        plot->setBaseline(baseline);
        plot->setSelectedLayer(input.selectedLayer);
        plot->setWindowTitle(QStringLiteral("Per-layer sparsity, ratio and stalls"));
        chart = std::move(plot);
        break;
    }
    case ChartKind::memory: {
        auto plot = std::make_unique<MemoryPlot>(style);
        plot->setData(scenario, result);
        plot->setBaseline(baseline);
        plot->setSelectedLayer(input.selectedLayer);
        plot->setWindowTitle(QStringLiteral("GPU memory"));
        chart = std::move(plot);
        break;
    }
    case ChartKind::sweep: {
        if (!input.sweep)
            throw std::invalid_argument("buildFigureChart: the sweep chart needs sweep points");
        auto plot = std::make_unique<SweepPlot>(style);
        plot->setData(scenario, *input.sweep, result.summary.iteration_s, result.summary.oracle_s);
        plot->setWindowTitle(QStringLiteral("Iteration time vs bandwidth"));
        chart = std::move(plot);
        break;
    }
    }
    return chart;
}

} // namespace offload::plots
