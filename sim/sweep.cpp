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

namespace {

// The points that share a prepared network and an oracle: one (batch, progress) pair.
struct Group {
    std::int64_t batch;
    double progress;
    std::size_t first; // index of its first point
    std::size_t count;
};

} // namespace

std::vector<SweepPoint> runSweep(const Scenario& base, const SweepSpec& spec)
{
    if (!base.network)
        throw InputError("", "", "the scenario has no network");
    const std::vector<double> bandwidths =
        spec.bandwidths_bytes_per_s.empty() ? std::vector<double>{-1.0} : spec.bandwidths_bytes_per_s;
    const std::vector<CodecId> codecs = spec.codecs.empty() ? std::vector<CodecId>{base.codec} : spec.codecs;
    const std::vector<std::int64_t> batches = spec.batches.empty() ? std::vector<std::int64_t>{base.batch} : spec.batches;
    const std::vector<double> progresses = spec.progresses.empty() ? std::vector<double>{base.progress} : spec.progresses;

    std::vector<SweepPoint> points;
    points.reserve(codecs.size() * batches.size() * progresses.size() * bandwidths.size());
    for (CodecId codec : codecs)
        for (std::int64_t batch : batches)
            for (double progress : progresses)
                for (double bw : bandwidths) {
                    SweepPoint p;
                    p.bandwidth_bytes_per_s = bw > 0 ? bw : base.link.d2h_bytes_per_s;
                    p.codec = codec;
                    p.batch = batch;
                    p.progress = progress;
                    points.push_back(p);
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
                    if (p.batch != preparedBatch) {
                        net = prepareNetwork(*base.network, p.batch, base.dtype, base.gpu, base.compute_model);
                        Scenario o = base;
                        o.batch = p.batch;
                        oracle = runOracle(o, net);
                        preparedBatch = p.batch;
                        uncompressedKeyBatch = -1;
                    }
                    Scenario s = base;
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
