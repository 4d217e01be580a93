#pragma once
// Per-layer bars in execution order, one stacked panel per metric sharing the layer axis:
// output sparsity, compression ratio, forward stall and backward stall. Layer names are
// rotated and thinned to what fits; zoom and pan along the layers.
#include "chart.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <optional>
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

    void setData(const sim::Scenario& scenario, const sim::Result& result);
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
    };
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
    int selectedLayer_ = -1;
    int visibleLabels_ = 0;
    int labelStep_ = 0;
    bool syncing_ = false;
    QPoint pressPos_;
};

} // namespace offload::plots
