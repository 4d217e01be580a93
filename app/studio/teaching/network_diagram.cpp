#include "network_diagram.h"

#include "app/plots/figure_style.h"
#include "app/plots/format.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <utility>

namespace offload::studio::teaching {

namespace palette = plots::palette;

namespace {
constexpr double kMinZoom = 0.2;
constexpr double kMaxZoom = 3.0;
const QColor kCursorHalo{0xF0, 0xE4, 0x42}; // the palette's yellow: the running layer
const QColor kEdge{0x70, 0x70, 0x70};

QColor mix(const QColor& from, const QColor& to, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(from.redF() + (to.redF() - from.redF()) * t),
                            static_cast<float>(from.greenF() + (to.greenF() - from.greenF()) * t),
                            static_cast<float>(from.blueF() + (to.blueF() - from.blueF()) * t));
}

// Black or white, whichever reads on the fill.
QColor textOn(const QColor& fill)
{
    const double luminance = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF();
    return luminance < 0.5 ? Qt::white : Qt::black;
}

double stallOf(const sim::LayerResult& layer) { return layer.forward_stall_s + layer.backward_stall_s; }

// The widest layer name in `fm`, at least "conv5_3"'s; past the width where boxes stop growing
// (`enough`), the exact value no longer matters. Every name up to kMeasureEveryName layers;
// beyond, names that differ only in their digits ("block17/conv_a", "block923/conv_a") are one
// pattern, measured once with each digit the widest digit: a million names cost a handful of
// measurements instead of a million.
int widestName(const Network& network, const QFontMetrics& fm, int enough)
{
    int widest = fm.horizontalAdvance(QStringLiteral("conv5_3"));
    const auto& layers = network.layers;
    if (layers.size() <= kMeasureEveryName) {
        for (const auto& layer : layers) {
            widest = std::max(widest, fm.horizontalAdvance(QString::fromStdString(layer.name)));
            if (widest >= enough)
                break;
        }
        return widest;
    }
    char widestDigit = '0';
    for (char d = '1'; d <= '9'; ++d)
        if (fm.horizontalAdvance(QLatin1Char(d)) > fm.horizontalAdvance(QLatin1Char(widestDigit)))
            widestDigit = d;
    std::unordered_set<std::string> patterns;
    std::string pattern;
    for (const auto& layer : layers) {
        pattern = layer.name;
        for (char& c : pattern)
            if (c >= '0' && c <= '9')
                c = widestDigit;
        if (!patterns.insert(pattern).second)
            continue;
        widest = std::max(widest, fm.horizontalAdvance(QString::fromStdString(pattern)));
        if (widest >= enough)
            break;
    }
    return widest;
}
} // namespace

QString diagramMetricName(DiagramMetric metric)
{
    switch (metric) {
    case DiagramMetric::sparsity: return QObject::tr("Sparsity");
    case DiagramMetric::ratio: return QObject::tr("Compression ratio");
    case DiagramMetric::stall: return QObject::tr("Stall");
    case DiagramMetric::bound: return QObject::tr("Bound");
    }
    return {};
}

QString diagramMetricHelp(DiagramMetric metric)
{
    switch (metric) {
    case DiagramMetric::sparsity:
        return QObject::tr("Fraction of zeros in each layer's output at this point of training: darker blue, more zeros.");
    case DiagramMetric::ratio:
        return QObject::tr("How much the codec shrinks each layer's output (uncompressed / compressed bytes): darker green, "
                           "smaller transfers.");
    case DiagramMetric::stall:
        return QObject::tr("Time the computation waited for this layer's offload or prefetch (forward and backward "
                           "together): darker red, longer waits.");
    case DiagramMetric::bound:
        return QObject::tr("What limits each pass in the compute model: left half forward, right half backward.");
    }
    return {};
}

