// offload-sim sweep SCENARIO.json: the scenario over a grid of bandwidths, codecs, batches and
// training progress, in parallel on all cores.
#include "command.h"

#include "core/codecs/codec_id.h"
#include "core/input_error.h"
#include "sim/export/csv_export.h"
#include "sim/export/json_export.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

namespace offload::cli {

namespace {

struct SweepOptions {
    std::string scenario;
    std::string bandwidth;  // LO:HI:N in GB/s
    std::string codecs;     // a,b,c
    std::string batches;    // 64,128
    std::string progresses; // 0,0.5,1
    std::string gpus;       // titan-x-maxwell,v100,...
    std::vector<std::string> scales; // compute=1:8:4, l2=..., dram=...
    int threads = 0;
    std::string csv;
    std::string json;
};

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> parts;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ','))
        if (!item.empty())
            parts.push_back(item);
    return parts;
}

double parseNumber(const std::string& text, const char* option)
{
    try {
        std::size_t used = 0;
        const double v = std::stod(text, &used);
        if (used == text.size())
            return v;
    } catch (const std::exception&) {
    }
    throw InputError("", option, "\"" + text + "\" is not a number");
}

sim::SweepSpec specFrom(const SweepOptions& o)
{
    sim::SweepSpec spec;
    spec.threads = o.threads;
    if (!o.bandwidth.empty()) {
        std::vector<std::string> parts;
        std::string item;
        std::istringstream in(o.bandwidth);
        while (std::getline(in, item, ':'))
            parts.push_back(item);
        if (parts.size() != 3)
            throw InputError("", "--bandwidth", "expected LO:HI:N in GB/s (for example 1:100:50), found \"" + o.bandwidth + "\"");
        const double lo = parseNumber(parts[0], "--bandwidth");
        const double hi = parseNumber(parts[1], "--bandwidth");
        const double n = parseNumber(parts[2], "--bandwidth");
        if (!(lo > 0) || !(hi >= lo) || n < 1 || n > 1e6 || n != static_cast<double>(static_cast<int>(n)))
            throw InputError("", "--bandwidth", "need 0 < LO <= HI and a whole N from 1 to 1000000");
        for (double v : sim::logRange(lo * 1e9, hi * 1e9, static_cast<int>(n)))
            spec.bandwidths_bytes_per_s.push_back(v);
    }
    for (const auto& name : splitList(o.codecs)) {
        auto id = parseCodecId(name);
        if (!id)
            throw InputError("", "--codecs", "unknown codec \"" + name + "\"");
        spec.codecs.push_back(*id);
    }
    for (const auto& b : splitList(o.batches)) {
        const double v = parseNumber(b, "--batches");
        if (v < 1 || v > (1 << 24) || v != static_cast<double>(static_cast<std::int64_t>(v)))
            throw InputError("", "--batches", "batch sizes are whole numbers from 1");
        spec.batches.push_back(static_cast<std::int64_t>(v));
    }
    spec.gpus = splitList(o.gpus);
    for (const auto& scale : o.scales) {
        // RESOURCE=LO:HI:N, log-spaced factors (1:8:4 is 1, 2, 4, 8).
        const auto eq = scale.find('=');
        const std::string resource = scale.substr(0, eq);
        std::vector<double>* target = resource == "compute" ? &spec.compute_scales
                                      : resource == "l2"    ? &spec.l2_scales
                                      : resource == "dram"  ? &spec.dram_scales
                                                            : nullptr;
        if (eq == std::string::npos || !target)
            throw InputError("", "--scale",
                             "expected RESOURCE=LO:HI:N with RESOURCE compute, l2 or dram (the link is --bandwidth), "
                             "found \"" + scale + "\"");
        std::vector<std::string> parts;
        std::string item;
        std::istringstream in(scale.substr(eq + 1));
        while (std::getline(in, item, ':'))
            parts.push_back(item);
        if (parts.size() != 3)
            throw InputError("", "--scale", "expected LO:HI:N after \"" + resource + "=\", found \"" + scale + "\"");
        const double lo = parseNumber(parts[0], "--scale");
        const double hi = parseNumber(parts[1], "--scale");
        const double n = parseNumber(parts[2], "--scale");
        if (!(lo > 0) || !(hi >= lo) || n < 1 || n > 1000 || n != static_cast<double>(static_cast<int>(n)))
            throw InputError("", "--scale", "need 0 < LO <= HI and a whole N from 1 to 1000");
        *target = sim::logRange(lo, hi, static_cast<int>(n));
    }
    for (const auto& p : splitList(o.progresses)) {
        const double v = parseNumber(p, "--progress");
        if (v < 0 || v > 1)
            throw InputError("", "--progress", "training progress is between 0 and 1");
        spec.progresses.push_back(v);
    }
    return spec;
}

