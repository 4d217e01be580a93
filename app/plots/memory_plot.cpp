#include "memory_plot.h"

#include "timeline_plot.h"

#include "format.h"

#include "core/byte_units.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace offload::plots {

namespace {
double endOf(const sim::Result& result)
{
    double end = result.summary.iteration_s;
    for (const auto& p : result.memory)
        end = std::max(end, p.time_s);
    return end * 1e3;
}
} // namespace

MemoryPlot::MemoryPlot(const FigureStyle& style, QWidget* parent)
    : Chart(style, parent)
{
    xAxis->setLabel(QStringLiteral("Time (ms)"));
    yAxis->setLabel(QStringLiteral("GPU memory (GiB)"));
    yAxis->ticker()->setTickCount(3);

    oracle_ = addGraph();
    oracle_->setName(QStringLiteral("Oracle (no offload)"));
    oracle_->setLineStyle(QCPGraph::lsStepLeft);
    oracle_->setPen(QPen(palette::grey, style.lineWidth, Qt::DashLine));

    baseline_ = addGraph();
    baseline_->setName(QStringLiteral("Baseline"));
    baseline_->setLineStyle(QCPGraph::lsStepLeft);
    baseline_->setPen(QPen(Qt::black, style.lineWidth * 0.8, Qt::DotLine));

    memory_ = addGraph();
    memory_->setName(QStringLiteral("This scenario"));
    memory_->setLineStyle(QCPGraph::lsStepLeft);
    memory_->setPen(QPen(palette::blue, style.lineWidth));
    QColor fill = palette::skyBlue;
    fill.setAlpha(90);
    memory_->setBrush(fill);

    budget_ = addGraph();
    budget_->setName(QStringLiteral("Budget"));
    budget_->setPen(QPen(palette::vermillion, style.lineWidth, Qt::DashDotLine));

    for (auto* graph : {oracle_, baseline_, memory_, budget_})
        graph->setSelectable(QCP::stNone);
    baseline_->removeFromLegend();
    placeLegendOnTop();

    cursorLine_ = new QCPItemStraightLine(this);
    cursorDot_ = new QCPItemTracer(this);
    cursorLine_->setPen(QPen(palette::cursor, 2));
    cursorDot_->setStyle(QCPItemTracer::tsCircle);
    cursorDot_->setSize(style.isPaper() ? 5 : 11);
    cursorDot_->setPen(QPen(palette::cursor, 2));
    cursorDot_->setBrush(palette::cursorBand);
    for (QCPAbstractItem* item : {static_cast<QCPAbstractItem*>(cursorLine_), static_cast<QCPAbstractItem*>(cursorDot_)}) {
        item->setLayer(overlayLayer());
        item->setSelectable(false);
        item->setVisible(false);
    }

    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal);
    axisRect()->setRangeZoom(Qt::Horizontal);
}

void MemoryPlot::setCursorTime(double seconds)
{
    cursorS_ = seconds;
    const bool shown = !std::isnan(seconds) && result_ && !result_->memory.empty();
    cursorLine_->setVisible(shown);
    cursorDot_->setVisible(shown);
    if (shown) {
        // The allocation in force at the cursor: the last point at or before it.
        const auto after = std::upper_bound(result_->memory.begin(), result_->memory.end(), seconds,
                                            [](double t, const sim::MemoryPoint& p) { return t < p.time_s; });
        const std::uint64_t bytes = after == result_->memory.begin() ? 0 : std::prev(after)->bytes;
        const double ms = seconds * 1e3;
        cursorLine_->point1->setCoords(ms, 0);
        cursorLine_->point2->setCoords(ms, 1);
        cursorDot_->position->setCoords(ms, bytesToGiB(static_cast<double>(bytes)));
    }
    refreshOverlay();
}

