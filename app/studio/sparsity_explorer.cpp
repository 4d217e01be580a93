#include "sparsity_explorer.h"

#include "core/codecs/zvc.h"

#include <qcustomplot.h>

#include <QFutureWatcher>
#include <QGridLayout>
#include <QPainter>
#include <QSaveFile>
#include <QTextStream>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>

namespace offload::studio {

namespace {

constexpr int kHistogramBins = 60;

QCustomPlot* makePlot(QWidget* parent, const QString& title)
{
    auto* plot = new QCustomPlot(parent);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont(plot->font().family(), 8, QFont::Bold)));
    plot->setMinimumSize(260, 200);
    return plot;
}

// Whole-number ticks for axes that count cells (channels, pixels, mask bits and words).
void useIntegerTicks(QCPAxis* axis)
{
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    axis->setTicker(ticker);
}

void setTitle(QCustomPlot* plot, const QString& title)
{
    if (auto* text = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0)))
        text->setText(title);
}

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 1) + " %";
}

// Bytes for a title: "316 B", "8.0 KiB".
QString bytesText(std::uint64_t bytes)
{
    if (bytes < 10 * 1024)
        return QString::number(static_cast<qulonglong>(bytes)) + " B";
    return QString::number(static_cast<double>(bytes) / 1024.0, 'f', 1) + " KiB";
}

// Every number of a CSV as it is held: 17 significant digits read back to the same double.
QString exact(double v)
{
    return QString::number(v, 'g', 17);
}

bool nonZeroBits(float v)
{
    std::uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    return bits != 0;
}

} // namespace

std::vector<std::uint8_t> zvcMaskBits(const std::vector<std::uint8_t>& stream, std::uint64_t elements,
                                      std::uint32_t elementBytes)
{
    std::vector<std::uint8_t> bits;
    bits.reserve(elements);
    std::size_t at = 0;
    for (std::uint64_t first = 0; first < elements; first += 32) {
        if (at + 4 > stream.size())
            return {};
        // Little-endian, bit i for element first + i.
        const std::uint32_t mask = std::uint32_t{stream[at]} | std::uint32_t{stream[at + 1]} << 8
                                   | std::uint32_t{stream[at + 2]} << 16 | std::uint32_t{stream[at + 3]} << 24;
        const std::uint64_t inGroup = std::min<std::uint64_t>(32, elements - first);
        for (std::uint64_t i = 0; i < inGroup; ++i)
            bits.push_back(static_cast<std::uint8_t>(mask >> i & 1u));
        at += 4 + static_cast<std::size_t>(std::popcount(mask)) * elementBytes;
    }
    return at == stream.size() ? bits : std::vector<std::uint8_t>{};
}

std::vector<double> SparsityExplorerData::channelSparsity() const
{
    std::vector<double> out(static_cast<std::size_t>(std::max(channels, 0)), 0.0);
    const std::size_t plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    if (plane == 0 || samples <= 0 || values.size() < static_cast<std::size_t>(samples) * out.size() * plane)
        return out;
    for (int n = 0; n < samples; ++n)
        for (std::size_t c = 0; c < out.size(); ++c) {
            const float* p = values.data() + (static_cast<std::size_t>(n) * out.size() + c) * plane;
            out[c] += static_cast<double>(std::count(p, p + plane, 0.0f));
        }
    for (auto& s : out)
        s /= static_cast<double>(plane) * samples;
    return out;
}

double SparsityExplorerData::sparsity() const
{
    if (values.empty())
        return 0.0;
    return static_cast<double>(std::count(values.begin(), values.end(), 0.0f)) / static_cast<double>(values.size());
}

