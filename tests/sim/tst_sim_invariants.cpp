// Properties that must hold for every sample scenario and a grid of settings (the vDNN and cDMA
// timelines of docs/model.md): lanes never overlap, prefetches finish before their backward reader,
// stalls are not negative, unlimited bandwidth costs nothing, more bandwidth or ratio never slows
// an iteration down, no codec on the DMA engine is slower than none, no run's peak exceeds the
// oracle's, budgets hold, ReLU inputs stay on the GPU and DAG tensors leave only after their last
// forward reader. Every policy, sync, prefetch and codec at 1 to 1000 GB/s on every sample.
#include "core/network_json.h"
#include "sim/simulator.h"

#include <QDir>
#include <QtTest>

#include <algorithm>
#include <array>
#include <limits>
#include <map>

using namespace offload;
using namespace offload::sim;

namespace {

const std::string kScenarios = std::string(OFFLOAD_SAMPLES_DIR) + "/scenarios";

std::vector<std::string> sampleScenarios()
{
    std::vector<std::string> files;
    for (const auto& entry : QDir(QString::fromStdString(kScenarios)).entryList({"*.json"}, QDir::Files))
        files.push_back(kScenarios + "/" + entry.toStdString());
    std::sort(files.begin(), files.end());
    return files;
}

// The extra networks whose scenarios are built here: DAGs (ResNet, GoogLeNet) and others.
std::vector<std::string> sampleNetworks()
{
    std::vector<std::string> files;
    const QString dir = QString(OFFLOAD_SAMPLES_DIR) + "/networks";
    for (const auto& entry : QDir(dir).entryList({"*.json"}, QDir::Files))
        files.push_back((dir + "/" + entry).toStdString());
    std::sort(files.begin(), files.end());
    return files;
}

// Producer index -> the layer that offloads it: its last forward reader.
int lastReader(const NetworkModel& model, int producer)
{
    if (producer >= 0)
        return model.info(producer).last_consumer;
    int last = -1;
    for (std::size_t i = 0; i < model.size(); ++i)
        for (int p : model.info(static_cast<int>(i)).inputs)
            if (p == kNetworkInput)
                last = static_cast<int>(i);
    return last;
}

// Producer index -> the layer whose backward pass first needs its values back: the highest of
// the consumers whose backward reads their input and the producer when its backward reads its
// own output (ReLU). -1 when no backward pass reads it.
int firstBackwardReader(const NetworkModel& model, int producer)
{
    const auto& layers = model.network().layers;
    int first = -1;
    if (producer >= 0 && NetworkModel::backwardReadsOutput(layers[static_cast<std::size_t>(producer)].kind))
        first = producer;
    for (std::size_t i = 0; i < model.size(); ++i)
        for (int p : model.info(static_cast<int>(i)).inputs)
            if (p == producer && NetworkModel::backwardReadsInput(layers[i].kind))
                first = std::max(first, static_cast<int>(i));
    return first;
}

QString describe(const Scenario& s)
{
    return QString("%1 [policy %2, sync %3, prefetch %4, codec %5, engine %6, %7 GB/s, %8 duplex]")
        .arg(QString::fromStdString(s.name))
        .arg(QString::fromStdString(std::string(policyName(s.policy))))
        .arg(QString::fromStdString(std::string(syncName(s.sync))))
        .arg(QString::fromStdString(std::string(prefetchName(s.prefetch))))
        .arg(QString::fromStdString(std::string(codecName(s.codec))))
        .arg(QString::fromStdString(std::string(engineName(s.engine))))
        .arg(s.link.d2h_bytes_per_s / 1e9)
        .arg(s.link.full_duplex ? "full" : "half");
}

// Checks every structural invariant of one result; returns an empty string or the first failure.
QString structuralProblem(const Scenario& s, const Result& r)
{
    const NetworkModel& model = *s.network;
    const double eps = 1e-9 * std::max(1.0, r.summary.iteration_s);
    // Lanes: sorted by start, no overlap.
    for (Lane lane : {Lane::compute, Lane::d2h, Lane::h2d, Lane::codec}) {
        std::vector<const Event*> onLane;
        for (const auto& e : r.events)
            if (e.lane == lane || (!s.link.full_duplex && lane == Lane::d2h && e.lane == Lane::h2d))
                onLane.push_back(&e);
        std::stable_sort(onLane.begin(), onLane.end(), [](auto a, auto b) { return a->start_s < b->start_s; });
        for (std::size_t k = 0; k < onLane.size(); ++k) {
            if (onLane[k]->end_s < onLane[k]->start_s)
                return QString("negative duration on lane %1").arg(int(lane));
            if (k > 0 && onLane[k]->start_s < onLane[k - 1]->end_s - eps)
                return QString("overlap on lane %1 at %2 s").arg(QString::fromStdString(std::string(laneName(lane)))).arg(onLane[k]->start_s);
        }
    }
    // Compute-stream start of every backward layer and forward layer.
    std::vector<double> backwardStart(model.size(), -1), forwardStart(model.size(), -1), forwardEnd(model.size(), -1);
    for (const auto& e : r.events) {
        if (e.kind == EventKind::backward)
            backwardStart[static_cast<std::size_t>(e.layer)] = e.start_s;
        if (e.kind == EventKind::forward) {
            forwardStart[static_cast<std::size_t>(e.layer)] = e.start_s;
            forwardEnd[static_cast<std::size_t>(e.layer)] = e.end_s;
        }
    }
    std::vector<int> offloadsOf(model.size() + 1, 0), prefetchesOf(model.size() + 1, 0);
    for (const auto& e : r.events) {
        if (e.kind == EventKind::prefetch) {
            ++prefetchesOf[static_cast<std::size_t>(e.tensor + 1)];
            const int reader = firstBackwardReader(model, e.tensor);
            if (reader < 0)
                return QString("tensor %1 prefetched though no backward pass reads it").arg(e.tensor);
            if (e.end_s > backwardStart[static_cast<std::size_t>(reader)] + eps)
                return QString("prefetch of tensor %1 ends at %2 after its backward reader %3 starts at %4")
                    .arg(e.tensor).arg(e.end_s).arg(reader).arg(backwardStart[static_cast<std::size_t>(reader)]);
        }
        if (e.kind == EventKind::offload) {
            ++offloadsOf[static_cast<std::size_t>(e.tensor + 1)];
            // Reference counting: the offload (and the release after it, which the engine puts
            // after the issuing layer's forward) belongs to the last reader, and every earlier
            // reader has finished its forward by then.
            const int reader = lastReader(model, e.tensor);
            if (e.layer != reader)
                return QString("tensor %1 offloaded with layer %2, not its last reader %3").arg(e.tensor).arg(e.layer).arg(reader);
            for (std::size_t i = 0; i < model.size(); ++i)
                for (int p : model.info(static_cast<int>(i)).inputs)
                    if (p == e.tensor && static_cast<int>(i) != reader && forwardEnd[i] > e.start_s + eps)
                        return QString("tensor %1 offloaded before its reader %2 finished").arg(e.tensor).arg(int(i));
        }
        if (e.kind == EventKind::stall && e.end_s < e.start_s)
            return "negative stall event";
    }
    // Every offloaded tensor comes back once, except (relaxed sync only) one whose offload was
    // still running when the backward pass began: it never left, so it needs no prefetch.
    double backwardBegins = 0; // the end of the last forward computation
    std::vector<double> offloadEnd(model.size() + 1, 0);
    for (const auto& e : r.events) {
        if (e.kind == EventKind::forward)
            backwardBegins = std::max(backwardBegins, e.end_s);
        if (e.kind == EventKind::offload)
            offloadEnd[static_cast<std::size_t>(e.tensor + 1)] = e.end_s;
    }
    for (std::size_t t = 0; t <= model.size(); ++t) {
        if (offloadsOf[t] > 1 || prefetchesOf[t] > offloadsOf[t])
            return QString("tensor %1 offloaded %2 times and prefetched %3 times").arg(int(t) - 1).arg(offloadsOf[t]).arg(prefetchesOf[t]);
        if (offloadsOf[t] != prefetchesOf[t] && (s.sync == SyncPolicy::vdnn || offloadEnd[t] <= backwardBegins))
            return QString("tensor %1 left the GPU (offload ended at %2 s) and was never prefetched")
                .arg(int(t) - 1).arg(offloadEnd[t]);
    }
    // ReLU inputs are never offloaded.
    for (std::size_t i = 0; i < model.size(); ++i)
        if (NetworkModel::isInPlaceActivation(model.network().layers[i].kind))
            for (int p : model.info(static_cast<int>(i)).inputs)
                if (offloadsOf[static_cast<std::size_t>(p + 1)])
                    return QString("the input of ReLU layer %1 was offloaded").arg(int(i));
    for (const auto& L : r.layers)
        if (L.forward_stall_s < -eps || L.backward_stall_s < -eps)
            return "negative stall";
    if (r.summary.iteration_s + eps < r.summary.oracle_s)
        return "faster than the oracle";
    // Weights and their gradients, plus the fp32 master copy mixed-precision training keeps.
    const std::uint64_t resident =
        2 * r.summary.weight_bytes + (s.dtype == DType::fp32 ? 0 : model.weightBytes(DType::fp32));
    if (r.memory.empty() || r.memory.back().bytes != resident + s.workspace_bytes)
        return "memory does not return to the resident weights at the end of the iteration";
    for (std::size_t k = 1; k < r.memory.size(); ++k)
        if (r.memory[k].time_s < r.memory[k - 1].time_s)
            return "memory points out of order";
    for (const auto& p : r.memory) {
        std::uint64_t sum = 0;
        for (auto bytes : p.by_kind) {
            if (bytes > p.bytes)
                return "a memory kind is larger than the total (it went below zero)";
            sum += bytes;
        }
        if (sum != p.bytes)
            return "memory kinds do not add up to the total";
        if (p.by_kind[static_cast<std::size_t>(MemoryKind::weights)] != resident)
            return "weights are not resident";
    }
    if (s.memory_budget_bytes && r.summary.feasible && r.summary.peak_gpu_bytes > *s.memory_budget_bytes)
        return "budget exceeded but reported feasible";
    return {};
}

struct Setting {
    SyncPolicy sync;
    PrefetchPolicy prefetch;
    bool fullDuplex;
    EngineKind engine;
};

const std::array<Setting, 6> kSettings = {{{SyncPolicy::vdnn, PrefetchPolicy::vdnn, true, EngineKind::dma},
                                           {SyncPolicy::vdnn, PrefetchPolicy::eager, true, EngineKind::dma},
                                           {SyncPolicy::relaxed, PrefetchPolicy::vdnn, true, EngineKind::dma},
                                           {SyncPolicy::relaxed, PrefetchPolicy::eager, true, EngineKind::dma},
                                           {SyncPolicy::relaxed, PrefetchPolicy::vdnn, false, EngineKind::dma},
                                           {SyncPolicy::vdnn, PrefetchPolicy::vdnn, true, EngineKind::sm}}};

// With vDNN's per-layer sync, more bandwidth, a higher ratio or any codec on the DMA engine never
// slows an iteration down. Relaxed sync is greedy list scheduling and has Graham's anomalies: a
// faster offload can finish before the backward pass needs the tensor, which then has to be
// prefetched, where a slower one would have kept it on the GPU. docs/model.md gives the size
// seen over this grid; this is its bound.
double allowedSlowdown(SyncPolicy sync)
{
    return sync == SyncPolicy::vdnn ? 1e-12 : 0.05;
}

// Bytes of the tensors offloaded but never prefetched: their copy had not finished when the
// backward pass needed them (relaxed sync), so they never left the GPU.
std::uint64_t neverLeftBytes(const Result& r)
{
    std::map<int, std::uint64_t> offloaded;
    for (const auto& e : r.events)
        if (e.kind == EventKind::offload)
            offloaded[e.tensor] = e.raw_bytes;
    for (const auto& e : r.events)
        if (e.kind == EventKind::prefetch)
            offloaded.erase(e.tensor);
    std::uint64_t bytes = 0;
    for (const auto& [tensor, raw] : offloaded)
        bytes += raw;
    return bytes;
}

constexpr OffloadPolicy kPolicies[] = {OffloadPolicy::none, OffloadPolicy::all, OffloadPolicy::conv,
                                       OffloadPolicy::dyn, OffloadPolicy::fastest_fit};

Scenario variant(Scenario s, const Setting& g, OffloadPolicy policy, CodecId codec, double gbps)
{
    s.sync = g.sync;
    s.prefetch = g.prefetch;
    s.link.full_duplex = g.fullDuplex;
    s.engine = g.engine;
    s.engine_bytes_per_s = g.engine == EngineKind::sm ? 200e9 : 0;
    s.policy = policy;
    s.codec = codec;
    s.link.d2h_bytes_per_s = s.link.h2d_bytes_per_s = gbps * 1e9;
    return s;
}

} // namespace

