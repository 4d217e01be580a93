#pragma once
// Several scenarios' timelines stacked on one shared time axis: one panel per scenario, each
// with the same lanes at the same heights and the scenario's label above it, so that vDNN and
// cDMA (or two codecs, two links) read against each other at a glance.
#include "chart.h"
#include "timeline_plot.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <optional>
#include <vector>

namespace offload::plots {

struct TimelineEntry {
    QString label;
    const sim::Scenario* scenario = nullptr;
    const sim::Result* result = nullptr;
};

class StackedTimelinePlot : public Chart {
    Q_OBJECT
public:
    // `rangeMs`: the time range shown (events cut at its edges); absent: 0 to the longest
    // iteration. Throws std::invalid_argument for an empty list.
    StackedTimelinePlot(const FigureStyle& style, const std::vector<TimelineEntry>& entries,
                        std::optional<std::pair<double, double>> rangeMs);

    int panelCount() const { return static_cast<int>(panels_.size()); }
    const TimelineLanes& lanes(int panel) const { return *panels_[static_cast<std::size_t>(panel)].lanes; }
    QCPAxis* timeAxis(int panel) const { return panels_[static_cast<std::size_t>(panel)].rect->axis(QCPAxis::atBottom); }
    QCPAxisRect* panelRect(int panel) const { return panels_[static_cast<std::size_t>(panel)].rect; }

    QString drawnDataCsv() const override;

protected:
    bool adaptToLayout() override;

private:
    struct Panel {
        QString label;
        sim::Scenario scenario;
        QCPAxisRect* rect = nullptr;
        QCPTextElement* title = nullptr;
        TimelineLanes* lanes = nullptr;
    };
    std::vector<Panel> panels_;
};

} // namespace offload::plots