SparsityExplorer::SparsityExplorer(QWidget* parent) : QWidget(parent)
{
    heatmap_ = makePlot(this, tr("Zero fraction per channel"));
    featureMap_ = makePlot(this, tr("Feature map"));
    mask_ = makePlot(this, tr("ZVC mask"));
    histogram_ = makePlot(this, tr("Values"));
    curve_ = makePlot(this, tr("Sparsity over training"));
    ratios_ = makePlot(this, tr("Codec ratios"));
    auto* grid = new QGridLayout(this);
    grid->addWidget(heatmap_, 0, 0);
    grid->addWidget(featureMap_, 0, 1);
    grid->addWidget(mask_, 0, 2);
    grid->addWidget(histogram_, 1, 0);
    grid->addWidget(curve_, 1, 1);
    grid->addWidget(ratios_, 1, 2);

    heatmapMap_ = new QCPColorMap(heatmap_->xAxis, heatmap_->yAxis);
    // White (dense) to dark blue (all zeros); cells past the last channel stay empty.
    QCPColorGradient sparsityGradient;
    sparsityGradient.clearColorStops();
    sparsityGradient.setColorStopAt(0, QColor(255, 255, 255));
    sparsityGradient.setColorStopAt(1, QColor(20, 40, 120));
    sparsityGradient.setNanHandling(QCPColorGradient::nhTransparent);
    heatmapMap_->setGradient(sparsityGradient);
    heatmapMap_->setDataRange(QCPRange(0, 1));
    heatmapMap_->setInterpolate(false);
    auto* scale = new QCPColorScale(heatmap_);
    heatmap_->plotLayout()->addElement(1, 1, scale);
    scale->setLabel(tr("zero fraction"));
    heatmapMap_->setColorScale(scale);
    // The scale now drives the map: gradient and range are set on it.
    scale->setGradient(sparsityGradient);
    scale->setDataRange(QCPRange(0, 1)); // zero fractions, whatever the data's own range
    selectedCell_ = new QCPItemRect(heatmap_);
    selectedCell_->setPen(QPen(QColor(200, 60, 40), 2));
    heatmap_->xAxis->setLabel(tr("channel (column)"));
    heatmap_->yAxis->setLabel(tr("channel (row)"));
    heatmap_->yAxis->setRangeReversed(true);
    for (QCustomPlot* p : {heatmap_, featureMap_, mask_}) {
        useIntegerTicks(p->xAxis);
        useIntegerTicks(p->yAxis);
    }
    connect(heatmap_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        const double x = heatmap_->xAxis->pixelToCoord(e->pos().x());
        const double y = heatmap_->yAxis->pixelToCoord(e->pos().y());
        const int column = static_cast<int>(std::floor(x + 0.5)), row = static_cast<int>(std::floor(y + 0.5));
        const int channel = row * heatmapColumns() + column;
        if (column >= 0 && column < heatmapColumns() && channel >= 0 && channel < data_.channels)
            selectChannel(channel);
    });

    featureMapMap_ = new QCPColorMap(featureMap_->xAxis, featureMap_->yAxis);
    QCPColorGradient values(QCPColorGradient::gpThermal);
    values.setNanHandling(QCPColorGradient::nhNanColor);
    values.setNanColor(QColor(0, 170, 255)); // zeros are NaN in the map: their own colour
    featureMapMap_->setGradient(values);
    featureMapMap_->setInterpolate(false);
    featureMap_->xAxis->setLabel(tr("x"));
    featureMap_->yAxis->setLabel(tr("y"));
    featureMap_->yAxis->setRangeReversed(true);

    // One cell per mask bit: zeros in the feature map's zero colour, non-zeros dark.
    maskMap_ = new QCPColorMap(mask_->xAxis, mask_->yAxis);
    QCPColorGradient bits;
    bits.clearColorStops();
    bits.setColorStopAt(0, QColor(0, 170, 255));
    bits.setColorStopAt(1, QColor(30, 30, 30));
    bits.setLevelCount(2);
    bits.setNanHandling(QCPColorGradient::nhTransparent); // past the tensor's last element
    maskMap_->setGradient(bits);
    maskMap_->setDataRange(QCPRange(0, 1));
    maskMap_->setInterpolate(false);
    mask_->xAxis->setLabel(tr("mask bit (element mod 32)"));
    mask_->yAxis->setLabel(tr("32-bit mask word"));
    mask_->yAxis->setRangeReversed(true);

    bars_ = new QCPBars(histogram_->xAxis, histogram_->yAxis);
    bars_->setPen(Qt::NoPen);
    bars_->setBrush(QColor(20, 40, 120));
    histogram_->xAxis->setLabel(tr("value (non-zero)"));
    histogram_->yAxis->setLabel(tr("count"));

    curveGraph_ = curve_->addGraph();
    curveGraph_->setPen(QPen(QColor(20, 40, 120), 2));
    curveGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    curve_->xAxis->setLabel(tr("training progress"));
    curve_->yAxis->setLabel(tr("zero fraction"));
    curve_->xAxis->setRange(-0.03, 1.03); // points at 0 and 1 stay visible
    constantGraph_ = curve_->addGraph();
    constantGraph_->setPen(QPen(QColor(20, 40, 120), 1, Qt::DashLine));
    curve_->yAxis->setRange(0, 1);
    progressLine_ = new QCPItemStraightLine(curve_);
    progressLine_->setPen(QPen(QColor(200, 60, 40), 1, Qt::DashLine));

    auto* group = new QCPBarsGroup(ratios_);
    group->setSpacing(1);
    measuredBars_ = new QCPBars(ratios_->xAxis, ratios_->yAxis);
    measuredBars_->setName(tr("measured (real codec)"));
    measuredBars_->setBrush(QColor(20, 40, 120));
    modelBars_ = new QCPBars(ratios_->xAxis, ratios_->yAxis);
    modelBars_->setName(tr("ratio model"));
    modelBars_->setBrush(QColor(230, 159, 0));
    for (QCPBars* b : {measuredBars_, modelBars_}) {
        b->setPen(Qt::NoPen);
        b->setWidth(0.38);
        b->setBarsGroup(group);
    }
    ratios_->yAxis->setLabel(tr("compression ratio"));
    ratios_->xAxis->setTickLabelRotation(-40);
    ratios_->xAxis->setTickLabelFont(QFont(ratios_->font().family(), 8));
    ratios_->yAxis->setTickLabelFont(QFont(ratios_->font().family(), 8));
    ratios_->legend->setVisible(true);
    ratios_->legend->setFont(QFont(ratios_->font().family(), 8));
    ratios_->legend->setBorderPen(Qt::NoPen);
    ratios_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    ratios_->legend->setRowSpacing(0);
    ratios_->legend->setMargins(QMargins(2, 0, 2, 0));
    ratios_->plotLayout()->insertRow(1);
    ratios_->plotLayout()->addElement(1, 0, ratios_->legend);
    ratios_->plotLayout()->setRowStretchFactor(1, 0.001);
}

