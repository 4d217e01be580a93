#include "chart_data.h"

namespace offload::plots {

ChartData ChartData::build(const sim::Scenario& scenario, const sim::Result& result, const ChartData* previous)
{
    ChartData data;
    data.timeline = std::make_shared<const TimelineRows>(TimelineRows::build(result.events));
    data.memory = std::make_shared<const MemorySteps>(MemorySteps::build(result));
    data.layers = std::make_shared<const LayerSeries>(
        LayerSeries::build(scenario, result, previous && previous->layers ? previous->layers->labels : nullptr));
    return data;
}

} // namespace offload::plots
