#pragma once
// The window's analysis charts subscribe to the model here. The charts live in app/plots, shared
// with `offload-sim figure`, and know nothing of the model; each function below connects one
// chart to the model's signals, with the chart as the connections' context (the subscription
// ends with the chart), and shows the model's current state at once. A chart holds the
// snapshot's shared result and the data the worker prepared with it, and never writes back.
#include "studio_model.h"

#include <memory>

namespace offload::plots {
class LayerBarsPlot;
class MemoryPlot;
class TimelinePlot;
} // namespace offload::plots

namespace offload::studio {

void subscribeToModel(plots::TimelinePlot& chart, const StudioModel& model);
void subscribeToModel(plots::MemoryPlot& chart, const StudioModel& model);
void subscribeToModel(plots::LayerBarsPlot& chart, const StudioModel& model);

// A snapshot's chart data: as the model's worker prepared it, or built now for a model that has
// no ChartPreparer.
std::shared_ptr<const plots::ChartData> chartDataOf(const Snapshot& snapshot);

} // namespace offload::studio
