// offload-sim run SCENARIO.json: one simulated training iteration, its summary, and exports.
#include "command.h"

#include "core/codecs/codec_id.h"
#include "core/input_error.h"
#include "sim/export/chrome_trace.h"
#include "sim/export/csv_export.h"
#include "sim/export/json_export.h"
#include "sim/scenario.h"
#include "sim/scenario_document.h"
#include "sim/simulator.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace offload::cli {

namespace {

struct RunOptions {
    std::string scenario;
    std::optional<std::string> codec;
    std::optional<double> bandwidth_gbps;
    std::optional<std::string> policy;
    std::optional<std::string> gpu;
    std::optional<std::int64_t> batch;
    std::optional<double> progress;
    std::optional<std::string> baseline;
    std::optional<std::string> conv_algorithms;
    std::optional<std::string> compute_model;
    std::vector<std::string> gpu_scale;
    std::string json;
    std::string csv;
    std::string trace;
};

std::string percent(double fraction)
{
    return formatFixed(100.0 * fraction, 1) + " %";
}

std::string milliseconds(double seconds)
{
    return formatFixed(seconds * 1e3, 3) + " ms";
}

void runRun(const RunOptions& o, int& exitCode)
{
    // A network file (JSON or ONNX) runs in the default scenario around it, as in the window.
    sim::Scenario s = sim::openScenarioOrNetwork(o.scenario).scenario;
    sim::applyOverrides(s, {o.codec, o.bandwidth_gbps, o.policy, o.gpu, o.batch, o.progress, o.baseline,
                            o.conv_algorithms, o.compute_model, o.gpu_scale});
    const sim::Result r = sim::simulate(s);
    const sim::Summary& m = r.summary;

    if (!o.json.empty())
        writeOutput(o.json, sim::resultToJson(s, r).dump(1) + "\n");
    if (!o.csv.empty())
        sim::writeCsvDirectory(o.csv, s, r);
    if (!o.trace.empty())
        writeOutput(o.trace, sim::chromeTrace(s, r).dump() + "\n");
    if (o.json == "-" || o.trace == "-") {
        exitCode = kSuccess;
        return;
    }

    std::ostringstream out;
    out << s.name << "\n";
    out << "  network " << s.network->network().name << ", batch " << s.batch << ", " << dtypeName(s.dtype)
        << ", progress " << s.progress << "\n";
    out << "  GPU " << s.gpu.name;
    if (!s.gpu_scale.isIdentity())
        out << " scaled (compute x" << s.gpu_scale.compute << ", L2 x" << s.gpu_scale.l2 << ", DRAM x" << s.gpu_scale.dram
            << ")";
    out << "; link " << s.link.name << " (" << formatFixed(s.link.d2h_bytes_per_s / 1e9, 2)
        << " GB/s D2H, " << formatFixed(s.link.h2d_bytes_per_s / 1e9, 2) << " GB/s H2D); layer times "
        << sim::computeModelName(s.compute_model) << " (measured where the network has them)\n";
    out << "  codec " << codecName(s.codec) << " (" << sim::engineName(s.engine) << " engine), policy "
        << sim::policyName(s.policy) << ", prefetch " << sim::prefetchName(s.prefetch) << ", sync "
        << sim::syncName(s.sync) << "\n\n";
    out << "Iteration        " << milliseconds(m.iteration_s) << "\n";
    out << "Oracle           " << milliseconds(m.oracle_s)
        << " (no offload, unlimited memory, performance-optimal convolutions)\n";
    out << "Overhead         " << percent(m.overhead) << " vs oracle (" << percent(m.oracle_s / m.iteration_s)
        << " of its throughput)\n";
    if (s.codec != CodecId::none)
        out << "Uncompressed     " << milliseconds(m.uncompressed_s) << "; speedup from " << codecName(s.codec) << " "
            << formatFixed(m.speedup_vs_uncompressed, 3) << "x\n";
    out << "Stalls           forward " << milliseconds(m.forward_stall_s) << ", backward "
        << milliseconds(m.backward_stall_s) << "\n";
    out << "Offloaded        " << m.offloaded_layers << " tensors, " << formatGiB(static_cast<double>(m.d2h_raw_bytes))
        << " GiB raw, " << formatGiB(static_cast<double>(m.d2h_wire_bytes)) << " GiB over the link; "
        << formatGiB(static_cast<double>(m.h2d_wire_bytes)) << " GiB back\n";
    out << "Link busy        D2H " << percent(m.d2h_utilization) << ", H2D " << percent(m.h2d_utilization) << "\n";
    out << "Convolutions     "
        << (s.policy == sim::OffloadPolicy::dyn ? std::string("chosen per layer by vDNN-dyn")
                                                : std::string(sim::algorithmPreferenceName(s.conv_algorithms)))
        << "; " << m.downgraded_conv_layers << " layers off their fastest algorithm; largest workspace "
        << formatGiB(static_cast<double>(m.workspace_peak_bytes)) << " GiB\n";
    const std::string against = m.baseline == sim::BaselineKind::vdnn ? "vDNN's network-wide allocation"
                                                                       : "the lean oracle";
    out << "GPU memory peak  " << formatGiB(static_cast<double>(m.peak_gpu_bytes)) << " GiB ("
        << percent(m.peak_reduction) << " less than " << against << ", "
        << formatGiB(static_cast<double>(m.baseline_peak_gpu_bytes)) << " GiB)\n";
    out << "GPU memory avg   " << formatGiB(static_cast<double>(m.avg_gpu_bytes)) << " GiB ("
        << percent(m.avg_reduction) << " less than " << against << ", "
        << formatGiB(static_cast<double>(m.baseline_avg_gpu_bytes))
        << " GiB; mean over layer steps as in vDNN)\n";
    out << "Baselines        vdnn " << formatGiB(static_cast<double>(m.vdnn_allocation_bytes))
        << " GiB (every tensor and gradient, weights, one shared workspace); lean oracle peak "
        << formatGiB(static_cast<double>(m.oracle_peak_gpu_bytes)) << " GiB, avg "
        << formatGiB(static_cast<double>(m.oracle_avg_gpu_bytes)) << " GiB\n";
    out << "Budget           " << formatGiB(static_cast<double>(s.budgetBytes())) << " GiB"
        << (s.memory_budget_bytes ? std::string(" (given)")
                                  : " (" + s.gpu.name + " less " +
                                        formatGiB(static_cast<double>(s.gpu.context_bytes)) + " GiB of CUDA context)")
        << "\n";
    out << "Weights          " << formatGiB(static_cast<double>(m.weight_bytes))
        << " GiB (plus as much for their gradients"
        << (s.dtype == DType::fp32 ? "" : ", and an fp32 master copy") << ")\n";
    if (!m.feasible)
        out << "INFEASIBLE       " << m.infeasible_reason << "\n";
    std::cout << out.str();
    exitCode = kSuccess;
}

} // namespace

void addRunCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<RunOptions>();
    auto* cmd = app.add_subcommand("run", "Simulate one training iteration of a scenario and print its summary");
    cmd->add_option("scenario", o->scenario, "Scenario file, or a network (JSON or ONNX) to run in the default scenario")->required();
    cmd->add_option("--codec", o->codec, "Codec: none, zvc, rle, zlib, lz4, zstd, jpeg-act, dpr");
    cmd->add_option("--bandwidth", o->bandwidth_gbps, "Link bandwidth in GB/s, both directions")
        ->check(CLI::Range(1e-6, 1e9));
    cmd->add_option("--policy", o->policy, "Offload policy")
        ->check(CLI::IsMember({"none", "all", "conv", "dyn", "fastest-fit"}));
    cmd->add_option("--baseline", o->baseline, "What memory reductions are measured against: vdnn or lean")
        ->check(CLI::IsMember({"vdnn", "lean"}));
    cmd->add_option("--conv-algorithms", o->conv_algorithms,
                    "Convolution algorithms: performance-optimal or memory-optimal (vDNN-dyn chooses per layer)")
        ->check(CLI::IsMember({"performance-optimal", "memory-optimal"}));
    cmd->add_option("--compute-model", o->compute_model,
                    "Layer times for layers without measured ones: roofline or delta (DeLTA's memory hierarchy)")
        ->check(CLI::IsMember({"roofline", "delta"}));
    cmd->add_option("--gpu", o->gpu, "GPU preset (titan-x-maxwell, titan-xp, p100, v100, a100, h100, h100-sxm, h200)");
    cmd->add_option("--scale", o->gpu_scale,
                    "What-if scaling of the GPU: compute=F, l2=F or dram=F (repeatable; F multiplies the resource)");
    cmd->add_option("--batch", o->batch, "Batch size")->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 24));
    cmd->add_option("--progress", o->progress, "Training progress 0..1")->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--json", o->json, "Write the whole result as JSON to FILE, or - for stdout");
    cmd->add_option("--csv", o->csv, "Write layers.csv, summary.csv and events.csv into DIR");
    cmd->add_option("--trace", o->trace, "Write a Chrome trace (Perfetto, chrome://tracing) to FILE, or -");
    cmd->callback([o, &exitCode] { runRun(*o, exitCode); });
}

} // namespace offload::cli
