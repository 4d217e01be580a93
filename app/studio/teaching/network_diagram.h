#pragma once
// The network as boxes in execution order, with the DAG's branches and joins: each box coloured
// by a chosen metric of the shown result (sparsity, compression ratio, stall, what bounds the
// pass), the layer running at the cursor ringed in yellow, the selected layer framed in black.
// A click selects a layer. Scrolls and zooms, so that ResNet-50's 175 layers stay usable; while
// the cursor moves, the running layer is kept in view.
#include "diagram_layout.h"

#include "app/studio/studio_model.h"

#include <QColor>
#include <QWidget>

class QComboBox;
class QScrollArea;
class QToolButton;

namespace offload::studio::teaching {

enum class DiagramMetric { sparsity = 0, ratio = 1, stall = 2, bound = 3 };
inline constexpr int kDiagramMetrics = 4;

QString diagramMetricName(DiagramMetric metric);
QString diagramMetricHelp(DiagramMetric metric);
// What a box says under the layer's name: "82 %", "3.10×", "1.20 ms", "DRAM | L2".
QString diagramMetricText(DiagramMetric metric, const sim::LayerResult& layer);
// The colour of a box. `largest`: the network's largest ratio or stall (seconds), which gets
// the full colour; the bound metric has one colour per bound (boundColor).
QColor diagramMetricColor(DiagramMetric metric, const sim::LayerResult& layer, double largest);
QColor boundColor(sim::Bound bound);
// The largest value of a metric over a result's layers (ratio: at least 2, stall: seconds).
double diagramMetricLargest(DiagramMetric metric, const sim::Result& result);

class DiagramCanvas;
class DiagramLegend;

class NetworkDiagram : public QWidget {
    Q_OBJECT
public:
    explicit NetworkDiagram(StudioModel& model, QWidget* parent = nullptr);

    DiagramMetric metric() const { return metric_; }
    void setMetric(DiagramMetric metric);
    double zoom() const { return zoom_; }
    void setZoom(double zoom); // 0.2 .. 3
    void zoomToFit();          // the whole network in the width shown (never below 0.2)

    // For tests and tools: the drawn canvas and where a layer's box is on it (canvas
    // coordinates; kNetworkInput: the input's box; an empty rect when there is none).
    QWidget* canvas() const;
    QRect boxRect(int layer) const;
    int layerAt(const QPoint& canvasPos) const; // -2 when no box is there
    int highlightedLayer() const { return cursorLayer_; }
    // The legend's text (what each colour means), as the header shows it.
    QString legendText() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    friend class DiagramCanvas;
    friend class DiagramLegend;
    void showSnapshot(SnapshotPtr snapshot);
    void showCursor();
    void relayout();
    void paintCanvas(QPainter& painter, const QRect& exposed);
    QString toolTipAt(const QPoint& canvasPos) const;
    void followCursorLayer();

    StudioModel& model_;
    SnapshotPtr shown_;
    DiagramLayout layout_;
    DiagramMetric metric_ = DiagramMetric::sparsity;
    double largest_ = 1;
    double zoom_ = 1;
    int cursorLayer_ = -1;
    int selectedLayer_ = -1;
    // Geometry at zoom 1, from the font: box size and the gaps between boxes (pixels).
    int boxW_ = 90, boxH_ = 44, gapX_ = 34, gapY_ = 22, margin_ = 30;

    QComboBox* metricBox_ = nullptr;
    QWidget* legend_ = nullptr;
    QScrollArea* scroll_ = nullptr;
    DiagramCanvas* canvas_ = nullptr;
};

} // namespace offload::studio::teaching
