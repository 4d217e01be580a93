#pragma once
// The sparsity explorer: one layer's measured output in four linked views. It takes plain data
// (SparsityExplorerData: a captured tensor and the layer's measured curve), computes nothing
// the model owns, and knows nothing of the window:
//   - per-channel zero fraction as a heatmap (channels laid out row by row), click to pick one;
//   - the picked channel's feature map of one sample, zeros marked in their own colour;
//   - the histogram of the layer's values, with the zero fraction in its title;
//   - the layer's sparsity against training progress, the current progress marked.
// Every view is a QCustomPlot, so it exports like the other charts (exportPng, exportPdf).
#include <QWidget>

#include <utility>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPBars;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemRect;

namespace offload::studio {

struct SparsityExplorerData {
    QString layer;                       // shown in the titles
    int samples = 0, channels = 0, height = 0, width = 0; // the captured tensor, NCHW
    std::vector<float> values;           // samples * channels * height * width, C order
    std::vector<std::pair<double, double>> curve; // (training progress, sparsity), measured
    double progress = 1.0;               // the scenario's training progress, marked on the curve

    // Zero fraction of each channel over all samples and positions (exact zeros).
    std::vector<double> channelSparsity() const;
    double sparsity() const; // over the whole tensor
};

class SparsityExplorer : public QWidget {
    Q_OBJECT
public:
    explicit SparsityExplorer(QWidget* parent = nullptr);

    void setData(SparsityExplorerData data); // also picks the channel closest to the layer's sparsity
    const SparsityExplorerData& data() const { return data_; }
    int selectedChannel() const { return channel_; }
    int selectedSample() const { return sample_; }

    bool exportPng(const QString& path, int width = 1600, int height = 1000);

    // Views, for tests and for the window's export menu.
    QCustomPlot* heatmapPlot() const { return heatmap_; }
    QCustomPlot* featureMapPlot() const { return featureMap_; }
    QCustomPlot* histogramPlot() const { return histogram_; }
    QCustomPlot* curvePlot() const { return curve_; }

public slots:
    void selectChannel(int channel);
    void selectSample(int sample);
    void setProgress(double progress);

signals:
    void channelSelected(int channel);

private:
    void drawHeatmap();
    void drawFeatureMap();
    void drawHistogram();
    void drawCurve();
    int heatmapColumns() const;
    void markSelectedCell();

    SparsityExplorerData data_;
    int channel_ = 0;
    int sample_ = 0;
    QCustomPlot* heatmap_;
    QCustomPlot* featureMap_;
    QCustomPlot* histogram_;
    QCustomPlot* curve_;
    QCPColorMap* heatmapMap_ = nullptr;
    QCPColorMap* featureMapMap_ = nullptr;
    QCPBars* bars_ = nullptr;
    QCPGraph* curveGraph_ = nullptr;
    QCPItemStraightLine* progressLine_ = nullptr;
    QCPItemRect* selectedCell_ = nullptr;
};

} // namespace offload::studio
