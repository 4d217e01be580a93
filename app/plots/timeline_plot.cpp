#include "timeline_plot.h"

#include "format.h"

#include <QToolTip>

#include <algorithm>
#include <array>
#include <cmath>

namespace offload::plots {

namespace {
// Lanes top to bottom; a lane without events gets no row, except the three of vDNN, which are
// always shown so that an empty offload lane reads as "nothing offloaded".
constexpr std::array<sim::Lane, 4> kLaneOrder{sim::Lane::compute, sim::Lane::d2h, sim::Lane::h2d, sim::Lane::codec};
constexpr double kBarHalfHeight = 0.36;
constexpr double kStallHalfHeight = 0.46;
} // namespace

QString laneTitle(sim::Lane lane)
{
    switch (lane) {
    case sim::Lane::compute: return QStringLiteral("Compute");
    case sim::Lane::d2h: return QStringLiteral("Offload\n(D2H)");
    case sim::Lane::h2d: return QStringLiteral("Prefetch\n(H2D)");
    case sim::Lane::codec: return QStringLiteral("Codec");
    }
    return {};
}

QColor eventColor(sim::EventKind kind)
{
    switch (kind) {
    case sim::EventKind::forward: return palette::forward;
    case sim::EventKind::backward: return palette::backward;
    case sim::EventKind::offload: return palette::offload;
    case sim::EventKind::prefetch: return palette::prefetch;
    case sim::EventKind::compress:
    case sim::EventKind::decompress: return palette::codec;
    case sim::EventKind::stall: return palette::stall;
    }
    return palette::grey;
}

TimelineLanes::TimelineLanes(QCPAxis* keyAxis, QCPAxis* valueAxis)
    : QCPAbstractPlottable(keyAxis, valueAxis)
{
    setSelectable(QCP::stNone);
    setAntialiasedFill(false);
}

std::vector<sim::Lane> TimelineLanes::lanesFor(const std::vector<sim::Event>& events)
{
    bool hasCodecLane = false;
    for (const auto& e : events)
        hasCodecLane = hasCodecLane || e.lane == sim::Lane::codec;
    std::vector<sim::Lane> lanes;
    for (auto lane : kLaneOrder)
        if (lane != sim::Lane::codec || hasCodecLane)
            lanes.push_back(lane);
    return lanes;
}

TimelineRows TimelineRows::build(const std::vector<sim::Event>& events, std::optional<std::pair<double, double>> clipMs,
                                 const std::vector<sim::Lane>& lanes)
{
    TimelineRows built;
    std::array<int, kLaneOrder.size()> rowOfLane;
    rowOfLane.fill(-1);
    for (auto lane : lanes.empty() ? TimelineLanes::lanesFor(events) : lanes) {
        rowOfLane[static_cast<std::size_t>(lane)] = static_cast<int>(built.rows.size());
        built.rows.push_back(Row{lane, {}, {}, {}});
    }
    double firstBackwardS = -1;
    const double clipFromS = clipMs ? clipMs->first * 1e-3 : 0;
    const double clipToS = clipMs ? clipMs->second * 1e-3 : 0;
    for (const auto& e : events) {
        // The phases are the iteration's, whatever part of it is shown.
        if (e.kind == sim::EventKind::backward && (firstBackwardS < 0 || e.start_s < firstBackwardS))
            firstBackwardS = e.start_s;
        const int row = rowOfLane[static_cast<std::size_t>(e.lane)];
        if (row < 0)
            continue;
        sim::Event kept = e;
        if (clipMs) {
            // Only what overlaps the range by a positive length, cut at its edges; a stall of
            // zero length inside it stays (it is drawn at its minimum width).
            const bool inside = e.end_s > e.start_s ? (e.end_s > clipFromS && e.start_s < clipToS)
                                                    : (e.start_s >= clipFromS && e.start_s <= clipToS);
            if (!inside)
                continue;
            kept.start_s = std::max(e.start_s, clipFromS);
            kept.end_s = std::min(e.end_s, clipToS);
        }
        built.rows[static_cast<std::size_t>(row)].events.push_back(kept);
        built.endMs = std::max(built.endMs, kept.end_s * 1e3);
    }
    built.firstBackwardMs = firstBackwardS < 0 ? -1 : firstBackwardS * 1e3;
    for (auto& row : built.rows) {
        // Stalls may share the compute lane with the layers around them; a stable sort keeps
        // the simulator's order for equal starts. The simulator emits each lane almost in order,
        // so the sort is skipped when it already is.
        const auto byStart = [](const sim::Event& a, const sim::Event& b) { return a.start_s < b.start_s; };
        if (!std::is_sorted(row.events.begin(), row.events.end(), byStart))
            std::stable_sort(row.events.begin(), row.events.end(), byStart);
        row.runningMaxEndS.resize(row.events.size());
        double running = -1e300;
        for (std::size_t i = 0; i < row.events.size(); ++i) {
            running = std::max(running, row.events[i].end_s);
            row.runningMaxEndS[i] = running;
            if (row.events[i].kind == sim::EventKind::stall)
                row.stalls.push_back(i);
        }
    }
    return built;
}

void TimelineLanes::setEvents(const std::vector<sim::Event>& events, std::optional<std::pair<double, double>> clipMs,
                              const std::vector<sim::Lane>& lanes)
{
    rows_ = std::make_shared<const TimelineRows>(TimelineRows::build(events, clipMs, lanes));
}

void TimelineLanes::setRows(std::shared_ptr<const TimelineRows> rows)
{
    rows_ = std::move(rows);
}

int TimelineLanes::rowOf(sim::Lane lane) const
{
    for (std::size_t i = 0; i < rows_->rows.size(); ++i)
        if (rows_->rows[i].lane == lane)
            return static_cast<int>(i);
    return -1;
}

std::size_t TimelineLanes::firstVisible(const Row& row, double fromS) const
{
    return static_cast<std::size_t>(
        std::lower_bound(row.runningMaxEndS.begin(), row.runningMaxEndS.end(), fromS) - row.runningMaxEndS.begin());
}

const sim::Event* TimelineLanes::eventAt(int row, double timeMs, double toleranceMs) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    const Row& r = rowAt(row);
    const double t = timeMs * 1e-3, tol = toleranceMs * 1e-3;
    const sim::Event* best = nullptr;
    double bestDistance = tol;
    for (std::size_t i = firstVisible(r, t - tol); i < r.events.size() && r.events[i].start_s <= t + tol; ++i) {
        const auto& e = r.events[i];
        const double distance = (t < e.start_s) ? e.start_s - t : (t > e.end_s ? t - e.end_s : 0.0);
        // Inside beats near; among events containing t, a stall wins (it is what the eye looks for).
        if (distance < bestDistance || (distance == 0 && (best == nullptr || e.kind == sim::EventKind::stall))) {
            best = &e;
            bestDistance = distance;
        }
    }
    return best;
}