QString diagramMetricText(DiagramMetric metric, const sim::LayerResult& layer)
{
    switch (metric) {
    case DiagramMetric::sparsity: return QStringLiteral("%1 %").arg(layer.sparsity * 100.0, 0, 'f', 0);
    case DiagramMetric::ratio: return plots::formatRatio(layer.ratio);
    case DiagramMetric::stall: return stallOf(layer) > 0 ? plots::formatMs(stallOf(layer)) : QObject::tr("no stall");
    case DiagramMetric::bound:
        return QStringLiteral("%1 | %2").arg(plots::boundLabel(layer.forward_bound), plots::boundLabel(layer.backward_bound));
    }
    return {};
}

QColor boundColor(sim::Bound bound)
{
    switch (bound) {
    case sim::Bound::compute: return palette::blue;
    case sim::Bound::l1: return palette::skyBlue;
    case sim::Bound::l2: return palette::orange;
    case sim::Bound::dram: return palette::vermillion;
    }
    return palette::grey;
}

double diagramMetricLargest(DiagramMetric metric, const sim::Result& result)
{
    double largest = 0;
    for (const auto& layer : result.layers) {
        if (metric == DiagramMetric::ratio)
            largest = std::max(largest, layer.ratio);
        else if (metric == DiagramMetric::stall)
            largest = std::max(largest, stallOf(layer));
    }
    return metric == DiagramMetric::ratio ? std::max(largest, 2.0) : largest;
}

QColor diagramMetricColor(DiagramMetric metric, const sim::LayerResult& layer, double largest)
{
    switch (metric) {
    case DiagramMetric::sparsity: return mix(Qt::white, palette::blue, layer.sparsity);
    case DiagramMetric::ratio:
        // Logarithmic: 2× and 4× differ as much as 4× and 8×.
        return mix(Qt::white, palette::bluishGreen, layer.ratio > 1 ? std::log(layer.ratio) / std::log(largest) : 0.0);
    case DiagramMetric::stall: return mix(Qt::white, palette::vermillion, largest > 0 ? stallOf(layer) / largest : 0.0);
    case DiagramMetric::bound: return boundColor(layer.forward_bound);
    }
    return Qt::white;
}

// --- the legend above the diagram ---

class DiagramLegend : public QWidget {
public:
    explicit DiagramLegend(NetworkDiagram& diagram) : diagram_(diagram) {}
    QSize sizeHint() const override
    {
        const QFontMetrics fm(font());
        return {fm.horizontalAdvance(diagram_.legendText()) + 4 * fm.height(), fm.height() + 8};
    }
    QSize minimumSizeHint() const override { return {QFontMetrics(font()).height() * 6, QFontMetrics(font()).height() + 8}; }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const QFontMetrics fm(font());
        const int h = fm.height();
        const int y = (height() - h) / 2;
        int x = 0;
        auto text = [&](const QString& s) {
            p.setPen(palette().color(QPalette::WindowText));
            p.drawText(QRect(x, y, fm.horizontalAdvance(s) + 2, h), Qt::AlignVCenter, s);
            x += fm.horizontalAdvance(s) + h / 3;
        };
        auto swatch = [&](const QColor& c) {
            p.setPen(QPen(Qt::black, 1));
            p.setBrush(c);
            p.drawRect(QRectF(x + 0.5, y + 0.5, h - 1, h - 1));
            x += h + h / 4;
        };
        auto gradient = [&](const QColor& to, const QString& low, const QString& high) {
            text(low);
            QLinearGradient g(x, 0, x + 4 * h, 0);
            g.setColorAt(0, Qt::white);
            g.setColorAt(1, to);
            p.setPen(QPen(Qt::black, 1));
            p.setBrush(g);
            p.drawRect(QRectF(x + 0.5, y + 0.5, 4 * h, h - 1));
            x += 4 * h + h / 3;
            text(high);
        };
        switch (diagram_.metric()) {
        case DiagramMetric::sparsity: gradient(palette::blue, QStringLiteral("0 %"), QStringLiteral("100 %")); break;
        case DiagramMetric::ratio:
            gradient(palette::bluishGreen, QStringLiteral("1×"), plots::formatRatio(diagram_.largest_));
            break;
        case DiagramMetric::stall:
            gradient(palette::vermillion, QStringLiteral("0"),
                     diagram_.largest_ > 0 ? plots::formatMs(diagram_.largest_) : QObject::tr("(no stalls)"));
            break;
        case DiagramMetric::bound:
            for (auto b : {sim::Bound::compute, sim::Bound::l1, sim::Bound::l2, sim::Bound::dram}) {
                swatch(boundColor(b));
                text(plots::boundLabel(b));
            }
            text(QObject::tr("(left: forward, right: backward)"));
            break;
        }
        x += h / 2;
        p.setPen(Qt::NoPen);
        p.setBrush(palette::orange);
        p.drawRect(QRectF(x, y + h * 0.6, h, h * 0.3));
        x += h + h / 4;
        text(QObject::tr("offloaded"));
    }

