#pragma once
// Per-layer bars in execution order, one stacked panel per metric sharing the layer axis:
// output sparsity, compression ratio, forward stall and backward stall. Layer names are
// rotated and thinned to what fits; zoom and pan along the layers.
#include "chart.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <optional>
#include <utility>
#include <vector>

namespace offload::plots {

enum class LayerMetric { sparsity, ratio, forwardStall, backwardStall };

QString layerMetricTitle(LayerMetric metric);
// The value one panel shows for a layer, in the panel's unit (%, x, ms).
double layerMetricValue(LayerMetric metric, const sim::LayerResult& layer);

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
    void setData(const sim::Scenario& scenario, const sim::Result& result);
    // Other scenarios of the same network side by side with this one: each layer's bars are
    // grouped, one per scenario, coloured per scenario and named in a legend on top. Throws
    // std::invalid_argument when a result has another number of layers.
    void setComparisons(const QString& ownLabel, const std::vector<std::pair<QString, const sim::Result*>>& others);
    QString drawnDataCsv() const override;
    // Outlines of the baseline's values (only drawn when it has the same layers).
    void setBaseline(const std::optional<sim::Result>& baseline);
    void setSelectedLayer(int layer);

    const std::vector<LayerMetric>& metrics() const { return metrics_; }
    QCPBars* bars(int panel) const { return panels_[static_cast<std::size_t>(panel)].bars; }
    QCPBars* selectedBar(int panel) const { return panels_[static_cast<std::size_t>(panel)].selected; }
    int selectedLayer() const { return selectedLayer_; }
    // The layer under a widget position, -1 when none.
    int layerAtPixel(const QPoint& widgetPos) const;
    // Layer names shown on the axis (after thinning), for checks and tests.
    int visibleLabelCount() const { return visibleLabels_; }

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
    };
    QVector<double> panelValues(LayerMetric metric, const sim::Result& result, QVector<double>& keys) const;
    // Returns true when the set of shown names changed.
    bool updateLabels();
    void syncRanges(const QCPRange& range);
    void rescaleValues();

    std::vector<LayerMetric> metrics_;
    std::vector<Panel> panels_;
    QSharedPointer<QCPAxisTickerText> nameTicker_;
    sim::Scenario scenario_;
    sim::Result result_;
    std::vector<QString> names_;
    std::optional<std::pair<int, int>> layerRange_;
    QString ownLabel_;
    std::vector<QString> comparisonLabels_;
    int selectedLayer_ = -1;
    int visibleLabels_ = 0;
    int labelStep_ = 0;
    bool syncing_ = false;
    QPoint pressPos_;
};

} // namespace offload::plots