bool TimelineLanes::belongsToLayer(const sim::Event& event, int layer)
{
    if (layer < 0)
        return false;
    switch (event.kind) {
    case sim::EventKind::forward:
    case sim::EventKind::backward:
    case sim::EventKind::stall: return event.layer == layer;
    default: return event.tensor == layer || (event.tensor < -1 && event.layer == layer);
    }
}

int TimelineLanes::layerOfEvent(const sim::Event& event)
{
    switch (event.kind) {
    case sim::EventKind::forward:
    case sim::EventKind::backward:
    case sim::EventKind::stall: return event.layer;
    default: return event.tensor >= 0 ? event.tensor : event.layer;
    }
}

double TimelineLanes::selectTest(const QPointF&, bool, QVariant*) const
{
    // Hit testing is done by TimelinePlot in the model (binary search), not by QCustomPlot.
    return -1;
}

QCPRange TimelineLanes::getKeyRange(bool& foundRange, QCP::SignDomain) const
{
    foundRange = endMs() > 0;
    return QCPRange(0, endMs());
}

QCPRange TimelineLanes::getValueRange(bool& foundRange, QCP::SignDomain, const QCPRange&) const
{
    foundRange = rowCount() > 0;
    return QCPRange(-0.5, rowCount() - 0.5);
}

