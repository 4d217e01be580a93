#include "layer_bars_plot.h"

#include "format.h"
#include "timeline_plot.h"

#include <QFontMetrics>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace offload::plots {

QString layerMetricTitle(LayerMetric metric)
{
    switch (metric) {
    case LayerMetric::sparsity: return QStringLiteral("Output sparsity (%)");
    case LayerMetric::ratio: return QStringLiteral("Compression ratio (×)");
    case LayerMetric::forwardStall: return QStringLiteral("Forward stall (ms)");
    case LayerMetric::backwardStall: return QStringLiteral("Backward stall (ms)");
    }
    return {};
}

double layerMetricValue(LayerMetric metric, const sim::LayerResult& layer)
{
    switch (metric) {
    case LayerMetric::sparsity: return layer.sparsity * 100.0;
    case LayerMetric::ratio: return layer.ratio;
    case LayerMetric::forwardStall: return layer.forward_stall_s * 1e3;
    case LayerMetric::backwardStall: return layer.backward_stall_s * 1e3;
    }
    return 0;
}

static QColor metricColor(LayerMetric metric)
{
    switch (metric) {
    case LayerMetric::sparsity: return palette::blue;
    case LayerMetric::ratio: return palette::codec;
    case LayerMetric::forwardStall:
    case LayerMetric::backwardStall: return palette::stall;
    }
    return palette::grey;
}

LayerBarsPlot::LayerBarsPlot(const FigureStyle& style, std::vector<LayerMetric> metrics, QWidget* parent)
    : Chart(style, parent)
    , metrics_(std::move(metrics))
{
    plotLayout()->clear();
    nameTicker_ = QSharedPointer<QCPAxisTickerText>::create();
    auto* marginGroup = new QCPMarginGroup(this);
    for (std::size_t i = 0; i < metrics_.size(); ++i) {
        Panel panel;
        panel.metric = metrics_[i];
        panel.rect = new QCPAxisRect(this);
        plotLayout()->addElement(static_cast<int>(i), 0, panel.rect);
        styleAxisRect(panel.rect);
        panel.rect->setMarginGroup(QCP::msLeft | QCP::msRight, marginGroup);
        auto* x = panel.rect->axis(QCPAxis::atBottom);
        auto* y = panel.rect->axis(QCPAxis::atLeft);
        x->setTicker(nameTicker_);
        x->grid()->setVisible(false);
        x->setSubTicks(false);
        x->setTickLabelRotation(-60);
        const bool last = i + 1 == metrics_.size();
        x->setTickLabels(last);
        if (!last) {
            panel.rect->setAutoMargins(QCP::msLeft | QCP::msRight | QCP::msTop);
            panel.rect->setMargins(QMargins(0, 0, 0, style.isPaper() ? 2 : 4));
        }
        // Small multiples: the panel's title sits inside its top-left corner, not as a rotated
        // axis label that would not fit a short panel.
        auto* title = new QCPItemText(this);
        title->setClipToAxisRect(false);
        title->setClipAxisRect(panel.rect);
        title->position->setAxisRect(panel.rect);
        title->position->setAxes(x, y);
        title->position->setType(QCPItemPosition::ptAxisRectRatio);
        title->position->setCoords(0.005, 0.0);
        title->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        title->setText(layerMetricTitle(panel.metric));
        title->setFont(style.labelFont());
        title->setColor(Qt::black);
        title->setBrush(QColor(255, 255, 255, 215));
        title->setPadding(QMargins(3, 0, 3, 1));
        title->setLayer(QStringLiteral("legend"));
        y->ticker()->setTickCount(2);
        panel.rect->setRangeDrag(Qt::Horizontal);
        panel.rect->setRangeZoom(Qt::Horizontal);

        const QColor color = metricColor(panel.metric);
        const bool stall = panel.metric == LayerMetric::forwardStall || panel.metric == LayerMetric::backwardStall;
        // Stall bars carry the same hatch as stalls in the timeline.
        panel.bars = stall ? new HatchedBars(x, y) : new QCPBars(x, y);
        panel.bars->setWidth(0.8);
        panel.bars->setPen(Qt::NoPen);
        panel.bars->setBrush(color);
        panel.bars->setSelectable(QCP::stNone);
        panel.bars->setAntialiased(false);
        panel.baseline = new QCPBars(x, y);
        panel.baseline->setWidth(0.8);
        panel.baseline->setPen(QPen(Qt::black, style.isPaper() ? 0.5 : 1.2, Qt::DashLine));
        panel.baseline->setBrush(Qt::NoBrush);
        panel.baseline->setSelectable(QCP::stNone);
        panel.selected = new QCPBars(x, y);
        panel.selected->setWidth(0.8);
        panel.selected->setPen(QPen(palette::selection, style.isPaper() ? 0.8 : 2));
        panel.selected->setBrush(color.darker(160));
        panel.selected->setSelectable(QCP::stNone);
        connect(x, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &LayerBarsPlot::syncRanges);
        panels_.push_back(panel);
    }
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMouseTracking(true);
}

