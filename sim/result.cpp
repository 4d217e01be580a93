#include "result.h"

namespace offload::sim {

std::string_view laneName(Lane lane)
{
    switch (lane) {
    case Lane::compute: return "compute";
    case Lane::d2h: return "d2h";
    case Lane::h2d: return "h2d";
    case Lane::codec: return "codec";
    }
    return "compute";
}

std::string_view eventKindName(EventKind kind)
{
    switch (kind) {
    case EventKind::forward: return "forward";
    case EventKind::backward: return "backward";
    case EventKind::offload: return "offload";
    case EventKind::prefetch: return "prefetch";
    case EventKind::compress: return "compress";
    case EventKind::decompress: return "decompress";
    case EventKind::stall: return "stall";
    }
    return "forward";
}

std::string_view tensorPlaceName(TensorPlace place)
{
    switch (place) {
    case TensorPlace::gpu: return "gpu";
    case TensorPlace::offloading: return "offloading";
    case TensorPlace::host: return "host";
    case TensorPlace::prefetching: return "prefetching";
    }
    return "gpu";
}

std::string_view memoryKindName(MemoryKind kind)
{
    switch (kind) {
    case MemoryKind::weights: return "weights";
    case MemoryKind::workspace: return "workspace";
    case MemoryKind::activations: return "activations";
    case MemoryKind::in_flight: return "in_flight";
    case MemoryKind::gradients: return "gradients";
    }
    return "weights";
}

std::string_view baselineName(BaselineKind kind)
{
    return kind == BaselineKind::vdnn ? "vdnn" : "lean";
}

std::optional<BaselineKind> parseBaseline(std::string_view s)
{
    if (s == "vdnn")
        return BaselineKind::vdnn;
    if (s == "lean")
        return BaselineKind::lean;
    return std::nullopt;
}

} // namespace offload::sim
