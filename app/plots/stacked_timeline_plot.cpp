#include "stacked_timeline_plot.h"

#include "format.h"

#include <algorithm>
#include <stdexcept>

namespace offload::plots {

namespace {
constexpr int kFirstPanelRow = 1; // row 0 holds the legend
int titleRow(std::size_t panel) { return kFirstPanelRow + 2 * static_cast<int>(panel); }
int rectRow(std::size_t panel) { return titleRow(panel) + 1; }
} // namespace

StackedTimelinePlot::StackedTimelinePlot(const FigureStyle& style, const std::vector<TimelineEntry>& entries,
                                         std::optional<std::pair<double, double>> rangeMs)
    : Chart(style)
{
    if (entries.empty())
        throw std::invalid_argument("StackedTimelinePlot: no timelines to stack");
    // Every panel gets the same rows, so that a lane sits at the same height in each.
    std::vector<sim::Lane> lanes;
    for (auto lane : {sim::Lane::compute, sim::Lane::d2h, sim::Lane::h2d, sim::Lane::codec}) {
        for (const auto& entry : entries) {
            const auto own = TimelineLanes::lanesFor(entry.result->events);
            if (std::find(own.begin(), own.end(), lane) != own.end()) {
                lanes.push_back(lane);
                break;
            }
        }
    }
    double endMs = 0;
    for (const auto& entry : entries)
        for (const auto& e : entry.result->events)
            endMs = std::max(endMs, e.end_s * 1e3);
    const QCPRange shown = rangeMs ? QCPRange(rangeMs->first, rangeMs->second) : QCPRange(0, std::max(endMs, 1e-3) * 1.01);

    plotLayout()->clear(); // also deletes the default legend; a new one goes on top below
    auto* marginGroup = new QCPMarginGroup(this);
    const QPen phasePen(QColor(0x55, 0x55, 0x55), style.isPaper() ? 0.6 : 1.2, Qt::DashLine);
    QFont titleFont = style.labelFont();
    titleFont.setBold(true);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& entry = entries[i];
        Panel panel;
        panel.label = entry.label;
        panel.scenario = *entry.scenario;
        panel.title = new QCPTextElement(this, entry.label, titleFont);
        panel.title->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
        panel.title->setMargins(QMargins(2, style.isPaper() ? 1 : 3, 2, 0));
        plotLayout()->addElement(titleRow(i) - kFirstPanelRow, 0, panel.title);
        panel.rect = new QCPAxisRect(this);
        plotLayout()->addElement(rectRow(i) - kFirstPanelRow, 0, panel.rect);
        styleAxisRect(panel.rect);
        panel.rect->setMarginGroup(QCP::msLeft | QCP::msRight, marginGroup);
        auto* x = panel.rect->axis(QCPAxis::atBottom);
        auto* y = panel.rect->axis(QCPAxis::atLeft);
        const bool last = i + 1 == entries.size();
        x->setTickLabels(last);
        if (last)
            x->setLabel(QStringLiteral("Time (ms)"));
        else {
            panel.rect->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msTop);
            panel.rect->setMargins(QMargins(0, 0, 0, style.isPaper() ? 2 : 4));
        }
        x->grid()->setVisible(true);
        y->setRangeReversed(true);
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        y->setTicker(ticker);
        y->grid()->setVisible(false);
        y->setTickLength(0, 0);
        y->setSubTicks(false);

        panel.lanes = new TimelineLanes(x, y);
        panel.lanes->removeFromLegend();
        panel.lanes->setPaperStyle(style.isPaper());
        panel.lanes->setEvents(entry.result->events, rangeMs, lanes);
        for (int row = 0; row < panel.lanes->rowCount(); ++row)
            ticker->addTick(row, laneTitle(panel.lanes->rowLane(row)));
        y->setRange(-0.5, panel.lanes->rowCount() - 0.5);
        x->setRange(shown);

        // Where the backward pass starts in this scenario.
        if (panel.lanes->firstBackwardMs() >= 0) {
            auto* phase = new QCPItemStraightLine(this);
            phase->setClipAxisRect(panel.rect);
            for (auto* point : {phase->point1, phase->point2})
                point->setAxes(x, y);
            phase->point1->setCoords(panel.lanes->firstBackwardMs(), 0);
            phase->point2->setCoords(panel.lanes->firstBackwardMs(), 1);
            phase->setPen(phasePen);
        }
        plotLayout()->setRowStretchFactor(titleRow(i) - kFirstPanelRow, 0.001);
        panels_.push_back(panel);
    }

    legend = new QCPLegend;
    placeLegendOnTop();
    styleLegend(legend);
    legend->setLayer(QStringLiteral("legend"));
    auto* x0 = panels_.front().rect->axis(QCPAxis::atBottom);
    auto* y0 = panels_.front().rect->axis(QCPAxis::atLeft);
    const std::pair<const char*, sim::EventKind> kinds[] = {
        {"Forward", sim::EventKind::forward},   {"Backward", sim::EventKind::backward}, {"Offload", sim::EventKind::offload},
        {"Prefetch", sim::EventKind::prefetch}, {"Codec", sim::EventKind::compress}};
    const bool codecShown = std::find(lanes.begin(), lanes.end(), sim::Lane::codec) != lanes.end();
    for (const auto& [name, kind] : kinds) {
        if (kind == sim::EventKind::compress && !codecShown)
            continue;
        (new LegendSwatch(x0, y0, QString::fromLatin1(name), eventColor(kind)))->addToLegend();
    }
    (new LegendSwatch(x0, y0, QStringLiteral("Stall"), palette::stall, true))->addToLegend();
    setWindowTitle(QStringLiteral("Timelines compared"));
}

bool StackedTimelinePlot::adaptToLayout()
{
    // Equal lane heights in every panel: the last one also holds the time axis, so its share
    // of the layout is its plot height plus that room.
    double total = 0, margins = 0;
    for (const auto& panel : panels_) {
        total += panel.rect->outerRect().height();
        margins += panel.rect->margins().top() + panel.rect->margins().bottom();
    }
    if (panels_.empty() || total <= margins)
        return false;
    const double inner = (total - margins) / static_cast<double>(panels_.size());
    bool again = false;
    for (std::size_t i = 0; i < panels_.size(); ++i) {
        const auto* rect = panels_[i].rect;
        const double factor = (inner + rect->margins().top() + rect->margins().bottom()) / total;
        if (std::abs(plotLayout()->rowStretchFactors().at(rectRow(i)) - factor) > 0.01) {
            plotLayout()->setRowStretchFactor(rectRow(i), factor);
            again = true;
        }
    }
    return again;
}

QString StackedTimelinePlot::drawnDataCsv() const
{
    QString csv = QString::fromLatin1(kTimelineCsvHeader);
    for (const auto& panel : panels_)
        csv += timelineCsvRows(panel.label, panel.scenario, *panel.lanes);
    return csv;
}

} // namespace offload::plots
