#include "memory_plot.h"

#include "timeline_plot.h"

#include <algorithm>

namespace offload::plots {

namespace {
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
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

    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal);
    axisRect()->setRangeZoom(Qt::Horizontal);
}

void MemoryPlot::fillSteps(QCPGraph* graph, const std::vector<sim::MemoryPoint>& points, double endMs)
{
    QVector<double> keys, values;
    keys.reserve(static_cast<int>(points.size()) + 1);
    values.reserve(static_cast<int>(points.size()) + 1);
    for (const auto& p : points) {
        keys.push_back(p.time_s * 1e3);
        values.push_back(static_cast<double>(p.bytes) / kGiB);
    }
    // A step curve needs a closing point so that the last level is drawn to the end.
    if (!points.empty() && keys.back() < endMs) {
        keys.push_back(endMs);
        values.push_back(values.back());
    }
    graph->setData(keys, values, true);
}

void MemoryPlot::setData(const sim::Scenario& scenario, const sim::Result& result)
{
    result_ = result;
    endMs_ = std::max(endOf(result), result.summary.oracle_s * 1e3);
    fillSteps(memory_, result.memory, endOf(result));
    fillSteps(oracle_, result.oracle_memory, std::max(result.summary.oracle_s * 1e3, 0.0));
    const double budgetGiB = static_cast<double>(scenario.budgetBytes()) / kGiB;
    budget_->setData(QVector<double>{0, std::max(endMs_, 1e-3)}, QVector<double>{budgetGiB, budgetGiB}, true);
    rescale();
    refresh();
}

void MemoryPlot::setBaseline(const std::optional<sim::Result>& baseline)
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
    xAxis->setRange(0, std::max(endMs, 1e-3) * 1.01);
    double top = 0;
    for (auto* graph : {memory_, oracle_, baseline_}) {
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
    if (layer >= 0) {
        for (const auto& e : result_.events) {
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
