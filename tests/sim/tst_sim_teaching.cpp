// Teaching mode: the residency spans agree with the memory curve at any time, captions say what
// the hand-solved chain does at chosen times, the cursor steps land on event boundaries, and the
// bundled lessons load and simulate. The TeachingIndex answers every question exactly as the
// scans do, and its bounded residency lists hold the right tensors with exact sums.
#include "sim_test_support.h"
#include "core/input_error.h"
#include "core/network_json.h"
#include "core/synthetic_network.h"
#include "sim/export/json_export.h"
#include "sim/lesson.h"
#include "sim/simulator.h"
#include "sim/teaching.h"

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>

using namespace offload;
using namespace offload::sim;

namespace {

constexpr double ms = 1e-3;

std::filesystem::path samples() { return OFFLOAD_SAMPLES_DIR; }

Scenario sampleScenario(const std::string& file) { return loadScenarioFile(samples() / "scenarios" / file); }

Scenario withNetwork(Scenario s, const std::string& network)
{
    s.network = std::make_shared<const NetworkModel>(loadNetworkFile(samples() / "networks" / (network + ".json")));
    s.network_ref.clear();
    return s;
}

// The memory point in force at t (the last one at or before it).
const MemoryPoint* pointAt(const std::vector<MemoryPoint>& memory, double t)
{
    auto it = std::upper_bound(memory.begin(), memory.end(), t,
                               [](double time, const MemoryPoint& p) { return time < p.time_s; });
    return it == memory.begin() ? nullptr : &*(it - 1);
}

// Cursor times that exercise every change: each memory point, just before it, and midway to
// the next, plus every event boundary (thinned to at most about `limit` times).
std::vector<double> cursorTimes(const Result& r, std::size_t limit)
{
    std::set<double> times;
    for (std::size_t k = 0; k < r.memory.size(); ++k) {
        const double t = r.memory[k].time_s;
        times.insert(t);
        if (k + 1 < r.memory.size())
            times.insert(t + (r.memory[k + 1].time_s - t) / 2);
        if (t > 0)
            times.insert(std::nextafter(t, 0.0));
    }
    for (const Event& e : r.events) {
        times.insert(e.start_s);
        times.insert(e.end_s);
    }
    std::vector<double> all(times.begin(), times.end());
    if (all.size() <= limit)
        return all;
    std::vector<double> some;
    const std::size_t stride = all.size() / limit + 1;
    for (std::size_t k = 0; k < all.size(); k += stride)
        some.push_back(all[k]);
    return some;
}

Scenario handChain()
{
    // The chain of tst_sim_engine_hand.cpp: X0 1 MB, A -> X1 2 MB, B -> X2 1 MB, C -> 0.5 MB on a
    // 1 GB/s link, vDNN-all, vDNN sync and prefetch. Solved there:
    //  fwd A [0,1] with offload X0 [0,1]; fwd B [1,2] with offload X1 [1,3], forward stall [2,3];
    //  fwd C [3,6] with offload X2 [3,4]; backward stall of C [6,7] while X2 is fetched [6,7];
    //  bwd C [7,8] with prefetch X1 [7,9]; backward stall of B [8,9]; bwd B [9,11] with
    //  prefetch X0 [9,10]; bwd A [11,13].
    nlohmann::json layers = nlohmann::json::array({test::genericLayer("A", 500'000, 1e-3, 2e-3),
                                                   test::genericLayer("B", 250'000, 1e-3, 2e-3),
                                                   test::genericLayer("C", 125'000, 3e-3, 1e-3)});
    return test::roundScenario(test::networkFrom(layers, 250'000));
}

void writeFile(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path);
    out << text;
}


// A generated residual network of `blocks` blocks (5 layers each) under `policy`.
Scenario generatedScenario(int blocks, OffloadPolicy policy)
{
    Scenario s = defaultScenarioFor(std::make_shared<const NetworkModel>(syntheticResidualNetwork(blocks), "generated"));
    s.policy = policy;
    s.codec = CodecId::zvc;
    return s;
}

// Times that catch every off-by-one of an index: each event boundary, the doubles either side
// of it, the middle of each event, and times before and after the iteration (thinned to about
// `limit` boundaries).
std::vector<double> probeTimes(const Result& r, std::size_t limit)
{
    std::set<double> bounds;
    for (const Event& e : r.events) {
        bounds.insert(e.start_s);
        bounds.insert(e.end_s);
    }
    for (const TensorSpan& s : r.residency) {
        bounds.insert(s.start_s);
        bounds.insert(s.end_s);
    }
    std::vector<double> all(bounds.begin(), bounds.end());
    const std::size_t stride = all.size() / limit + 1;
    std::vector<double> times{-1.0, 0.0, r.summary.iteration_s, r.summary.iteration_s * 2};
    for (std::size_t k = 0; k < all.size(); k += stride) {
        times.push_back(all[k]);
        times.push_back(std::nextafter(all[k], -1.0));
        times.push_back(std::nextafter(all[k], std::numeric_limits<double>::infinity()));
        if (k + 1 < all.size())
            times.push_back((all[k] + all[k + 1]) / 2);
    }
    return times;
}

bool sameEvent(const Event& a, const Event& b)
{
    return a.start_s == b.start_s && a.end_s == b.end_s && a.layer == b.layer && a.tensor == b.tensor && a.lane == b.lane
           && a.kind == b.kind && a.raw_bytes == b.raw_bytes && a.wire_bytes == b.wire_bytes;
}

bool sameTensor(const ResidentTensor& a, const ResidentTensor& b)
{
    return a.tensor == b.tensor && a.place == b.place && a.bytes == b.bytes && a.since_s == b.since_s
           && a.until_s == b.until_s;
}

bool sameStep(const std::optional<ComputeStep>& a, const std::optional<ComputeStep>& b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a || (a->layer == b->layer && a->forward == b->forward && a->start_s == b->start_s && a->end_s == b->end_s);
}

template <class T, class Same>
bool sameList(const std::vector<T>& a, const std::vector<T>& b, Same same)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same);
}

// What residencySummaryAt must list for a place, from the scan: the `limit` tensors nearest
// `near` (the lower first at equal distance), by tensor.
std::vector<ResidentTensor> nearestOf(const Residency& all, TensorPlace place, int near, std::size_t limit)
{
    std::vector<ResidentTensor> in;
    for (const ResidentTensor& t : all.tensors)
        if (t.place == place)
            in.push_back(t);
    std::stable_sort(in.begin(), in.end(), [&](const ResidentTensor& a, const ResidentTensor& b) {
        const long da = std::abs(static_cast<long>(a.tensor) - near), db = std::abs(static_cast<long>(b.tensor) - near);
        return da != db ? da < db : a.tensor < b.tensor;
    });
    if (in.size() > limit)
        in.resize(limit);
    std::stable_sort(in.begin(), in.end(), [](const ResidentTensor& a, const ResidentTensor& b) { return a.tensor < b.tensor; });
    return in;
}

} // namespace

Q_DECLARE_METATYPE(offload::sim::Scenario)

class TestSimTeaching : public QObject {
    Q_OBJECT
private slots:
    void residencyMatchesMemory_data()
    {
        QTest::addColumn<Scenario>("scenario");
        const Scenario vggNone = sampleScenario("vgg16-titanx-pcie3-none.json");
        const Scenario vggZvc = sampleScenario("vgg16-titanx-pcie3-zvc.json");
        Scenario noOffload = vggNone;
        noOffload.policy = OffloadPolicy::none;
        noOffload.memory_budget_bytes = std::uint64_t{1} << 40;
        QTest::newRow("vgg16, no offload") << noOffload;
        QTest::newRow("vgg16, vDNN-all, ZVC") << vggZvc;
        Scenario conv = vggNone;
        conv.policy = OffloadPolicy::conv;
        QTest::newRow("vgg16, vDNN-conv") << conv;
        Scenario jpeg = vggZvc;
        jpeg.codec = CodecId::jpeg_act;
        QTest::newRow("vgg16, vDNN-all, JPEG-ACT") << jpeg;
        QTest::newRow("resnet50, vDNN-all, ZVC") << withNetwork(vggZvc, "resnet50");
        Scenario googlenet = withNetwork(vggNone, "googlenet");
        googlenet.policy = OffloadPolicy::conv;
        QTest::newRow("googlenet, vDNN-conv") << googlenet;
        Scenario bert = withNetwork(vggZvc, "bert-base");
        bert.batch = 32;
        QTest::newRow("bert-base, vDNN-all, ZVC") << bert;
        // vDNN-dyn under a budget that needs offloading and slower algorithms.
        Scenario dyn = vggNone;
        dyn.policy = OffloadPolicy::dyn;
        dyn.batch = 256;
        QTest::newRow("vgg16 b256, vDNN-dyn, 12 GB") << dyn;
        // A tight budget with relaxed sync and eager prefetch: allocations wait for releases,
        // and tensors whose offload has not ended when they are needed never leave.
        Scenario relaxed = vggNone;
        relaxed.sync = SyncPolicy::relaxed;
        relaxed.prefetch = PrefetchPolicy::eager;
        relaxed.eager_depth = 4;
        relaxed.memory_budget_bytes = std::uint64_t{5} << 30;
        QTest::newRow("vgg16, relaxed sync, eager, 5 GiB") << relaxed;
        // Compression kernels on the compute stream (sm engine), half-duplex link.
        Scenario sm = sampleScenario("tiny-teaching.json");
        sm.engine = EngineKind::sm;
        sm.engine_bytes_per_s = 50e9;
        sm.link.full_duplex = false;
        QTest::newRow("tiny, sm engine, half duplex") << sm;
    }

    void residencyMatchesMemory()
    {
        QFETCH(Scenario, scenario);
        const Result r = simulate(scenario);
        QVERIFY(!r.memory.empty());
        QVERIFY(!r.residency.empty());
        for (const TensorSpan& s : r.residency) {
            QVERIFY(s.end_s > s.start_s);
            QVERIFY(s.bytes > 0);
            QVERIFY(s.tensor >= -1 && s.tensor < static_cast<int>(r.layers.size()));
        }
        // A tensor is in one place at a time: its spans do not overlap.
        std::map<int, std::vector<const TensorSpan*>> byTensor;
        for (const TensorSpan& s : r.residency)
            byTensor[s.tensor].push_back(&s);
        for (auto& [tensor, spans] : byTensor) {
            std::sort(spans.begin(), spans.end(), [](auto* a, auto* b) { return a->start_s < b->start_s; });
            for (std::size_t k = 1; k < spans.size(); ++k)
                QVERIFY2(spans[k]->start_s >= spans[k - 1]->end_s, qPrintable(QString::number(tensor)));
        }
        // Every tensor moved to the host has a host span.
        for (std::size_t i = 0; i < r.layers.size(); ++i) {
            if (!r.layers[i].offloaded || r.layers[i].output_bytes == 0)
                continue;
            const auto& spans = byTensor[static_cast<int>(i)];
            QVERIFY(std::any_of(spans.begin(), spans.end(), [](auto* s) { return s->place == TensorPlace::offloading; }));
        }
        // The memory curve's activations and in-flight buffers, at every cursor time.
        for (double t : cursorTimes(r, 3000)) {
            const MemoryPoint* p = pointAt(r.memory, t);
            QVERIFY(p);
            const Residency here = residentAt(r, t);
            const auto activations = p->by_kind[static_cast<std::size_t>(MemoryKind::activations)];
            const auto inFlight = p->by_kind[static_cast<std::size_t>(MemoryKind::in_flight)];
            if (here.gpu_bytes != activations || here.in_flight_bytes != inFlight)
                QFAIL(qPrintable(QString("at t = %1 s: spans %2 + %3 bytes, memory %4 + %5 bytes")
                                     .arg(t, 0, 'g', 17)
                                     .arg(here.gpu_bytes)
                                     .arg(here.in_flight_bytes)
                                     .arg(activations)
                                     .arg(inFlight)));
            std::uint64_t sum = 0;
            for (const ResidentTensor& rt : here.tensors)
                sum += rt.bytes;
            QCOMPARE(sum, here.gpu_bytes + here.in_flight_bytes + here.host_bytes);
        }
    }

    void residencyOfHandChain_data()
    {
        QTest::addColumn<double>("t");
        QTest::addColumn<QString>("places"); // tensor:place, by place then tensor
        // X0 is the network input (-1), X1 A's output (0), X2 B's output (1), C's output (2).
        // Each tensor is freed after its last backward reader: X2 after C's, X1 after B's.
        QTest::newRow("fwd A") << 0.5 * ms << "0:gpu -1:offloading";
        QTest::newRow("B's forward stall") << 2.5 * ms << "1:gpu 0:offloading -1:host";
        QTest::newRow("fwd C, X2 offloading") << 3.5 * ms << "2:gpu 1:offloading -1:host 0:host";
        QTest::newRow("fwd C, X2 copied, C still reads it") << 5 * ms << "2:gpu 1:offloading -1:host 0:host";
        QTest::newRow("X2 fetched on demand, X1's buffer waits for the link") << 6.5 * ms
                                                                            << "2:gpu -1:host 0:prefetching 1:prefetching";
        QTest::newRow("bwd C, X1 prefetching") << 7.5 * ms << "1:gpu 2:gpu -1:host 0:prefetching";
        QTest::newRow("bwd B, X0 prefetching") << 9.5 * ms << "0:gpu -1:prefetching";
        QTest::newRow("bwd A") << 12 * ms << "-1:gpu";
    }

    void residencyOfHandChain()
    {
        QFETCH(double, t);
        QFETCH(QString, places);
        const Result r = simulate(handChain());
        QStringList got;
        for (const ResidentTensor& rt : residentAt(r, t).tensors)
            got << QString("%1:%2").arg(rt.tensor).arg(QString::fromStdString(std::string(tensorPlaceName(rt.place))));
        QCOMPARE(got.join(' '), places);
    }

    void captions_data()
    {
        QTest::addColumn<double>("t");
        QTest::addColumn<QStringList>("captions");
        QTest::newRow("fwd A") << 0.5 * ms
                               << QStringList{"A computes its forward pass",
                                              "The offload of the network input (976.6 KiB) to the host overlaps "
                                              "A's forward pass"};
        QTest::newRow("fwd B") << 1.5 * ms
                               << QStringList{"B computes its forward pass",
                                              "The offload of A's output (1.9 MiB) to the host overlaps B's forward "
                                              "pass"};
        QTest::newRow("B's forward stall")
            << 2.5 * ms
            << QStringList{"Forward stall: the offload of A's output (1.9 MiB) takes longer than the compute it "
                           "overlaps; the next layer cannot start until it ends"};
        QTest::newRow("fwd C after its copy") << 5 * ms << QStringList{"C computes its forward pass"};
        QTest::newRow("C's backward stall")
            << 6.5 * ms
            << QStringList{"Backward stall: C's backward pass cannot start until the prefetch of B's output "
                           "(976.6 KiB) ends"};
        QTest::newRow("bwd C") << 7.5 * ms
                               << QStringList{"C computes its backward pass",
                                              "The prefetch of A's output (1.9 MiB) back to the GPU overlaps C's "
                                              "backward pass"};
        QTest::newRow("B's backward stall")
            << 8.5 * ms
            << QStringList{"Backward stall: B's backward pass cannot start until the prefetch of A's output "
                           "(1.9 MiB) ends"};
        QTest::newRow("bwd A") << 12 * ms << QStringList{"A computes its backward pass"};
        QTest::newRow("after the iteration") << 14 * ms << QStringList{};
    }

    void captions()
    {
        QFETCH(double, t);
        QFETCH(QStringList, captions);
        const Scenario s = handChain();
        const Result r = simulate(s);
        QStringList got;
        for (const Caption& c : captionsAt(s.network->network(), r, t))
            got << QString::fromStdString(c.text);
        QCOMPARE(got, captions);
    }

    void captionKindsAndSubjects()
    {
        const Scenario s = handChain();
        const Result r = simulate(s);
        const auto stall = captionsAt(s.network->network(), r, 2.5 * ms);
        QCOMPARE(stall.size(), std::size_t{1});
        QCOMPARE(stall[0].kind, CaptionKind::forward_stall);
        QCOMPARE(stall[0].layer, 1); // B waits after its forward pass
        QCOMPARE(stall[0].tensor, 0); // for A's output
        const auto overlap = captionsAt(s.network->network(), r, 9.5 * ms);
        QCOMPARE(overlap.size(), std::size_t{2});
        QCOMPARE(overlap[0].kind, CaptionKind::compute);
        QCOMPARE(overlap[0].layer, 1);
        QCOMPARE(overlap[1].kind, CaptionKind::prefetch);
        QCOMPARE(overlap[1].tensor, -1);
    }

    void codecCaptions()
    {
        // The sm engine compresses on the compute stream before each offload and decompresses
        // after each prefetch: a caption names the tensor and the layer that waits.
        Scenario s = sampleScenario("tiny-teaching.json");
        s.engine = EngineKind::sm;
        s.engine_bytes_per_s = 20e9;
        const Result r = simulate(s);
        const Network& net = s.network->network();
        int compress = 0, decompress = 0;
        for (const Event& e : r.events) {
            if (e.lane != Lane::codec)
                continue;
            const auto captions = captionsAt(net, r, (e.start_s + e.end_s) / 2);
            QVERIFY(!captions.empty());
            const Caption& c = captions.front();
            QCOMPARE(c.tensor, e.tensor);
            QCOMPARE(c.layer, e.layer);
            const std::string tensor = tensorLabel(net, e.tensor);
            QVERIFY2(c.text.find(tensor) != std::string::npos, c.text.c_str());
            // A copy in flight meanwhile overlaps the kernels, not a layer's pass.
            const std::string kernels = e.kind == EventKind::compress ? "the compression kernels"
                                                                       : "the decompression kernels";
            for (std::size_t k = 1; k < captions.size(); ++k)
                QVERIFY2(captions[k].text.ends_with("overlaps " + kernels), captions[k].text.c_str());
            if (e.kind == EventKind::compress) {
                QCOMPARE(c.kind, CaptionKind::compress);
                QVERIFY(c.text.rfind("Compressing " + tensor, 0) == 0);
                ++compress;
            } else {
                QCOMPARE(c.kind, CaptionKind::decompress);
                QVERIFY(c.text.rfind("Decompressing " + tensor, 0) == 0);
                ++decompress;
            }
        }
        QVERIFY(compress > 0);
        QCOMPARE(decompress, compress);
    }

    void stallCaptionsNameTheWaitingLayer()
    {
        // On VGG-16 over PCIe gen3 every stall's caption says forward or backward as the
        // engine's per-layer stall totals do, and names the stalled layer.
        Scenario s = sampleScenario("vgg16-titanx-pcie3-none.json");
        const Result r = simulate(s);
        const Network& net = s.network->network();
        int stalls = 0;
        for (const Event& e : r.events) {
            if (e.kind != EventKind::stall)
                continue;
            const auto captions = captionsAt(net, r, (e.start_s + e.end_s) / 2);
            QVERIFY(!captions.empty());
            const Caption& c = captions.front();
            const LayerResult& L = r.layers[static_cast<std::size_t>(e.layer)];
            if (c.kind == CaptionKind::forward_stall) {
                QVERIFY(L.forward_stall_s > 0);
            } else {
                QCOMPARE(c.kind, CaptionKind::backward_stall);
                QVERIFY(L.backward_stall_s > 0);
                QVERIFY2(c.text.find(net.layers[static_cast<std::size_t>(e.layer)].name + "'s backward pass") !=
                             std::string::npos,
                         c.text.c_str());
            }
            ++stalls;
        }
        QVERIFY(stalls > 0);
    }

    void steppingLandsOnBoundaries()
    {
        const Result r = simulate(sampleScenario("tiny-teaching.json"));
        std::set<double> boundaries;
        for (const Event& e : r.events) {
            boundaries.insert(e.start_s);
            boundaries.insert(e.end_s);
        }
        // Forward from before the start visits every boundary in order, then stops.
        std::vector<double> visited;
        std::optional<double> t = -1.0;
        while ((t = nextEventBoundary(r, *t)))
            visited.push_back(*t);
        QCOMPARE(visited, std::vector<double>(boundaries.begin(), boundaries.end()));
        // Backward from after the end, the same in reverse.
        std::vector<double> back;
        t = *boundaries.rbegin() + 1;
        while ((t = previousEventBoundary(r, *t)))
            back.push_back(*t);
        QCOMPARE(back, std::vector<double>(boundaries.rbegin(), boundaries.rend()));
        // From inside an event, the next boundary is the nearest one after it.
        const Event& e = r.events[r.events.size() / 2];
        const double mid = (e.start_s + e.end_s) / 2;
        QCOMPARE(*nextEventBoundary(r, mid), *boundaries.upper_bound(mid));
        QCOMPARE(*previousEventBoundary(r, mid), *std::prev(boundaries.lower_bound(mid)));
    }

    void steppingByLayer()
    {
        const Result r = simulate(handChain());
        // Forward A, B, C, then backward C, B, A, each at its pass's start.
        const std::vector<std::pair<int, bool>> expected{{0, true}, {1, true}, {2, true},
                                                         {2, false}, {1, false}, {0, false}};
        const std::vector<double> starts{0, 1 * ms, 3 * ms, 7 * ms, 9 * ms, 11 * ms};
        std::optional<ComputeStep> step = ComputeStep{-1, true, -1, -1};
        for (std::size_t k = 0; k < expected.size(); ++k) {
            step = nextComputeStep(r, step->start_s);
            QVERIFY(step);
            QCOMPARE(step->layer, expected[k].first);
            QCOMPARE(step->forward, expected[k].second);
            QVERIFY(qAbs(step->start_s - starts[k]) < 1e-12);
        }
        QVERIFY(!nextComputeStep(r, step->start_s));
        for (std::size_t k = expected.size() - 1; k-- > 0;) {
            step = previousComputeStep(r, step->start_s);
            QVERIFY(step);
            QCOMPARE(step->layer, expected[k].first);
            QCOMPARE(step->forward, expected[k].second);
        }
        QVERIFY(!previousComputeStep(r, step->start_s));
        // What runs: B's forward at 1.5 ms, nothing during its stall, C's backward at 7.5 ms.
        QCOMPARE(computeAt(r, 1.5 * ms)->layer, 1);
        QVERIFY(!computeAt(r, 2.5 * ms));
        QCOMPARE(computeAt(r, 7.5 * ms)->forward, false);
        const auto now = eventsAt(r, 7.5 * ms);
        QCOMPARE(now.size(), std::size_t{2});
        QCOMPARE(now[0].lane, Lane::compute);
        QCOMPARE(now[1].kind, EventKind::prefetch);
    }

    // The index answers every question as the scans do, at every probed time, in the same order:
    // samples with each policy, engine and sync, the hand-solved chain and a generated network
    // of a few thousand layers.
    void indexAnswersAsTheScans_data()
    {
        QTest::addColumn<Scenario>("scenario");
        const Scenario vggNone = sampleScenario("vgg16-titanx-pcie3-none.json");
        QTest::newRow("hand chain") << handChain();
        QTest::newRow("vgg16, vDNN-all, ZVC") << sampleScenario("vgg16-titanx-pcie3-zvc.json");
        Scenario noOffload = vggNone;
        noOffload.policy = OffloadPolicy::none;
        noOffload.memory_budget_bytes = std::uint64_t{1} << 40;
        QTest::newRow("vgg16, no offload") << noOffload;
        Scenario relaxed = vggNone;
        relaxed.sync = SyncPolicy::relaxed;
        relaxed.prefetch = PrefetchPolicy::eager;
        relaxed.eager_depth = 4;
        relaxed.memory_budget_bytes = std::uint64_t{5} << 30;
        QTest::newRow("vgg16, relaxed sync, eager, 5 GiB") << relaxed;
        Scenario sm = sampleScenario("tiny-teaching.json");
        sm.engine = EngineKind::sm;
        sm.engine_bytes_per_s = 50e9;
        sm.link.full_duplex = false;
        QTest::newRow("tiny, sm engine, half duplex") << sm;
        QTest::newRow("googlenet, vDNN-conv") << [&] {
            Scenario g = withNetwork(vggNone, "googlenet");
            g.policy = OffloadPolicy::conv;
            return g;
        }();
        QTest::newRow("generated 3000 layers, vDNN-all") << generatedScenario(600, OffloadPolicy::all);
        QTest::newRow("generated 3000 layers, vDNN-conv") << generatedScenario(600, OffloadPolicy::conv);
    }

    void indexAnswersAsTheScans()
    {
        QFETCH(Scenario, scenario);
        const Result r = simulate(scenario);
        const Network& net = scenario.network->network();
        const TeachingIndex index(r);
        QVERIFY(!r.events.empty());
        QCOMPARE(&index.result(), &r);
        int withTensors = 0, withEvents = 0;
        for (double t : probeTimes(r, 1500)) {
            const QByteArray at = QByteArray("at t = ") + QByteArray::number(t, 'g', 17);
            const Residency scan = residentAt(r, t);
            const Residency indexed = index.residentAt(t);
            QVERIFY2(sameList(indexed.tensors, scan.tensors, sameTensor), at);
            QVERIFY2(indexed.gpu_bytes == scan.gpu_bytes && indexed.in_flight_bytes == scan.in_flight_bytes
                         && indexed.host_bytes == scan.host_bytes,
                     at);
            const std::vector<Event> events = eventsAt(r, t);
            QVERIFY2(sameList(index.eventsAt(t), events, sameEvent), at);
            QVERIFY2(sameStep(index.computeAt(t), computeAt(r, t)), at);
            QVERIFY2(index.nextEventBoundary(t) == nextEventBoundary(r, t), at);
            QVERIFY2(index.previousEventBoundary(t) == previousEventBoundary(r, t), at);
            QVERIFY2(sameStep(index.nextComputeStep(t), nextComputeStep(r, t)), at);
            QVERIFY2(sameStep(index.previousComputeStep(t), previousComputeStep(r, t)), at);
            const auto captions = captionsAt(net, r, t);
            QVERIFY2(sameList(index.captionsAt(net, t), captions,
                              [](const Caption& a, const Caption& b) {
                                  return a.kind == b.kind && a.text == b.text && a.layer == b.layer && a.tensor == b.tensor;
                              }),
                     at);
            withTensors += scan.tensors.empty() ? 0 : 1;
            withEvents += events.empty() ? 0 : 1;
        }
        QVERIFY(withTensors > 100 || r.layers.size() < 50);
        QVERIFY(withEvents > 100 || r.layers.size() < 50);
        // The index's cursor stops walk the same boundaries both ways.
        std::optional<double> t = 0.0;
        int stops = 0;
        while (t && stops < 200) {
            const auto next = index.nextEventBoundary(*t);
            QCOMPARE(next, nextEventBoundary(r, *t));
            t = next;
            ++stops;
        }
    }

    // Results no engine writes, to pin the orders down: passes and copies that start together
    // (ties keep Result order), overlapping passes, a zero-length and a reversed event, and a
    // tensor with two spans in one place at once.
    void indexAnswersAsTheScansOnOddResults()
    {
        Result r;
        auto event = [&](double start, double end, Lane lane, EventKind kind, int layer, int tensor) {
            Event e;
            e.start_s = start;
            e.end_s = end;
            e.lane = lane;
            e.kind = kind;
            e.layer = layer;
            e.tensor = tensor;
            e.raw_bytes = 1000 + r.events.size();
            r.events.push_back(e);
        };
        event(0, 2, Lane::compute, EventKind::forward, 0, -2);
        event(0, 3, Lane::compute, EventKind::forward, 1, -2);
        event(1, 4, Lane::d2h, EventKind::offload, 0, -1);
        event(1, 2, Lane::d2h, EventKind::offload, 1, 0);
        event(2, 2, Lane::h2d, EventKind::prefetch, 1, 0); // zero length
        event(5, 3, Lane::h2d, EventKind::prefetch, 1, 1); // reversed
        event(3, 5, Lane::compute, EventKind::stall, 1, -2);
        event(5, 6, Lane::compute, EventKind::backward, 1, -2);
        event(5, 6, Lane::compute, EventKind::backward, 0, -2);
        event(6, 7, Lane::codec, EventKind::decompress, 0, 0);
        auto span = [&](double start, double end, int tensor, TensorPlace place) {
            r.residency.push_back(TensorSpan{start, end, 100 + r.residency.size(), tensor, place});
        };
        span(0, 3, 0, TensorPlace::gpu);
        span(1, 4, 0, TensorPlace::gpu);
        span(0, 7, -1, TensorPlace::host);
        span(2, 5, 1, TensorPlace::offloading);
        span(4, 4, 1, TensorPlace::host); // zero length
        r.summary.iteration_s = 7;
        Network net;
        net.layers.resize(2);
        net.layers[0].name = "first";
        net.layers[1].name = "second";
        const TeachingIndex index(r);
        for (double t : {-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 8.0}) {
            const QByteArray at = QByteArray("at t = ") + QByteArray::number(t);
            QVERIFY2(sameList(index.residentAt(t).tensors, residentAt(r, t).tensors, sameTensor), at);
            QVERIFY2(sameList(index.eventsAt(t), eventsAt(r, t), sameEvent), at);
            QVERIFY2(sameStep(index.computeAt(t), computeAt(r, t)), at);
            QVERIFY2(index.nextEventBoundary(t) == nextEventBoundary(r, t), at);
            QVERIFY2(index.previousEventBoundary(t) == previousEventBoundary(r, t), at);
            QVERIFY2(sameStep(index.nextComputeStep(t), nextComputeStep(r, t)), at);
            QVERIFY2(sameStep(index.previousComputeStep(t), previousComputeStep(r, t)), at);
            const auto captions = captionsAt(net, r, t);
            const auto indexed = index.captionsAt(net, t);
            QVERIFY2(indexed.size() == captions.size(), at);
            for (std::size_t k = 0; k < captions.size(); ++k)
                QVERIFY2(indexed[k].text == captions[k].text && indexed[k].kind == captions[k].kind, at);
        }
        QCOMPARE(computeAt(r, 1.0)->layer, 0);          // the first pass in Result order
        QCOMPARE(previousComputeStep(r, 5.5)->layer, 1); // likewise at equal starts
        QCOMPARE(index.residentAt(1.5).tensors.size(), std::size_t{3});
        QCOMPARE(index.residentAt(1.5).tensors[0].since_s, 0.0); // tensor 0's two spans, in Result order
    }

    // Random intervals of every length (long ones over most of the range, empty and reversed
    // ones) against a scan, at random times and at every bound; the tree stays shallow.
    void intervalIndexFindsEveryCoveringInterval()
    {
        std::mt19937 random(7);
        std::uniform_real_distribution<double> at(0, 100), length(0, 60);
        std::vector<double> starts, ends;
        for (int i = 0; i < 2000; ++i) {
            const double start = std::round(at(random)); // many equal bounds
            starts.push_back(start);
            ends.push_back(i % 50 == 0 ? start - 1 : (i % 70 == 0 ? start : start + std::round(length(random))));
        }
        const IntervalIndex index(starts, ends);
        QVERIFY(index.depth() <= 12); // log2(2000) + 1
        std::vector<double> times(starts.begin(), starts.end());
        times.insert(times.end(), ends.begin(), ends.end());
        for (int k = 0; k < 500; ++k)
            times.push_back(at(random) * 1.2 - 10);
        for (double t : times) {
            std::vector<std::uint32_t> found, expected;
            index.forEachCovering(t, [&](std::uint32_t i) { found.push_back(i); });
            for (std::uint32_t i = 0; i < starts.size(); ++i)
                if (starts[i] <= t && t < ends[i])
                    expected.push_back(i);
            std::sort(found.begin(), found.end());
            QCOMPARE(found, expected);
        }
        std::vector<std::uint32_t> none;
        IntervalIndex().forEachCovering(1.0, [&](std::uint32_t i) { none.push_back(i); });
        QVERIFY(none.empty());
    }

    // The bounded residency of a generated network: exact counts and bytes per place (the
    // scan's, so the memory curve's), and the tensors listed are the `limit` nearest the asked
    // layer; with a limit above the count, every tensor of the place.
    void boundedResidencyListsTheNearestWithExactSums()
    {
        const Scenario scenario = generatedScenario(600, OffloadPolicy::conv);
        const Result r = simulate(scenario);
        const TeachingIndex index(r);
        constexpr std::size_t limit = 6;
        int truncated = 0;
        for (double t : probeTimes(r, 400)) {
            const Residency all = residentAt(r, t);
            const int near = index.computeAt(t) ? index.computeAt(t)->layer : 1234;
            const ResidencySummary few = index.residencySummaryAt(t, near, limit);
            const ResidencySummary every = index.residencySummaryAt(t, near, all.tensors.size() + 1);
            QCOMPARE(few.gpu_bytes, all.gpu_bytes);
            QCOMPARE(few.in_flight_bytes, all.in_flight_bytes);
            QCOMPARE(few.host_bytes, all.host_bytes);
            for (TensorPlace place : {TensorPlace::gpu, TensorPlace::offloading, TensorPlace::host, TensorPlace::prefetching}) {
                const std::vector<ResidentTensor> inPlace = nearestOf(all, place, near, all.tensors.size());
                std::uint64_t bytes = 0;
                for (const ResidentTensor& rt : inPlace)
                    bytes += rt.bytes;
                QCOMPARE(few.of(place).count, inPlace.size());
                QCOMPARE(few.of(place).bytes, bytes);
                QVERIFY(sameList(few.of(place).listed, nearestOf(all, place, near, limit), sameTensor));
                QVERIFY(few.of(place).listed.size() <= limit);
                QVERIFY(sameList(every.of(place).listed, inPlace, sameTensor));
                truncated += few.of(place).count > limit ? 1 : 0;
            }
        }
        QVERIFY(truncated > 100); // thousands of tensors resident: the lists were cut
        // Asked about a tensor outside the network: the nearest end's.
        const double mid = r.summary.iteration_s / 2;
        QVERIFY(sameList(index.residencySummaryAt(mid, -5, limit).of(TensorPlace::host).listed,
                         nearestOf(residentAt(r, mid), TensorPlace::host, -5, limit), sameTensor));
        QVERIFY(sameList(index.residencySummaryAt(mid, 1 << 30, limit).of(TensorPlace::gpu).listed,
                         nearestOf(residentAt(r, mid), TensorPlace::gpu, 1 << 30, limit), sameTensor));
    }

    void residencyInJsonExport()
    {
        const Scenario s = handChain();
        const Result r = simulate(s);
        const nlohmann::json j = resultToJson(s, r);
        QCOMPARE(j["residency_columns"], nlohmann::json({"tensor", "place", "start_s", "end_s", "bytes"}));
        QCOMPARE(j["residency"].size(), r.residency.size());
        // A's output (2 MB): offloaded while B computes, from 1 ms until B's forward stall ends at 3 ms.
        bool found = false;
        for (const auto& row : j["residency"])
            if (row[0] == 0 && row[1] == "offloading") {
                QVERIFY(qAbs(row[2].get<double>() - 1 * ms) < 1e-12);
                QVERIFY(qAbs(row[3].get<double>() - 3 * ms) < 1e-12);
                QCOMPARE(row[4].get<std::uint64_t>(), std::uint64_t{2'000'000});
                found = true;
            }
        QVERIFY(found);
    }

    void bundledLessonsLoadAndSimulate()
    {
        const auto files = lessonFiles(samples() / "lessons");
        QVERIFY(files.size() >= 7);
        for (const auto& file : files) {
            const Lesson lesson = loadLessonFile(file);
            QVERIFY(!lesson.title.empty());
            QVERIFY(!lesson.text.empty());
            QVERIFY(lesson.choices.size() >= 2);
            for (std::size_t k = 0; k < lesson.choices.size(); ++k) {
                const Scenario s = lessonScenario(lesson, k);
                const Result r = simulateOnly(s);
                QVERIFY2(r.summary.iteration_s > 0, qPrintable(QString::fromStdString(file.string())));
                QVERIFY(!r.residency.empty());
            }
        }
    }

    void lessonChoicesSetTheControl()
    {
        const Lesson lesson = loadLessonFile(samples() / "lessons" / "01-no-offload-vs-vdnn-all.json");
        QCOMPARE(lesson.control, LessonControl::policy);
        QCOMPARE(lesson.choices.size(), std::size_t{2});
        QCOMPARE(lessonScenario(lesson, 0).policy, OffloadPolicy::none);
        QCOMPARE(lessonScenario(lesson, 1).policy, OffloadPolicy::all);
        for (const auto& [name, control] : {std::pair{"link_preset", LessonControl::link_preset},
                                            std::pair{"codec", LessonControl::codec},
                                            std::pair{"progress", LessonControl::progress}}) {
            QCOMPARE(parseLessonControl(name), std::optional<LessonControl>(control));
            QCOMPARE(lessonControlName(control), std::string_view(name));
        }
    }

    void badLessonNamesFileAndPlace_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("place");
        const QString head = R"({"format": "offload-studio/lesson", "version": 1, "title": "T", "text": "P", )";
        const QString scenario = R"("scenario": "SCENARIO", )";
        QTest::newRow("unknown control") << head + scenario + R"("control": "colour", "compare": ["a", "b"]})"
                                         << "/control";
        QTest::newRow("bad policy") << head + scenario + R"("control": "policy", "compare": ["none", "most"]})"
                                    << "/compare/1";
        QTest::newRow("bad value in an object")
            << head + scenario + R"("control": "link_preset", "compare": [{"value": "pcie3-x16"}, {"value": "usb"}]})"
            << "/compare/1/value";
        QTest::newRow("one value") << head + scenario + R"("control": "codec", "compare": ["zvc"]})" << "/compare";
        QTest::newRow("progress out of range")
            << head + scenario + R"("control": "progress", "compare": [0.1, 1.5]})" << "/compare/1";
        QTest::newRow("unknown key") << head + scenario + R"("control": "codec", "compare": ["zvc", "rle"], "x": 1})"
                                     << "/x";
        QTest::newRow("bad set") << head + scenario +
                                        R"("set": {"codec": "lzma"}, "control": "policy", "compare": ["none", "all"]})"
                                 << "/set/codec";
        QTest::newRow("missing scenario file")
            << head + R"("scenario": "nowhere.json", "control": "codec", "compare": ["zvc", "rle"]})" << "/scenario";
        QTest::newRow("bad embedded scenario")
            << head + R"("scenario": {"format": "offload-studio/scenario", "version": 1, "network": "NETWORK", )"
                      R"("gpu": "titan-x-maxwell", "link": "pcie3-x16", "batch": 0}, )"
                      R"("control": "codec", "compare": ["zvc", "rle"]})"
            << "/scenario/batch";
    }

    void badLessonNamesFileAndPlace()
    {
        QFETCH(QString, text);
        QFETCH(QString, place);
        QTemporaryDir dir;
        const std::filesystem::path path = std::filesystem::path(dir.path().toStdString()) / "bad-lesson.json";
        std::string json = text.toStdString();
        auto substitute = [&](const std::string& key, const std::filesystem::path& value) {
            if (auto at = json.find(key); at != std::string::npos)
                json.replace(at, key.size(), value.string());
        };
        substitute("SCENARIO", samples() / "scenarios" / "tiny-teaching.json");
        substitute("NETWORK", samples() / "networks" / "tiny.json");
        writeFile(path, json);
        try {
            loadLessonFile(path);
            QFAIL("no error");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(path.string()));
            QCOMPARE(QString::fromStdString(e.place()), place);
        }
    }
};

QTEST_APPLESS_MAIN(TestSimTeaching)
#include "tst_sim_teaching.moc"