QRectF TimelineLanes::eventRect(int row, const sim::Event& event) const
{
    const double half = event.kind == sim::EventKind::stall ? kStallHalfHeight : kBarHalfHeight;
    const double x1 = keyAxis()->coordToPixel(event.start_s * 1e3);
    const double x2 = keyAxis()->coordToPixel(event.end_s * 1e3);
    const double y1 = valueAxis()->coordToPixel(row - half);
    const double y2 = valueAxis()->coordToPixel(row + half);
    return QRectF(QPointF(std::min(x1, x2), std::min(y1, y2)), QPointF(std::max(x1, x2), std::max(y1, y2)));
}

void TimelineLanes::draw(QCPPainter* painter)
{
    if (rowCount() == 0)
        return;
    const QCPRange visible = keyAxis()->range();
    const double fromS = visible.lower * 1e-3, toS = visible.upper * 1e-3;
    const QColor separator(255, 255, 255, 200);
    painter->setRenderHint(QPainter::Antialiasing, false);
    // The time where a pixel column starts: events narrower than a column are drawn one column
    // at a time and the rest of the column is skipped by binary search, so that a replot costs
    // the columns shown rather than the events (a million layers have four million).
    auto columnStartS = [&](double pixel) { return keyAxis()->pixelToCoord(pixel) * 1e-3; };

    std::vector<QRectF> stallRects;
    std::vector<QRectF> selectedRects;
    std::vector<QRectF> highlightedRects;
    for (int row = 0; row < rowCount(); ++row) {
        const Row& r = rowAt(row);
        const auto firstStartingFrom = [&](std::size_t from, double s) {
            return static_cast<std::size_t>(
                std::lower_bound(r.events.begin() + static_cast<std::ptrdiff_t>(from), r.events.end(), s,
                                 [](const sim::Event& e, double t) { return e.start_s < t; })
                - r.events.begin());
        };
        const std::size_t first = firstVisible(r, fromS);
        for (std::size_t i = first; i < r.events.size() && r.events[i].start_s <= toS;) {
            const auto& e = r.events[i];
            if (e.kind == sim::EventKind::stall) {
                ++i; // drawn below, from the row's stalls
                continue;
            }
            QRectF rect = eventRect(row, e);
            if (rect.width() >= 1.0) {
                painter->fillRect(rect, eventColor(e.kind));
                if (rect.width() > 5 && !paper_) {
                    // A light edge between abutting layers shows where each one starts.
                    painter->fillRect(QRectF(rect.left(), rect.top(), 1, rect.height()), separator);
                }
                ++i;
                continue;
            }
            // A sub-pixel event fills its column; the events that start later in the column
            // are skipped, unless one of them reaches past the next column (it is drawn in
            // full; one that ends in the next column leaves it to that column's events).
            const double pixel = std::floor(rect.left());
            rect.setLeft(pixel);
            rect.setWidth(1.0);
            painter->fillRect(rect, eventColor(e.kind));
            const std::size_t next = firstStartingFrom(i + 1, columnStartS(pixel + 1));
            const double afterNextColumnS = columnStartS(pixel + 2);
            const bool skippedReachBeyond = next > i + 1 && r.runningMaxEndS[next - 1] > afterNextColumnS
                                            && r.runningMaxEndS[next - 1] > r.runningMaxEndS[i];
            i = skippedReachBeyond ? i + 1 : std::max(next, i + 1);
        }
        // Stalls on top, never thinner than 1.5 px (a stall must never vanish at any zoom);
        // stalls that touch on screen are filled and hatched as one.
        auto stall = std::lower_bound(r.stalls.begin(), r.stalls.end(), first);
        while (stall != r.stalls.end() && r.events[*stall].start_s <= toS) {
            const sim::Event& e = r.events[*stall];
            QRectF rect = eventRect(row, e);
            if (rect.width() < 1.5)
                rect.setWidth(1.5);
            if (!stallRects.empty() && stallRects.back().top() == rect.top() && rect.left() <= stallRects.back().right() + 0.5)
                stallRects.back() = stallRects.back().united(rect);
            else
                stallRects.push_back(rect);
            // The stalls that start under the drawn one add nothing.
            const double coveredToS = std::max(e.end_s, columnStartS(stallRects.back().right()));
            const std::size_t nextEvent = firstStartingFrom(*stall + 1, coveredToS);
            stall = std::max(stall + 1, std::lower_bound(stall + 1, r.stalls.end(), nextEvent));
        }
        // The selected and highlighted layer's events, outlined (a layer has a few).
        if (selectedLayer_ >= 0 || highlightedLayer_ >= 0) {
            for (std::size_t i = first; i < r.events.size() && r.events[i].start_s <= toS; ++i) {
                const auto& e = r.events[i];
                if (belongsToLayer(e, selectedLayer_))
                    selectedRects.push_back(eventRect(row, e));
                if (highlightedLayer_ >= 0 && e.layer == highlightedLayer_ && e.lane == sim::Lane::compute)
                    highlightedRects.push_back(eventRect(row, e));
            }
        }
    }
    const QRectF clip = QRectF(clipRect());
    for (const auto& rect : stallRects) {
        painter->fillRect(rect, palette::stall);
        drawStallHatch(painter, rect.intersected(clip), paper_ ? 2.5 : 4.0, paper_ ? 0.5 : 0.8);
    }
    if (!selectedRects.empty()) {
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(palette::selection, paper_ ? 1.0 : 2.5));
        for (const auto& rect : selectedRects)
            painter->drawRect(rect.adjusted(-1, -1, 1, 1));
    }
    if (!highlightedRects.empty()) {
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setBrush(palette::cursorBand);
        painter->setPen(QPen(palette::cursor, 1.5, Qt::DashLine));
        for (const auto& rect : highlightedRects)
            painter->drawRect(rect.adjusted(-2, -2, 2, 2));
    }
}