void runSweepCommand(const SweepOptions& o, int& exitCode)
{
    const sim::Scenario base = sim::loadScenarioFile(o.scenario);
    const auto points = sim::runSweep(base, specFrom(o));
    if (!o.csv.empty())
        writeOutput(o.csv, sim::sweepCsv(points));
    if (!o.json.empty())
        writeOutput(o.json, sim::sweepToJson(base, points).dump(1) + "\n");
    if (o.csv != "-" && o.json != "-") {
        std::ostringstream out;
        char line[256];
        std::snprintf(line, sizeof line, "%-16s %-17s %-9s %6s %8s %10s %12s %10s %9s %10s\n", "gpu",
                      "scale cmp/L2/DRAM", "codec", "batch", "progress", "GB/s", "iteration ms", "overhead", "speedup",
                      "avg MiB");
        out << line;
        for (const auto& p : points) {
            char scale[64];
            std::snprintf(scale, sizeof scale, "%.3g/%.3g/%.3g", p.scale.compute, p.scale.l2, p.scale.dram);
            std::snprintf(line, sizeof line, "%-16s %-17s %-9s %6lld %8.3f %10.3f %12.3f %9.1f%% %8.3fx %10.1f%s\n",
                          p.gpu.c_str(), scale, std::string(codecName(p.codec)).c_str(),
                          static_cast<long long>(p.batch), p.progress,
                          p.bandwidth_bytes_per_s / 1e9, p.summary.iteration_s * 1e3, 100 * p.summary.overhead,
                          p.summary.speedup_vs_uncompressed, bytesToMiB(static_cast<double>(p.summary.avg_gpu_bytes)),
                          p.summary.feasible ? "" : " (infeasible)");
            out << line;
        }
        std::cout << out.str();
    }
    exitCode = kSuccess;
}

} // namespace

void addSweepCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<SweepOptions>();
    auto* cmd = app.add_subcommand("sweep", "Run a scenario over bandwidths, codecs, batches and training progress");
    cmd->add_option("scenario", o->scenario, "Scenario file (offload-studio/scenario JSON)")->required();
    cmd->add_option("--bandwidth", o->bandwidth, "Log-spaced link bandwidths LO:HI:N in GB/s (both directions)");
    cmd->add_option("--codecs", o->codecs, "Comma-separated codecs (none,zvc,...)");
    cmd->add_option("--batches", o->batches, "Comma-separated batch sizes");
    cmd->add_option("--progress", o->progresses, "Comma-separated training progress values 0..1");
    cmd->add_option("--gpus", o->gpus,
                    "Comma-separated GPU presets to compare at the scenario's link (e.g. "
                    "titan-x-maxwell,titan-xp,v100,a100,h100)");
    cmd->add_option("--scale", o->scales,
                    "What-if scaling of the GPU: RESOURCE=LO:HI:N log-spaced factors, RESOURCE compute, l2 or dram "
                    "(repeatable; compute also scales L1)");
    cmd->add_option("--threads", o->threads, "Worker threads (0: all cores)")->check(CLI::Range(0, 4096));
    cmd->add_option("--csv", o->csv, "Write the table as CSV to FILE, or -");
    cmd->add_option("--json", o->json, "Write the points as JSON to FILE, or -");
    cmd->callback([o, &exitCode] { runSweepCommand(*o, exitCode); });
}

} // namespace offload::cli
