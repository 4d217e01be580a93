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
} // namespace

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

void TimelineLanes::setEvents(const std::vector<sim::Event>& events)
{
    rows_.clear();
    endMs_ = 0;
    firstBackwardMs_ = -1;
    bool hasCodecLane = false;
    for (const auto& e : events)
        hasCodecLane = hasCodecLane || e.lane == sim::Lane::codec;
    for (auto lane : kLaneOrder) {
        if (lane == sim::Lane::codec && !hasCodecLane)
            continue;
        rows_.push_back(Row{lane, {}, {}});
    }
    double firstBackwardS = -1;
    for (const auto& e : events) {
        const int row = rowOf(e.lane);
        if (row < 0)
            continue;
        rows_[static_cast<std::size_t>(row)].events.push_back(e);
        endMs_ = std::max(endMs_, e.end_s * 1e3);
        if (e.kind == sim::EventKind::backward && (firstBackwardS < 0 || e.start_s < firstBackwardS))
            firstBackwardS = e.start_s;
    }
    firstBackwardMs_ = firstBackwardS < 0 ? -1 : firstBackwardS * 1e3;
    for (auto& row : rows_) {
        // Stalls may share the compute lane with the layers around them; a stable sort keeps
        // the simulator's order for equal starts.
        std::stable_sort(row.events.begin(), row.events.end(),
                         [](const sim::Event& a, const sim::Event& b) { return a.start_s < b.start_s; });
        row.runningMaxEndS.resize(row.events.size());
        double running = -1e300;
        for (std::size_t i = 0; i < row.events.size(); ++i) {
            running = std::max(running, row.events[i].end_s);
            row.runningMaxEndS[i] = running;
        }
    }
}

int TimelineLanes::rowOf(sim::Lane lane) const
{
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].lane == lane)
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
    const Row& r = rows_[static_cast<std::size_t>(row)];
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
    foundRange = endMs_ > 0;
    return QCPRange(0, endMs_);
}

QCPRange TimelineLanes::getValueRange(bool& foundRange, QCP::SignDomain, const QCPRange&) const
{
    foundRange = !rows_.empty();
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
    if (rows_.empty())
        return;
    const QCPRange visible = keyAxis()->range();
    const double fromS = visible.lower * 1e-3, toS = visible.upper * 1e-3;
    const QColor separator(255, 255, 255, 200);
    const QBrush hatch = stallHatchBrush();
    painter->setRenderHint(QPainter::Antialiasing, false);

    std::vector<QRectF> stallRects;
    std::vector<QRectF> selectedRects;
    for (int row = 0; row < rowCount(); ++row) {
        const Row& r = rows_[static_cast<std::size_t>(row)];
        // Sub-pixel events are merged into one pixel-wide column per colour: with tens of
        // thousands of events only what can be seen is drawn.
        double lastThinPixel = -1e9;
        sim::EventKind lastThinKind = sim::EventKind::forward;
        for (std::size_t i = firstVisible(r, fromS); i < r.events.size() && r.events[i].start_s <= toS; ++i) {
            const auto& e = r.events[i];
            QRectF rect = eventRect(row, e);
            if (belongsToLayer(e, selectedLayer_))
                selectedRects.push_back(rect);
            if (e.kind == sim::EventKind::stall) {
                if (rect.width() < 1.5)
                    rect.setWidth(1.5); // a stall must never vanish at any zoom
                stallRects.push_back(rect);
                continue;
            }
            if (rect.width() < 1.0) {
                const double pixel = std::floor(rect.left());
                if (pixel == lastThinPixel && e.kind == lastThinKind)
                    continue;
                lastThinPixel = pixel;
                lastThinKind = e.kind;
                rect.setLeft(pixel);
                rect.setWidth(1.0);
            }
            painter->fillRect(rect, eventColor(e.kind));
            if (rect.width() > 5 && !paper_) {
                // A light edge between abutting layers shows where each one starts.
                painter->fillRect(QRectF(rect.left(), rect.top(), 1, rect.height()), separator);
            }
        }
    }
    for (const auto& rect : stallRects) {
        painter->fillRect(rect, palette::stall);
        painter->fillRect(rect, hatch);
    }
    if (!selectedRects.empty()) {
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(palette::selection, paper_ ? 1.0 : 2.5));
        for (const auto& rect : selectedRects)
            painter->drawRect(rect.adjusted(-1, -1, 1, 1));
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

    addLegendEntry(QStringLiteral("Forward"), palette::forward);
    addLegendEntry(QStringLiteral("Backward"), palette::backward);
    addLegendEntry(QStringLiteral("Offload"), palette::offload);
    addLegendEntry(QStringLiteral("Prefetch"), palette::prefetch);
    codecSwatch_ = addLegendEntry(QStringLiteral("Codec"), palette::codec);
    addLegendEntry(QStringLiteral("Stall"), palette::stall, stallHatchBrush());
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

    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal);
    axisRect()->setRangeZoom(Qt::Horizontal);
    axisRect()->setRangeZoomFactor(0.85);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &TimelinePlot::clampRange);
    setMouseTracking(true);
}

