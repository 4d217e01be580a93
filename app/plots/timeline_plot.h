#pragma once
// The offload pipeline over one training iteration: one lane per stream (compute, D2H offload,
// H2D prefetch, and codec work when it runs on its own lane), time in ms. Thousands of events
// are drawn by one custom plottable that only visits what is on screen and merges sub-pixel
// events, so zooming and panning stay smooth.
#include "chart.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <optional>
#include <vector>

namespace offload::plots {

class TimelineLanes : public QCPAbstractPlottable {
    Q_OBJECT
public:
    TimelineLanes(QCPAxis* keyAxis, QCPAxis* valueAxis);

    // Events as the simulator produced them; rows are assigned per lane in a fixed order.
    void setEvents(const std::vector<sim::Event>& events);
    void setSelectedLayer(int layer) { selectedLayer_ = layer; }
    void setPaperStyle(bool paper) { paper_ = paper; }

    int rowCount() const { return static_cast<int>(rows_.size()); }
    sim::Lane rowLane(int row) const { return rows_[static_cast<std::size_t>(row)].lane; }
    int rowOf(sim::Lane lane) const; // -1 when the lane has no row
    const std::vector<sim::Event>& rowEvents(int row) const { return rows_[static_cast<std::size_t>(row)].events; }
    double endMs() const { return endMs_; }
    double firstBackwardMs() const { return firstBackwardMs_; }

    // The event under a time in a row, within a tolerance (ms); nullptr when none.
    const sim::Event* eventAt(int row, double timeMs, double toleranceMs) const;
    // True when an event belongs to the layer as the views highlight it: its computation and
    // stalls, and the transfers and codec work of its output tensor.
    static bool belongsToLayer(const sim::Event& event, int layer);
    // The layer a click on the event selects.
    static int layerOfEvent(const sim::Event& event);

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange& inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;

private:
    struct Row {
        sim::Lane lane = sim::Lane::compute;
        std::vector<sim::Event> events;   // sorted by start
        std::vector<double> runningMaxEndS; // prefix maximum of end: binary search of the first visible event
    };
    std::size_t firstVisible(const Row& row, double fromS) const;
    QRectF eventRect(int row, const sim::Event& event) const;

    std::vector<Row> rows_;
    double endMs_ = 0;
    double firstBackwardMs_ = -1;
    int selectedLayer_ = -1;
    bool paper_ = false;
};

QColor eventColor(sim::EventKind kind);

class TimelinePlot : public Chart {
    Q_OBJECT
public:
    explicit TimelinePlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen), QWidget* parent = nullptr);

    void setData(const sim::Scenario& scenario, const sim::Result& result);
    void setSelectedLayer(int layer);
    // A marker of the pinned baseline's iteration end (none: hidden).
    void setBaselineEnd(std::optional<double> baselineIterationS);
    // Shows the whole iteration.
    void resetZoom();

    const TimelineLanes& lanes() const { return *lanes_; }
    int selectedLayer() const { return selectedLayer_; }
    // Tooltip text of what is under a widget position (empty when nothing): what hovering shows.
    QString hoverText(const QPoint& widgetPos) const;
    const sim::Event* eventAtPixel(const QPoint& widgetPos) const;

signals:
    void layerClicked(int layer);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void clampRange(const QCPRange& range);
    LegendSwatch* addLegendEntry(const QString& name, const QBrush& brush, const QBrush& overlay = {});

    TimelineLanes* lanes_ = nullptr;
    LegendSwatch* codecSwatch_ = nullptr;
    QCPItemStraightLine* phaseLine_ = nullptr;
    QSharedPointer<QCPAxisTickerText> phaseTicker_;
    QCPItemStraightLine* baselineLine_ = nullptr;
    QCPItemText* baselineLabel_ = nullptr;
    QSharedPointer<QCPAxisTickerText> laneTicker_;
    sim::Scenario scenario_;
    std::vector<sim::LayerResult> layers_; // for the hover: algorithm and what bounds each pass
    int selectedLayer_ = -1;
    bool wholeIterationShown_ = true;
    QPoint pressPos_;
};

} // namespace offload::plots
