#include "format.h"

#include "app/qt_conversions.h"
#include "core/byte_units.h"

#include <cmath>

namespace offload::plots {

QString formatMs(double seconds)
{
    const double ms = seconds * 1e3;
    if (std::abs(ms) >= 100)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 1);
    if (std::abs(ms) >= 0.1 || ms == 0)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 2);
    return QStringLiteral("%1 µs").arg(ms * 1e3, 0, 'f', 1);
}

QString formatBytes(std::uint64_t bytes) { return QString::fromStdString(offload::formatBytes(bytes)); }

QString formatGBps(double bytesPerSecond)
{
    const double gbps = bytesPerSecond / 1e9;
    return QStringLiteral("%1 GB/s").arg(gbps, 0, 'f', gbps >= 100 ? 0 : (gbps >= 10 ? 1 : 2));
}

QString formatRatio(double ratio) { return QStringLiteral("%1×").arg(ratio, 0, 'f', 2); }

QString formatPercent(double fraction) { return QStringLiteral("%1 %").arg(fraction * 100.0, 0, 'f', 1); }

QString layerName(const sim::Scenario& scenario, int layer)
{
    if (!scenario.network)
        return {};
    const auto& layers = scenario.network->network().layers;
    if (layer == kNetworkInput)
        return QString::fromStdString(scenario.network->network().input_name);
    if (layer < 0 || static_cast<std::size_t>(layer) >= layers.size())
        return QStringLiteral("—");
    return QString::fromStdString(layers[static_cast<std::size_t>(layer)].name);
}

QString eventKindLabel(sim::EventKind kind)
{
    switch (kind) {
    case sim::EventKind::forward: return QStringLiteral("Forward");
    case sim::EventKind::backward: return QStringLiteral("Backward");
    case sim::EventKind::offload: return QStringLiteral("Offload (D2H)");
    case sim::EventKind::prefetch: return QStringLiteral("Prefetch (H2D)");
    case sim::EventKind::compress: return QStringLiteral("Compress");
    case sim::EventKind::decompress: return QStringLiteral("Decompress");
    case sim::EventKind::stall: return QStringLiteral("Stall");
    }
    return {};
}

QString boundLabel(sim::Bound bound)
{
    switch (bound) {
    case sim::Bound::compute: return QStringLiteral("compute");
    case sim::Bound::l1: return QStringLiteral("L1");
    case sim::Bound::l2: return QStringLiteral("L2");
    case sim::Bound::dram: return QStringLiteral("DRAM");
    }
    return {};
}

QString describeEvent(const sim::Scenario& scenario, const sim::Event& event, const sim::LayerResult* layer)
{
    QString text = QStringLiteral("<b>%1</b> — %2<br>").arg(layerName(scenario, event.layer).toHtmlEscaped(), eventKindLabel(event.kind));
    if (event.tensor != -2 && event.tensor != event.layer)
        text += QStringLiteral("tensor: %1<br>").arg(layerName(scenario, event.tensor).toHtmlEscaped());
    text += QStringLiteral("start: %1<br>duration: %2").arg(formatMs(event.start_s), formatMs(event.end_s - event.start_s));
    if (event.raw_bytes > 0) {
        text += QStringLiteral("<br>raw: %1").arg(formatBytes(event.raw_bytes));
        if (event.wire_bytes > 0) {
            text += QStringLiteral("<br>wire: %1<br>ratio: %2")
                        .arg(formatBytes(event.wire_bytes),
                             formatRatio(static_cast<double>(event.raw_bytes) / static_cast<double>(event.wire_bytes)));
        }
    }
    if (layer && (event.kind == sim::EventKind::forward || event.kind == sim::EventKind::backward)) {
        const sim::Bound bound = event.kind == sim::EventKind::forward ? layer->forward_bound : layer->backward_bound;
        text += QStringLiteral("<br>bound by: %1 (%2 model)")
                    .arg(boundLabel(bound), toQString(sim::computeModelName(scenario.compute_model)));
        if (layer->algorithm)
            text += QStringLiteral("<br>algorithm: %1").arg(toQString(convAlgorithmName(*layer->algorithm)));
    }
    return text;
}

QString csvField(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace offload::plots