private:
    NetworkDiagram& diagram_;
};

// --- the canvas in the scroll area ---

class DiagramCanvas : public QWidget {
public:
    explicit DiagramCanvas(NetworkDiagram& diagram) : diagram_(diagram)
    {
        setMouseTracking(true);
        setAttribute(Qt::WA_OpaquePaintEvent);
    }

protected:
    void paintEvent(QPaintEvent* event) override
    {
        QPainter p(this);
        diagram_.paintCanvas(p, event->rect());
    }
    void mousePressEvent(QMouseEvent* event) override
    {
        if (event->button() != Qt::LeftButton)
            return;
        const int layer = diagram_.layerAt(event->position().toPoint());
        if (layer >= 0)
            diagram_.model_.setSelectedLayer(layer);
    }
    void wheelEvent(QWheelEvent* event) override
    {
        if (!(event->modifiers() & Qt::ControlModifier)) {
            event->ignore(); // the scroll area scrolls
            return;
        }
        diagram_.setZoom(diagram_.zoom() * (event->angleDelta().y() > 0 ? 1.25 : 0.8));
        event->accept();
    }
    bool event(QEvent* event) override
    {
        if (event->type() == QEvent::ToolTip) {
            auto* help = static_cast<QHelpEvent*>(event);
            const QString text = diagram_.toolTipAt(help->pos());
            if (text.isEmpty())
                QToolTip::hideText();
            else
                QToolTip::showText(help->globalPos(), text, this);
            return true;
        }
        return QWidget::event(event);
    }

private:
    NetworkDiagram& diagram_;
};

// --- the diagram ---

NetworkDiagram::NetworkDiagram(StudioModel& model, QWidget* parent) : QWidget(parent), model_(model)
{
    layoutWatcher_ = new QFutureWatcher<LaidOutNetwork>(this);
    connect(layoutWatcher_, &QFutureWatcher<LaidOutNetwork>::finished, this, &NetworkDiagram::layoutFinished);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* header = new QHBoxLayout;
    header->setContentsMargins(4, 0, 4, 0);
    auto* label = new QLabel(tr("Colour by:"));
    metricBox_ = new QComboBox;
    for (int m = 0; m < kDiagramMetrics; ++m) {
        metricBox_->addItem(diagramMetricName(static_cast<DiagramMetric>(m)));
        metricBox_->setItemData(m, diagramMetricHelp(static_cast<DiagramMetric>(m)), Qt::ToolTipRole);
    }
    metricBox_->setToolTip(tr("What the colour of each layer's box shows. Hover a box for all its numbers."));
    label->setBuddy(metricBox_);
    legend_ = new DiagramLegend(*this);
    legend_->setToolTip(diagramMetricHelp(metric_));
    auto zoomButton = [this, header](const QString& text, const QString& tip, auto&& action) {
        auto* button = new QToolButton;
        button->setText(text);
        button->setToolTip(tip);
        connect(button, &QToolButton::clicked, this, action);
        header->addWidget(button);
    };
    header->addWidget(label);
    header->addWidget(metricBox_);
    header->addSpacing(8);
    header->addWidget(legend_, 1);
    zoomButton(QStringLiteral("−"), tr("Smaller boxes (Ctrl+wheel on the diagram)"), [this] { setZoom(zoom_ * 0.8); });
    zoomButton(QStringLiteral("+"), tr("Larger boxes (Ctrl+wheel on the diagram)"), [this] { setZoom(zoom_ * 1.25); });
    zoomButton(tr("Fit"), tr("The whole network in the width of the view"), [this] { zoomToFit(); });
    layout->addLayout(header);

    canvas_ = new DiagramCanvas(*this);
    scroll_ = new QScrollArea;
    scroll_->setWidget(canvas_);
    scroll_->setWidgetResizable(false);
    scroll_->setFrameShape(QFrame::NoFrame);
    scroll_->setToolTip(QString());
    layout->addWidget(scroll_, 1);
    setToolTip(tr("The network's layers in execution order; branches run in parallel rows. Click a box to select the "
                  "layer in every view. Yellow ring: the layer running at the cursor."));
    canvas_->setToolTip(QString()); // the canvas answers tooltips per box

    connect(metricBox_, &QComboBox::currentIndexChanged, this, [this](int index) { setMetric(static_cast<DiagramMetric>(index)); });
    connect(&model_, &StudioModel::snapshotChanged, this, &NetworkDiagram::showSnapshot);
    connect(&model_, &StudioModel::cursorChanged, this, &NetworkDiagram::showCursor);
    connect(&model_, &StudioModel::selectionChanged, this, [this](int layer) {
        selectedLayer_ = layer;
        canvas_->update();
    });
    if (model_.snapshot())
        showSnapshot(model_.snapshot());
}

