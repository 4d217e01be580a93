#include "figure_builder.h"

#include "layer_bars_plot.h"
#include "memory_plot.h"
#include "stacked_timeline_plot.h"
#include "sweep_plot.h"
#include "timeline_plot.h"

#include <algorithm>
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

std::optional<std::pair<double, double>> forwardSpanOfLayersMs(const sim::Result& result, int first, int last)
{
    double firstBackwardS = -1;
    for (const auto& e : result.events)
        if (e.kind == sim::EventKind::backward && (firstBackwardS < 0 || e.start_s < firstBackwardS))
            firstBackwardS = e.start_s;
    std::optional<std::pair<double, double>> span;
    for (const auto& e : result.events) {
        if (e.lane != sim::Lane::compute || e.layer < first || e.layer > last)
            continue;
        const bool forwardPhase = firstBackwardS < 0 || e.start_s < firstBackwardS;
        if (!(e.kind == sim::EventKind::forward || (e.kind == sim::EventKind::stall && forwardPhase)))
            continue;
        if (!span)
            span = std::make_pair(e.start_s * 1e3, e.end_s * 1e3);
        span->first = std::min(span->first, e.start_s * 1e3);
        span->second = std::max(span->second, e.end_s * 1e3);
    }
    return span;
}

std::optional<std::pair<int, int>> layersInTimeRange(const sim::Result& result, std::pair<double, double> rangeMs)
{
    std::optional<std::pair<int, int>> layers;
    for (const auto& e : result.events) {
        if (e.lane != sim::Lane::compute || (e.kind != sim::EventKind::forward && e.kind != sim::EventKind::backward) || e.layer < 0)
            continue;
        if (e.end_s * 1e3 <= rangeMs.first || e.start_s * 1e3 >= rangeMs.second)
            continue;
        if (!layers)
            layers = std::make_pair(e.layer, e.layer);
        layers->first = std::min(layers->first, e.layer);
        layers->second = std::max(layers->second, e.layer);
    }
    return layers;
}

namespace {
QString labelOf(const QString& label, const sim::Scenario& scenario)
{
    return label.isEmpty() ? QString::fromStdString(scenario.name) : label;
}
} // namespace

std::unique_ptr<Chart> buildFigureChart(ChartKind kind, const FigureStyle& style, const FigureInput& input)
{
    if (!input.scenario || !input.result)
        throw std::invalid_argument("buildFigureChart: scenario and result are required");
    for (const auto& other : input.compare)
        if (!other.scenario || !other.result)
            throw std::invalid_argument("buildFigureChart: a compared scenario has no result");
    const auto& scenario = *input.scenario;
    const auto& result = *input.result;
    const std::shared_ptr<const sim::Result> baseline =
        input.baseline ? std::make_shared<const sim::Result>(*input.baseline) : nullptr;
    // The time range of the time charts: given, or the forward span of the layer range.
    std::optional<std::pair<double, double>> timeRange = input.timeRangeMs;
    if (!timeRange && input.layerRange) {
        timeRange = forwardSpanOfLayersMs(result, input.layerRange->first, input.layerRange->second);
        if (!timeRange)
            throw std::invalid_argument("the layer range ran no forward computation");
    }
    std::vector<std::pair<QString, const sim::Result*>> others;
    for (const auto& other : input.compare)
        others.emplace_back(labelOf(other.label, *other.scenario), other.result);
    const QString ownLabel = labelOf(input.label, scenario);

    std::unique_ptr<Chart> chart;
    switch (kind) {
    case ChartKind::timeline: {
        if (!input.compare.empty()) {
            std::vector<TimelineEntry> entries{{ownLabel, &scenario, &result}};
            for (const auto& other : input.compare)
                entries.push_back({labelOf(other.label, *other.scenario), other.scenario, other.result});
            chart = std::make_unique<StackedTimelinePlot>(style, entries, timeRange);
            break;
        }
        auto plot = std::make_unique<TimelinePlot>(style);
        plot->setData(scenario, result, timeRange);
        plot->setSelectedLayer(input.selectedLayer);
        if (baseline)
            plot->setBaselineEnd(baseline->summary.iteration_s);
        plot->setWindowTitle(QStringLiteral("Timeline"));
        chart = std::move(plot);
        break;
    }
    case ChartKind::layers: {
        auto plot = std::make_unique<LayerBarsPlot>(style);
        std::optional<std::pair<int, int>> layerRange = input.layerRange;
        if (!layerRange && input.timeRangeMs) {
            layerRange = layersInTimeRange(result, *input.timeRangeMs);
            if (!layerRange)
                throw std::invalid_argument("no layer computes in the time range");
        }
        plot->setLayerRange(layerRange);
        plot->setData(scenario, result);
        if (input.compare.empty())
            plot->setBaseline(baseline);
        plot->setSelectedLayer(input.selectedLayer);
        plot->setComparisons(ownLabel, others);
        plot->setWindowTitle(QStringLiteral("Per-layer sparsity, ratio and stalls"));
        chart = std::move(plot);
        break;
    }
    case ChartKind::memory: {
        auto plot = std::make_unique<MemoryPlot>(style);
        plot->setTimeRange(timeRange);
        plot->setData(scenario, result);
        if (input.compare.empty())
            plot->setBaseline(baseline);
        plot->setSelectedLayer(input.selectedLayer);
        if (!others.empty())
            plot->setComparisons(ownLabel, others);
        plot->setWindowTitle(QStringLiteral("GPU memory"));
        chart = std::move(plot);
        break;
    }
    case ChartKind::sweep: {
        if (!input.sweep)
            throw std::invalid_argument("buildFigureChart: the sweep chart needs sweep points");
        auto plot = std::make_unique<SweepPlot>(style);
        if (input.compare.empty()) {
            plot->setMetric(input.sweepMetric);
            plot->setData(scenario, *input.sweep, result.summary.iteration_s, result.summary.oracle_s);
        } else {
            std::vector<SweepSeries> series{{ownLabel, *input.sweep}};
            for (const auto& other : input.compare) {
                if (!other.sweep)
                    throw std::invalid_argument("buildFigureChart: a compared scenario has no sweep points");
                series.push_back({labelOf(other.label, *other.scenario), *other.sweep});
            }
            plot->setSeries(series, input.sweepMetric);
        }
        if (input.logValueAxis)
            plot->setLogValueAxis(true);
        plot->setWindowTitle(QStringLiteral("Iteration time vs bandwidth"));
        chart = std::move(plot);
        break;
    }
    }
    return chart;
}

} // namespace offload::plots