class TestInvariants : public QObject {
    Q_OBJECT
private slots:
    void grid_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("isScenario");
        for (const auto& f : sampleScenarios())
            QTest::newRow(f.c_str()) << QString::fromStdString(f) << true;
        for (const auto& f : sampleNetworks())
            QTest::newRow(f.c_str()) << QString::fromStdString(f) << false;
        QVERIFY2(sampleScenarios().size() >= 5, "the five sample scenarios are missing");
    }

    void grid()
    {
        QFETCH(QString, file);
        QFETCH(bool, isScenario);
        Scenario base;
        if (isScenario) {
            base = loadScenarioFile(file.toStdString());
        } else {
            base = defaultScenarioFor(std::make_shared<const NetworkModel>(loadNetworkFile(file.toStdString())));
            base.batch = 32;
        }
        // The oracle does not depend on the policy, the link or the codec: one run gives its peak.
        const std::uint64_t oraclePeak = simulate(base).summary.oracle_peak_gpu_bytes;
        for (const Setting& g : kSettings) {
            for (OffloadPolicy policy : kPolicies) {
                std::map<CodecId, double> previous;
                for (double gbps : {1.0, 10.0, 100.0, 1000.0}) {
                    for (CodecId codec : allCodecIds()) {
                        const Scenario s = variant(base, g, policy, codec, gbps);
                        // The full result (with its oracle and uncompressed twin) where the
                        // structure is checked; the scenario alone for the monotonicity sweeps.
                        const bool full = codec == CodecId::none || codec == CodecId::zvc || codec == CodecId::dpr;
                        const Result r = full ? simulate(s) : simulateOnly(s);
                        if (full) {
                            const QString problem = structuralProblem(s, r);
                            QVERIFY2(problem.isEmpty(), qPrintable(describe(s) + ": " + problem));
                        }
                        // Offloading never needs more memory than keeping everything, except that
                        // with relaxed sync a buffer an unfinished offload copy still reads stays
                        // allocated until the copy ends (stream-ordered reuse): at most the bytes of
                        // the tensors that never left.
                        const std::uint64_t pinned = s.sync == SyncPolicy::relaxed ? neverLeftBytes(r) : 0;
                        QVERIFY2(r.summary.peak_gpu_bytes <= oraclePeak + pinned,
                                 qPrintable(describe(s) + QString(": peak %1 above the oracle's %2 (+ %3 pinned)")
                                                              .arg(r.summary.peak_gpu_bytes)
                                                              .arg(oraclePeak)
                                                              .arg(pinned)));
                        // More bandwidth never slows the iteration down.
                        const auto before = previous.find(codec);
                        if (before != previous.end())
                            QVERIFY2(r.summary.iteration_s <= before->second * (1 + allowedSlowdown(s.sync)),
                                     qPrintable(describe(s) + QString(": %1 s, slower than %2 s with less bandwidth")
                                                                  .arg(r.summary.iteration_s)
                                                                  .arg(before->second)));
                        previous[codec] = r.summary.iteration_s;
                        // A codec on the DMA engine sends at most the raw bytes (per-block raw
                        // fallback) at no compute-stream cost: never slower than no codec.
                        if (full && g.engine == EngineKind::dma && codec != CodecId::none)
                            QVERIFY2(r.summary.iteration_s <= r.summary.uncompressed_s * (1 + allowedSlowdown(s.sync)),
                                     qPrintable(describe(s) + QString(": %1 s with the codec, %2 s without")
                                                                  .arg(r.summary.iteration_s)
                                                                  .arg(r.summary.uncompressed_s)));
                    }
                }
                // Unlimited link and DRAM bandwidth (every copy reads DRAM) and no latency: the
                // oracle's time, exactly (the policies that keep the oracle's algorithms; vDNN-dyn
                // may fall back to slower ones to fit).
                Scenario fast = variant(base, g, policy, CodecId::none, 1e12);
                fast.link.latency_s = 0;
                fast.gpu.dram_bytes_per_s = 1e21;
                if (g.engine == EngineKind::dma && policy != OffloadPolicy::dyn) {
                    const Result r = simulate(fast);
                    QVERIFY2(std::abs(r.summary.iteration_s - r.summary.oracle_s) <= 1e-9 * r.summary.oracle_s,
                             qPrintable(describe(fast) + QString(": %1 s vs oracle %2 s").arg(r.summary.iteration_s).arg(r.summary.oracle_s)));
                }
            }
        }
    }

    void moreRatioNeverSlower_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto& f : sampleNetworks())
            QTest::newRow(f.c_str()) << QString::fromStdString(f);
    }

    void moreRatioNeverSlower()
    {
        // Every sample's ReLU sparsity grows with training progress (its curves), so the ZVC
        // ratio of every offloaded tensor grows with it.
        QFETCH(QString, file);
        Scenario s = defaultScenarioFor(std::make_shared<const NetworkModel>(loadNetworkFile(file.toStdString())));
        s.batch = 32;
        for (const Setting& g : kSettings) {
            if (g.engine != EngineKind::dma)
                continue;
            for (OffloadPolicy policy : kPolicies) {
                double previous = std::numeric_limits<double>::infinity();
                for (double progress : {0.0, 0.005, 0.01, 0.5, 1.0}) {
                    Scenario v = variant(s, g, policy, CodecId::zvc, 1.0);
                    v.progress = progress;
                    const Result r = simulateOnly(v);
                    QVERIFY2(r.summary.iteration_s <= previous * (1 + allowedSlowdown(v.sync)),
                             qPrintable(describe(v) + QString(" at progress %1: %2 s, slower than %3 s")
                                                          .arg(progress)
                                                          .arg(r.summary.iteration_s)
                                                          .arg(previous)));
                    previous = r.summary.iteration_s;
                }
            }
        }
    }

    void budgetsHoldOrAreReported_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<double>("budgetFraction"); // of the oracle's peak
        for (double f : {1.1, 0.8, 0.6, 0.45, 0.3, 0.05}) {
            QTest::newRow(qPrintable(QString("vgg16 titanx %1").arg(f))) << "vgg16-titanx-pcie3-none.json" << f;
            QTest::newRow(qPrintable(QString("tiny %1").arg(f))) << "tiny-teaching.json" << f;
        }
    }

    void budgetsHoldOrAreReported()
    {
        QFETCH(QString, scenario);
        QFETCH(double, budgetFraction);
        Scenario s = loadScenarioFile(kScenarios + "/" + scenario.toStdString());
        const auto oraclePeak = simulate(s).summary.oracle_peak_gpu_bytes;
        for (SyncPolicy sync : {SyncPolicy::vdnn, SyncPolicy::relaxed}) {
            for (OffloadPolicy policy : {OffloadPolicy::dyn, OffloadPolicy::all}) {
                s.sync = sync;
                s.policy = policy;
                s.memory_budget_bytes = static_cast<std::uint64_t>(budgetFraction * static_cast<double>(oraclePeak));
                const Result r = simulate(s);
                QVERIFY2(structuralProblem(s, r).isEmpty(), qPrintable(describe(s) + ": " + structuralProblem(s, r)));
                if (r.summary.feasible)
                    QVERIFY2(r.summary.peak_gpu_bytes <= *s.memory_budget_bytes, qPrintable(describe(s)));
                else
                    QVERIFY(!r.summary.infeasible_reason.empty());
                if (budgetFraction > 1 && policy == OffloadPolicy::dyn) {
                    // Everything fits: dyn offloads nothing and matches the oracle.
                    QCOMPARE(r.summary.offloaded_layers, 0);
                    QCOMPARE(r.summary.iteration_s, r.summary.oracle_s);
                }
                if (budgetFraction < 0.1)
                    QVERIFY(!r.summary.feasible);
            }
        }
    }

    void dynNeverSlowerThanAllWhenBothFit()
    {
        Scenario s = loadScenarioFile(kScenarios + "/vgg16-titanx-pcie3-none.json");
        s.batch = 256;
        s.policy = OffloadPolicy::all;
        const Result all = simulate(s);
        s.policy = OffloadPolicy::dyn;
        const Result dyn = simulate(s);
        QVERIFY(dyn.summary.feasible);
        QVERIFY(dyn.summary.iteration_s <= all.summary.iteration_s);
        QVERIFY(dyn.summary.peak_gpu_bytes <= s.gpu.memory_bytes);
        // VGG-16 at batch 256 needs ~28 GB without offload (vDNN): it does not fit 12 GB.
        QVERIFY(dyn.summary.oracle_peak_gpu_bytes > s.gpu.memory_bytes);
    }
};

QTEST_GUILESS_MAIN(TestInvariants)
#include "tst_sim_invariants.moc"