QVector<double> LayerBarsPlot::panelValues(LayerMetric metric, const sim::Result& result, QVector<double>& keys) const
{
    // Only the layers of the range: a bar outside it is neither drawn nor exported.
    const int n = static_cast<int>(result.layers.size());
    const int first = layerRange_ ? std::max(0, layerRange_->first) : 0;
    const int last = layerRange_ ? std::min(n - 1, layerRange_->second) : n - 1;
    keys.clear();
    QVector<double> values;
    for (int i = first; i <= last; ++i) {
        keys.push_back(i);
        values.push_back(layerMetricValue(metric, result.layers[static_cast<std::size_t>(i)]));
    }
    return values;
}

void LayerBarsPlot::setData(const sim::Scenario& scenario, const sim::Result& result)
{
    const bool sameLayerCount = result.layers.size() == result_.layers.size();
    scenario_ = scenario;
    result_ = result;
    const int n = static_cast<int>(result.layers.size());
    names_.clear();
    for (int i = 0; i < n; ++i)
        names_.push_back(layerName(scenario, i));
    for (auto& panel : panels_) {
        QVector<double> keys;
        const QVector<double> values = panelValues(panel.metric, result, keys);
        panel.bars->setData(keys, values, true);
    }
    if (!sameLayerCount || layerRange_)
        for (auto& panel : panels_)
            panel.rect->axis(QCPAxis::atBottom)->setRange(layerRange_ ? layerRange_->first - 0.6 : -0.6,
                                                          layerRange_ ? layerRange_->second + 0.4 : n - 0.4);
    rescaleValues();
    setSelectedLayer(selectedLayer_ < n ? selectedLayer_ : -1);
}

void LayerBarsPlot::rescaleValues()
{
    for (auto& panel : panels_) {
        auto* y = panel.rect->axis(QCPAxis::atLeft);
        bool found = false;
        QCPRange range = panel.bars->getValueRange(found);
        bool foundBaseline = false;
        const QCPRange baselineRange = panel.baseline->getValueRange(foundBaseline);
        double upper = found ? range.upper : 0;
        if (foundBaseline)
            upper = std::max(upper, baselineRange.upper);
        for (const auto* bars : panel.comparisons) {
            bool foundOther = false;
            const QCPRange other = bars->getValueRange(foundOther);
            if (foundOther)
                upper = std::max(upper, other.upper);
        }
        if (panel.metric == LayerMetric::sparsity)
            upper = 100;
        else if (panel.metric == LayerMetric::ratio)
            upper = std::max(upper, 1.0);
        else if (upper <= 0)
            upper = 1; // no stall at all: an empty panel with a sensible scale, not a degenerate one
        // Headroom above the bars for the panel title.
        y->setRange(0, upper * 1.3);
    }
}

