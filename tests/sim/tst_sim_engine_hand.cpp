// Hand-solved timelines: a 3-layer chain with measured times and round sizes, solved on paper
// for each sync and prefetch policy, must give exactly those stalls and times.
#include "sim_test_support.h"
#include "sim/simulator.h"

#include <QtTest>

using namespace offload;
using namespace offload::sim;

namespace {

// input X0: 250,000 fp32 = 1 MB -> 1 ms over the 1 GB/s link
// A: out X1 = 2 MB (2 ms), forward 1 ms, backward 2 ms
// B: out X2 = 1 MB (1 ms), forward 1 ms, backward 2 ms
// C: out 0.5 MB (network output, never offloaded), forward 3 ms, backward 1 ms
// Oracle: 1 + 1 + 3 + 1 + 2 + 2 = 10 ms. vDNN-all offloads X0 (with A), X1 (with B), X2 (with C).
// No layer is a CONV, so vDNN's prefetch window is not cut short.
Scenario chain()
{
    nlohmann::json layers = nlohmann::json::array({test::genericLayer("A", 500'000, 1e-3, 2e-3),
                                                   test::genericLayer("B", 250'000, 1e-3, 2e-3),
                                                   test::genericLayer("C", 125'000, 3e-3, 1e-3)});
    return test::roundScenario(test::networkFrom(layers, 250'000));
}

constexpr double ms = 1e-3;

} // namespace

class TestEngineHand : public QObject {
    Q_OBJECT
private slots:
    void stalls_data()
    {
        QTest::addColumn<int>("sync");
        QTest::addColumn<int>("prefetch");
        QTest::addColumn<double>("iteration");
        QTest::addColumn<QList<double>>("forwardStalls");  // A, B, C
        QTest::addColumn<QList<double>>("backwardStalls"); // A, B, C
        QTest::addColumn<QList<double>>("prefetchEnds");   // X0, X1, X2

        // vDNN sync, vDNN prefetch (the paper):
        //  fwd A [0,1], offload X0 [0,1]; sync at 1.
        //  fwd B [1,2], offload X1 [1,3]; sync at 3 -> B forward stall 1.
        //  fwd C [3,6], offload X2 [3,4]; sync at 6.
        //  bwd C: X2 fetched on demand [6,7]; findPrefetchLayer -> X1 [7,9]; stall 1; bwd C [7,8];
        //         sync waits for X1 until 9 -> B backward stall 1.
        //  bwd B [9,11]; prefetch X0 [9,10]; sync at 11.  bwd A [11,13].  Iteration 13.
        QTest::newRow("vdnn sync, vdnn prefetch")
            << int(SyncPolicy::vdnn) << int(PrefetchPolicy::vdnn) << 13 * ms << QList<double>{0, 1 * ms, 0}
            << QList<double>{0, 1 * ms, 1 * ms} << QList<double>{10 * ms, 9 * ms, 7 * ms};
        // vDNN sync, eager prefetch (K = 2): forward as above (B forward stall 1, ends at 6).
        //  bwd C: X2 on demand [6,7]; eager X1 [7,9] and X0 [9,10]; stall 1; bwd C [7,8];
        //         sync waits for every copy until 10 -> B backward stall 2.
        //  bwd B [10,12], bwd A [12,14].  Iteration 14: eager prefetch and per-layer sync clash.
        QTest::newRow("vdnn sync, eager prefetch")
            << int(SyncPolicy::vdnn) << int(PrefetchPolicy::eager) << 14 * ms << QList<double>{0, 1 * ms, 0}
            << QList<double>{0, 2 * ms, 1 * ms} << QList<double>{10 * ms, 9 * ms, 7 * ms};
        // Relaxed sync, vDNN prefetch:
        //  fwd A [0,1] (X0 [0,1]); fwd B [1,2] (X1 [1,3]); fwd C [2,5] (X2 waits for the link: [3,4]).
        //  bwd C at 5: X2 on demand [5,6]; X1 [6,8]; stall 1; bwd C [6,7].
        //  bwd B at 7: needs X1 (8) -> stall 1; prefetch X0 [8,9]; bwd B [8,10].
        //  bwd A [10,12] (X0 arrived at 9).  Iteration 12.
        QTest::newRow("relaxed sync, vdnn prefetch")
            << int(SyncPolicy::relaxed) << int(PrefetchPolicy::vdnn) << 12 * ms << QList<double>{0, 0, 0}
            << QList<double>{0, 1 * ms, 1 * ms} << QList<double>{9 * ms, 8 * ms, 6 * ms};
        // Relaxed sync, eager prefetch: forward as above (5).
        //  bwd C: X2 on demand [5,6]; eager X1 [6,8], X0 [8,9]; stall 1; bwd C [6,7].
        //  bwd B: waits for X1 until 8 -> stall 1; bwd B [8,10].  bwd A [10,12].  Iteration 12.
        QTest::newRow("relaxed sync, eager prefetch")
            << int(SyncPolicy::relaxed) << int(PrefetchPolicy::eager) << 12 * ms << QList<double>{0, 0, 0}
            << QList<double>{0, 1 * ms, 1 * ms} << QList<double>{9 * ms, 8 * ms, 6 * ms};
    }

    void stalls()
    {
        QFETCH(int, sync);
        QFETCH(int, prefetch);
        QFETCH(double, iteration);
        QFETCH(QList<double>, forwardStalls);
        QFETCH(QList<double>, backwardStalls);
        QFETCH(QList<double>, prefetchEnds);

        Scenario s = chain();
        s.sync = static_cast<SyncPolicy>(sync);
        s.prefetch = static_cast<PrefetchPolicy>(prefetch);
        s.eager_depth = 2;
        const Result r = simulate(s);
        const double eps = 1e-12;
        QVERIFY2(std::abs(r.summary.iteration_s - iteration) < eps, qPrintable(QString::number(r.summary.iteration_s)));
        QVERIFY(std::abs(r.summary.oracle_s - 10 * ms) < eps);
        for (int i = 0; i < 3; ++i) {
            QVERIFY2(std::abs(r.layers[i].forward_stall_s - forwardStalls[i]) < eps,
                     qPrintable(QString("layer %1 forward stall %2").arg(i).arg(r.layers[i].forward_stall_s)));
            QVERIFY2(std::abs(r.layers[i].backward_stall_s - backwardStalls[i]) < eps,
                     qPrintable(QString("layer %1 backward stall %2").arg(i).arg(r.layers[i].backward_stall_s)));
        }
        int prefetches = 0;
        for (const Event& e : r.events) {
            if (e.kind != EventKind::prefetch)
                continue;
            ++prefetches;
            const double expected = prefetchEnds[e.tensor + 1];
            QVERIFY2(std::abs(e.end_s - expected) < eps,
                     qPrintable(QString("prefetch of tensor %1 ends at %2").arg(e.tensor).arg(e.end_s)));
        }
        QCOMPARE(prefetches, 3);
        QCOMPARE(r.summary.d2h_raw_bytes, std::uint64_t{4'000'000});
        QCOMPARE(r.summary.offloaded_layers, 3);
    }

    void prefetchWindowStopsAtTheFirstConv_data()
    {
        QTest::addColumn<int>("prefetch");
        QTest::addColumn<int>("issuer");
        QTest::addColumn<double>("start");
        // c0 (conv) -> g1 -> c2 (conv) -> g3, every tensor 1 MB, every pass 1 ms, 1 GB/s.
        // Only X0 (c0's input) is offloaded: [0,1] during c0's forward; the forward ends at 4.
        // vDNN: g3's backward [4,5] searches c2 first, a CONV that owns nothing: the window ends
        // there, no prefetch. c2's backward [5,6] searches g1 (nothing, not a CONV), then c0:
        // X0 is prefetched [5,6], issued by c2. Then g1 [6,7], c0 [7,8]: no stall.
        QTest::newRow("vdnn") << int(PrefetchPolicy::vdnn) << 2 << 5 * ms;
        // Eager has no window: X0 is prefetched [4,5] as soon as the backward pass starts.
        QTest::newRow("eager") << int(PrefetchPolicy::eager) << 3 << 4 * ms;
    }

    void prefetchWindowStopsAtTheFirstConv()
    {
        QFETCH(int, prefetch);
        QFETCH(int, issuer);
        QFETCH(double, start);
        const nlohmann::json times = {{"forward_s", 1e-3}, {"backward_s", 1e-3}, {"batch", 1}};
        nlohmann::json layers = nlohmann::json::array(
            {{{"name", "c0"}, {"kind", "conv"}, {"out_channels", 1}, {"kernel", 1}, {"measured_times", times}},
             {{"name", "g1"}, {"kind", "generic"}, {"output_shape", {1, 500, 500}}, {"flops", 0}, {"measured_times", times}},
             {{"name", "c2"}, {"kind", "conv"}, {"out_channels", 1}, {"kernel", 1}, {"measured_times", times}},
             {{"name", "g3"}, {"kind", "generic"}, {"output_shape", {1, 500, 500}}, {"flops", 0}, {"measured_times", times}}});
        nlohmann::json doc = {{"format", "offload-studio/network"},
                              {"version", 1},
                              {"name", "window"},
                              {"input", {{"shape", {1, 500, 500}}}},
                              {"layers", layers}};
        Scenario s = test::roundScenario(std::make_shared<const NetworkModel>(networkFromJson(doc, "window"), "window"));
        s.policy = OffloadPolicy::manual;
        s.manual_layers = {"c0"};
        s.prefetch = static_cast<PrefetchPolicy>(prefetch);
        const Result r = simulate(s);
        int prefetches = 0;
        for (const Event& e : r.events) {
            if (e.kind != EventKind::prefetch)
                continue;
            ++prefetches;
            QCOMPARE(e.tensor, -1);
            QCOMPARE(e.layer, issuer);
            QVERIFY(std::abs(e.start_s - start) < 1e-12);
        }
        QCOMPARE(prefetches, 1);
        QVERIFY(std::abs(r.summary.iteration_s - 8 * ms) < 1e-12);
        QCOMPARE(r.summary.iteration_s, r.summary.oracle_s);
    }

    void compressionShortensTheCopies()
    {
        // The same chain (vDNN sync and prefetch) with a codec whose ratio is exact:
        // DPR fp16 halves every fp32 tensor exactly: copies take 0.5, 1 and 0.5 ms.
        //  fwd A [0,1] (X0 [0,0.5]); fwd B [1,2] (X1 [1,2]) no stall; fwd C [2,5] (X2 [2,2.5]).
        //  bwd C: X2 on demand [5,5.5], stall 0.5; X1 [5.5,6.5]; bwd C [5.5,6.5]; sync at 6.5.
        //  bwd B [6.5,8.5] (X0 [6.5,7]); bwd A [8.5,10.5].  Iteration 10.5 ms.
        Scenario s = chain();
        s.codec = CodecId::dpr;
        s.codec_params.dpr = DprFormat::fp16;
        const Result r = simulate(s);
        QVERIFY(std::abs(r.summary.iteration_s - 10.5 * ms) < 1e-12);
        QVERIFY(std::abs(r.layers[2].backward_stall_s - 0.5 * ms) < 1e-12);
        QVERIFY(std::abs(r.layers[1].forward_stall_s) < 1e-12);
        QCOMPARE(r.summary.d2h_wire_bytes, std::uint64_t{2'000'000});
        QVERIFY(std::abs(r.summary.uncompressed_s - 13 * ms) < 1e-12);
        QVERIFY(std::abs(r.summary.speedup_vs_uncompressed - 13.0 / 10.5) < 1e-9);
    }

    void measuredRatiosWinOverTheModel()
    {
        // A and B carry a measured ZVC ratio of 2 for their outputs; only the inputs of B and C
        // (X1, X2) are offloaded: copies of 1 ms and 0.5 ms.
        //  fwd A [0,1]; fwd B [1,2] (X1 [1,2]); fwd C [2,5] (X2 [2,2.5]).
        //  bwd C: X2 on demand [5,5.5] -> stall 0.5; X1 [5.5,6.5]; bwd C [5.5,6.5]; sync at 6.5.
        //  bwd B [6.5,8.5]; bwd A [8.5,10.5].  Iteration 10.5 ms.
        nlohmann::json a = test::genericLayer("A", 500'000, 1e-3, 2e-3);
        nlohmann::json b = test::genericLayer("B", 250'000, 1e-3, 2e-3);
        a["measured_ratios"] = {{"zvc", 2.0}};
        b["measured_ratios"] = {{"zvc", 2.0}};
        Scenario s = test::roundScenario(
            test::networkFrom(nlohmann::json::array({a, b, test::genericLayer("C", 125'000, 3e-3, 1e-3)}), 250'000));
        s.codec = CodecId::zvc;
        s.policy = OffloadPolicy::manual;
        s.manual_layers = {"B", "C"};
        const Result r = simulate(s);
        QCOMPARE(r.layers[0].ratio, 2.0);
        QCOMPARE(r.layers[1].ratio, 2.0);
        QCOMPARE(r.summary.d2h_wire_bytes, std::uint64_t{1'500'000});
        QVERIFY2(std::abs(r.summary.iteration_s - 10.5 * ms) < 1e-12, qPrintable(QString::number(r.summary.iteration_s)));
        QVERIFY(std::abs(r.layers[2].backward_stall_s - 0.5 * ms) < 1e-12);
    }

    void smEngineRunsOnTheComputeStream()
    {
        // DPR fp16 with software kernels at 1 GB/s of raw data: compressing 1 MB takes 1 ms of
        // compute-stream time before the copy (0.5 ms on the wire).
        //  A: compress X0 [0,1], copy [1,1.5], fwd A [1,2]; sync at 2.
        //  B: compress X1 [2,4], copy [4,5], fwd B [4,5]; sync at 5.
        //  C: compress X2 [5,6], copy [6,6.5], fwd C [6,9]; sync at 9.
        //  bwd C: X2 on demand [9,9.5] -> stall 0.5; decompress [9.5,10.5]; X1 [9.5,10.5];
        //         bwd C [10.5,11.5]; sync at 11.5.
        //  bwd B: prefetch X0 [11.5,12]; decompress X1 [11.5,13.5]; bwd B [13.5,15.5].
        //  bwd A: decompress X0 [15.5,16.5]; bwd A [16.5,18.5].  Iteration 18.5 ms.
        Scenario s = chain();
        s.codec = CodecId::dpr;
        s.engine = EngineKind::sm;
        s.engine_bytes_per_s = 1e9;
        const Result r = simulate(s);
        QVERIFY2(std::abs(r.summary.iteration_s - 18.5 * ms) < 1e-12, qPrintable(QString::number(r.summary.iteration_s)));
        int codecEvents = 0;
        for (const Event& e : r.events)
            codecEvents += e.lane == Lane::codec;
        QCOMPARE(codecEvents, 6);
    }

    void halfDuplexSerialisesBothDirections()
    {
        // Relaxed sync, vDNN prefetch, one shared link for both directions. A's forward takes
        // 0 ms and C's 0.5 ms so that the backward pass starts while offloads are still queued.
        //  fwd A [0,0] (X0 [0,1]); fwd B [0,1] (X1 [1,3]); fwd C [1,1.5] (X2 [3,4]).
        //  bwd C at 1.5: X2's offload has not finished, so X2 never left the GPU: no prefetch,
        //         no stall; bwd C [1.5,2.5]. findPrefetchLayer picks B: X1 is still there too.
        //  bwd B [2.5,4.5]; findPrefetchLayer picks A: X0 left at 1, its prefetch queues behind
        //         the offloads on the shared link: [4,5].
        //  bwd A at 4.5: stall 0.5; bwd A [5,7].  Iteration 7 ms, one prefetch.
        nlohmann::json layers = nlohmann::json::array({test::genericLayer("A", 500'000, 0, 2e-3),
                                                       test::genericLayer("B", 250'000, 1e-3, 2e-3),
                                                       test::genericLayer("C", 125'000, 0.5e-3, 1e-3)});
        Scenario s = test::roundScenario(test::networkFrom(layers, 250'000));
        s.sync = SyncPolicy::relaxed;
        s.link.full_duplex = false;
        const Result r = simulate(s);
        QVERIFY2(std::abs(r.summary.iteration_s - 7 * ms) < 1e-12, qPrintable(QString::number(r.summary.iteration_s)));
        QVERIFY(std::abs(r.layers[2].backward_stall_s) < 1e-12);
        QVERIFY(std::abs(r.layers[1].backward_stall_s) < 1e-12);
        QVERIFY(std::abs(r.layers[0].backward_stall_s - 0.5 * ms) < 1e-12);
        int prefetches = 0;
        for (const Event& e : r.events)
            if (e.kind == EventKind::prefetch) {
                ++prefetches;
                QCOMPARE(e.tensor, kNetworkInput); // X0
                QVERIFY(std::abs(e.start_s - 4 * ms) < 1e-12 && std::abs(e.end_s - 5 * ms) < 1e-12);
            }
        QCOMPARE(prefetches, 1);
        // No second buffer for a tensor that never left. X2 (1 MB) is done with when bwd C ends
        // at 2.5 ms, but its offload copy reads it until 4 ms: the buffer is freed then.
        bool freedAtCopyEnd = false;
        for (std::size_t k = 1; k < r.memory.size(); ++k)
            if (std::abs(r.memory[k].time_s - 4 * ms) < 1e-12 && r.memory[k - 1].bytes >= r.memory[k].bytes + 1'000'000)
                freedAtCopyEnd = true;
        QVERIFY(freedAtCopyEnd);
    }

    void memoryBudgetMakesRelaxedForwardWait()
    {
        // Relaxed sync with a 3.25 MB budget (no weights, no workspace).
        //  0: input X0 (1 MB) resident; A allocates X1 (2 MB): 3 MB. X0 offloaded [0,1].
        //  1: X0 released (2 MB); B allocates X2 (1 MB): 3 MB. X1 offloaded [1,3].
        //  2: C needs 0.5 MB: 3.5 MB does not fit; it waits for X1's release at 3 (1.5 MB).
        //  The compute stream idles [2,3] after B's forward: B's forward stall is 1 ms.
        Scenario s = chain();
        s.sync = SyncPolicy::relaxed;
        s.memory_budget_bytes = 3'250'000;
        const Result r = simulate(s);
        QVERIFY2(std::abs(r.layers[1].forward_stall_s - 1 * ms) < 1e-12,
                 qPrintable(QString::number(r.layers[1].forward_stall_s)));
        QVERIFY(r.summary.peak_gpu_bytes <= 3'250'000 || !r.summary.feasible);
    }
};

QTEST_GUILESS_MAIN(TestEngineHand)
#include "tst_sim_engine_hand.moc"