QWidget* NetworkDiagram::canvas() const { return canvas_; }

void NetworkDiagram::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (pending_)
        showSnapshot(std::exchange(pending_, nullptr));
    if (stale_)
        relayout();
    followCursorLayer();
}

void NetworkDiagram::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange) {
        relayout(); // boxes fit the names in the new font
        followCursorLayer();
    }
    QWidget::changeEvent(event);
}

void NetworkDiagram::setMetric(DiagramMetric metric)
{
    metric_ = metric;
    if (metricBox_->currentIndex() != static_cast<int>(metric))
        metricBox_->setCurrentIndex(static_cast<int>(metric));
    largest_ = shown_ ? diagramMetricLargest(metric_, *shown_->result) : 1;
    legend_->setToolTip(diagramMetricHelp(metric_));
    legend_->update();
    canvas_->update();
}

void NetworkDiagram::setZoom(double zoom)
{
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    if (zoom == zoom_)
        return;
    zoom_ = zoom;
    relayout();
    followCursorLayer();
}

void NetworkDiagram::zoomToFit()
{
    const double full = 2.0 * margin_ + layout_.columns * (boxW_ + gapX_);
    setZoom(std::max(kMinZoom, std::min(1.0, scroll_->viewport()->width() / full)));
}

void NetworkDiagram::showSnapshot(SnapshotPtr snapshot)
{
    if (!isVisible()) {
        pending_ = std::move(snapshot); // laid out when shown (showEvent)
        return;
    }
    pending_.reset();
    const auto& network = snapshot->scenario.network;
    if (layingOut_ && layingOut_->scenario.network == network) {
        layingOut_ = std::move(snapshot); // shown with its layout, when it comes
        return;
    }
    const bool networkChanged = !shown_ || shown_->scenario.network != network;
    if (networkChanged && network->layers().size() > kLayoutOnWorkerAbove) {
        // The previous network stays drawn while the worker lays this one out (setFuture drops
        // a layout of another network still on its way).
        layingOut_ = std::move(snapshot);
        layoutWatcher_->setFuture(QtConcurrent::run([network] { return LaidOutNetwork::build(*network); }));
        return;
    }
    layingOut_.reset();
    shown_ = std::move(snapshot);
    largest_ = diagramMetricLargest(metric_, *shown_->result);
    selectedLayer_ = model_.selectedLayer();
    if (networkChanged) {
        install(LaidOutNetwork::build(*shown_->scenario.network));
        relayout();
    }
    legend_->update();
    showCursor();
}

