#pragma once
// Iteration time against link bandwidth (log scale), one line per codec, the current setting
// marked, the oracle (no offload) as the floor.
#include "chart.h"

#include "sim/scenario.h"
#include "sim/sweep.h"

#include <vector>

namespace offload::plots {

// The sweep every front end draws: the codecs a lecture compares (none, RLE, ZVC, zlib,
// JPEG-ACT, plus the scenario's own), at log-spaced bandwidths from 1 to 200 GB/s.
sim::SweepSpec standardSweepSpec(const sim::Scenario& scenario);

class SweepPlot : public Chart {
    Q_OBJECT
public:
    explicit SweepPlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen), QWidget* parent = nullptr);

    // `points` as runSweep returned them for standardSweepSpec(scenario); the marker shows the
    // scenario's own bandwidth and codec at its iteration time (from the scenario's result).
    void setData(const sim::Scenario& scenario, const std::vector<sim::SweepPoint>& points, double currentIterationS,
                 double oracleS);

    int lineCount() const { return static_cast<int>(lines_.size()); }
    QCPGraph* line(int index) const { return lines_[static_cast<std::size_t>(index)]; }
    QCPGraph* marker() const { return marker_; }

private:
    std::vector<QCPGraph*> lines_;
    QCPGraph* marker_ = nullptr;
    QCPGraph* oracle_ = nullptr;
    QCPItemText* markerLabel_ = nullptr;
};

} // namespace offload::plots