void TimelineLanes::drawLegendIcon(QCPPainter*, const QRectF&) const {}

// ---------------------------------------------------------------------------------------------

TimelinePlot::TimelinePlot(const FigureStyle& style, QWidget* parent)
    : Chart(style, parent)
{
    lanes_ = new TimelineLanes(xAxis, yAxis);
    lanes_->removeFromLegend(); // the lanes are named by the swatches below, not by one entry
    lanes_->setPaperStyle(style.isPaper());
    xAxis->setLabel(QStringLiteral("Time (ms)"));
    yAxis->setRangeReversed(true); // compute on top, transfers below, as in Nsight Systems
    laneTicker_ = QSharedPointer<QCPAxisTickerText>::create();
    yAxis->setTicker(laneTicker_);
    yAxis->grid()->setVisible(false);
    yAxis->setTickLength(0, 0);
    yAxis->setSubTicks(false);
    xAxis->grid()->setVisible(true);

    swatches_.push_back({addLegendEntry(QStringLiteral("Forward"), palette::forward), {sim::EventKind::forward}});
    swatches_.push_back({addLegendEntry(QStringLiteral("Backward"), palette::backward), {sim::EventKind::backward}});
    swatches_.push_back({addLegendEntry(QStringLiteral("Offload"), palette::offload), {sim::EventKind::offload}});
    swatches_.push_back({addLegendEntry(QStringLiteral("Prefetch"), palette::prefetch), {sim::EventKind::prefetch}});
    codecSwatch_ = addLegendEntry(QStringLiteral("Codec"), palette::codec);
    swatches_.push_back({codecSwatch_, {sim::EventKind::compress, sim::EventKind::decompress}});
    swatches_.push_back({addLegendEntry(QStringLiteral("Stall"), palette::stall, true), {sim::EventKind::stall}});
    placeLegendOnTop();

    const QPen phasePen(QColor(0x55, 0x55, 0x55), style.isPaper() ? 0.6 : 1.2, Qt::DashLine);
    phaseLine_ = new QCPItemStraightLine(this);
    phaseLine_->setPen(phasePen);
    // The passes are named above the plot (on the top axis), never over the data.
    phaseTicker_ = QSharedPointer<QCPAxisTickerText>::create();
    xAxis2->setVisible(true);
    xAxis2->setTicker(phaseTicker_);
    xAxis2->setBasePen(Qt::NoPen);
    xAxis2->setTickPen(Qt::NoPen);
    xAxis2->setSubTicks(false);
    xAxis2->setTickLength(0, 0);
    xAxis2->setTickLabelPadding(style.isPaper() ? 1 : 2);
    xAxis2->grid()->setVisible(false);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), xAxis2, qOverload<const QCPRange&>(&QCPAxis::setRange));

    baselineLine_ = new QCPItemStraightLine(this);
    baselineLine_->setPen(QPen(Qt::black, style.isPaper() ? 0.8 : 2, Qt::DotLine));
    baselineLabel_ = new QCPItemText(this);
    baselineLabel_->setText(QStringLiteral("baseline end"));
    baselineLabel_->setFont(style.tickFont());
    baselineLabel_->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    baselineLabel_->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    baselineLabel_->setPadding(QMargins(2, 1, 4, 1));
    baselineLabel_->setBrush(QColor(255, 255, 255, 210));
    setBaselineEnd(std::nullopt);

    cursorLine_ = new QCPItemStraightLine(this);
    cursorLine_->setLayer(overlayLayer());
    cursorLine_->setPen(QPen(palette::cursor, 2));
    cursorLine_->setSelectable(false);
    cursorLine_->setVisible(false);

    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal);
    axisRect()->setRangeZoom(Qt::Horizontal);
    axisRect()->setRangeZoomFactor(0.85);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &TimelinePlot::clampRange);
    setMouseTracking(true);
}