namespace {
// A step curve's points in ms and GiB, closed at `endMs` so that the last level is drawn to the end.
void stepPoints(const std::vector<sim::MemoryPoint>& points, double endMs, QVector<double>& keys, QVector<double>& values)
{
    keys.clear();
    values.clear();
    keys.reserve(static_cast<int>(points.size()) + 2);
    values.reserve(static_cast<int>(points.size()) + 2);
    for (const auto& p : points) {
        keys.push_back(p.time_s * 1e3);
        values.push_back(bytesToGiB(static_cast<double>(p.bytes)));
    }
    if (!points.empty() && keys.back() < endMs) {
        keys.push_back(endMs);
        values.push_back(values.back());
    }
}

QSharedPointer<QCPGraphDataContainer> stepContainer(const std::vector<sim::MemoryPoint>& points, double endMs)
{
    QVector<double> keys, values;
    stepPoints(points, endMs, keys, values);
    auto container = QSharedPointer<QCPGraphDataContainer>::create();
    QVector<QCPGraphData> data(keys.size());
    for (int i = 0; i < keys.size(); ++i)
        data[i] = QCPGraphData(keys[i], values[i]);
    container->set(data, true);
    return container;
}
} // namespace

MemorySteps MemorySteps::build(const sim::Result& result)
{
    MemorySteps steps;
    steps.endMs = std::max(endOf(result), result.summary.oracle_s * 1e3);
    steps.memory = stepContainer(result.memory, endOf(result));
    steps.oracle = stepContainer(result.oracle_memory, std::max(result.summary.oracle_s * 1e3, 0.0));
    return steps;
}

void MemoryPlot::fillSteps(QCPGraph* graph, const std::vector<sim::MemoryPoint>& points, double endMs) const
{
    QVector<double> keys, values;
    stepPoints(points, endMs, keys, values);
    if (rangeMs_ && !keys.isEmpty()) {
        // Cut at the range: the level in force at its start begins the curve, the level at its
        // end closes it, and no point outside it remains.
        const double from = rangeMs_->first, to = rangeMs_->second;
        QVector<double> cutKeys, cutValues;
        double levelAtFrom = -1;
        for (int i = 0; i < keys.size(); ++i)
            if (keys[i] <= from)
                levelAtFrom = values[i];
        if (levelAtFrom >= 0) {
            cutKeys.push_back(from);
            cutValues.push_back(levelAtFrom);
        }
        for (int i = 0; i < keys.size(); ++i) {
            if (keys[i] > from && keys[i] < to) {
                cutKeys.push_back(keys[i]);
                cutValues.push_back(values[i]);
            }
        }
        // The closing point at the range end, when the curve reaches it.
        if (!cutKeys.isEmpty() && keys.back() >= to) {
            cutKeys.push_back(to);
            cutValues.push_back(cutValues.back());
        }
        keys = cutKeys;
        values = cutValues;
    }
    graph->setData(keys, values, true);
}

void MemoryPlot::setTimeRange(std::optional<std::pair<double, double>> rangeMs)
{
    rangeMs_ = rangeMs;
}

void MemoryPlot::setComparisons(const QString& ownLabel, const std::vector<std::pair<QString, const sim::Result*>>& others)
{
    for (auto* graph : comparisons_)
        removeGraph(graph);
    comparisons_.clear();
    memory_->setName(others.empty() ? QStringLiteral("This scenario") : ownLabel);
    const auto& style = figureStyle();
    bool sameOracle = true;
    for (std::size_t i = 0; i < others.size(); ++i) {
        const auto& [label, result] = others[i];
        auto* graph = addGraph();
        graph->setName(label);
        graph->setLineStyle(QCPGraph::lsStepLeft);
        // Series 0 is black and 5 the main curve's blue: comparisons take the others.
        static const int seriesIndex[] = {1, 2, 3, 4, 6};
        const int index = seriesIndex[i % 5];
        graph->setPen(QPen(palette::series(index), style.lineWidth, palette::seriesDash(static_cast<int>(i) + 1)));
        graph->setSelectable(QCP::stNone);
        fillSteps(graph, result->memory, endOf(*result));
        endMs_ = std::max(endMs_, endOf(*result));
        comparisons_.push_back(graph);
        sameOracle = sameOracle && result_ && result->oracle_memory.size() == result_->oracle_memory.size()
                     && result->summary.oracle_s == result_->summary.oracle_s;
    }
    if (!sameOracle) {
        oracle_->data()->clear();
        oracle_->removeFromLegend();
    }
    // The budget line stays last in the legend.
    budget_->removeFromLegend();
    budget_->addToLegend();
    rescale();
    refresh();
}

QString MemoryPlot::drawnDataCsv() const
{
    QString csv = QStringLiteral("series,time_ms,gib\n");
    auto add = [&csv](const QCPGraph* graph) {
        if (!graph->visible())
            return;
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
            csv += csvField(graph->name()) + QLatin1Char(',') + QString::number(it->key, 'g', 12) + QLatin1Char(',')
                   + QString::number(it->value, 'g', 12) + QLatin1Char('\n');
    };
    for (const auto* graph : {memory_, oracle_, baseline_, budget_})
        add(graph);
    for (const auto* graph : comparisons_)
        add(graph);
    return csv;
}

