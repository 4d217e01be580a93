#pragma once
// Per-layer bars in execution order, one stacked panel per metric sharing the layer axis:
// output sparsity, compression ratio, forward stall and backward stall. Layer names are
// rotated and thinned to what fits, the network's blocks are named above the panels and shaded
// every other one; zoom and pan along the layers. Where more layers than pixels are shown, each
// bar stands for a run of layers and shows their largest value (so that no stall disappears).
#include "chart.h"
#include "layer_groups.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <array>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace offload::plots {

enum class LayerMetric { sparsity, ratio, forwardStall, backwardStall };
inline constexpr int kLayerMetrics = 4;

QString layerMetricTitle(LayerMetric metric);
// The value one panel shows for a layer, in the panel's unit (%, x, ms).
double layerMetricValue(LayerMetric metric, const sim::LayerResult& layer);

// Every layer's name and the network's blocks, as the per-layer chart labels them. They depend
// on the network only, so results of one network share them.
struct LayerLabels {
    std::vector<QString> names;
    std::vector<LayerGroup> groups;
    static LayerLabels build(const sim::Scenario& scenario, int layerCount);
};

// What the per-layer chart shows of one result, every layer of it: plain data, built on any
// thread (the window builds it on its simulation worker: a million layers take a while to name
// and group) and shared, immutable, by the charts that draw it.
struct LayerSeries {
    std::shared_ptr<const LayerLabels> labels; // never null
    QVector<double> keys;                      // 0 .. layers - 1
    std::array<QVector<double>, kLayerMetrics> values; // per LayerMetric, in its unit
    // `labels`: the names of the same network when known (reused), else null (built).
    static LayerSeries build(const sim::Scenario& scenario, const sim::Result& result,
                             std::shared_ptr<const LayerLabels> labels = nullptr);
};

class LayerBarsPlot : public Chart {
    Q_OBJECT
public:
    explicit LayerBarsPlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen),
                           std::vector<LayerMetric> metrics = {LayerMetric::sparsity, LayerMetric::ratio,
                                                               LayerMetric::forwardStall, LayerMetric::backwardStall},
                           QWidget* parent = nullptr);

    // `layerRange`: the first and last layer (indices, inclusive) of a figure of part of the
    // network; absent: every layer. Call before setData.
    void setLayerRange(std::optional<std::pair<int, int>> layerRange) { layerRange_ = layerRange; }
    void setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result);
    void setData(const sim::Scenario& scenario, const sim::Result& result); // keeps a copy
    // The window's path for large results: every layer (no layer range), its series already
    // built from `result` off the GUI thread.
    void setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                 std::shared_ptr<const LayerSeries> series);
    // Other scenarios of the same network side by side with this one: each layer's bars are
    // grouped, one per scenario, coloured per scenario and named in a legend on top. Throws
    // std::invalid_argument when a result has another number of layers.
    void setComparisons(const QString& ownLabel, const std::vector<std::pair<QString, const sim::Result*>>& others);
    QString drawnDataCsv() const override;
    // Outlines of the baseline's values (only drawn when it has the same layers).
    void setBaseline(std::shared_ptr<const sim::Result> baseline); // null: none
    void setSelectedLayer(int layer);
    // The layer running at the playback cursor (teaching mode; -1: none): a band across every
    // panel, drawn on the overlay so that moving it does not redraw the bars.
    void setHighlightedLayer(int layer);
    int highlightedLayer() const { return highlightedLayer_; }

    const std::vector<LayerMetric>& metrics() const { return metrics_; }
    QCPBars* bars(int panel) const { return panels_[static_cast<std::size_t>(panel)].bars; }
    QCPBars* selectedBar(int panel) const { return panels_[static_cast<std::size_t>(panel)].selected; }
    int selectedLayer() const { return selectedLayer_; }
    // The layer under a widget position, -1 when none.
    int layerAtPixel(const QPoint& widgetPos) const;
    // Layer names shown on the axis (after thinning), for checks and tests.
    int visibleLabelCount() const { return visibleLabels_; }
    // The network's blocks as named above the panels (empty when the names do not group).
    const std::vector<LayerGroup>& groups() const { return labels_->groups; }
    // Layers per drawn bar at the current zoom and width: 1, or a power of two when the layers
    // shown outnumber the pixels.
    int layersPerBar() const { return layersPerBar_; }

signals:
    void layerClicked(int layer);

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool adaptToLayout() override;

private:
    struct Panel {
        LayerMetric metric;
        QCPAxisRect* rect = nullptr;
        QCPBars* bars = nullptr;
        QCPBars* selected = nullptr;
        QCPBars* baseline = nullptr;
        std::vector<QCPBars*> comparisons;
        QCPBarsGroup* group = nullptr;
        QCPItemRect* highlight = nullptr; // the band of the layer at the cursor
        QVector<double> keys, values;     // every layer's value (the CSV); the bars may bin them
        QVector<double> baselineValues;   // the baseline's, same keys
    };
    QVector<double> panelValues(LayerMetric metric, const sim::Result& result, QVector<double>& keys) const;
    // What every setData does once the panels hold their values.
    void showValues(bool sameLayerCount);
    // Returns true when the set of shown names changed.
    bool updateLabels();
    void showGroupStrip(bool shown);
    // Rebuilds the drawn bars at the resolution the zoom needs; true when it changed.
    bool updateResolution();
    void fillBars(QCPBars* bars, const QVector<double>& keys, const QVector<double>& values) const;
    int layerCount() const { return result_ ? static_cast<int>(result_->layers.size()) : 0; }
    void syncRanges(const QCPRange& range);
    void rescaleValues();

    std::vector<LayerMetric> metrics_;
    std::vector<Panel> panels_;
    QSharedPointer<QCPAxisTickerText> nameTicker_;
    sim::Scenario scenario_;
    std::shared_ptr<const sim::Result> result_;
    std::shared_ptr<const sim::Result> baselineResult_; // only when it has the same layers
    std::shared_ptr<const LayerLabels> labels_ = std::make_shared<const LayerLabels>();
    QCPAxisRect* groupStrip_ = nullptr; // the blocks' names, above the panels
    int layersPerBar_ = 1;
    std::optional<std::pair<int, int>> layerRange_;
    QString ownLabel_;
    std::vector<QString> comparisonLabels_;
    int selectedLayer_ = -1;
    int highlightedLayer_ = -1;
    int visibleLabels_ = 0;
    int labelStep_ = 0;
    bool syncing_ = false;
    QPoint pressPos_;
};

} // namespace offload::plots
