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

namespace {
// The network's blocks: every other one shaded behind a panel's bars and, in the strip above the
// panels, each drawn as a box with its name where the name fits. Only visible blocks are drawn.
class LayerGroupBands : public QCPAbstractPlottable {
public:
    LayerGroupBands(QCPAxis* keyAxis, QCPAxis* valueAxis, const std::shared_ptr<const LayerLabels>& labels, bool labelled,
                    QFont font)
        : QCPAbstractPlottable(keyAxis, valueAxis)
        , labels_(labels)
        , labelled_(labelled)
        , font_(std::move(font))
    {
        setSelectable(QCP::stNone);
        setAntialiased(false);
    }
    double selectTest(const QPointF&, bool, QVariant* = nullptr) const override { return -1; }
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain = QCP::sdBoth) const override
    {
        foundRange = false;
        return {};
    }
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain = QCP::sdBoth, const QCPRange& = QCPRange()) const override
    {
        foundRange = false;
        return {};
    }

protected:
    void draw(QCPPainter* painter) override
    {
        const std::vector<LayerGroup>& groups_ = labels_->groups;
        if (groups_.empty())
            return;
        const QCPRange visible = keyAxis()->range();
        const QRect area = keyAxis()->axisRect()->rect();
        const auto first = std::partition_point(groups_.begin(), groups_.end(),
                                                [&](const LayerGroup& g) { return g.last + 0.5 < visible.lower; });
        const QColor shade(0, 0, 0, labelled_ ? 26 : 12);
        painter->setFont(font_);
        const QFontMetricsF metrics(font_);
        for (auto it = first; it != groups_.end() && it->first - 0.5 <= visible.upper; ++it) {
            const double x0 = keyAxis()->coordToPixel(it->first - 0.5);
            const double x1 = keyAxis()->coordToPixel(it->last + 0.5);
            const QRectF band(x0, area.top(), x1 - x0, area.height());
            if (band.width() < 3)
                continue; // blocks thinner than a few pixels would only draw a moire
            if ((it - groups_.begin()) % 2 == 1)
                painter->fillRect(band, shade);
            if (!labelled_)
                continue;
            const QString label = QString::fromStdString(it->label);
            if (metrics.horizontalAdvance(label) + 4 <= band.width()) {
                painter->setPen(Qt::black);
                painter->drawText(band, Qt::AlignCenter, label);
            }
        }
    }
    void drawLegendIcon(QCPPainter*, const QRectF&) const override {}

private:
    const std::shared_ptr<const LayerLabels>& labels_; // the chart's, replaced with each network
    bool labelled_;
    QFont font_;
};
} // namespace

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
        // Small multiples: the panel's title sits in a row of its own above the panel, never
        // over the bars, and is not a rotated axis label that would not fit a short panel.
        auto* title = new QCPItemText(this);
        title->setClipToAxisRect(false);
        title->position->setAxisRect(panel.rect);
        title->position->setAxes(x, y);
        title->position->setType(QCPItemPosition::ptAxisRectRatio);
        title->position->setCoords(0.0, 0.0);
        title->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        title->setText(layerMetricTitle(panel.metric));
        title->setFont(style.labelFont());
        title->setColor(Qt::black);
        title->setPadding(QMargins(0, 0, 0, style.isPaper() ? 1 : 2));
        title->setLayer(QStringLiteral("legend"));
        const int titleRoom = static_cast<int>(std::ceil(QFontMetricsF(style.labelFont()).height())) + (style.isPaper() ? 2 : 4);
        panel.rect->setAutoMargins(last ? QCP::msLeft | QCP::msRight | QCP::msBottom : QCP::msLeft | QCP::msRight);
        panel.rect->setMargins(QMargins(0, titleRoom, 0, 0));
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
        auto* bands = new LayerGroupBands(x, y, labels_, false, style.tickFont());
        bands->setLayer(QStringLiteral("grid"));
        bands->removeFromLegend();
        panel.highlight = new QCPItemRect(this);
        panel.highlight->setClipAxisRect(panel.rect);
        for (auto* corner : {panel.highlight->topLeft, panel.highlight->bottomRight}) {
            corner->setAxes(x, y);
            corner->setTypeY(QCPItemPosition::ptAxisRectRatio);
        }
        panel.highlight->setPen(QPen(palette::cursor, 1.5, Qt::DashLine));
        panel.highlight->setBrush(palette::cursorBand);
        panel.highlight->setSelectable(false);
        panel.highlight->setLayer(overlayLayer());
        panel.highlight->setVisible(false);
        connect(x, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &LayerBarsPlot::syncRanges);
        panels_.push_back(panel);
    }
    // The blocks strip, above the panels: one box per block, named where the name fits.
    groupStrip_ = new QCPAxisRect(this);
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, groupStrip_);
    groupStrip_->setMarginGroup(QCP::msLeft | QCP::msRight, marginGroup);
    groupStrip_->setAutoMargins(QCP::msLeft | QCP::msRight);
    groupStrip_->setMargins(QMargins(0, 0, 0, 0));
    for (auto* axis : groupStrip_->axes())
        axis->setVisible(false);
    groupStrip_->axis(QCPAxis::atLeft)->setRange(0, 1);
    groupStrip_->setRangeDrag(Qt::Horizontal);
    groupStrip_->setRangeZoom(Qt::Horizontal);
    auto* stripBands = new LayerGroupBands(groupStrip_->axis(QCPAxis::atBottom), groupStrip_->axis(QCPAxis::atLeft), labels_, true,
                                           style.tickFont());
    stripBands->removeFromLegend();
    connect(groupStrip_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &LayerBarsPlot::syncRanges);
    showGroupStrip(false);

    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMouseTracking(true);
}