void NetworkDiagram::layoutFinished()
{
    if (!layingOut_)
        return; // a small network came meanwhile and was shown at once
    LaidOutNetwork laidOut = layoutWatcher_->result();
    if (laidOut.layout.cells.size() != layingOut_->scenario.network->layers().size())
        return; // the layout of a network no longer wanted
    shown_ = std::exchange(layingOut_, nullptr);
    largest_ = diagramMetricLargest(metric_, *shown_->result);
    selectedLayer_ = model_.selectedLayer();
    install(std::move(laidOut));
    relayout();
    legend_->update();
    cursorLayer_ = -2; // shown anew for the new network
    showCursor();
}

void NetworkDiagram::showCursor()
{
    const int layer = shown_ ? model_.cursorLayer() : -1;
    if (layer == cursorLayer_)
        return;
    cursorLayer_ = layer;
    canvas_->update();
    followCursorLayer();
}

void NetworkDiagram::followCursorLayer()
{
    const QRect box = boxRect(cursorLayer_);
    if (!box.isEmpty())
        scroll_->ensureVisible(box.center().x(), box.center().y(), box.width() + gapX_, box.height());
}

LaidOutNetwork LaidOutNetwork::build(const NetworkModel& network)
{
    LaidOutNetwork out;
    out.layout = layoutNetwork(network);
    const DiagramLayout& layout = out.layout;
    const auto columns = static_cast<std::size_t>(layout.columns);
    const auto& cells = layout.cells;
    out.columnFirst.assign(columns + 1, 0);
    ++out.columnFirst[static_cast<std::size_t>(layout.input.column) + 1];
    for (const DiagramCell& c : cells)
        ++out.columnFirst[static_cast<std::size_t>(c.column) + 1];
    for (std::size_t c = 1; c < out.columnFirst.size(); ++c)
        out.columnFirst[c] += out.columnFirst[c - 1];
    out.columnLayers.resize(out.columnFirst.back());
    std::vector<std::uint32_t> next(out.columnFirst.begin(), out.columnFirst.end() - 1);
    auto key = [](const DiagramCell& c) { return std::uint64_t{static_cast<std::uint32_t>(c.column)} << 32 | static_cast<std::uint32_t>(c.row); };
    out.occupied.reserve(cells.size() + 1);
    out.columnLayers[next[static_cast<std::size_t>(layout.input.column)]++] = kNetworkInput;
    out.occupied.push_back(key(layout.input));
    const auto& layers = network.layers();
    for (std::size_t i = 0; i < cells.size(); ++i) {
        out.columnLayers[next[static_cast<std::size_t>(cells[i].column)]++] = static_cast<int>(i);
        out.occupied.push_back(key(cells[i]));
        for (int producer : layers[i].inputs)
            out.longestEdge = std::max(out.longestEdge, cells[i].column - layout.of(producer).column);
    }
    std::sort(out.occupied.begin(), out.occupied.end());
    return out;
}

void NetworkDiagram::install(LaidOutNetwork laidOut)
{
    layout_ = std::move(laidOut.layout);
    columnFirst_ = std::move(laidOut.columnFirst);
    columnLayers_ = std::move(laidOut.columnLayers);
    occupied_ = std::move(laidOut.occupied);
    longestEdge_ = laidOut.longestEdge;
}

bool NetworkDiagram::occupied(int column, int row) const
{
    const std::uint64_t key = std::uint64_t{static_cast<std::uint32_t>(column)} << 32 | static_cast<std::uint32_t>(row);
    return std::binary_search(occupied_.begin(), occupied_.end(), key);
}

std::pair<int, int> NetworkDiagram::columnsIn(double left, double right) const
{
    const double z = zoom_;
    const double pitch = boxW_ + gapX_;
    const double first = std::floor((left / z - margin_ - boxW_) / pitch);
    const double last = std::floor((right / z - margin_) / pitch);
    const double top = layout_.columns - 1;
    return {static_cast<int>(std::clamp(first, 0.0, top)), static_cast<int>(std::clamp(last, 0.0, top))};
}

std::vector<int> NetworkDiagram::layersInColumns(int first, int last) const
{
    std::vector<int> layers;
    first = std::max(first, 0);
    last = std::min(last, static_cast<int>(columnFirst_.size()) - 2);
    if (first > last)
        return layers;
    layers.assign(columnLayers_.begin() + columnFirst_[static_cast<std::size_t>(first)],
                  columnLayers_.begin() + columnFirst_[static_cast<std::size_t>(last) + 1]);
    std::sort(layers.begin(), layers.end());
    return layers;
}

