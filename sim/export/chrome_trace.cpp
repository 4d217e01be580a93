#include "chrome_trace.h"

#include "core/byte_units.h"

namespace offload::sim {

namespace {

constexpr double kMicro = 1e6;
constexpr Lane kLanes[] = {Lane::compute, Lane::d2h, Lane::h2d, Lane::codec};

int laneThread(Lane lane) { return static_cast<int>(lane) + 1; }

std::string laneTitle(Lane lane)
{
    switch (lane) {
    case Lane::compute: return "Compute stream";
    case Lane::d2h: return "D2H (offload)";
    case Lane::h2d: return "H2D (prefetch)";
    case Lane::codec: return "Codec";
    }
    return "Compute stream";
}

} // namespace

nlohmann::json chromeTrace(const std::vector<TraceRun>& runs)
{
    nlohmann::json events = nlohmann::json::array();
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const TraceRun& run = runs[r];
        const int pid = static_cast<int>(r) + 1;
        const auto& layers = run.scenario->network->network().layers;
        const Result& result = *run.result;
        events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", {{"name", run.name}}}});
        events.push_back({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", pid}, {"args", {{"sort_index", pid}}}});
        for (Lane lane : kLanes) {
            const int tid = laneThread(lane);
            events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", laneTitle(lane)}}}});
            events.push_back(
                {{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pid}, {"tid", tid}, {"args", {{"sort_index", tid}}}});
        }
        auto tensorName = [&](int tensor) {
            return tensor < 0 ? run.scenario->network->network().input_name
                              : layers[static_cast<std::size_t>(tensor)].name;
        };
        for (const Event& e : result.events) {
            const std::string layerName = e.layer >= 0 ? layers[static_cast<std::size_t>(e.layer)].name : "";
            const bool moves = e.kind == EventKind::offload || e.kind == EventKind::prefetch ||
                               e.kind == EventKind::compress || e.kind == EventKind::decompress;
            std::string name = std::string(eventKindName(e.kind)) + " " + (moves ? tensorName(e.tensor) : layerName);
            nlohmann::json args = {{"layer", layerName}};
            if (moves) {
                args["tensor"] = tensorName(e.tensor);
                args["raw_bytes"] = e.raw_bytes;
                args["wire_bytes"] = e.wire_bytes;
                args["ratio"] = e.wire_bytes > 0 ? static_cast<double>(e.raw_bytes) / static_cast<double>(e.wire_bytes) : 1.0;
            }
            if (e.kind == EventKind::stall)
                args["stall_us"] = (e.end_s - e.start_s) * kMicro;
            const double ts = e.start_s * kMicro;
            const int tid = laneThread(e.lane);
            events.push_back({{"ph", "X"},
                              {"name", name},
                              {"cat", std::string(eventKindName(e.kind))},
                              {"pid", pid},
                              {"tid", tid},
                              {"ts", ts},
                              {"dur", (e.end_s - e.start_s) * kMicro},
                              {"args", std::move(args)}});
            // One flow per offloaded tensor, from its offload to its prefetch.
            if (e.kind == EventKind::offload || e.kind == EventKind::prefetch) {
                const long long id = static_cast<long long>(pid) * 10'000'000LL + e.tensor + 2;
                nlohmann::json flow = {{"ph", e.kind == EventKind::offload ? "s" : "f"},
                                       {"name", "offload to prefetch"},
                                       {"cat", "flow"},
                                       {"id", id},
                                       {"pid", pid},
                                       {"tid", tid},
                                       {"ts", ts}};
                if (e.kind == EventKind::prefetch)
                    flow["bp"] = "e";
                events.push_back(std::move(flow));
            }
        }
        // One counter with a series per kind: Perfetto and chrome://tracing stack them.
        for (const MemoryPoint& p : result.memory) {
            nlohmann::json args = nlohmann::json::object();
            for (std::size_t k = 0; k < kMemoryKinds; ++k)
                args[std::string(memoryKindName(static_cast<MemoryKind>(k)))] =
                    bytesToMiB(static_cast<double>(p.by_kind[k]));
            events.push_back(
                {{"ph", "C"}, {"name", "GPU memory (MiB)"}, {"pid", pid}, {"ts", p.time_s * kMicro}, {"args", std::move(args)}});
        }
    }
    return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

} // namespace offload::sim