void LayerBarsPlot::showGroupStrip(bool shown)
{
    const int height = shown ? static_cast<int>(std::ceil(QFontMetricsF(figureStyle().tickFont()).height() * 1.4)) : 0;
    groupStrip_->setMinimumSize(0, height);
    groupStrip_->setMaximumSize(QWIDGETSIZE_MAX, height);
    groupStrip_->setVisible(shown);
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
    setData(scenario, std::make_shared<const sim::Result>(result));
}

void LayerBarsPlot::setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result)
{
    const bool sameLayerCount = result_ && result->layers.size() == result_->layers.size();
    scenario_ = scenario;
    result_ = std::move(result);
    const int n = layerCount();
    if (!sameLayerCount || labels_->names.size() != static_cast<std::size_t>(n))
        labels_ = std::make_shared<const LayerLabels>(LayerLabels::build(scenario, n));
    for (auto& panel : panels_)
        panel.values = panelValues(panel.metric, *result_, panel.keys);
    showValues(sameLayerCount);
}

void LayerBarsPlot::setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                            std::shared_ptr<const LayerSeries> series)
{
    const bool sameLayerCount = result_ && result->layers.size() == result_->layers.size();
    scenario_ = scenario;
    result_ = std::move(result);
    layerRange_.reset();
    labels_ = series->labels;
    for (auto& panel : panels_) {
        // Implicitly shared: no copy of a million values.
        panel.keys = series->keys;
        panel.values = series->values[static_cast<std::size_t>(panel.metric)];
    }
    showValues(sameLayerCount);
}

void LayerBarsPlot::showValues(bool sameLayerCount)
{
    const int n = layerCount();
    showGroupStrip(!labels_->groups.empty());
    layersPerBar_ = 0; // the bars are rebuilt for the new values
    if (!sameLayerCount || layerRange_)
        syncRanges(QCPRange(layerRange_ ? layerRange_->first - 0.6 : -0.6, layerRange_ ? layerRange_->second + 0.4 : n - 0.4));
    if (layersPerBar_ == 0)
        updateResolution();
    rescaleValues();
    setSelectedLayer(selectedLayer_ < n ? selectedLayer_ : -1);
}

LayerLabels LayerLabels::build(const sim::Scenario& scenario, int layerCount)
{
    LayerLabels labels;
    std::vector<std::string> plainNames;
    labels.names.reserve(static_cast<std::size_t>(layerCount));
    plainNames.reserve(static_cast<std::size_t>(layerCount));
    for (int i = 0; i < layerCount; ++i) {
        labels.names.push_back(layerName(scenario, i));
        plainNames.push_back(labels.names.back().toStdString());
    }
    labels.groups = groupLayers(plainNames);
    return labels;
}

LayerSeries LayerSeries::build(const sim::Scenario& scenario, const sim::Result& result,
                               std::shared_ptr<const LayerLabels> labels)
{
    const int n = static_cast<int>(result.layers.size());
    LayerSeries series;
    series.labels = labels && labels->names.size() == result.layers.size()
                        ? std::move(labels)
                        : std::make_shared<const LayerLabels>(LayerLabels::build(scenario, n));
    series.keys.resize(n);
    for (int i = 0; i < n; ++i)
        series.keys[i] = i;
    for (int m = 0; m < kLayerMetrics; ++m) {
        auto& values = series.values[static_cast<std::size_t>(m)];
        values.resize(n);
        for (int i = 0; i < n; ++i)
            values[i] = layerMetricValue(static_cast<LayerMetric>(m), result.layers[static_cast<std::size_t>(i)]);
    }
    return series;
}