SparsityExplorer::~SparsityExplorer() = default;

const std::vector<SparsityExplorer::View>& SparsityExplorer::views()
{
    static const std::vector<View> all{View::heatmap, View::featureMap, View::zvcMask,
                                       View::histogram, View::curve, View::codecRatios};
    return all;
}

QString SparsityExplorer::viewName(View view)
{
    switch (view) {
    case View::heatmap: return QStringLiteral("channel-sparsity");
    case View::featureMap: return QStringLiteral("feature-map");
    case View::zvcMask: return QStringLiteral("zvc-mask");
    case View::histogram: return QStringLiteral("histogram");
    case View::curve: return QStringLiteral("sparsity-curve");
    case View::codecRatios: return QStringLiteral("codec-ratios");
    }
    return {};
}

QString SparsityExplorer::viewTitle(View view)
{
    switch (view) {
    case View::heatmap: return tr("Zero fraction per channel");
    case View::featureMap: return tr("Feature map of the channel");
    case View::zvcMask: return tr("ZVC mask of the channel");
    case View::histogram: return tr("Value histogram");
    case View::curve: return tr("Sparsity over training");
    case View::codecRatios: return tr("Codec ratios, measured and model");
    }
    return {};
}

QCustomPlot* SparsityExplorer::plot(View view) const
{
    switch (view) {
    case View::heatmap: return heatmap_;
    case View::featureMap: return featureMap_;
    case View::zvcMask: return mask_;
    case View::histogram: return histogram_;
    case View::curve: return curve_;
    case View::codecRatios: return ratios_;
    }
    return nullptr;
}

