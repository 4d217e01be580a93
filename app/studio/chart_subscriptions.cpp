#include "chart_subscriptions.h"

#include "app/plots/chart_data.h"

#include <optional>

namespace offload::studio {

namespace {
// The selected layer as a chart of `snapshot` can show it: -1 when none or out of its range.
int selectionWithin(const StudioModel& model, const Snapshot& snapshot)
{
    const int layer = model.selectedLayer();
    return layer < static_cast<int>(snapshot.result->layers.size()) ? layer : -1;
}

// Calls `showResult` for a snapshot with a result the chart has not shown yet, `showBaseline`
// when the pinned baseline changed, then `showSelection`; and `showSelection` on every change
// of the selection. The model's current snapshot, if any, is shown at once.
template <typename Chart, typename ShowResult, typename ShowBaseline, typename ShowSelection>
void subscribe(Chart& chart, const StudioModel& model, ShowResult showResult, ShowBaseline showBaseline,
               ShowSelection showSelection)
{
    struct Shown {
        std::shared_ptr<const sim::Result> result;
        std::shared_ptr<const Baseline> baseline;
        bool any = false;
    };
    auto shown = std::make_shared<Shown>();
    auto show = [&chart, &model, shown, showResult, showBaseline, showSelection](const SnapshotPtr& snapshot) {
        if (!shown->any || shown->result != snapshot->result) {
            showResult(chart, *snapshot);
            shown->result = snapshot->result;
        }
        if (!shown->any || shown->baseline != snapshot->baseline) {
            showBaseline(chart, *snapshot);
            shown->baseline = snapshot->baseline;
        }
        shown->any = true;
        showSelection(chart, selectionWithin(model, *snapshot));
    };
    QObject::connect(&model, &StudioModel::snapshotChanged, &chart, show);
    QObject::connect(&model, &StudioModel::selectionChanged, &chart, [&chart, &model, showSelection](int) {
        if (const SnapshotPtr snapshot = model.snapshot())
            showSelection(chart, selectionWithin(model, *snapshot));
    });
    if (const SnapshotPtr snapshot = model.snapshot())
        show(snapshot);
}
} // namespace

std::shared_ptr<const plots::ChartData> chartDataOf(const Snapshot& snapshot)
{
    return snapshot.charts ? snapshot.charts
                           : std::make_shared<const plots::ChartData>(plots::ChartData::build(snapshot.scenario, *snapshot.result));
}

void subscribeToModel(plots::TimelinePlot& chart, const StudioModel& model)
{
    subscribe(
        chart, model,
        [](plots::TimelinePlot& c, const Snapshot& s) { c.setData(s.scenario, s.result, chartDataOf(s)->timeline); },
        [](plots::TimelinePlot& c, const Snapshot& s) {
            c.setBaselineEnd(s.baseline ? std::optional<double>(s.baseline->result->summary.iteration_s) : std::nullopt);
            c.refresh();
        },
        [](plots::TimelinePlot& c, int layer) { c.setSelectedLayer(layer); });
}

void subscribeToModel(plots::MemoryPlot& chart, const StudioModel& model)
{
    subscribe(
        chart, model,
        [](plots::MemoryPlot& c, const Snapshot& s) { c.setData(s.scenario, s.result, chartDataOf(s)->memory); },
        [](plots::MemoryPlot& c, const Snapshot& s) { c.setBaseline(s.baseline ? s.baseline->result : nullptr); },
        [](plots::MemoryPlot& c, int layer) { c.setSelectedLayer(layer); });
}

void subscribeToModel(plots::LayerBarsPlot& chart, const StudioModel& model)
{
    subscribe(
        chart, model,
        [](plots::LayerBarsPlot& c, const Snapshot& s) { c.setData(s.scenario, s.result, chartDataOf(s)->layers); },
        [](plots::LayerBarsPlot& c, const Snapshot& s) { c.setBaseline(s.baseline ? s.baseline->result : nullptr); },
        [](plots::LayerBarsPlot& c, int layer) { c.setSelectedLayer(layer); });
}

} // namespace offload::studio
