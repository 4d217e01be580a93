#pragma once
// What the window's timeline, memory and per-layer charts draw of one result, prepared in one
// go off the GUI thread. Sorting a million layers' events into lanes, naming and grouping the
// layers and building the memory curves take seconds; the window's simulation worker does it
// with the snapshot, and the charts only take the shared, immutable data.
#include "layer_bars_plot.h"
#include "memory_plot.h"
#include "timeline_plot.h"

#include "sim/result.h"
#include "sim/scenario.h"

#include <memory>

namespace offload::plots {

struct ChartData {
    std::shared_ptr<const TimelineRows> timeline;
    std::shared_ptr<const MemorySteps> memory;
    std::shared_ptr<const LayerSeries> layers;

    // `previous`: the data of an earlier result of the same network, whose layer names are
    // reused (they depend on the network only); null when there is none.
    static ChartData build(const sim::Scenario& scenario, const sim::Result& result, const ChartData* previous = nullptr);
};

} // namespace offload::plots