void LayerBarsPlot::setBaseline(const std::optional<sim::Result>& baseline)
{
    const bool usable = baseline && baseline->layers.size() == result_.layers.size();
    for (auto& panel : panels_) {
        panel.baseline->data()->clear();
        if (!usable)
            continue;
        QVector<double> keys, values;
        for (std::size_t i = 0; i < baseline->layers.size(); ++i) {
            keys.push_back(static_cast<double>(i));
            values.push_back(layerMetricValue(panel.metric, baseline->layers[i]));
        }
        panel.baseline->setData(keys, values, true);
    }
    rescaleValues();
    refresh();
}

void LayerBarsPlot::setSelectedLayer(int layer)
{
    selectedLayer_ = layer;
    for (auto& panel : panels_) {
        panel.selected->data()->clear();
        if (layer >= 0 && static_cast<std::size_t>(layer) < result_.layers.size())
            panel.selected->addData(layer, layerMetricValue(panel.metric, result_.layers[static_cast<std::size_t>(layer)]));
    }
    updateLabels();
    refresh();
}

void LayerBarsPlot::syncRanges(const QCPRange& range)
{
    if (syncing_ || panels_.empty())
        return;
    syncing_ = true;
    // The layers shown: all, or those of the figure's range.
    const double first = layerRange_ ? layerRange_->first : 0;
    const double n = layerRange_ ? layerRange_->second + 1 : static_cast<double>(result_.layers.size());
    QCPRange clamped = range;
    if (n > first) {
        const double minimum = std::min(3.0, n - first + 0.2);
        if (clamped.size() > n - first + 0.2)
            clamped = QCPRange(first - 0.6, n - 0.4);
        if (clamped.size() < minimum)
            clamped.upper = clamped.lower + minimum;
        if (clamped.lower < first - 0.6)
            clamped = QCPRange(first - 0.6, first - 0.6 + clamped.size());
        if (clamped.upper > n - 0.4)
            clamped = QCPRange(n - 0.4 - clamped.size(), n - 0.4);
    }
    for (auto& panel : panels_)
        panel.rect->axis(QCPAxis::atBottom)->setRange(clamped);
    syncing_ = false;
    updateLabels();
}

void LayerBarsPlot::setComparisons(const QString& ownLabel, const std::vector<std::pair<QString, const sim::Result*>>& others)
{
    for (const auto& [label, result] : others)
        if (result->layers.size() != result_.layers.size())
            throw std::invalid_argument("the per-layer chart compares scenarios of the same network only (\""
                                        + label.toStdString() + "\" has other layers)");
    ownLabel_ = ownLabel;
    comparisonLabels_.clear();
    for (auto& panel : panels_) {
        for (auto* bars : panel.comparisons)
            removePlottable(bars);
        panel.comparisons.clear();
        if (panel.group) {
            panel.group->clear();
        }
    }
    if (others.empty())
        return;
    const auto& style = figureStyle();
    // One colour per scenario across every panel (the metric is named by the panel's title).
    static const int seriesIndex[] = {5, 1, 2, 3, 4, 6};
    auto scenarioColour = [](std::size_t i) { return palette::series(seriesIndex[i % 6]); };
    const double groupWidth = 0.8 / static_cast<double>(others.size() + 1);
    for (auto& panel : panels_) {
        const bool stall = panel.metric == LayerMetric::forwardStall || panel.metric == LayerMetric::backwardStall;
        auto* x = panel.rect->axis(QCPAxis::atBottom);
        auto* y = panel.rect->axis(QCPAxis::atLeft);
        if (!panel.group)
            panel.group = new QCPBarsGroup(this);
        panel.group->setSpacingType(QCPBarsGroup::stAbsolute);
        panel.group->setSpacing(0);
        panel.bars->setBrush(scenarioColour(0));
        panel.bars->setWidth(groupWidth);
        panel.bars->setName(ownLabel);
        panel.group->append(panel.bars);
        // The selection and baseline overlays would sit on one bar of a group: hidden here.
        panel.selected->data()->clear();
        panel.selected->setVisible(false);
        panel.baseline->setVisible(false);
        for (std::size_t i = 0; i < others.size(); ++i) {
            auto* bars = stall ? new HatchedBars(x, y) : new QCPBars(x, y);
            bars->setName(others[i].first);
            bars->setWidth(groupWidth);
            bars->setPen(Qt::NoPen);
            bars->setBrush(scenarioColour(i + 1));
            bars->setSelectable(QCP::stNone);
            bars->setAntialiased(false);
            QVector<double> keys;
            const QVector<double> values = panelValues(panel.metric, *others[i].second, keys);
            bars->setData(keys, values, true);
            panel.group->append(bars);
            panel.comparisons.push_back(bars);
        }
        (void)style;
    }
    for (const auto& other : others)
        comparisonLabels_.push_back(other.first);

    // A legend naming the scenarios, above the panels.
    if (!legend) {
        legend = new QCPLegend;
        placeLegendOnTop();
        styleLegend(legend);
        legend->setLayer(QStringLiteral("legend"));
    }
    legend->clearItems();
    auto& first = panels_.front();
    first.bars->addToLegend(legend);
    for (auto* bars : first.comparisons)
        bars->addToLegend(legend);
    rescaleValues();
    refresh();
}

