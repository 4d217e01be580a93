#include "sweep.h"

#include "simulation_steps.h"

#include "core/input_error.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

namespace offload::sim {

SweepSpec defaultSweepSpec(const Scenario& scenario)
{
    SweepSpec spec;
    spec.bandwidths_bytes_per_s = logRange(1e9, 200e9, 25);
    spec.codecs = {CodecId::none, CodecId::rle, CodecId::zvc, CodecId::zlib, CodecId::jpeg_act};
    if (std::find(spec.codecs.begin(), spec.codecs.end(), scenario.codec) == spec.codecs.end())
        spec.codecs.push_back(scenario.codec);
    return spec;
}

SweepSpec generationsSweepSpec(const Scenario& scenario)
{
    SweepSpec spec;
    spec.gpus = {"titan-x-maxwell", "p100", "titan-xp", "v100", "a100", "h100-sxm", "h200"};
    spec.codecs = {CodecId::none, CodecId::zvc, CodecId::jpeg_act};
    if (std::find(spec.codecs.begin(), spec.codecs.end(), scenario.codec) == spec.codecs.end())
        spec.codecs.push_back(scenario.codec);
    return spec;
}

std::vector<double> logRange(double lo, double hi, int n)
{
    if (n < 1 || !(lo > 0) || !(hi > 0))
        throw InputError("", "", "a log range needs positive bounds and at least one point");
    if (n == 1)
        return {lo};
    std::vector<double> values(static_cast<std::size_t>(n));
    const double step = std::log(hi / lo) / (n - 1);
    for (int i = 0; i < n; ++i)
        values[static_cast<std::size_t>(i)] = lo * std::exp(step * i);
    values.back() = hi;
    return values;
}



std::vector<SweepPoint> runSweep(const Scenario& base, const SweepSpec& spec)
{
    if (!base.network)
        throw InputError("", "", "the scenario has no network");
    const std::vector<double> bandwidths =
        spec.bandwidths_bytes_per_s.empty() ? std::vector<double>{-1.0} : spec.bandwidths_bytes_per_s;
    const std::vector<CodecId> codecs = spec.codecs.empty() ? std::vector<CodecId>{base.codec} : spec.codecs;
    const std::vector<std::int64_t> batches = spec.batches.empty() ? std::vector<std::int64_t>{base.batch} : spec.batches;
    const std::vector<double> progresses = spec.progresses.empty() ? std::vector<double>{base.progress} : spec.progresses;

    const std::vector<double> one{1.0};
    auto orOne = [&](const std::vector<double>& v, const char* option) -> const std::vector<double>& {
        for (double x : v)
            if (!(x > 0) || !std::isfinite(x))
                throw InputError("", option, "scale factors must be positive");
        return v.empty() ? one : v;
    };
    const auto& computeScales = orOne(spec.compute_scales, "--scale compute");
    const auto& l2Scales = orOne(spec.l2_scales, "--scale l2");
    const auto& dramScales = orOne(spec.dram_scales, "--scale dram");
    std::vector<GpuSpec> gpus;
    for (const auto& id : spec.gpus) {
        const GpuSpec* g = findGpuPreset(id);
        if (!g)
            throw InputError("", "--gpus", "unknown GPU preset \"" + id + "\"");
        gpus.push_back(*g);
    }
    if (gpus.empty())
        gpus.push_back(base.gpu);
    for (auto& g : gpus)
        g = scaledGpu(g, base.gpu_scale); // the scenario's own what-if, under the sweep's

    std::vector<SweepPoint> points;
    std::vector<std::size_t> gpuOf; // index into gpus per point
    for (std::size_t gi = 0; gi < gpus.size(); ++gi)
        for (double cs : computeScales)
            for (double ls : l2Scales)
                for (double ds : dramScales)
                    for (CodecId codec : codecs)
                        for (std::int64_t batch : batches)
                            for (double progress : progresses)
                                for (double bw : bandwidths) {
                                    SweepPoint p;
                                    p.gpu = gpus[gi].id;
                                    p.scale = {cs, ls, ds};
                                    p.bandwidth_bytes_per_s = bw > 0 ? bw : base.link.d2h_bytes_per_s;
                                    p.codec = codec;
                                    p.batch = batch;
                                    p.progress = progress;
                                    points.push_back(p);
                                    gpuOf.push_back(gi);
                                }

    // Work items: one (batch, progress) group is prepared once per worker that meets it.
    unsigned threads = spec.threads > 0 ? static_cast<unsigned>(spec.threads) : std::thread::hardware_concurrency();
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(points.size())));
    const std::size_t chunk = std::max<std::size_t>(1, points.size() / (threads * 8));
    std::atomic<std::size_t> nextChunk{0};
    std::exception_ptr failure;
    std::mutex failureMutex;

    auto worker = [&] {
        try {
            std::int64_t preparedBatch = -1;
            std::size_t preparedGpu = gpus.size();
            ResourceScale preparedScale{-1, -1, -1};
            GpuSpec gpu;
            PreparedNetwork net;
            Result oracle;
            std::int64_t uncompressedKeyBatch = -1;
            double uncompressedKeyProgress = -1, uncompressedKeyBandwidth = -1;
            double uncompressedS = 0;
            for (;;) {
                const std::size_t begin = nextChunk.fetch_add(chunk);
                if (begin >= points.size())
                    break;
                const std::size_t end = std::min(points.size(), begin + chunk);
                for (std::size_t k = begin; k < end; ++k) {
                    SweepPoint& p = points[k];
                    const bool sameScale = p.scale.compute == preparedScale.compute &&
                                           p.scale.l2 == preparedScale.l2 && p.scale.dram == preparedScale.dram;
                    if (p.batch != preparedBatch || gpuOf[k] != preparedGpu || !sameScale) {
                        gpu = scaledGpu(gpus[gpuOf[k]], p.scale);
                        net = prepareNetwork(*base.network, p.batch, base.dtype, gpu, base.compute_model);
                        Scenario o = base;
                        o.batch = p.batch;
                        o.gpu = gpu;
                        oracle = runOracle(o, net);
                        preparedBatch = p.batch;
                        preparedGpu = gpuOf[k];
                        preparedScale = p.scale;
                        uncompressedKeyBatch = -1;
                    }
                    Scenario s = base;
                    s.gpu = gpu;
                    s.batch = p.batch;
                    s.progress = p.progress;
                    s.codec = p.codec;
                    if (!spec.bandwidths_bytes_per_s.empty())
                        s.link.d2h_bytes_per_s = s.link.h2d_bytes_per_s = p.bandwidth_bytes_per_s;
                    Result r = runScenario(s, net, false);
                    compareWithOracle(r, oracle);
                    // The uncompressed twin depends on batch, bandwidth and (through dyn) nothing
                    // else: reuse it across codecs at the same point.
                    if (s.codec == CodecId::none) {
                        uncompressedS = r.summary.iteration_s;
                    } else if (uncompressedKeyBatch != p.batch || uncompressedKeyProgress != p.progress ||
                               uncompressedKeyBandwidth != p.bandwidth_bytes_per_s) {
                        Scenario plain = s;
                        plain.codec = CodecId::none;
                        uncompressedS = runIterationTime(plain, net);
                    }
                    uncompressedKeyBatch = p.batch;
                    uncompressedKeyProgress = p.progress;
                    uncompressedKeyBandwidth = p.bandwidth_bytes_per_s;
                    compareWithUncompressed(r, uncompressedS);
                    r.summary.oracle_s = oracle.summary.iteration_s;
                    p.summary = std::move(r.summary);
                }
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
        pool.emplace_back(worker);
    worker();
    for (auto& th : pool)
        th.join();
    if (failure)
        std::rethrow_exception(failure);
    return points;
}

} // namespace offload::sim
