#include "sparsity_explorer.h"

#include <qcustomplot.h>

#include <QGridLayout>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace offload::studio {

namespace {

constexpr int kHistogramBins = 60;

QCustomPlot* makePlot(QWidget* parent, const QString& title)
{
    auto* plot = new QCustomPlot(parent);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont(plot->font().family(), 10, QFont::Bold)));
    plot->setMinimumSize(300, 220);
    return plot;
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

} // namespace

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
    histogram_ = makePlot(this, tr("Values"));
    curve_ = makePlot(this, tr("Sparsity over training"));
    auto* grid = new QGridLayout(this);
    grid->addWidget(heatmap_, 0, 0);
    grid->addWidget(featureMap_, 0, 1);
    grid->addWidget(histogram_, 1, 0);
    grid->addWidget(curve_, 1, 1);

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
    curve_->xAxis->setRange(0, 1);
    curve_->yAxis->setRange(0, 1);
    progressLine_ = new QCPItemStraightLine(curve_);
    progressLine_->setPen(QPen(QColor(200, 60, 40), 1, Qt::DashLine));
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
    drawHeatmap();
    drawFeatureMap();
    drawHistogram();
    drawCurve();
}

void SparsityExplorer::selectChannel(int channel)
{
    if (channel < 0 || channel >= data_.channels || channel == channel_)
        return;
    channel_ = channel;
    drawFeatureMap();
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
    setTitle(heatmap_, tr("%1: zero fraction of %2 channels (layer %3)")
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
    setTitle(featureMap_, tr("channel %1, sample %2: %3 zeros (blue) of %4")
                              .arg(channel_)
                              .arg(sample_)
                              .arg(zeros)
                              .arg(static_cast<qulonglong>(plane)));
    featureMap_->replot();
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
    setTitle(histogram_, tr("values of %1: %2 exact zeros not drawn").arg(data_.layer, percent(data_.sparsity())));
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
    progressLine_->point1->setCoords(data_.progress, 0);
    progressLine_->point2->setCoords(data_.progress, 1);
    setTitle(curve_, data_.curve.empty() ? tr("no sparsity measured over training")
                                         : tr("sparsity over training (%1 points; progress %2 marked)")
                                               .arg(data_.curve.size())
                                               .arg(data_.progress));
    curve_->replot();
}

bool SparsityExplorer::exportPng(const QString& path, int width, int height)
{
    const QSize before = size();
    resize(width, height);
    // The plots lay out and draw at the new size before the grab, shown or not.
    QCoreApplication::sendPostedEvents();
    for (QCustomPlot* plot : {heatmap_, featureMap_, histogram_, curve_})
        plot->replot(QCustomPlot::rpImmediateRefresh);
    const QPixmap pixmap = grab();
    resize(before);
    return pixmap.save(path, "PNG");
}

} // namespace offload::studio