int SparsityExplorer::heatmapColumns() const
{
    return std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(std::max(data_.channels, 1))))));
}

void SparsityExplorer::setData(SparsityExplorerData data)
{
    data_ = std::move(data);
    sample_ = 0;
    // The channel most like the layer as a whole: a typical map, not a dead one.
    const auto perChannel = data_.channelSparsity();
    const double layer = data_.sparsity();
    channel_ = 0;
    for (std::size_t c = 1; c < perChannel.size(); ++c)
        if (std::abs(perChannel[c] - layer) < std::abs(perChannel[static_cast<std::size_t>(channel_)] - layer))
            channel_ = static_cast<int>(c);
    // Codec ratios of the tensor shown before are no longer this one's.
    ++measureGeneration_;
    measuring_ = false;
    comparison_ = CodecComparison{};
    drawHeatmap();
    drawFeatureMap();
    drawMask();
    drawHistogram();
    drawCurve();
    drawRatios();
}

void SparsityExplorer::measureCodecs(std::function<CodecComparison()> job)
{
    const std::uint64_t generation = ++measureGeneration_;
    measuring_ = true;
    drawRatios();
    auto* watcher = new QFutureWatcher<CodecComparison>(this);
    connect(watcher, &QFutureWatcher<CodecComparison>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != measureGeneration_)
            return; // another tensor is shown by now
        measuring_ = false;
        setCodecComparison(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([job = std::move(job)] {
        try {
            return job();
        } catch (const std::exception& e) {
            CodecComparison failed;
            failed.error = QString::fromStdString(e.what());
            return failed;
        }
    }));
}

void SparsityExplorer::setCodecComparison(CodecComparison comparison)
{
    comparison_ = std::move(comparison);
    measuring_ = false;
    drawRatios();
    emit codecsMeasured();
}

void SparsityExplorer::selectChannel(int channel)
{
    if (channel < 0 || channel >= data_.channels || channel == channel_)
        return;
    channel_ = channel;
    drawFeatureMap();
    drawMask();
    markSelectedCell();
    heatmap_->replot();
    emit channelSelected(channel);
}

void SparsityExplorer::selectSample(int sample)
{
    if (sample < 0 || sample >= data_.samples)
        return;
    sample_ = sample;
    drawFeatureMap();
    drawMask();
}

void SparsityExplorer::setProgress(double progress)
{
    data_.progress = std::clamp(progress, 0.0, 1.0);
    drawCurve();
}

void SparsityExplorer::drawHeatmap()
{
    const auto perChannel = data_.channelSparsity();
    const int columns = heatmapColumns();
    const int rows = std::max(1, (data_.channels + columns - 1) / columns);
    heatmapMap_->data()->setSize(columns, rows);
    heatmapMap_->data()->setRange(QCPRange(0, columns - 1), QCPRange(0, rows - 1));
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c) {
            const int channel = r * columns + c;
            heatmapMap_->data()->setCell(c, r, channel < data_.channels ? perChannel[static_cast<std::size_t>(channel)]
                                                                       : std::numeric_limits<double>::quiet_NaN());
        }
    heatmap_->xAxis->setRange(-0.5, columns - 0.5);
    heatmap_->yAxis->setRange(-0.5, rows - 0.5);
    markSelectedCell();
    setTitle(heatmap_, tr("%1\n%2 channels, layer %3 zeros")
                           .arg(data_.layer)
                           .arg(data_.channels)
                           .arg(percent(data_.sparsity())));
    heatmap_->replot();
}