LegendSwatch* TimelinePlot::addLegendEntry(const QString& name, const QBrush& brush, bool stallHatch)
{
    auto* swatch = new LegendSwatch(xAxis, yAxis, name, brush, stallHatch);
    swatch->addToLegend();
    return swatch;
}

void TimelinePlot::setData(const sim::Scenario& scenario, const sim::Result& result)
{
    setData(scenario, result, std::nullopt);
}

void TimelinePlot::setData(const sim::Scenario& scenario, const sim::Result& result,
                           std::optional<std::pair<double, double>> rangeMs)
{
    setData(scenario, std::make_shared<const sim::Result>(result), rangeMs);
}

void TimelinePlot::setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> resultPtr,
                           std::optional<std::pair<double, double>> rangeMs)
{
    const sim::Result& result = *resultPtr;
    const double previousEnd = lanes_->endMs();
    lanes_->setEvents(result.events, rangeMs);
    if (rangeMs) {
        // A figure of part of the iteration leaves out the lanes with nothing in it.
        std::vector<sim::Lane> busy;
        for (int row = 0; row < lanes_->rowCount(); ++row)
            if (!lanes_->rowEvents(row).empty())
                busy.push_back(lanes_->rowLane(row));
        if (!busy.empty() && static_cast<int>(busy.size()) < lanes_->rowCount())
            lanes_->setEvents(result.events, rangeMs, busy);
    }
    showLanes(scenario, std::move(resultPtr), rangeMs, previousEnd);
}

void TimelinePlot::setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                           std::shared_ptr<const TimelineRows> rows)
{
    const double previousEnd = lanes_->endMs();
    lanes_->setRows(std::move(rows));
    showLanes(scenario, std::move(result), std::nullopt, previousEnd);
}

