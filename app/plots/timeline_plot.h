#pragma once
// The offload pipeline over one training iteration: one lane per stream (compute, D2H offload,
// H2D prefetch, and codec work when it runs on its own lane), time in ms. Thousands of events
// are drawn by one custom plottable that only visits what is on screen and merges sub-pixel
// events, so zooming and panning stay smooth.
#include "chart.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace offload::plots {

// The events of one timeline arranged for drawing: one row per lane, each sorted by start with a
// running maximum of ends (a binary search finds the first visible event). Plain data: built on
// any thread (the window builds it on its simulation worker; a million layers take a second to
// sort) and shared, immutable, by the charts that draw it.
struct TimelineRows {
    struct Row {
        sim::Lane lane = sim::Lane::compute;
        std::vector<sim::Event> events;     // sorted by start
        std::vector<double> runningMaxEndS; // prefix maximum of end
        std::vector<std::size_t> stalls;    // indices of the stall events, in order
    };
    std::vector<Row> rows;
    double endMs = 0;
    double firstBackwardMs = -1; // the iteration's, whatever part of it a clip keeps

    // Events as the simulator produced them; rows are assigned per lane in a fixed order.
    // `clipMs`, when given, keeps only what lies in that time range and cuts events that cross
    // its edges at the edge, so that nothing outside the range is drawn (or exported). `lanes`,
    // when not empty, are the rows to show (stacked timelines share one set of rows).
    static TimelineRows build(const std::vector<sim::Event>& events,
                              std::optional<std::pair<double, double>> clipMs = std::nullopt,
                              const std::vector<sim::Lane>& lanes = {});
};

class TimelineLanes : public QCPAbstractPlottable {
    Q_OBJECT
public:
    TimelineLanes(QCPAxis* keyAxis, QCPAxis* valueAxis);

    // As TimelineRows::build arranges them.
    void setEvents(const std::vector<sim::Event>& events, std::optional<std::pair<double, double>> clipMs = std::nullopt,
                   const std::vector<sim::Lane>& lanes = {});
    // Rows built elsewhere (never null), shared rather than copied.
    void setRows(std::shared_ptr<const TimelineRows> rows);
    // The rows a set of events gets when none are forced.
    static std::vector<sim::Lane> lanesFor(const std::vector<sim::Event>& events);
    void setSelectedLayer(int layer) { selectedLayer_ = layer; }
    // The layer running at the playback cursor: its events get a dashed outline.
    void setHighlightedLayer(int layer) { highlightedLayer_ = layer; }
    void setPaperStyle(bool paper) { paper_ = paper; }

    int rowCount() const { return static_cast<int>(rows_->rows.size()); }
    sim::Lane rowLane(int row) const { return rowAt(row).lane; }
    int rowOf(sim::Lane lane) const; // -1 when the lane has no row
    const std::vector<sim::Event>& rowEvents(int row) const { return rowAt(row).events; }
    double endMs() const { return rows_->endMs; }
    double firstBackwardMs() const { return rows_->firstBackwardMs; }

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
    using Row = TimelineRows::Row;
    const Row& rowAt(int row) const { return rows_->rows[static_cast<std::size_t>(row)]; }
    std::size_t firstVisible(const Row& row, double fromS) const;
    QRectF eventRect(int row, const sim::Event& event) const;

    std::shared_ptr<const TimelineRows> rows_ = std::make_shared<const TimelineRows>();
    int selectedLayer_ = -1;
    int highlightedLayer_ = -1;
    bool paper_ = false;
};

QColor eventColor(sim::EventKind kind);
QString laneTitle(sim::Lane lane);
// The CSV rows of one timeline's drawn events (no header): scenario label, lane, kind, layer,
// tensor, start and end in ms. The header is kTimelineCsvHeader.
inline constexpr const char* kTimelineCsvHeader = "scenario,lane,kind,layer,tensor,start_ms,end_ms\n";
QString timelineCsvRows(const QString& label, const sim::Scenario& scenario, const TimelineLanes& lanes);

class TimelinePlot : public Chart {
    Q_OBJECT
public:
    explicit TimelinePlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen), QWidget* parent = nullptr);

    void setData(const sim::Scenario& scenario, const sim::Result& result);
    // A figure of one time range (ms): events are cut at its edges and the axis shows exactly
    // it; absent: the whole iteration, zoomable.
    void setData(const sim::Scenario& scenario, const sim::Result& result, std::optional<std::pair<double, double>> rangeMs);
    // The window's path: the snapshot's result is shared, not copied.
    void setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                 std::optional<std::pair<double, double>> rangeMs = std::nullopt);
    // The window's path for large results: the whole iteration, its rows already built from
    // `result` (TimelineRows::build(result->events)) off the GUI thread.
    void setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                 std::shared_ptr<const TimelineRows> rows);
    void setSelectedLayer(int layer);
    // The playback cursor (teaching mode): a vertical line at a time of the iteration, drawn on
    // the overlay so that moving it does not redraw the events. NaN hides it.
    void setCursorTime(double seconds);
    double cursorTime() const { return cursorS_; }
    // The layer running at the cursor (-1: none): its events are outlined.
    void setHighlightedLayer(int layer);
    int highlightedLayer() const { return highlightedLayer_; }
    // A marker of the pinned baseline's iteration end (none: hidden).
    void setBaselineEnd(std::optional<double> baselineIterationS);
    // Shows the whole iteration (or the whole clip range of a range figure).
    void resetZoom();
    QString drawnDataCsv() const override;

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
    // What every setData does once the lanes hold their rows: axes, legend, phases, zoom.
    void showLanes(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                   std::optional<std::pair<double, double>> rangeMs, double previousEnd);
    void clampRange(const QCPRange& range);
    LegendSwatch* addLegendEntry(const QString& name, const QBrush& brush, bool stallHatch = false);

    TimelineLanes* lanes_ = nullptr;
    LegendSwatch* codecSwatch_ = nullptr;
    struct Swatch {
        LegendSwatch* plottable = nullptr;
        std::vector<sim::EventKind> kinds; // the events it names
    };
    std::vector<Swatch> swatches_;
    QCPItemStraightLine* phaseLine_ = nullptr;
    QSharedPointer<QCPAxisTickerText> phaseTicker_;
    QCPItemStraightLine* baselineLine_ = nullptr;
    QCPItemText* baselineLabel_ = nullptr;
    QCPItemStraightLine* cursorLine_ = nullptr;
    double cursorS_ = std::numeric_limits<double>::quiet_NaN();
    int highlightedLayer_ = -1;
    QSharedPointer<QCPAxisTickerText> laneTicker_;
    sim::Scenario scenario_;
    std::shared_ptr<const sim::Result> result_; // for the hover: algorithm and what bounds each pass
    std::optional<std::pair<double, double>> clipMs_;
    int selectedLayer_ = -1;
    bool wholeIterationShown_ = true;
    QPoint pressPos_;
};

} // namespace offload::plots