void SparsityExplorer::markSelectedCell()
{
    const int columns = heatmapColumns();
    const double x = channel_ % columns, y = channel_ / columns;
    selectedCell_->topLeft->setCoords(x - 0.5, y - 0.5);
    selectedCell_->bottomRight->setCoords(x + 0.5, y + 0.5);
}

void SparsityExplorer::drawFeatureMap()
{
    const int h = std::max(data_.height, 1), w = std::max(data_.width, 1);
    featureMapMap_->data()->setSize(w, h);
    featureMapMap_->data()->setRange(QCPRange(0, w - 1), QCPRange(0, h - 1));
    const std::size_t plane = static_cast<std::size_t>(data_.height) * static_cast<std::size_t>(data_.width);
    const std::size_t offset = (static_cast<std::size_t>(sample_) * static_cast<std::size_t>(data_.channels) +
                                static_cast<std::size_t>(channel_)) * plane;
    int zeros = 0;
    double top = 0;
    if (offset + plane <= data_.values.size()) {
        for (int y = 0; y < data_.height; ++y)
            for (int x = 0; x < data_.width; ++x) {
                const float v = data_.values[offset + static_cast<std::size_t>(y) * static_cast<std::size_t>(data_.width) +
                                             static_cast<std::size_t>(x)];
                zeros += v == 0.0f ? 1 : 0;
                top = std::max(top, std::abs(static_cast<double>(v)));
                featureMapMap_->data()->setCell(x, y, v == 0.0f ? std::numeric_limits<double>::quiet_NaN()
                                                                : static_cast<double>(v));
            }
    }
    featureMapMap_->setDataRange(QCPRange(0, top > 0 ? top : 1));
    featureMap_->xAxis->setRange(-0.5, w - 0.5);
    featureMap_->yAxis->setRange(-0.5, h - 0.5);
    setTitle(featureMap_, tr("feature map, channel %1, sample %2\n%3 zeros (blue) of %4")
                              .arg(channel_)
                              .arg(sample_)
                              .arg(zeros)
                              .arg(static_cast<qulonglong>(plane)));
    featureMap_->replot();
}