void TimelinePlot::showLanes(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                             std::optional<std::pair<double, double>> rangeMs, double previousEnd)
{
    scenario_ = scenario;
    result_ = std::move(result);
    const bool clipChanged = clipMs_ != rangeMs;
    clipMs_ = rangeMs;
    laneTicker_->clear();
    for (int row = 0; row < lanes_->rowCount(); ++row)
        laneTicker_->addTick(row, laneTitle(lanes_->rowLane(row)));
    yAxis->setRange(-0.5, lanes_->rowCount() - 0.5);
    // The legend names what is drawn: codec work only when it has a lane, and in a figure of
    // part of the iteration only the kinds of event that appear in it.
    std::vector<bool> shown;
    bool changed = false;
    for (const auto& swatch : swatches_) {
        bool show = swatch.plottable != codecSwatch_ || lanes_->rowOf(sim::Lane::codec) >= 0;
        if (show && clipMs_) {
            bool present = false;
            for (int row = 0; row < lanes_->rowCount() && !present; ++row)
                for (const auto& e : lanes_->rowEvents(row))
                    if (std::find(swatch.kinds.begin(), swatch.kinds.end(), e.kind) != swatch.kinds.end()) {
                        present = true;
                        break;
                    }
            show = present;
        }
        changed = changed || show != legend->hasItemWithPlottable(swatch.plottable);
        shown.push_back(show);
    }
    if (changed) {
        // Taken out and put back in their fixed order.
        for (const auto& swatch : swatches_)
            swatch.plottable->removeFromLegend();
        for (std::size_t i = 0; i < swatches_.size(); ++i)
            if (shown[i])
                swatches_[i].plottable->addToLegend();
        legend->setWrap(0); // forces the legend to be laid out again for the new entries
    }

    const double backwardMs = lanes_->firstBackwardMs();
    phaseLine_->setVisible(backwardMs >= 0);
    phaseTicker_->clear();
    if (backwardMs >= 0) {
        phaseLine_->point1->setCoords(backwardMs, 0);
        phaseLine_->point2->setCoords(backwardMs, 1);
        // Each pass is named in the middle of the part of it that is shown.
        const double from = clipMs_ ? clipMs_->first : 0.0;
        const double to = clipMs_ ? clipMs_->second : lanes_->endMs();
        if (std::min(to, backwardMs) > from)
            phaseTicker_->addTick((from + std::min(to, backwardMs)) * 0.5, QStringLiteral("forward pass ▸"));
        if (to > std::max(from, backwardMs))
            phaseTicker_->addTick((std::max(from, backwardMs) + to) * 0.5, QStringLiteral("◂ backward pass"));
    }
    // A user who zoomed in keeps the zoom; otherwise the new iteration is shown whole.
    if (wholeIterationShown_ || previousEnd <= 0 || clipChanged || clipMs_)
        resetZoom();
    refresh();
}

void TimelinePlot::resetZoom()
{
    if (clipMs_) {
        xAxis->setRange(clipMs_->first, clipMs_->second);
        wholeIterationShown_ = true;
        return;
    }
    const double end = lanes_->endMs() > 0 ? lanes_->endMs() : 1.0;
    xAxis->setRange(0, end * 1.01);
    wholeIterationShown_ = true;
}

void TimelinePlot::clampRange(const QCPRange& range)
{
    // The whole iteration with a margin, or exactly the clip range of a range figure.
    const double start = clipMs_ ? clipMs_->first : 0.0;
    const double end = clipMs_ ? clipMs_->second : std::max(lanes_->endMs(), 1e-3) * 1.01;
    QCPRange clamped = range;
    const double minimumSpanMs = 1e-3;
    if (clamped.size() > end - start)
        clamped = QCPRange(start, end);
    if (clamped.size() < minimumSpanMs)
        clamped.upper = clamped.lower + minimumSpanMs;
    if (clamped.lower < start)
        clamped = QCPRange(start, start + clamped.size());
    if (clamped.upper > end)
        clamped = QCPRange(end - clamped.size(), end);
    if (clamped.lower != range.lower || clamped.upper != range.upper)
        xAxis->setRange(clamped);
    wholeIterationShown_ = clamped.lower <= start && clamped.upper >= end * 0.999;
}

