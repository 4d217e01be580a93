#pragma once
// Iteration time against link bandwidth (log scale), one line per codec, the current setting
// marked, the oracle (no offload) as the floor.
#include "chart.h"

#include "sim/scenario.h"
#include "sim/sweep.h"

#include <optional>
#include <string_view>
#include <vector>

namespace offload::plots {

// The sweep of a chart with one line per scenario: the scenario's own codec at the same
// bandwidths as sim::defaultSweepSpec.
sim::SweepSpec ownCodecSweepSpec(const sim::Scenario& scenario);

// What the sweep chart plots against bandwidth.
enum class SweepMetric { iterationTime, overhead, peakMemory };
std::string_view sweepMetricName(SweepMetric metric); // "iteration", "overhead", "memory"
std::optional<SweepMetric> parseSweepMetric(std::string_view name);
// The metric's value in the chart's unit: ms, % over the oracle, GiB.
double sweepMetricValue(SweepMetric metric, const sim::Summary& summary);

// One line of a multi-series sweep: a scenario (a network, a GPU) and its points.
struct SweepSeries {
    QString label;
    std::vector<sim::SweepPoint> points;
};

class SweepPlot : public Chart {
    Q_OBJECT
public:
    explicit SweepPlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen), QWidget* parent = nullptr);

    // `points` as runSweep returned them for sim::defaultSweepSpec(scenario); the marker shows the
    // scenario's own bandwidth and codec at its iteration time (from the scenario's result).
    void setData(const sim::Scenario& scenario, const std::vector<sim::SweepPoint>& points, double currentIterationS,
                 double oracleS);
    // The metric setData plots (iteration time unless told); the oracle line is drawn for
    // iteration time only. Call before setData.
    void setMetric(SweepMetric metric) { metric_ = metric; }
    // Several scenarios at once, one line each (of every point's metric), named by its label;
    // no marker and no oracle line (each scenario has its own).
    void setSeries(const std::vector<SweepSeries>& series, SweepMetric metric);
    // A logarithmic value axis (after setData or setSeries): values that span decades, such as
    // overheads from 1000 % at 1 GB/s to 0.1 % at 200 GB/s, stay readable at both ends.
    void setLogValueAxis(bool logarithmic);

    QString drawnDataCsv() const override;

    int lineCount() const { return static_cast<int>(lines_.size()); }
    QCPGraph* line(int index) const { return lines_[static_cast<std::size_t>(index)]; }
    QCPGraph* marker() const { return marker_; }

private:
    std::vector<QCPGraph*> lines_;
    QCPGraph* marker_ = nullptr;
    QCPGraph* oracle_ = nullptr;
    QCPItemText* markerLabel_ = nullptr;
    SweepMetric metric_ = SweepMetric::iterationTime;
    void styleLine(QCPGraph* graph, int index);
    void setMetricLabel(SweepMetric metric);
};

} // namespace offload::plots
