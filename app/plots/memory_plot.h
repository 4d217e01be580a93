#pragma once
// GPU memory over the iteration (step curve), the oracle's curve (no offload) and the memory
// budget, in GiB over ms. The selected layer's forward and backward spans are shaded.
#include "chart.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace offload::plots {

// The memory chart's curves of one result as step data, whole iteration: plain data built on any
// thread (the window builds it on its simulation worker) and shared with the graphs that draw it.
// The containers are never changed once built.
struct MemorySteps {
    QSharedPointer<QCPGraphDataContainer> memory;
    QSharedPointer<QCPGraphDataContainer> oracle;
    double endMs = 0; // the later of the iteration's end and the oracle's
    static MemorySteps build(const sim::Result& result);
};

class MemoryPlot : public Chart {
    Q_OBJECT
public:
    explicit MemoryPlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen), QWidget* parent = nullptr);

    void setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result);
    void setData(const sim::Scenario& scenario, const sim::Result& result); // keeps a copy
    // The window's path for large results: the whole iteration (no time range), its curves
    // already built from `result` off the GUI thread.
    void setData(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result,
                 std::shared_ptr<const MemorySteps> steps);
    void setBaseline(std::shared_ptr<const sim::Result> baseline); // null: none
    void setSelectedLayer(int layer);
    // The playback cursor (teaching mode): a vertical line at a time of the iteration with a dot
    // on the memory curve, drawn on the overlay so that moving it does not redraw the curves.
    // NaN hides it.
    void setCursorTime(double seconds);
    double cursorTime() const { return cursorS_; }
    // A figure of one time range (ms): every curve is cut at its edges and the axis shows
    // exactly it. Absent: the whole iteration. Call before setData.
    void setTimeRange(std::optional<std::pair<double, double>> rangeMs);
    // Other scenarios' memory curves overlaid on this one, each named by its label; `ownLabel`
    // names this scenario's curve. The oracle is shown only when every scenario has the same one.
    void setComparisons(const QString& ownLabel, const std::vector<std::pair<QString, const sim::Result*>>& others);
    int comparisonCount() const { return static_cast<int>(comparisons_.size()); }
    QCPGraph* comparisonGraph(int index) const { return comparisons_[static_cast<std::size_t>(index)]; }

    QString drawnDataCsv() const override;

    QCPGraph* memoryGraph() const { return memory_; }
    QCPGraph* oracleGraph() const { return oracle_; }
    QCPGraph* budgetGraph() const { return budget_; }
    QCPGraph* baselineGraph() const { return baseline_; }

private:
    // What every setData does once the curves hold their points.
    void showCurves(const sim::Scenario& scenario);
    void rescale();
    void fillSteps(QCPGraph* graph, const std::vector<sim::MemoryPoint>& points, double endMs) const;

    QCPGraph* memory_ = nullptr;
    QCPGraph* oracle_ = nullptr;
    QCPGraph* budget_ = nullptr;
    QCPGraph* baseline_ = nullptr;
    std::vector<QCPGraph*> comparisons_;
    std::optional<std::pair<double, double>> rangeMs_;
    std::vector<QCPItemRect*> selectionSpans_;
    QCPItemStraightLine* cursorLine_ = nullptr;
    QCPItemTracer* cursorDot_ = nullptr;
    double cursorS_ = std::numeric_limits<double>::quiet_NaN();
    std::shared_ptr<const sim::Result> result_;
    double endMs_ = 0;
    std::shared_ptr<const MemorySteps> steps_; // keeps the shared containers' owner alive
};

} // namespace offload::plots