void MemoryPlot::setData(const sim::Scenario& scenario, const sim::Result& result)
{
    setData(scenario, std::make_shared<const sim::Result>(result));
}

void MemoryPlot::setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> resultPtr)
{
    const sim::Result& result = *resultPtr;
    result_ = std::move(resultPtr);
    steps_.reset();
    endMs_ = std::max(endOf(result), result.summary.oracle_s * 1e3);
    fillSteps(memory_, result.memory, endOf(result));
    fillSteps(oracle_, result.oracle_memory, std::max(result.summary.oracle_s * 1e3, 0.0));
    showCurves(scenario);
}

void MemoryPlot::setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                         std::shared_ptr<const MemorySteps> steps)
{
    result_ = std::move(result);
    rangeMs_.reset();
    endMs_ = steps->endMs;
    memory_->setData(steps->memory); // shared, not copied
    oracle_->setData(steps->oracle);
    steps_ = std::move(steps);
    showCurves(scenario);
}

void MemoryPlot::showCurves(const sim::Scenario& scenario)
{
    const double budgetGiB = bytesToGiB(static_cast<double>(scenario.budgetBytes()));
    if (rangeMs_)
        budget_->setData(QVector<double>{rangeMs_->first, rangeMs_->second}, QVector<double>{budgetGiB, budgetGiB}, true);
    else
        budget_->setData(QVector<double>{0, std::max(endMs_, 1e-3)}, QVector<double>{budgetGiB, budgetGiB}, true);
    rescale();
    if (!std::isnan(cursorS_))
        setCursorTime(cursorS_); // the dot follows the new curve
    refresh();
}

void MemoryPlot::setBaseline(std::shared_ptr<const sim::Result> baseline)
{
    if (baseline) {
        fillSteps(baseline_, baseline->memory, endOf(*baseline));
        baseline_->addToLegend();
    } else {
        baseline_->data()->clear();
        baseline_->removeFromLegend();
    }
    rescale();
    refresh();
}

void MemoryPlot::rescale()
{
    double endMs = endMs_;
    bool found = false;
    const QCPRange baselineKeys = baseline_->getKeyRange(found);
    if (found)
        endMs = std::max(endMs, baselineKeys.upper);
    if (rangeMs_)
        xAxis->setRange(rangeMs_->first, rangeMs_->second);
    else
        xAxis->setRange(0, std::max(endMs, 1e-3) * 1.01);
    double top = 0;
    std::vector<QCPGraph*> curves{memory_, oracle_, baseline_};
    curves.insert(curves.end(), comparisons_.begin(), comparisons_.end());
    for (auto* graph : curves) {
        bool f = false;
        const QCPRange r = graph->getValueRange(f);
        if (f)
            top = std::max(top, r.upper);
    }
    // The budget is shown when it is within reach of the curves (a 80 GB GPU budget would
    // squash a 2 GB curve to a line); the legend still names it.
    bool f = false;
    const QCPRange budget = budget_->getValueRange(f);
    if (f && budget.upper <= top * 1.6)
        top = std::max(top, budget.upper);
    yAxis->setRange(0, top > 0 ? top * 1.1 : 1);
}

void MemoryPlot::setSelectedLayer(int layer)
{
    for (auto* item : selectionSpans_)
        removeItem(item);
    selectionSpans_.clear();
    if (layer >= 0 && result_) {
        for (const auto& e : result_->events) {
            if (e.lane != sim::Lane::compute || e.layer != layer
                || (e.kind != sim::EventKind::forward && e.kind != sim::EventKind::backward))
                continue;
            auto* span = new QCPItemRect(this);
            span->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
            span->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
            span->topLeft->setCoords(e.start_s * 1e3, 0);
            span->bottomRight->setCoords(e.end_s * 1e3, 1);
            span->setPen(QPen(Qt::black, 1));
            span->setBrush(QColor(0, 0, 0, 40));
            span->setSelectable(false);
            span->setLayer(QStringLiteral("background"));
            selectionSpans_.push_back(span);
        }
    }
    refresh();
}

} // namespace offload::plots
