// offload-sim info NETWORK.json: per-layer shapes, activation sizes, FLOPs and sparsity.
#include "command.h"

#include "core/dtype.h"
#include "core/input_error.h"
#include "core/network_json.h"
#include "sim/compute_model.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

namespace offload::cli {

namespace {

struct InfoOptions {
    std::string network;
    std::int64_t batch = 1;
    std::string dtype = "fp32";
    double progress = 1.0;
    bool json = false;
    std::string gpu;                    // a preset: adds each layer's time and what bounds it
    std::string compute_model = "delta";
};

void runInfo(const InfoOptions& o, int& exitCode)
{
    const DType dtype = *parseDType(o.dtype); // CLI11 checked the choice
    const NetworkModel model = loadNetworkFile(o.network);
    const Network& net = model.network();
    const auto sparsity = model.sparsityAt(o.progress);
    // With --gpu: the compute model's time per pass and what bounds it, as `run` would use them.
    const GpuSpec* gpu = nullptr;
    if (!o.gpu.empty()) {
        gpu = findGpuPreset(o.gpu);
        if (!gpu)
            throw InputError("", "--gpu", "unknown GPU preset \"" + o.gpu + "\"");
    }
    const auto computeModel = *sim::parseComputeModel(o.compute_model); // CLI11 checked the choice
    auto estimate = [&](std::size_t i) {
        return sim::estimateLayer(computeModel, model, static_cast<int>(i), o.batch, dtype, *gpu);
    };

    double totalFlops = 0;
    std::uint64_t totalActivation = 0;
    if (o.json) {
        nlohmann::json layers = nlohmann::json::array();
        for (std::size_t i = 0; i < model.size(); ++i) {
            const auto& L = net.layers[i];
            const auto& li = model.info(static_cast<int>(i));
            const auto prov = model.provenance(static_cast<int>(i));
            const auto bytes = model.outputBytes(static_cast<int>(i), o.batch, dtype);
            totalFlops += li.forward_flops * static_cast<double>(o.batch);
            totalActivation += bytes;
            nlohmann::json inputs = nlohmann::json::array();
            for (int p : li.inputs)
                inputs.push_back(p == kNetworkInput ? net.input_name : net.layers[static_cast<std::size_t>(p)].name);
            layers.push_back({{"name", L.name},
                              {"kind", std::string(layerKindName(L.kind))},
                              {"inputs", inputs},
                              {"output_shape", {li.output_shape.c, li.output_shape.h, li.output_shape.w}},
                              {"output_elements", li.output_shape.elements()},
                              {"activation_bytes", bytes},
                              {"flops", li.forward_flops * static_cast<double>(o.batch)},
                              {"backward_flops", li.backward_flops * static_cast<double>(o.batch)},
                              {"weight_bytes", static_cast<std::uint64_t>(li.weight_elements) * bytesPerElement(dtype)},
                              {"sparsity", sparsity[i]},
                              {"source", std::string(sparsitySourceName(prov.source))},
                              {"source_note", prov.note}});
            if (gpu) {
                const sim::LayerEstimate e = estimate(i);
                layers.back()["forward_s"] = e.forward.seconds;
                layers.back()["backward_s"] = e.backward.seconds;
                layers.back()["bound"] = {{"forward", std::string(sim::boundName(e.forward.bound))},
                                          {"backward", std::string(sim::boundName(e.backward.bound))}};
            }
        }
        nlohmann::json out = {
            {"network", net.name},
            {"file", o.network},
            {"batch", o.batch},
            {"dtype", o.dtype},
            {"progress", o.progress},
            {"input_shape", {net.input.c, net.input.h, net.input.w}},
            {"input_bytes", model.outputBytes(kNetworkInput, o.batch, dtype)},
            {"layers", layers},
            {"totals",
             {{"layers", model.size()},
              {"activation_bytes", totalActivation},
              {"flops", totalFlops},
              {"weight_bytes", model.weightBytes(dtype)}}}};
        std::cout << out.dump(2) << "\n";
        exitCode = kSuccess;
        return;
    }

    std::size_t nameWidth = 5;
    for (const auto& L : net.layers)
        nameWidth = std::max(nameWidth, std::min<std::size_t>(L.name.size(), 40));
    std::ostringstream out;
    out << net.name << " (" << o.network << ")\n";
    if (!net.citation.empty())
        out << "Architecture: " << net.citation << "\n";
    out << "Input " << formatShape(net.input) << ", batch " << o.batch << ", " << o.dtype << ", training progress "
        << o.progress << "\n\n";
    char line[512];
    if (gpu)
        out << "Layer times: " << sim::computeModelName(computeModel) << " model on " << gpu->name
            << " (bound: what limits the forward / backward pass)\n\n";
    std::snprintf(line, sizeof line, "%-*s  %-10s  %-16s  %12s  %10s  %8s  %-9s%s\n", static_cast<int>(nameWidth), "layer",
                  "kind", "output (CxHxW)", "activ. MiB", "fwd GFLOP", "sparsity", "source",
                  gpu ? "  fwd ms    bwd ms  bound" : "");
    out << line;
    for (std::size_t i = 0; i < model.size(); ++i) {
        const auto& L = net.layers[i];
        const auto& li = model.info(static_cast<int>(i));
        const auto bytes = model.outputBytes(static_cast<int>(i), o.batch, dtype);
        const double gflop = li.forward_flops * static_cast<double>(o.batch) / 1e9;
        totalFlops += li.forward_flops * static_cast<double>(o.batch);
        totalActivation += bytes;
        std::string times;
        if (gpu) {
            const sim::LayerEstimate e = estimate(i);
            char t[96];
            std::snprintf(t, sizeof t, "  %8.3f  %8.3f  %s/%s", e.forward.seconds * 1e3, e.backward.seconds * 1e3,
                          std::string(sim::boundName(e.forward.bound)).c_str(),
                          std::string(sim::boundName(e.backward.bound)).c_str());
            times = t;
        }
        std::snprintf(line, sizeof line, "%-*s  %-10s  %-16s  %12s  %10s  %7.1f%%  %-9s%s\n", static_cast<int>(nameWidth),
                      L.name.substr(0, 40).c_str(), std::string(layerKindName(L.kind)).c_str(),
                      formatShape(li.output_shape).c_str(), formatMiB(static_cast<double>(bytes)).c_str(),
                      formatFixed(gflop, 3).c_str(), 100.0 * sparsity[i],
                      std::string(sparsitySourceName(model.provenance(static_cast<int>(i)).source)).c_str(),
                      times.c_str());
        out << line;
    }
    out << "\nTotals: " << model.size() << " layers, activations " << formatMiB(static_cast<double>(totalActivation))
        << " MiB (every layer output at the batch), weights " << formatMiB(static_cast<double>(model.weightBytes(dtype)))
        << " MiB, forward " << formatFixed(totalFlops / 1e9, 2) << " GFLOP\n";
    out << "Sparsity source of the network: " << sparsitySourceName(net.default_provenance.source) << " — "
        << net.default_provenance.note << "\n";
    std::cout << out.str();
    exitCode = kSuccess;
}

} // namespace

void addInfoCommand(CLI::App& app, int& exitCode)
{
    auto options = std::make_shared<InfoOptions>();
    auto* cmd = app.add_subcommand("info", "Per-layer table of a network: shapes, activation sizes, FLOPs, sparsity");
    cmd->add_option("network", options->network, "Network file (offload-studio/network JSON)")->required();
    cmd->add_option("--batch", options->batch, "Batch size")->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20));
    cmd->add_option("--dtype", options->dtype, "Activation element type")->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
    cmd->add_option("--progress", options->progress, "Training progress 0..1 (selects sparsity on curves)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--gpu", options->gpu,
                    "GPU preset: add each layer's forward and backward time and what bounds it");
    cmd->add_option("--compute-model", options->compute_model, "With --gpu: roofline or delta (default delta)")
        ->check(CLI::IsMember({"roofline", "delta"}));
    cmd->add_flag("--json", options->json, "Print JSON instead of a table");
    cmd->callback([options, &exitCode] { runInfo(*options, exitCode); });
}

} // namespace offload::cli