void NetworkDiagram::relayout()
{
    if (!isVisible()) {
        stale_ = true; // laid out when shown (showEvent)
        return;
    }
    stale_ = false;
    // The box fits the longest name (up to ~18 characters; longer ones are elided) at zoom 1.
    // Names are measured once per network and font.
    const QFontMetrics fm(font());
    int widest = fm.horizontalAdvance(QStringLiteral("conv5_3"));
    if (shown_) {
        const NetworkModel* network = shown_->scenario.network.get();
        if (network != measuredNetwork_ || font() != measuredFont_) {
            widestName_ = widestName(network->network(), fm, fm.height() * 9);
            measuredNetwork_ = network;
            measuredFont_ = font();
        }
        widest = widestName_;
    }
    boxW_ = std::clamp(widest + fm.height(), fm.height() * 4, fm.height() * 10);
    boxH_ = 2 * fm.lineSpacing() + fm.height() / 2 + 6;
    gapX_ = fm.height() * 2;
    gapY_ = fm.height() + 6;
    margin_ = gapY_; // room above the first row for the arcs of skip connections
    const double z = zoom_;
    const int w = static_cast<int>(std::ceil((2 * margin_ + layout_.columns * (boxW_ + gapX_)) * z));
    const int h = static_cast<int>(std::ceil((margin_ + layout_.rows * (boxH_ + gapY_)) * z));
    canvas_->resize(w, h);
    canvas_->update();
}

QRect NetworkDiagram::boxRect(int layer) const
{
    if (!shown_ || layer < kNetworkInput || layer >= static_cast<int>(layout_.cells.size()))
        return {};
    const DiagramCell& cell = layout_.of(layer);
    const double z = zoom_;
    return QRectF((margin_ + cell.column * (boxW_ + gapX_)) * z, (margin_ + cell.row * (boxH_ + gapY_)) * z, boxW_ * z, boxH_ * z)
        .toRect();
}

int NetworkDiagram::layerAt(const QPoint& canvasPos) const
{
    if (!shown_ || layout_.cells.size() + 1 != columnLayers_.size())
        return -2;
    const auto [first, last] = columnsIn(canvasPos.x(), canvasPos.x());
    for (int layer : layersInColumns(first - 1, last + 1))
        if (boxRect(layer).contains(canvasPos))
            return layer;
    return -2;
}

QString NetworkDiagram::legendText() const
{
    QString text = diagramMetricName(metric_) + QStringLiteral(": ");
    switch (metric_) {
    case DiagramMetric::sparsity: text += QStringLiteral("0 % … 100 %"); break;
    case DiagramMetric::ratio: text += QStringLiteral("1× … %1").arg(plots::formatRatio(largest_)); break;
    case DiagramMetric::stall: text += QStringLiteral("0 … %1").arg(plots::formatMs(largest_)); break;
    case DiagramMetric::bound: text += tr("compute, L1, L2, DRAM (left: forward, right: backward)"); break;
    }
    return text + tr("; orange bar: offloaded");
}

