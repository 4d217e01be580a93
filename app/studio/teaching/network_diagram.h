#pragma once
// The network as boxes in execution order, with the DAG's branches and joins: each box coloured
// by a chosen metric of the shown result (sparsity, compression ratio, stall, what bounds the
// pass), the layer running at the cursor ringed in yellow, the selected layer framed in black.
// A click selects a layer. Scrolls and zooms, so that ResNet-50's 175 layers stay usable; while
// the cursor moves, the running layer is kept in view.
//
// At a million layers: while hidden (the Teach dock closed) it does no layout work, keeps the
// last snapshot it showed and lays out the newest when shown; names are measured once per
// network and font (beyond kMeasureEveryName names, once per pattern of letters: names that
// differ only in their digits, measured with the widest digit); painting, hit tests and
// tooltips visit only the columns in view.
#include "diagram_layout.h"

#include "app/studio/studio_model.h"

#include <QColor>
#include <QFont>
#include <QFutureWatcher>
#include <QWidget>

#include <cstdint>
#include <utility>
#include <vector>

class QComboBox;
class QScrollArea;
class QToolButton;

namespace offload::studio::teaching {

enum class DiagramMetric { sparsity = 0, ratio = 1, stall = 2, bound = 3 };
inline constexpr int kDiagramMetrics = 4;
// Up to this many layers every name is measured for the box width; beyond, one per pattern.
inline constexpr std::size_t kMeasureEveryName = 20000;
// Networks of more layers are laid out on a worker thread (a million boxes take over a second);
// the previous network stays drawn meanwhile.
inline constexpr std::size_t kLayoutOnWorkerAbove = 20000;

// Where every box goes, and the indexes painting and hit tests use: plain data, built on any
// thread.
struct LaidOutNetwork {
    DiagramLayout layout;
    // Per column the layers in it (offsets into columnLayers, one more than columns), the cells
    // in use as sorted (column << 32 | row) keys, and the most columns an edge spans.
    std::vector<std::uint32_t> columnFirst;
    std::vector<int> columnLayers;
    std::vector<std::uint64_t> occupied;
    int longestEdge = 1;
    static LaidOutNetwork build(const NetworkModel& network);
};

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
    // True while a large network is laid out on a worker (the previous one is still drawn).
    bool isLayingOut() const { return layingOut_ != nullptr; }
    int highlightedLayer() const { return cursorLayer_; }
    // The legend's text (what each colour means), as the header shows it.
    QString legendText() const;

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    friend class DiagramCanvas;
    friend class DiagramLegend;
    void showSnapshot(SnapshotPtr snapshot);
    void showCursor();
    void relayout();
    void paintCanvas(QPainter& painter, const QRect& exposed);
    QString toolTipAt(const QPoint& canvasPos) const;
    void followCursorLayer();
    void install(LaidOutNetwork laidOut);
    void layoutFinished();
    // Layers whose box lies in canvas columns [first, last] (the input as kNetworkInput), in
    // execution order.
    std::vector<int> layersInColumns(int first, int last) const;
    std::pair<int, int> columnsIn(double left, double right) const; // canvas x range -> columns
    bool occupied(int column, int row) const;

    StudioModel& model_;
    SnapshotPtr shown_;
    SnapshotPtr pending_; // arrived while hidden: shown (and laid out) on the next show
    bool stale_ = false;  // a relayout was asked while hidden
    DiagramLayout layout_;
    // As LaidOutNetwork, for shown_'s network.
    std::vector<std::uint32_t> columnFirst_;
    std::vector<int> columnLayers_;
    std::vector<std::uint64_t> occupied_;
    int longestEdge_ = 1;
    // The newest snapshot of a network being laid out on the worker (null: none).
    SnapshotPtr layingOut_;
    QFutureWatcher<LaidOutNetwork>* layoutWatcher_ = nullptr;
    // The widest layer name, for the network and font it was measured in.
    const NetworkModel* measuredNetwork_ = nullptr;
    QFont measuredFont_;
    int widestName_ = 0;
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