void LayerBarsPlot::fillBars(QCPBars* bars, const QVector<double>& keys, const QVector<double>& values) const
{
    if (values.isEmpty()) {
        bars->data()->clear();
        return;
    }
    if (layersPerBar_ <= 1) {
        bars->setWidth(0.8);
        bars->setData(keys, values, true);
        return;
    }
    // One bar per run of layersPerBar_ layers (aligned to multiples of it), as tall as the
    // largest value of the run: a single stalling layer among thousands stays visible.
    const int run = layersPerBar_;
    QVector<double> binKeys, binValues;
    binKeys.reserve(values.size() / run + 2);
    binValues.reserve(values.size() / run + 2);
    const int firstKey = static_cast<int>(keys.front());
    for (int i = 0; i < values.size();) {
        const int layer = firstKey + i;
        const int binStart = layer - layer % run;
        const int end = std::min(static_cast<int>(values.size()), binStart + run - firstKey);
        double largest = values[i];
        for (int j = i + 1; j < end; ++j)
            largest = std::max(largest, values[j]);
        binKeys.push_back(binStart + (run - 1) / 2.0);
        binValues.push_back(largest);
        i = end;
    }
    bars->setWidth(run * 0.9);
    bars->setData(binKeys, binValues, true);
}

bool LayerBarsPlot::updateResolution()
{
    if (panels_.empty())
        return false;
    auto* x = panels_.back().rect->axis(QCPAxis::atBottom);
    const int pixels = panels_.back().rect->width(); // 0 until the first layout
    const double layersShown = std::max(1.0, x->range().size());
    // Powers of two, so that zooming regroups the layers rarely and panning never does. Grouped
    // comparison bars (figures) stay one per layer.
    int run = 1;
    while (pixels > 0 && comparisonLabels_.empty() && layersShown / run > pixels / 2.0 && run < (1 << 24))
        run *= 2;
    if (run == layersPerBar_)
        return false;
    layersPerBar_ = run;
    for (auto& panel : panels_) {
        fillBars(panel.bars, panel.keys, panel.values);
        if (baselineResult_)
            fillBars(panel.baseline, panel.keys, panel.baselineValues);
        else
            panel.baseline->data()->clear();
        panel.baseline->setWidth(panel.bars->width());
    }
    return true;
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
        y->setRange(0, upper * 1.05);
    }
}

void LayerBarsPlot::setBaseline(std::shared_ptr<const sim::Result> baseline)
{
    const bool usable = baseline && result_ && baseline->layers.size() == result_->layers.size();
    baselineResult_ = usable ? std::move(baseline) : nullptr;
    for (auto& panel : panels_) {
        panel.baselineValues.clear();
        if (!usable) {
            panel.baseline->data()->clear();
            continue;
        }
        QVector<double> keys;
        panel.baselineValues = panelValues(panel.metric, *baselineResult_, keys);
        fillBars(panel.baseline, panel.keys, panel.baselineValues);
        panel.baseline->setWidth(panel.bars->width());
    }
    rescaleValues();
    refresh();
}

void LayerBarsPlot::setHighlightedLayer(int layer)
{
    highlightedLayer_ = layer;
    for (auto& panel : panels_) {
        panel.highlight->setVisible(layer >= 0);
        panel.highlight->topLeft->setCoords(layer - 0.5, 0);
        panel.highlight->bottomRight->setCoords(layer + 0.5, 1);
    }
    refreshOverlay();
}