QString NetworkDiagram::toolTipAt(const QPoint& canvasPos) const
{
    const int layer = layerAt(canvasPos);
    if (layer == -2)
        return {};
    const auto& scenario = shown_->scenario;
    if (layer == kNetworkInput)
        return tr("<b>%1</b><br>The network's input: %2 per iteration")
            .arg(plots::layerName(scenario, layer).toHtmlEscaped(),
                 plots::formatBytes(scenario.network->outputBytes(kNetworkInput, scenario.batch, scenario.dtype)));
    const auto& r = shown_->result->layers[static_cast<std::size_t>(layer)];
    const auto& l = scenario.network->network().layers[static_cast<std::size_t>(layer)];
    QString text = QStringLiteral("<b>%1</b> (%2)<br>").arg(QString::fromStdString(l.name).toHtmlEscaped(),
                                                             QString::fromStdString(std::string(layerKindName(l.kind))));
    text += tr("output: %1, sparsity %2").arg(plots::formatBytes(r.output_bytes), plots::formatPercent(r.sparsity));
    if (r.offloaded)
        text += tr("<br>offloaded: %1 over the link (ratio %2)").arg(plots::formatBytes(r.offload_wire_bytes), plots::formatRatio(r.ratio));
    else
        text += tr("<br>kept on the GPU (not offloaded)");
    text += tr("<br>forward %1 (%2-bound), backward %3 (%4-bound)")
                .arg(plots::formatMs(r.forward_s), plots::boundLabel(r.forward_bound), plots::formatMs(r.backward_s),
                     plots::boundLabel(r.backward_bound));
    if (stallOf(r) > 0)
        text += tr("<br>stalls: %1 forward, %2 backward").arg(plots::formatMs(r.forward_stall_s), plots::formatMs(r.backward_stall_s));
    return text;
}