void SparsityExplorer::drawMask()
{
    // The channel's map of the shown sample, row by row, compressed alone by the real codec;
    // the cells are the mask words of its stream.
    const std::size_t plane = static_cast<std::size_t>(data_.height) * static_cast<std::size_t>(data_.width);
    const std::size_t offset = (static_cast<std::size_t>(sample_) * static_cast<std::size_t>(data_.channels) +
                                static_cast<std::size_t>(channel_)) * plane;
    maskBits_.clear();
    channelStreamBytes_ = 0;
    if (plane > 0 && offset + plane <= data_.values.size()) {
        std::vector<std::uint8_t> stream(zvc::compressedBytes(plane, plane, 4));
        stream.resize(zvc::compress(data_.values.data() + offset, plane, 4, stream));
        maskBits_ = zvcMaskBits(stream, plane, 4);
    }
    const auto setBits = static_cast<std::uint64_t>(std::count(maskBits_.begin(), maskBits_.end(), std::uint8_t{1}));
    const auto elementBytes = static_cast<std::uint32_t>(data_.elementBytes);
    channelStreamBytes_ = maskBits_.empty() ? 0 : zvc::compressedBytes(plane, setBits, elementBytes);
    const int words = static_cast<int>((maskBits_.size() + 31) / 32);
    maskMap_->data()->setSize(32, std::max(words, 1));
    maskMap_->data()->setRange(QCPRange(0, 31), QCPRange(0, std::max(words, 1) - 1));
    for (int word = 0; word < std::max(words, 1); ++word)
        for (int bit = 0; bit < 32; ++bit) {
            const std::size_t i = static_cast<std::size_t>(word) * 32 + static_cast<std::size_t>(bit);
            maskMap_->data()->setCell(bit, word, i < maskBits_.size() ? maskBits_[i] : std::numeric_limits<double>::quiet_NaN());
        }
    mask_->xAxis->setRange(-0.5, 31.5);
    mask_->yAxis->setRange(-0.5, std::max(words, 1) - 0.5);

    // The whole tensor as ZVC stores it: its size depends only on the count of non-zeros.
    const std::uint64_t elements = data_.values.size();
    const auto tensorNonZeros = static_cast<std::uint64_t>(std::count_if(data_.values.begin(), data_.values.end(), nonZeroBits));
    const std::uint64_t tensorStream = zvc::compressedBytes(elements, tensorNonZeros, elementBytes);
    const std::uint64_t tensorMask = zvc::compressedBytes(elements, 0, elementBytes);
    const std::uint64_t channelMask = zvc::compressedBytes(plane, 0, elementBytes);
    auto ratio = [](std::uint64_t raw, std::uint64_t stream) {
        return stream ? QString::number(static_cast<double>(raw) / static_cast<double>(stream), 'f', 2) : QStringLiteral("-");
    };
    setTitle(mask_, tr("ZVC mask, ch. %1, sample %2: %3/%4 bits\n"
                       "%5 words; alone: %6 mask + %7 = %8 (%9x)\n"
                       "tensor: %10 mask, %11 stream (%12x)")
                        .arg(channel_)
                        .arg(sample_)
                        .arg(static_cast<qulonglong>(setBits))
                        .arg(static_cast<qulonglong>(maskBits_.size()))
                        .arg(words)
                        .arg(bytesText(channelMask), bytesText(channelStreamBytes_ - std::min(channelStreamBytes_, channelMask)),
                             bytesText(channelStreamBytes_), ratio(plane * elementBytes, channelStreamBytes_),
                             bytesText(tensorMask), bytesText(tensorStream), ratio(elements * elementBytes, tensorStream)));
    mask_->replot();
}

void SparsityExplorer::drawRatios()
{
    QVector<double> keys, measured, model;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (std::size_t i = 0; i < comparison_.codecs.size(); ++i) {
        const auto& c = comparison_.codecs[i];
        keys.push_back(static_cast<double>(i));
        measured.push_back(c.measured);
        model.push_back(c.model);
        ticker->addTick(static_cast<double>(i), c.lossless ? c.codec : c.codec + QStringLiteral("*"));
    }
    measuredBars_->setData(keys, measured, true);
    modelBars_->setData(keys, model, true);
    ratios_->xAxis->setTicker(ticker);
    ratios_->clearItems();
    // Each bar carries its value above it (the group puts the two bars side by side, each half
    // of the pair's width off the key); ratio 1, no gain, is a dashed line.
    auto label = [this](double key, double value) {
        auto* text = new QCPItemText(ratios_);
        text->position->setCoords(key, value);
        // Upright along the bar: the pairs are too narrow for two labels side by side.
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        text->setRotation(-90);
        text->setPadding(QMargins(2, 0, 0, 0));
        text->setFont(QFont(ratios_->font().family(), 7));
        text->setText(QString::number(value, 'f', value < 10 ? 2 : 1));
    };
    double top = 1;
    const double half = measuredBars_->width() / 2;
    for (int i = 0; i < keys.size(); ++i) {
        label(keys[i] - half, measured[i]);
        label(keys[i] + half, model[i]);
        top = std::max({top, measured[i], model[i]});
    }
    auto* one = new QCPItemStraightLine(ratios_);
    one->point1->setCoords(0, 1);
    one->point2->setCoords(1, 1);
    one->setPen(QPen(QColor(120, 120, 120), 1, Qt::DashLine));
    ratios_->xAxis->setRange(-0.6, std::max<double>(keys.size(), 1) - 0.4);
    ratios_->yAxis->setRange(0, top * 1.45); // room for the upright labels
    QString title;
    if (measuring_)
        title = tr("codec ratios of %1: measuring...").arg(data_.layer);
    else if (!comparison_.error.isEmpty())
        title = tr("codec ratios of %1: measurement failed\n%2").arg(data_.layer, comparison_.error);
    else if (comparison_.codecs.empty())
        title = tr("codec ratios: not measured");
    else
        title = tr("codec ratios: real codecs vs ratio model\nzeros: tensor %1, model %2%3")
                    .arg(percent(comparison_.tensorSparsity), percent(comparison_.modelSparsity),
                         std::any_of(comparison_.codecs.begin(), comparison_.codecs.end(),
                                     [](const CodecRatio& c) { return !c.lossless; })
                             ? tr("; * lossy")
                             : QString());
    // Which numbers the simulation itself takes for this layer.
    ratios_->setToolTip(comparison_.codecs.empty() ? QString()
                        : comparison_.networkHasMeasuredRatios
                            ? tr("The network carries measured ratios for %1: the simulation uses those, not the model.")
                                  .arg(comparison_.layer)
                            : tr("The simulation uses the ratio model for %1.").arg(comparison_.layer));
    setTitle(ratios_, title);
    ratios_->replot();
}

