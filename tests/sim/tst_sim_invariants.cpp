// Properties that must hold for every sample scenario and a grid of settings (DOMAIN.md sections
// 1-2): lanes never overlap, prefetches finish before their backward reader, stalls are not
// negative, unlimited bandwidth costs nothing, more bandwidth or ratio never slows an iteration
// down, budgets hold, ReLU inputs stay on the GPU and DAG tensors leave only after their last
// forward reader.
#include "core/network_json.h"
#include "sim/simulator.h"

#include <QDir>
#include <QtTest>

#include <algorithm>
#include <array>

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

// Producer index -> the layer whose backward first needs it (its last forward reader).
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
            const int reader = lastReader(model, e.tensor);
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
    for (std::size_t t = 0; t <= model.size(); ++t)
        if (offloadsOf[t] != prefetchesOf[t] || offloadsOf[t] > 1)
            return QString("tensor %1 offloaded %2 times and prefetched %3 times").arg(int(t) - 1).arg(offloadsOf[t]).arg(prefetchesOf[t]);
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
    if (r.memory.empty() || r.memory.back().bytes != 2 * r.summary.weight_bytes + s.workspace_bytes)
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
        if (p.by_kind[static_cast<std::size_t>(MemoryKind::weights)] != 2 * r.summary.weight_bytes)
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
        for (const Setting& g : kSettings) {
            for (OffloadPolicy policy : {OffloadPolicy::none, OffloadPolicy::all, OffloadPolicy::conv}) {
                double previous = std::numeric_limits<double>::infinity();
                for (double gbps : {1.0, 4.0, 16.0, 64.0, 256.0}) {
                    for (CodecId codec : {CodecId::none, CodecId::zvc, CodecId::dpr}) {
                        const Scenario s = variant(base, g, policy, codec, gbps);
                        const Result r = simulate(s);
                        const QString problem = structuralProblem(s, r);
                        QVERIFY2(problem.isEmpty(), qPrintable(describe(s) + ": " + problem));
                        // DPR halves every copy (ratio exactly 2); with the dma engine that never slows
                        // anything down. (ZVC expands dense tensors slightly, so it may.)
                        if (g.engine == EngineKind::dma && codec == CodecId::dpr)
                            QVERIFY2(r.summary.iteration_s <= r.summary.uncompressed_s * (1 + 1e-12) ||
                                         r.layers.empty(),
                                     qPrintable(describe(s) + ": compression slowed the iteration down"));
                    }
                    // More bandwidth never slows the iteration down.
                    const Result r = simulate(variant(base, g, policy, CodecId::none, gbps));
                    QVERIFY2(r.summary.iteration_s <= previous * (1 + 1e-12),
                             qPrintable(describe(variant(base, g, policy, CodecId::none, gbps)) + ": slower with more bandwidth"));
                    previous = r.summary.iteration_s;
                }
                // Unlimited bandwidth and no latency: the oracle's time, exactly.
                Scenario fast = variant(base, g, policy, CodecId::none, 1e12);
                fast.link.latency_s = 0;
                if (g.engine == EngineKind::dma) {
                    const Result r = simulate(fast);
                    QVERIFY2(std::abs(r.summary.iteration_s - r.summary.oracle_s) <= 1e-9 * r.summary.oracle_s,
                             qPrintable(describe(fast) + QString(": %1 s vs oracle %2 s").arg(r.summary.iteration_s).arg(r.summary.oracle_s)));
                }
            }
        }
    }

    void moreRatioNeverSlower()
    {
        // The tiny network's ReLU sparsity grows with training progress, so the ZVC ratio grows.
        Scenario s = loadScenarioFile(kScenarios + "/tiny-teaching.json");
        for (const Setting& g : kSettings) {
            if (g.engine != EngineKind::dma)
                continue;
            double previous = std::numeric_limits<double>::infinity();
            for (double progress : {0.0, 0.005, 0.01, 0.5, 1.0}) {
                Scenario v = variant(s, g, OffloadPolicy::all, CodecId::zvc, 1.0);
                v.progress = progress;
                const Result r = simulate(v);
                QVERIFY2(r.summary.iteration_s <= previous * (1 + 1e-12), qPrintable(describe(v)));
                previous = r.summary.iteration_s;
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
