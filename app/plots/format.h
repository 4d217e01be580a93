#pragma once
// Number formatting shared by tooltips, the summary and the figure labels, so that the same
// quantity reads the same everywhere.
#include "sim/result.h"
#include "sim/scenario.h"

#include <QString>

#include <cstdint>

namespace offload::plots {

QString formatMs(double seconds);          // "12.34 ms"
QString formatBytes(std::uint64_t bytes);  // "1.23 GiB", "456.0 MiB", "12.0 KiB"
QString formatGBps(double bytesPerSecond); // "12.8 GB/s" (decimal, as link data sheets)
QString formatRatio(double ratio);         // "2.61x"
QString formatPercent(double fraction);    // "12.3 %"
QString layerName(const sim::Scenario& scenario, int layer); // "conv1_1" or "input"
QString eventKindLabel(sim::EventKind kind);                 // "Forward", "Offload (D2H)", ...

// The full hover text of one timeline event.
// `layer`, when given, adds what the compute model says bounds a forward or backward pass and
// the convolution algorithm.
QString describeEvent(const sim::Scenario& scenario, const sim::Event& event, const sim::LayerResult* layer = nullptr);
// A CSV field, quoted when it holds a comma, a quote or a line break.
QString csvField(const QString& text);
// "compute", "L1", "L2", "DRAM": what limits a pass.
QString boundLabel(sim::Bound bound);

} // namespace offload::plots