void SparsityExplorer::drawHistogram()
{
    float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
    for (float v : data_.values)
        if (v != 0.0f && std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    QVector<double> keys, counts;
    if (lo <= hi) {
        const double width = hi > lo ? (static_cast<double>(hi) - lo) / kHistogramBins : 1.0;
        counts.fill(0.0, kHistogramBins);
        for (int b = 0; b < kHistogramBins; ++b)
            keys.push_back(lo + (b + 0.5) * width);
        for (float v : data_.values)
            if (v != 0.0f && std::isfinite(v))
                counts[std::min(kHistogramBins - 1, static_cast<int>((v - lo) / width))] += 1;
        bars_->setWidth(width);
    }
    bars_->setData(keys, counts, true);
    histogram_->rescaleAxes();
    histogram_->yAxis->setRangeLower(0);
    setTitle(histogram_, tr("values of the layer\n%1 exact zeros not drawn").arg(percent(data_.sparsity())));
    histogram_->replot();
}

void SparsityExplorer::drawCurve()
{
    QVector<double> x, y;
    for (const auto& [p, s] : data_.curve) {
        x.push_back(p);
        y.push_back(s);
    }
    curveGraph_->setData(x, y, true);
    // The model clamps the curve at its ends: held flat before the first and after the last point.
    QVector<double> cx, cy;
    if (!x.isEmpty()) {
        cx = {0.0, x.front(), x.back(), 1.0};
        cy = {y.front(), y.front(), y.back(), y.back()};
    }
    constantGraph_->setData(cx, cy, true);
    progressLine_->point1->setCoords(data_.progress, 0);
    progressLine_->point2->setCoords(data_.progress, 1);
    setTitle(curve_, data_.curve.empty() ? tr("no sparsity measured over training")
                                         : tr("sparsity over training: %n measured point(s)\n(dashed: held at the ends); "
                                              "progress %1 marked",
                                              nullptr, static_cast<int>(data_.curve.size()))
                                               .arg(data_.progress));
    curve_->replot();
}

void SparsityExplorer::exportView(View view, const QString& path, const plots::FigureSize& size, const QString& csvPath)
{
    QCustomPlot* p = plot(view);
    p->setWindowTitle(tr("%1: %2").arg(data_.layer, viewTitle(view)));
    plots::exportFigure(*p, path, size);
    if (csvPath.isEmpty())
        return;
    QSaveFile file(csvPath);
    const QByteArray bytes = viewCsv(view).toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        throw plots::ExportError(QStringLiteral("%1: cannot write: %2").arg(csvPath, file.errorString()).toStdString());
}

QString SparsityExplorer::viewCsv(View view) const
{
    QString csv;
    QTextStream out(&csv);
    switch (view) {
    case View::heatmap: {
        out << "layer,channel,row,column,zero_fraction\n";
        const auto perChannel = data_.channelSparsity();
        const int columns = heatmapColumns();
        for (int c = 0; c < data_.channels; ++c)
            out << data_.layer << ',' << c << ',' << c / columns << ',' << c % columns << ','
                << exact(perChannel[static_cast<std::size_t>(c)]) << '\n';
        break;
    }
    case View::featureMap: {
        out << "layer,sample,channel,y,x,value,zero\n";
        const std::size_t plane = static_cast<std::size_t>(data_.height) * static_cast<std::size_t>(data_.width);
        const std::size_t offset = (static_cast<std::size_t>(sample_) * static_cast<std::size_t>(data_.channels) +
                                    static_cast<std::size_t>(channel_)) * plane;
        if (offset + plane <= data_.values.size())
            for (int y = 0; y < data_.height; ++y)
                for (int x = 0; x < data_.width; ++x) {
                    const float v = data_.values[offset + static_cast<std::size_t>(y) * static_cast<std::size_t>(data_.width) +
                                                 static_cast<std::size_t>(x)];
                    out << data_.layer << ',' << sample_ << ',' << channel_ << ',' << y << ',' << x << ','
                        << exact(static_cast<double>(v)) << ',' << (v == 0.0f ? 1 : 0) << '\n';
                }
        break;
    }
    case View::zvcMask: {
        out << "layer,sample,channel,word,bit,element,y,x,nonzero\n";
        const int w = std::max(data_.width, 1);
        for (std::size_t i = 0; i < maskBits_.size(); ++i)
            out << data_.layer << ',' << sample_ << ',' << channel_ << ',' << i / 32 << ',' << i % 32 << ',' << i << ','
                << i / static_cast<std::size_t>(w) << ',' << i % static_cast<std::size_t>(w) << ',' << static_cast<int>(maskBits_[i]) << '\n';
        break;
    }
    case View::histogram: {
        out << "layer,bin_center,bin_width,count\n";
        for (auto it = bars_->data()->constBegin(); it != bars_->data()->constEnd(); ++it)
            out << data_.layer << ',' << exact(it->key) << ',' << exact(bars_->width()) << ',' << exact(it->value) << '\n';
        break;
    }
    case View::curve: {
        out << "layer,progress,zero_fraction,marked_progress\n";
        for (const auto& [progress, sparsity] : data_.curve)
            out << data_.layer << ',' << exact(progress) << ',' << exact(sparsity) << ',' << exact(data_.progress) << '\n';
        break;
    }
    case View::codecRatios: {
        out << "layer,codec,label,lossless,input_bytes,compressed_bytes,measured_ratio,model_ratio,tensor_zero_fraction,"
               "model_zero_fraction\n";
        for (const auto& c : comparison_.codecs)
            out << comparison_.layer << ',' << c.codec << ',' << c.label << ',' << (c.lossless ? 1 : 0) << ','
                << static_cast<qulonglong>(c.inputBytes) << ',' << static_cast<qulonglong>(c.compressedBytes) << ','
                << exact(c.measured) << ',' << exact(c.model) << ',' << exact(comparison_.tensorSparsity) << ','
                << exact(comparison_.modelSparsity) << '\n';
        break;
    }
    }
    return csv;
}

bool SparsityExplorer::exportPng(const QString& path, int width, int height)
{
    const QSize before = size();
    resize(width, height);
    // The plots lay out and draw at the new size before the grab, shown or not.
    QCoreApplication::sendPostedEvents();
    for (QCustomPlot* plot : {heatmap_, featureMap_, mask_, histogram_, curve_, ratios_})
        plot->replot(QCustomPlot::rpImmediateRefresh);
    const QPixmap pixmap = grab();
    resize(before);
    return pixmap.save(path, "PNG");
}

} // namespace offload::studio
