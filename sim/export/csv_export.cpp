#include "csv_export.h"

#include "core/codecs/codec_id.h"
#include "core/json_reader.h"

#include <cstdio>

namespace offload::sim {

namespace {

std::string csvField(std::string_view s)
{
    if (s.find_first_of(",\"\n\r") == std::string_view::npos)
        return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string num(double v)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string num(std::uint64_t v) { return std::to_string(v); }

} // namespace

std::string layersCsv(const Scenario& scenario, const Result& result)
{
    const auto& layers = scenario.network->network().layers;
    std::string out = "index,name,kind,sparsity,ratio,offloaded,forward_s,backward_s,offload_s,prefetch_s,"
                      "forward_stall_s,backward_stall_s,output_bytes,offload_wire_bytes,algorithm,workspace_bytes,forward_bound,"
                      "backward_bound\n";
    for (std::size_t i = 0; i < result.layers.size(); ++i) {
        const LayerResult& L = result.layers[i];
        out += std::to_string(i) + "," + csvField(layers[i].name) + "," + std::string(layerKindName(layers[i].kind)) + "," +
               num(L.sparsity) + "," + num(L.ratio) + "," + (L.offloaded ? "1" : "0") + "," + num(L.forward_s) + "," +
               num(L.backward_s) + "," + num(L.offload_s) + "," + num(L.prefetch_s) + "," + num(L.forward_stall_s) +
               "," + num(L.backward_stall_s) + "," + num(L.output_bytes) + "," + num(L.offload_wire_bytes) + "," +
               (L.algorithm ? std::string(convAlgorithmName(*L.algorithm)) : std::string()) + "," +
               num(L.workspace_bytes) + "," + std::string(boundName(L.forward_bound)) + "," +
               std::string(boundName(L.backward_bound)) + "\n";
    }
    return out;
}

std::string summaryCsv(const Result& result)
{
    const Summary& s = result.summary;
    std::string out = "metric,value\n";
    auto row = [&](const char* name, const std::string& value) { out += std::string(name) + "," + value + "\n"; };
    row("iteration_s", num(s.iteration_s));
    row("oracle_s", num(s.oracle_s));
    row("overhead", num(s.overhead));
    row("uncompressed_s", num(s.uncompressed_s));
    row("speedup_vs_uncompressed", num(s.speedup_vs_uncompressed));
    row("d2h_raw_bytes", num(s.d2h_raw_bytes));
    row("d2h_wire_bytes", num(s.d2h_wire_bytes));
    row("h2d_raw_bytes", num(s.h2d_raw_bytes));
    row("h2d_wire_bytes", num(s.h2d_wire_bytes));
    row("d2h_utilization", num(s.d2h_utilization));
    row("h2d_utilization", num(s.h2d_utilization));
    row("weight_bytes", num(s.weight_bytes));
    row("peak_gpu_bytes", num(s.peak_gpu_bytes));
    row("avg_gpu_bytes", num(s.avg_gpu_bytes));
    row("oracle_peak_gpu_bytes", num(s.oracle_peak_gpu_bytes));
    row("oracle_avg_gpu_bytes", num(s.oracle_avg_gpu_bytes));
    row("vdnn_allocation_bytes", num(s.vdnn_allocation_bytes));
    row("baseline", std::string(baselineName(s.baseline)));
    row("baseline_peak_gpu_bytes", num(s.baseline_peak_gpu_bytes));
    row("baseline_avg_gpu_bytes", num(s.baseline_avg_gpu_bytes));
    row("peak_reduction", num(s.peak_reduction));
    row("avg_reduction", num(s.avg_reduction));
    row("workspace_peak_bytes", num(s.workspace_peak_bytes));
    row("downgraded_conv_layers", std::to_string(s.downgraded_conv_layers));
    row("forward_stall_s", num(s.forward_stall_s));
    row("backward_stall_s", num(s.backward_stall_s));
    row("offloaded_tensors", std::to_string(s.offloaded_layers));
    row("feasible", s.feasible ? "1" : "0");
    row("infeasible_reason", csvField(s.infeasible_reason));
    return out;
}

std::string eventsCsv(const Scenario& scenario, const Result& result)
{
    const auto& layers = scenario.network->network().layers;
    std::string out = "lane,kind,layer,layer_name,tensor,start_s,end_s,raw_bytes,wire_bytes\n";
    for (const Event& e : result.events) {
        const std::string name = e.layer >= 0 ? csvField(layers[static_cast<std::size_t>(e.layer)].name) : "";
        out += std::string(laneName(e.lane)) + "," + std::string(eventKindName(e.kind)) + "," + std::to_string(e.layer) +
               "," + name + "," + std::to_string(e.tensor) + "," + num(e.start_s) + "," + num(e.end_s) + "," +
               num(e.raw_bytes) + "," + num(e.wire_bytes) + "\n";
    }
    return out;
}

std::string sweepCsv(const std::vector<SweepPoint>& points)
{
    std::string out = "gpu,compute_scale,l2_scale,dram_scale,codec,batch,progress,bandwidth_gbps,iteration_s,oracle_s,"
                      "overhead,uncompressed_s,"
                      "speedup_vs_uncompressed,peak_gpu_bytes,avg_gpu_bytes,avg_reduction,d2h_wire_bytes,feasible\n";
    for (const auto& p : points) {
        const Summary& s = p.summary;
        out += csvField(p.gpu) + "," + num(p.scale.compute) + "," + num(p.scale.l2) + "," + num(p.scale.dram) + "," +
               std::string(codecName(p.codec)) + "," + std::to_string(p.batch) + "," + num(p.progress) + "," +
               num(p.bandwidth_bytes_per_s / 1e9) + "," + num(s.iteration_s) + "," + num(s.oracle_s) + "," +
               num(s.overhead) + "," + num(s.uncompressed_s) + "," + num(s.speedup_vs_uncompressed) + "," +
               num(s.peak_gpu_bytes) + "," + num(s.avg_gpu_bytes) + "," + num(s.avg_reduction) + "," +
               num(s.d2h_wire_bytes) + "," + (s.feasible ? "1" : "0") + "\n";
    }
    return out;
}

std::string memoryCsv(const Result& result)
{
    std::string out = "time_s,bytes";
    for (std::size_t k = 0; k < kMemoryKinds; ++k)
        out += "," + std::string(memoryKindName(static_cast<MemoryKind>(k))) + "_bytes";
    out += ",oracle\n";
    auto rows = [&](const std::vector<MemoryPoint>& points, const char* which) {
        for (const auto& p : points) {
            out += num(p.time_s) + "," + num(p.bytes);
            for (auto bytes : p.by_kind)
                out += "," + num(bytes);
            out += std::string(",") + which + "\n";
        }
    };
    rows(result.memory, "0");
    rows(result.oracle_memory, "1");
    return out;
}

void writeCsvDirectory(const std::filesystem::path& directory, const Scenario& scenario, const Result& result)
{
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec)
        throw InputError(directory.string(), "", "cannot create the folder: " + ec.message());
    writeFileAtomically(directory / "layers.csv", layersCsv(scenario, result));
    writeFileAtomically(directory / "summary.csv", summaryCsv(result));
    writeFileAtomically(directory / "events.csv", eventsCsv(scenario, result));
    writeFileAtomically(directory / "memory.csv", memoryCsv(result));
}

} // namespace offload::sim
