#pragma once
// The sparsity explorer: one layer's measured output in six linked views. It takes plain data
// (SparsityExplorerData: a captured tensor and the layer's measured curve; CodecComparison: the
// codecs measured on that tensor beside the ratio model), and knows nothing of the window:
//   - per-channel zero fraction as a heatmap (channels laid out row by row), click to pick one;
//   - the picked channel's feature map of one sample, zeros marked in their own colour;
//   - the ZVC mask of that channel, word by word, as the real codec writes it (core/codecs/zvc.h);
//   - the histogram of the layer's values, with the zero fraction in its title;
//   - the layer's sparsity against training progress, the current progress marked;
//   - every codec's ratio measured on the tensor next to the ratio model's (grouped bars).
// Every view is a QCustomPlot and exports like the other charts (exportView: PDF, SVG or PNG,
// and the view's data as CSV).
#include "app/plots/figure_export.h"

#include <QWidget>

#include <cstdint>
#include <functional>
#include <memory>
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
    int elementBytes = 4;                // of the tensor as the codecs store it (fp32 4, fp16 and bf16 2)
    std::vector<float> values;           // samples * channels * height * width, C order
    std::vector<std::pair<double, double>> curve; // (training progress, sparsity), measured
    double progress = 1.0;               // the scenario's training progress, marked on the curve

    // Zero fraction of each channel over all samples and positions (exact zeros).
    std::vector<double> channelSparsity() const;
    double sparsity() const; // over the whole tensor
};

// One codec on the captured tensor: the real codec's stream (core/codecs) and the ratio model's
// expectation (core/codecs/ratio_model.h) at the layer's sparsity as the simulator has it.
struct CodecRatio {
    QString codec;                   // codecName: "zvc", "jpeg-act", ...
    QString label;                   // with the parameters that change the stream: "jpeg-act-q90"
    bool lossless = true;
    std::uint64_t inputBytes = 0;    // the tensor as stored
    std::uint64_t compressedBytes = 0; // the codec's stream
    double measured = 0;             // inputBytes / compressedBytes
    double model = 0;                // modelRatio at 1 - modelSparsity, elementBytes of the tensor
};

struct CodecComparison {
    QString layer;
    QString file;                    // the .npy measured
    double tensorSparsity = 0;       // zero fraction of the tensor (all-zero bits, as ZVC counts)
    double modelSparsity = 0;        // the simulator's sparsity of the layer at the scenario's progress
    bool networkHasMeasuredRatios = false; // the simulation uses the network's measured ratios, not the model
    std::vector<CodecRatio> codecs;
    double seconds = 0;              // wall time of the measurement
    QString error;                   // non-empty: the measurement failed, with why
};

// The bits of a ZVC stream's masks (zvc.h: per 32 elements a 32-bit mask, bit i set = element i
// non-zero, then the non-zeros): one entry per element, 1 for non-zero. Reads the stream
// `zvc::compress` wrote for `elements` elements of `elementBytes` bytes; empty if it is cut short.
std::vector<std::uint8_t> zvcMaskBits(const std::vector<std::uint8_t>& stream, std::uint64_t elements,
                                      std::uint32_t elementBytes);

class SparsityExplorer : public QWidget {
    Q_OBJECT
public:
    enum class View { heatmap, featureMap, zvcMask, histogram, curve, codecRatios };
    static const std::vector<View>& views();
    static QString viewName(View view);  // for file names: "zvc-mask"
    static QString viewTitle(View view); // for menus: "ZVC mask of the channel"

    explicit SparsityExplorer(QWidget* parent = nullptr);
    ~SparsityExplorer() override;

    void setData(SparsityExplorerData data); // also picks the channel closest to the layer's sparsity
    const SparsityExplorerData& data() const { return data_; }
    int selectedChannel() const { return channel_; }
    int selectedSample() const { return sample_; }

    // Measures the codecs on a worker thread (`job` must not touch widgets) and shows the result
    // when it is done, unless setData or another measureCodecs came after it.
    void measureCodecs(std::function<CodecComparison()> job);
    void setCodecComparison(CodecComparison comparison);
    const CodecComparison& codecComparison() const { return comparison_; }
    bool measuringCodecs() const { return measuring_; }

    // The selected channel's ZVC mask bits (sample shown), from the real codec's stream, and the
    // stream's size; what the mask view draws.
    const std::vector<std::uint8_t>& maskBits() const { return maskBits_; }
    std::uint64_t channelStreamBytes() const { return channelStreamBytes_; }

    bool exportPng(const QString& path, int width = 1600, int height = 1000);
    // One view as a figure (format by the suffix) and, when csvPath is not empty, the data it
    // draws as CSV; throws plots::ExportError naming the file.
    void exportView(View view, const QString& path, const plots::FigureSize& size, const QString& csvPath = {});
    QString viewCsv(View view) const; // exactly the numbers the view draws, with a header row

    QCustomPlot* plot(View view) const;
    // Views, for tests.
    QCustomPlot* heatmapPlot() const { return heatmap_; }
    QCustomPlot* featureMapPlot() const { return featureMap_; }
    QCustomPlot* maskPlot() const { return mask_; }
    QCustomPlot* histogramPlot() const { return histogram_; }
    QCustomPlot* curvePlot() const { return curve_; }
    QCustomPlot* ratiosPlot() const { return ratios_; }

public slots:
    void selectChannel(int channel);
    void selectSample(int sample);
    void setProgress(double progress);

signals:
    void channelSelected(int channel);
    void codecsMeasured();

private:
    void drawHeatmap();
    void drawFeatureMap();
    void drawMask();
    void drawHistogram();
    void drawCurve();
    void drawRatios();
    int heatmapColumns() const;
    void markSelectedCell();

    SparsityExplorerData data_;
    CodecComparison comparison_;
    std::vector<std::uint8_t> maskBits_;
    std::uint64_t channelStreamBytes_ = 0;
    int channel_ = 0;
    int sample_ = 0;
    std::uint64_t measureGeneration_ = 0;
    bool measuring_ = false;
    QCustomPlot* heatmap_;
    QCustomPlot* featureMap_;
    QCustomPlot* mask_;
    QCustomPlot* histogram_;
    QCustomPlot* curve_;
    QCustomPlot* ratios_;
    QCPColorMap* heatmapMap_ = nullptr;
    QCPColorMap* featureMapMap_ = nullptr;
    QCPColorMap* maskMap_ = nullptr;
    QCPBars* bars_ = nullptr;
    QCPBars* measuredBars_ = nullptr;
    QCPBars* modelBars_ = nullptr;
    QCPGraph* curveGraph_ = nullptr;
    QCPGraph* constantGraph_ = nullptr;
    QCPItemStraightLine* progressLine_ = nullptr;
    QCPItemRect* selectedCell_ = nullptr;
};

} // namespace offload::studio