void NetworkDiagram::paintCanvas(QPainter& p, const QRect& exposed)
{
    p.fillRect(exposed, palette().color(QPalette::Base));
    if (!shown_)
        return;
    p.setRenderHint(QPainter::Antialiasing);
    const double z = zoom_;
    const auto& network = *shown_->scenario.network;
    const auto& results = shown_->result->layers;
    auto freeBetween = [&](int row, int fromColumn, int toColumn) {
        for (int c = fromColumn + 1; c < toColumn; ++c)
            if (occupied(c, row))
                return false;
        return true;
    };
    // Only the columns in view (one more either side for halos and frames); edges end at most
    // longestEdge_ columns right of where they start.
    const auto [firstColumn, lastColumn] = columnsIn(exposed.left(), exposed.right());

    // Edges first, under the boxes. Those of the running layer are drawn darker.
    const double gap = gapX_ * z;
    for (int layer : layersInColumns(firstColumn - 1, lastColumn + 1 + longestEdge_)) {
        if (layer == kNetworkInput)
            continue;
        const QRectF to = boxRect(layer);
        for (int producer : network.layers()[static_cast<std::size_t>(layer)].inputs) {
            const QRectF from = boxRect(producer);
            const QRectF span = from.united(to).adjusted(0, -gapY_ * z, 0, 0);
            if (!span.intersects(exposed))
                continue;
            const DiagramCell& a = layout_.of(producer);
            const DiagramCell& b = layout_.of(layer);
            const bool strong = layer == cursorLayer_ || producer == cursorLayer_;
            p.setPen(QPen(strong ? QColor(Qt::black) : kEdge, (strong ? 2.5 : 1.4) * std::max(z, 0.6)));
            p.setBrush(Qt::NoBrush);
            QPainterPath path;
            QPointF end;
            if (a.row == b.row && !freeBetween(a.row, a.column, b.column)) {
                // A skip connection along a row: an arc over the boxes between.
                const double top = to.top() - gapY_ * z * 0.8;
                path.moveTo(from.center().x(), from.top());
                path.cubicTo(from.center().x(), top, to.center().x(), top, to.center().x(), to.top());
                end = QPointF(to.center().x(), to.top());
                p.drawPath(path);
                QPolygonF head({end, end + QPointF(-4 * z, -7 * z), end + QPointF(4 * z, -7 * z)});
                p.setBrush(p.pen().color());
                p.drawPolygon(head);
                continue;
            }
            const QPointF start(from.right(), from.center().y());
            end = QPointF(to.left(), to.center().y());
            path.moveTo(start);
            if (a.row == b.row) {
                path.lineTo(end);
            } else if (freeBetween(a.row, a.column, b.column)) {
                // Along the producer's row, then into the consumer in the last gap.
                path.lineTo(end.x() - gap, start.y());
                path.cubicTo(end.x() - gap / 2, start.y(), end.x() - gap / 2, end.y(), end.x(), end.y());
            } else {
                // Out of the producer in the first gap, then along the consumer's row.
                path.cubicTo(start.x() + gap / 2, start.y(), start.x() + gap / 2, end.y(), start.x() + gap, end.y());
                path.lineTo(end);
            }
            p.drawPath(path);
            QPolygonF head({end, end + QPointF(-7 * z, -4 * z), end + QPointF(-7 * z, 4 * z)});
            p.setBrush(p.pen().color());
            p.drawPolygon(head);
        }
    }

    // Boxes: metric fill, name and value, offload bar, cursor halo, selection frame.
    QFont nameFont = font();
    nameFont.setPointSizeF(std::max(1.0, font().pointSizeF() * z));
    nameFont.setBold(true);
    QFont valueFont = nameFont;
    valueFont.setBold(false);
    const bool readable = z >= 0.45; // below this, text would be noise: colours only
    for (int layer : layersInColumns(firstColumn - 1, lastColumn + 1)) {
        const QRectF box = boxRect(layer);
        if (!box.adjusted(-8, -8, 8, 8).intersects(exposed))
            continue;
        const bool isInput = layer == kNetworkInput;
        const sim::LayerResult* r = isInput ? nullptr : &results[static_cast<std::size_t>(layer)];
        if (layer == cursorLayer_) {
            p.setPen(Qt::NoPen);
            p.setBrush(kCursorHalo);
            p.drawRoundedRect(box.adjusted(-6 * z, -6 * z, 6 * z, 6 * z), 8 * z, 8 * z);
        }
        // The bound metric: the name on white, the lower half split into forward | backward.
        const bool split = r && metric_ == DiagramMetric::bound;
        const QColor fill = isInput || split ? QColor(Qt::white) : diagramMetricColor(metric_, *r, largest_);
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(fill);
        p.drawRoundedRect(box, 4 * z, 4 * z);
        if (split) {
            p.setPen(Qt::NoPen);
            const double half = box.height() / 2;
            p.setBrush(boundColor(r->forward_bound));
            p.drawRect(QRectF(box.left() + 1, box.center().y(), box.width() / 2 - 1, half - 1));
            p.setBrush(boundColor(r->backward_bound));
            p.drawRect(QRectF(box.center().x(), box.center().y(), box.width() / 2 - 1, half - 1));
            p.setPen(QPen(Qt::black, 1));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(box, 4 * z, 4 * z);
        }
        if (r && r->offloaded) {
            p.setPen(Qt::NoPen);
            p.setBrush(palette::orange);
            p.drawRect(QRectF(box.left() + 1, box.bottom() - 5 * z, box.width() - 2, 4 * z));
        }
        if (layer == selectedLayer_) {
            p.setPen(QPen(palette::selection, 3.5 * std::max(z, 0.6)));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(box.adjusted(-2, -2, 2, 2), 5 * z, 5 * z);
        }
        if (!readable)
            continue;
        const QRectF inner = box.adjusted(4 * z, 3 * z, -4 * z, -5 * z);
        p.setPen(textOn(fill));
        p.setFont(nameFont);
        const QString name = plots::layerName(shown_->scenario, layer);
        p.drawText(inner, Qt::AlignHCenter | Qt::AlignTop,
                   QFontMetrics(nameFont).elidedText(name, Qt::ElideMiddle, static_cast<int>(inner.width())));
        p.setFont(valueFont);
        const QString value = isInput ? tr("input") : diagramMetricText(metric_, *r);
        if (split) {
            // One word per half, each on its own colour.
            const QRectF left(inner.left(), inner.top(), inner.width() / 2, inner.height());
            const QRectF right(inner.center().x(), inner.top(), inner.width() / 2, inner.height());
            p.setPen(textOn(boundColor(r->forward_bound)));
            p.drawText(left, Qt::AlignHCenter | Qt::AlignBottom, plots::boundLabel(r->forward_bound));
            p.setPen(textOn(boundColor(r->backward_bound)));
            p.drawText(right, Qt::AlignHCenter | Qt::AlignBottom, plots::boundLabel(r->backward_bound));
        } else {
            p.drawText(inner, Qt::AlignHCenter | Qt::AlignBottom, value);
        }
    }
}

} // namespace offload::studio::teaching
