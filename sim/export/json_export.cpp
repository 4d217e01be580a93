#include "json_export.h"

#include "core/codecs/codec_id.h"

namespace offload::sim {

nlohmann::json summaryToJson(const Summary& s)
{
    return {{"iteration_s", s.iteration_s},
            {"oracle_s", s.oracle_s},
            {"overhead", s.overhead},
            {"uncompressed_s", s.uncompressed_s},
            {"speedup_vs_uncompressed", s.speedup_vs_uncompressed},
            {"d2h_raw_bytes", s.d2h_raw_bytes},
            {"d2h_wire_bytes", s.d2h_wire_bytes},
            {"h2d_raw_bytes", s.h2d_raw_bytes},
            {"h2d_wire_bytes", s.h2d_wire_bytes},
            {"d2h_utilization", s.d2h_utilization},
            {"h2d_utilization", s.h2d_utilization},
            {"weight_bytes", s.weight_bytes},
            {"peak_gpu_bytes", s.peak_gpu_bytes},
            {"avg_gpu_bytes", s.avg_gpu_bytes},
            {"oracle_peak_gpu_bytes", s.oracle_peak_gpu_bytes},
            {"oracle_avg_gpu_bytes", s.oracle_avg_gpu_bytes},
            {"vdnn_allocation_bytes", s.vdnn_allocation_bytes},
            {"baseline", std::string(baselineName(s.baseline))},
            {"baseline_peak_gpu_bytes", s.baseline_peak_gpu_bytes},
            {"baseline_avg_gpu_bytes", s.baseline_avg_gpu_bytes},
            {"peak_reduction", s.peak_reduction},
            {"avg_reduction", s.avg_reduction},
            {"workspace_peak_bytes", s.workspace_peak_bytes},
            {"downgraded_conv_layers", s.downgraded_conv_layers},
            {"forward_stall_s", s.forward_stall_s},
            {"backward_stall_s", s.backward_stall_s},
            {"offloaded_tensors", s.offloaded_layers},
            {"feasible", s.feasible},
            {"infeasible_reason", s.infeasible_reason}};
}

namespace {

nlohmann::json memoryToJson(const std::vector<MemoryPoint>& points)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : points) {
        nlohmann::json row = {p.time_s, p.bytes};
        for (auto bytes : p.by_kind)
            row.push_back(bytes);
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace

nlohmann::json resultToJson(const Scenario& scenario, const Result& result)
{
    nlohmann::json j;
    j["format"] = std::string(kResultFormat);
    j["version"] = 1;
    nlohmann::json settings = scenarioToJson(scenario);
    settings.erase("format");
    settings.erase("version");
    if (scenario.network_ref.empty())
        settings["network"] = scenario.network ? scenario.network->network().name : "";
    j["scenario"] = settings;
    j["summary"] = summaryToJson(result.summary);

    const auto& layers = scenario.network->network().layers;
    nlohmann::json table = nlohmann::json::array();
    for (std::size_t i = 0; i < result.layers.size(); ++i) {
        const LayerResult& L = result.layers[i];
        table.push_back({{"index", i},
                         {"name", layers[i].name},
                         {"kind", std::string(layerKindName(layers[i].kind))},
                         {"sparsity", L.sparsity},
                         {"ratio", L.ratio},
                         {"offloaded", L.offloaded},
                         {"forward_s", L.forward_s},
                         {"backward_s", L.backward_s},
                         {"offload_s", L.offload_s},
                         {"prefetch_s", L.prefetch_s},
                         {"forward_stall_s", L.forward_stall_s},
                         {"backward_stall_s", L.backward_stall_s},
                         {"output_bytes", L.output_bytes},
                         {"offload_wire_bytes", L.offload_wire_bytes},
                         {"algorithm", L.algorithm ? nlohmann::json(std::string(convAlgorithmName(*L.algorithm)))
                                                   : nlohmann::json(nullptr)},
                         {"workspace_bytes", L.workspace_bytes},
                         {"bound",
                          {{"forward", std::string(boundName(L.forward_bound))},
                           {"backward", std::string(boundName(L.backward_bound))}}}});
    }
    j["layers"] = std::move(table);

    nlohmann::json events = nlohmann::json::array();
    for (const Event& e : result.events) {
        nlohmann::json ev = {{"lane", std::string(laneName(e.lane))},
                             {"kind", std::string(eventKindName(e.kind))},
                             {"layer", e.layer},
                             {"start_s", e.start_s},
                             {"end_s", e.end_s}};
        if (e.tensor >= -1) {
            ev["tensor"] = e.tensor; // producer index; -1 is the network input
            ev["raw_bytes"] = e.raw_bytes;
            ev["wire_bytes"] = e.wire_bytes;
        }
        events.push_back(std::move(ev));
    }
    j["events"] = std::move(events);
    nlohmann::json columns = {"time_s", "bytes"};
    for (std::size_t k = 0; k < kMemoryKinds; ++k)
        columns.push_back(std::string(memoryKindName(static_cast<MemoryKind>(k))) + "_bytes");
    j["memory_columns"] = columns;
    j["memory"] = memoryToJson(result.memory);
    j["oracle_memory"] = memoryToJson(result.oracle_memory);
    // Where each tensor is over time (Result::residency), one row per span, as the memory points.
    j["residency_columns"] = {"tensor", "place", "start_s", "end_s", "bytes"};
    nlohmann::json residency = nlohmann::json::array();
    for (const TensorSpan& span : result.residency)
        residency.push_back(
            {span.tensor, std::string(tensorPlaceName(span.place)), span.start_s, span.end_s, span.bytes});
    j["residency"] = std::move(residency);
    return j;
}

nlohmann::json sweepToJson(const Scenario& base, const std::vector<SweepPoint>& points)
{
    nlohmann::json j;
    j["format"] = "offload-studio/sweep";
    j["version"] = 1;
    j["scenario"] = base.name;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : points) {
        nlohmann::json item = summaryToJson(p.summary);
        item["gpu"] = p.gpu;
        item["scale"] = {{"compute", p.scale.compute}, {"l2", p.scale.l2}, {"dram", p.scale.dram}};
        item["bandwidth_gbps"] = p.bandwidth_bytes_per_s / 1e9;
        item["codec"] = std::string(codecName(p.codec));
        item["batch"] = p.batch;
        item["progress"] = p.progress;
        list.push_back(std::move(item));
    }
    j["points"] = std::move(list);
    return j;
}

} // namespace offload::sim