QString LayerBarsPlot::drawnDataCsv() const
{
    QString csv = QStringLiteral("scenario,layer");
    for (const auto& panel : panels_) {
        QString title = layerMetricTitle(panel.metric);
        title.replace(QStringLiteral("×"), QStringLiteral("x"));
        csv += QLatin1Char(',') + csvField(title);
    }
    csv += QLatin1Char('\n');
    if (panels_.empty())
        return csv;
    std::vector<std::pair<QString, std::vector<const QCPBars*>>> series;
    std::vector<const QCPBars*> own;
    for (const auto& panel : panels_)
        own.push_back(panel.bars);
    series.emplace_back(ownLabel_.isEmpty() ? QString::fromStdString(scenario_.name) : ownLabel_, own);
    for (std::size_t i = 0; i < comparisonLabels_.size(); ++i) {
        std::vector<const QCPBars*> bars;
        for (const auto& panel : panels_)
            bars.push_back(panel.comparisons[i]);
        series.emplace_back(comparisonLabels_[i], bars);
    }
    for (const auto& [label, bars] : series) {
        const auto& keysOf = *bars.front()->data();
        for (int i = 0; i < keysOf.size(); ++i) {
            const int layer = static_cast<int>(std::lround((keysOf.constBegin() + i)->key));
            csv += csvField(label) + QLatin1Char(',') + csvField(names_[static_cast<std::size_t>(layer)]);
            for (const auto* b : bars)
                csv += QLatin1Char(',') + QString::number((b->data()->constBegin() + i)->value, 'g', 12);
            csv += QLatin1Char('\n');
        }
    }
    return csv;
}

bool LayerBarsPlot::updateLabels()
{
    // Names are rotated; each needs about one line height of axis length. Show every k-th name
    // so that they never overlap, always including the selected layer.
    const int previousStep = labelStep_;
    const int previousCount = visibleLabels_;
    nameTicker_->clear();
    visibleLabels_ = 0;
    if (panels_.empty() || names_.empty())
        return previousCount != 0;
    auto* x = panels_.back().rect->axis(QCPAxis::atBottom);
    const int first = layerRange_ ? std::max(0, layerRange_->first) : 0;
    const double pixelsPerLayer = std::abs(x->coordToPixel(1) - x->coordToPixel(0));
    const double lineHeight = QFontMetricsF(figureStyle().tickFont()).height() * 1.05;
    const int step = std::max(1, static_cast<int>(std::ceil(lineHeight / std::max(pixelsPerLayer, 1e-3))));
    const int n = static_cast<int>(names_.size());
    const int last = layerRange_ ? std::min(n - 1, layerRange_->second) : n - 1;
    for (int i = first; i <= last; ++i) {
        const bool nearSelected = selectedLayer_ >= 0 && std::abs(i - selectedLayer_) < step && i != selectedLayer_;
        if (((i - first) % step == 0 && !nearSelected) || i == selectedLayer_) {
            nameTicker_->addTick(i, names_[static_cast<std::size_t>(i)]);
            ++visibleLabels_;
        }
    }
    labelStep_ = step;
    return step != previousStep || visibleLabels_ != previousCount;
}