QString timelineCsvRows(const QString& label, const sim::Scenario& scenario, const TimelineLanes& lanes)
{
    QString csv;
    for (int row = 0; row < lanes.rowCount(); ++row) {
        const QString lane = QString::fromUtf8(sim::laneName(lanes.rowLane(row)).data(), static_cast<qsizetype>(sim::laneName(lanes.rowLane(row)).size()));
        for (const auto& e : lanes.rowEvents(row)) {
            csv += csvField(label) + QLatin1Char(',') + lane + QLatin1Char(',')
                   + QString::fromUtf8(sim::eventKindName(e.kind).data(), static_cast<qsizetype>(sim::eventKindName(e.kind).size())) + QLatin1Char(',')
                   + csvField(e.layer >= 0 ? layerName(scenario, e.layer) : QString()) + QLatin1Char(',')
                   + csvField(e.tensor >= -1 ? layerName(scenario, e.tensor) : QString()) + QLatin1Char(',')
                   + QString::number(e.start_s * 1e3, 'g', 12) + QLatin1Char(',') + QString::number(e.end_s * 1e3, 'g', 12)
                   + QLatin1Char('\n');
        }
    }
    return csv;
}

QString TimelinePlot::drawnDataCsv() const
{
    return QString::fromLatin1(kTimelineCsvHeader)
           + timelineCsvRows(QString::fromStdString(scenario_.name), scenario_, *lanes_);
}

void TimelinePlot::setSelectedLayer(int layer)
{
    selectedLayer_ = layer;
    lanes_->setSelectedLayer(layer);
    refresh();
}

void TimelinePlot::setCursorTime(double seconds)
{
    cursorS_ = seconds;
    cursorLine_->setVisible(!std::isnan(seconds));
    if (!std::isnan(seconds)) {
        cursorLine_->point1->setCoords(seconds * 1e3, 0);
        cursorLine_->point2->setCoords(seconds * 1e3, 1);
    }
    refreshOverlay();
}

void TimelinePlot::setHighlightedLayer(int layer)
{
    if (layer == highlightedLayer_)
        return;
    highlightedLayer_ = layer;
    lanes_->setHighlightedLayer(layer);
    refresh();
}

void TimelinePlot::setBaselineEnd(std::optional<double> baselineIterationS)
{
    baselineLine_->setVisible(baselineIterationS.has_value());
    baselineLabel_->setVisible(baselineIterationS.has_value());
    if (baselineIterationS) {
        const double ms = *baselineIterationS * 1e3;
        baselineLine_->point1->setCoords(ms, 0);
        baselineLine_->point2->setCoords(ms, 1);
        baselineLabel_->position->setCoords(ms, 0.0);
    }
}

const sim::Event* TimelinePlot::eventAtPixel(const QPoint& widgetPos) const
{
    if (!axisRect()->rect().contains(widgetPos))
        return nullptr;
    const int row = static_cast<int>(std::lround(yAxis->pixelToCoord(widgetPos.y())));
    const double timeMs = xAxis->pixelToCoord(widgetPos.x());
    const double toleranceMs = std::abs(xAxis->pixelToCoord(widgetPos.x() + 3) - timeMs);
    return lanes_->eventAt(row, timeMs, toleranceMs);
}

QString TimelinePlot::hoverText(const QPoint& widgetPos) const
{
    const sim::Event* event = eventAtPixel(widgetPos);
    if (!event)
        return {};
    const bool hasLayer = result_ && event->layer >= 0 && static_cast<std::size_t>(event->layer) < result_->layers.size();
    return describeEvent(scenario_, *event, hasLayer ? &result_->layers[static_cast<std::size_t>(event->layer)] : nullptr);
}

void TimelinePlot::mousePressEvent(QMouseEvent* event)
{
    pressPos_ = event->pos();
    Chart::mousePressEvent(event);
}

void TimelinePlot::mouseMoveEvent(QMouseEvent* event)
{
    Chart::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton)
        return;
    const QString text = hoverText(event->pos());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void TimelinePlot::mouseReleaseEvent(QMouseEvent* event)
{
    Chart::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || (event->pos() - pressPos_).manhattanLength() > 4)
        return; // a drag pans, only a click selects
    if (const sim::Event* hit = eventAtPixel(event->pos()))
        emit layerClicked(TimelineLanes::layerOfEvent(*hit));
}

} // namespace offload::plots