LegendSwatch* TimelinePlot::addLegendEntry(const QString& name, const QBrush& brush, const QBrush& overlay)
{
    auto* swatch = new LegendSwatch(xAxis, yAxis, name, brush, overlay);
    swatch->addToLegend();
    return swatch;
}

void TimelinePlot::setData(const sim::Scenario& scenario, const sim::Result& result)
{
    scenario_ = scenario;
    layers_ = result.layers;
    const double previousEnd = lanes_->endMs();
    lanes_->setEvents(result.events);
    laneTicker_->clear();
    for (int row = 0; row < lanes_->rowCount(); ++row)
        laneTicker_->addTick(row, laneTitle(lanes_->rowLane(row)));
    yAxis->setRange(-0.5, lanes_->rowCount() - 0.5);
    // The legend names what is drawn: codec work only when it has a lane.
    const bool codecShown = lanes_->rowOf(sim::Lane::codec) >= 0;
    if (codecShown != legend->hasItemWithPlottable(codecSwatch_)) {
        if (codecShown)
            codecSwatch_->addToLegend();
        else
            codecSwatch_->removeFromLegend();
        legend->setWrap(0); // forces the legend to be laid out again for the new entries
    }

    const double backwardMs = lanes_->firstBackwardMs();
    phaseLine_->setVisible(backwardMs >= 0);
    phaseTicker_->clear();
    if (backwardMs >= 0) {
        phaseLine_->point1->setCoords(backwardMs, 0);
        phaseLine_->point2->setCoords(backwardMs, 1);
        phaseTicker_->addTick(backwardMs * 0.5, QStringLiteral("forward pass ▸"));
        phaseTicker_->addTick((backwardMs + lanes_->endMs()) * 0.5, QStringLiteral("◂ backward pass"));
    }
    // A user who zoomed in keeps the zoom; otherwise the new iteration is shown whole.
    if (wholeIterationShown_ || previousEnd <= 0)
        resetZoom();
    refresh();
}

void TimelinePlot::resetZoom()
{
    const double end = lanes_->endMs() > 0 ? lanes_->endMs() : 1.0;
    xAxis->setRange(0, end * 1.01);
    wholeIterationShown_ = true;
}

void TimelinePlot::clampRange(const QCPRange& range)
{
    const double end = std::max(lanes_->endMs(), 1e-3) * 1.01;
    QCPRange clamped = range;
    const double minimumSpanMs = 1e-3;
    if (clamped.size() > end)
        clamped = QCPRange(0, end);
    if (clamped.size() < minimumSpanMs)
        clamped.upper = clamped.lower + minimumSpanMs;
    if (clamped.lower < 0)
        clamped = QCPRange(0, clamped.size());
    if (clamped.upper > end)
        clamped = QCPRange(end - clamped.size(), end);
    if (clamped.lower != range.lower || clamped.upper != range.upper)
        xAxis->setRange(clamped);
    wholeIterationShown_ = clamped.lower <= 0 && clamped.upper >= end * 0.999;
}

void TimelinePlot::setSelectedLayer(int layer)
{
    selectedLayer_ = layer;
    lanes_->setSelectedLayer(layer);
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
    const bool hasLayer = event->layer >= 0 && static_cast<std::size_t>(event->layer) < layers_.size();
    return describeEvent(scenario_, *event, hasLayer ? &layers_[static_cast<std::size_t>(event->layer)] : nullptr);
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