bool LayerBarsPlot::adaptToLayout()
{
    bool again = updateLabels();
    // Panels get equal plot heights: the bottom one also holds the rotated layer names, so its
    // share of the layout is its plot height plus their room.
    double total = 0, margins = 0;
    for (const auto& panel : panels_) {
        total += panel.rect->outerRect().height();
        margins += panel.rect->margins().top() + panel.rect->margins().bottom();
    }
    if (panels_.empty() || total <= margins)
        return again;
    const double inner = (total - margins) / static_cast<double>(panels_.size());
    for (std::size_t i = 0; i < panels_.size(); ++i) {
        const auto& rect = panels_[i].rect;
        const double factor = (inner + rect->margins().top() + rect->margins().bottom()) / total;
        // A legend on top (comparisons) takes row 0 and moves the panels down by one.
        const int row = static_cast<int>(i) + (plotLayout()->rowCount() > static_cast<int>(panels_.size()) ? 1 : 0);
        if (std::abs(plotLayout()->rowStretchFactors().at(row) - factor) > 0.01) {
            plotLayout()->setRowStretchFactor(row, factor);
            again = true;
        }
    }
    return again;
}

int LayerBarsPlot::layerAtPixel(const QPoint& widgetPos) const
{
    for (const auto& panel : panels_) {
        if (!panel.rect->outerRect().contains(widgetPos))
            continue;
        const double key = panel.rect->axis(QCPAxis::atBottom)->pixelToCoord(widgetPos.x());
        const int layer = static_cast<int>(std::lround(key));
        if (layer >= 0 && static_cast<std::size_t>(layer) < result_.layers.size())
            return layer;
    }
    return -1;
}

void LayerBarsPlot::mouseMoveEvent(QMouseEvent* event)
{
    Chart::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton)
        return;
    const int layer = layerAtPixel(event->pos());
    if (layer < 0) {
        QToolTip::hideText();
        return;
    }
    const auto& r = result_.layers[static_cast<std::size_t>(layer)];
    const QString text = QStringLiteral("<b>%1</b><br>sparsity: %2<br>ratio: %3<br>forward stall: %4<br>backward stall: %5<br>output: %6%7"
                                        "<br>bound by: %8 forward, %9 backward")
                             .arg(names_[static_cast<std::size_t>(layer)].toHtmlEscaped(), formatPercent(r.sparsity),
                                  formatRatio(r.ratio), formatMs(r.forward_stall_s), formatMs(r.backward_stall_s),
                                  formatBytes(r.output_bytes), r.offloaded ? QStringLiteral(" (offloaded)") : QString(),
                                  boundLabel(r.forward_bound), boundLabel(r.backward_bound));
    QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void LayerBarsPlot::mousePressEvent(QMouseEvent* event)
{
    pressPos_ = event->pos();
    Chart::mousePressEvent(event);
}

void LayerBarsPlot::mouseReleaseEvent(QMouseEvent* event)
{
    Chart::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || (event->pos() - pressPos_).manhattanLength() > 4)
        return;
    const int layer = layerAtPixel(event->pos());
    if (layer >= 0)
        emit layerClicked(layer);
}

} // namespace offload::plots