void LayerBarsPlot::setSelectedLayer(int layer)
{
    selectedLayer_ = layer;
    for (auto& panel : panels_) {
        panel.selected->data()->clear();
        if (layer >= 0 && layer < layerCount())
            panel.selected->addData(layer, layerMetricValue(panel.metric, result_->layers[static_cast<std::size_t>(layer)]));
        panel.selected->setWidth(std::max(0.8, panel.bars->width()));
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
    const double n = layerRange_ ? layerRange_->second + 1 : static_cast<double>(layerCount());
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
    groupStrip_->axis(QCPAxis::atBottom)->setRange(clamped);
    syncing_ = false;
    updateLabels();
    if (updateResolution())
        rescaleValues();
}

void LayerBarsPlot::setComparisons(const QString& ownLabel, const std::vector<std::pair<QString, const sim::Result*>>& others)
{
    for (const auto& [label, result] : others)
        if (result->layers.size() != static_cast<std::size_t>(layerCount()))
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
    // This scenario's values are written per layer even where the bars show runs of layers.
    const auto& ownKeys = panels_.front().keys;
    for (int i = 0; i < ownKeys.size(); ++i) {
        csv += csvField(series.front().first) + QLatin1Char(',')
               + csvField(labels_->names[static_cast<std::size_t>(std::lround(ownKeys[i]))]);
        for (const auto& panel : panels_)
            csv += QLatin1Char(',') + QString::number(panel.values[i], 'g', 12);
        csv += QLatin1Char('\n');
    }
    for (std::size_t s = 1; s < series.size(); ++s) {
        const auto& [label, bars] = series[s];
        const auto& keysOf = *bars.front()->data();
        for (int i = 0; i < keysOf.size(); ++i) {
            const int layer = static_cast<int>(std::lround((keysOf.constBegin() + i)->key));
            csv += csvField(label) + QLatin1Char(',') + csvField(labels_->names[static_cast<std::size_t>(layer)]);
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
    if (panels_.empty() || labels_->names.empty())
        return previousCount != 0;
    auto* x = panels_.back().rect->axis(QCPAxis::atBottom);
    const int first = layerRange_ ? std::max(0, layerRange_->first) : 0;
    const double pixelsPerLayer = std::abs(x->coordToPixel(1) - x->coordToPixel(0));
    // Rotated by 60 degrees, neighbouring names are this far apart across their slant.
    const double lineHeight = QFontMetricsF(figureStyle().tickFont()).height() * 1.3;
    // (A million layers are well under a thousandth of a pixel each: no floor above that.)
    const double wantedStep = std::ceil(lineHeight / std::max(pixelsPerLayer, 1e-9));
    const int step = static_cast<int>(std::clamp(wantedStep, 1.0, 1e9));
    const int n = static_cast<int>(labels_->names.size());
    const int last = layerRange_ ? std::min(n - 1, layerRange_->second) : n - 1;
    // Long names ("box_predictor_5/class_logits") are shortened in the middle so that the
    // slanted names take at most 28 % of the chart's height; the tooltip and the CSV keep
    // them whole.
    const QFontMetricsF metrics(figureStyle().tickFont());
    const double longest = std::max(metrics.horizontalAdvance(QStringLiteral("conv5_3_relu")), height() * 0.28 / (std::sqrt(3.0) / 2));
    auto shown = [&](int i) {
        const QString& name = labels_->names[static_cast<std::size_t>(i)];
        return metrics.horizontalAdvance(name) <= longest ? name : metrics.elidedText(name, Qt::ElideMiddle, longest);
    };
    // Only every step-th name is visited (a million layers), and the selected one.
    for (int i = first; i <= last; i += step) {
        const bool nearSelected = selectedLayer_ >= 0 && std::abs(i - selectedLayer_) < step && i != selectedLayer_;
        if (!nearSelected && i != selectedLayer_) {
            nameTicker_->addTick(i, shown(i));
            ++visibleLabels_;
        }
    }
    if (selectedLayer_ >= first && selectedLayer_ <= last) {
        nameTicker_->addTick(selectedLayer_, shown(selectedLayer_));
        ++visibleLabels_;
    }
    labelStep_ = step;
    return step != previousStep || visibleLabels_ != previousCount;
}

bool LayerBarsPlot::adaptToLayout()
{
    bool again = updateLabels();
    if (updateResolution()) {
        rescaleValues();
        again = true;
    }
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
        // The rows above the panels (a legend, the blocks strip) come first.
        const int row = static_cast<int>(i) + plotLayout()->rowCount() - static_cast<int>(panels_.size());
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
        if (layer >= 0 && layer < layerCount())
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
    const auto& r = result_->layers[static_cast<std::size_t>(layer)];
    const QString text = QStringLiteral("<b>%1</b><br>sparsity: %2<br>ratio: %3<br>forward stall: %4<br>backward stall: %5<br>output: %6%7"
                                        "<br>bound by: %8 forward, %9 backward")
                             .arg(labels_->names[static_cast<std::size_t>(layer)].toHtmlEscaped(), formatPercent(r.sparsity),
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
