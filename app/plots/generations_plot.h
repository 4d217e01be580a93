#pragma once
// Offload overhead across GPU generations at one link (sim::generationsSweepSpec): one line per
// codec, the GPUs in order of release on the x axis, the overhead over the oracle (no offload)
// on the y axis. The chart behind cDMA: compute grows faster than PCIe, so stalls grow.
#include "chart.h"

#include "sim/scenario.h"
#include "sim/sweep.h"

#include <vector>

namespace offload::plots {

class GenerationsPlot : public Chart {
    Q_OBJECT
public:
    explicit GenerationsPlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen), QWidget* parent = nullptr);

    // `points` as runSweep returned them for sim::generationsSweepSpec(scenario); the GPU of the
    // scenario, when it is one of them, is marked.
    void setData(const sim::Scenario& scenario, const std::vector<sim::SweepPoint>& points);

    int lineCount() const { return static_cast<int>(lines_.size()); }
    QCPGraph* line(int index) const { return lines_[static_cast<std::size_t>(index)]; }
    QStringList gpuLabels() const { return gpuLabels_; }

private:
    std::vector<QCPGraph*> lines_;
    QCPGraph* current_ = nullptr;
    QStringList gpuLabels_;
};

} // namespace offload::plots
