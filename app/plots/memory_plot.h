#pragma once
// GPU memory over the iteration (step curve), the oracle's curve (no offload) and the memory
// budget, in GiB over ms. The selected layer's forward and backward spans are shaded.
#include "chart.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <optional>

namespace offload::plots {

class MemoryPlot : public Chart {
    Q_OBJECT
public:
    explicit MemoryPlot(const FigureStyle& style = FigureStyle::forPreset(FigurePreset::screen), QWidget* parent = nullptr);

    void setData(const sim::Scenario& scenario, const sim::Result& result);
    void setBaseline(const std::optional<sim::Result>& baseline);
    void setSelectedLayer(int layer);

    QCPGraph* memoryGraph() const { return memory_; }
    QCPGraph* oracleGraph() const { return oracle_; }
    QCPGraph* budgetGraph() const { return budget_; }
    QCPGraph* baselineGraph() const { return baseline_; }

private:
    void rescale();
    static void fillSteps(QCPGraph* graph, const std::vector<sim::MemoryPoint>& points, double endMs);

    QCPGraph* memory_ = nullptr;
    QCPGraph* oracle_ = nullptr;
    QCPGraph* budget_ = nullptr;
    QCPGraph* baseline_ = nullptr;
    std::vector<QCPItemRect*> selectionSpans_;
    sim::Result result_;
    double endMs_ = 0;
};

} // namespace offload::plots
