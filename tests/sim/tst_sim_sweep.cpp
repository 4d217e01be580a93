// Sweeps: log ranges, the order of points, agreement with single runs, and threads.
#include "sim/simulator.h"
#include "sim/sweep.h"

#include "core/input_error.h"

#include <QtTest>

using namespace offload;
using namespace offload::sim;

class TestSweep : public QObject {
    Q_OBJECT
private slots:
    void logRangeEnds()
    {
        const auto v = logRange(1, 100, 3);
        QCOMPARE(v.size(), std::size_t{3});
        QCOMPARE(v[0], 1.0);
        QVERIFY(std::abs(v[1] - 10) < 1e-12);
        QCOMPARE(v[2], 100.0);
        QCOMPARE(logRange(5, 50, 1), std::vector<double>{5});
    }

    void pointsMatchSingleRuns_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("one thread") << 1;
        QTest::newRow("all cores") << 0;
        QTest::newRow("more threads than cores") << 7;
    }

    void pointsMatchSingleRuns()
    {
        QFETCH(int, threads);
        const Scenario base = loadScenarioFile(std::string(OFFLOAD_SAMPLES_DIR) + "/scenarios/tiny-teaching.json");
        SweepSpec spec;
        spec.bandwidths_bytes_per_s = logRange(0.5e9, 50e9, 5);
        spec.codecs = {CodecId::none, CodecId::zvc};
        spec.batches = {16, 64};
        spec.progresses = {0.0, 1.0};
        spec.threads = threads;
        const auto points = runSweep(base, spec);
        QCOMPARE(points.size(), std::size_t{2 * 2 * 2 * 5});
        // Bandwidth varies fastest, then progress, batch, codec.
        QCOMPARE(points[1].bandwidth_bytes_per_s, spec.bandwidths_bytes_per_s[1]);
        QCOMPARE(points[5].progress, 1.0);
        QCOMPARE(points[10].batch, std::int64_t{64});
        QCOMPARE(points[20].codec, CodecId::zvc);
        for (const auto& p : points) {
            Scenario s = base;
            s.codec = p.codec;
            s.batch = p.batch;
            s.progress = p.progress;
            s.link.d2h_bytes_per_s = s.link.h2d_bytes_per_s = p.bandwidth_bytes_per_s;
            const Summary single = simulate(s).summary;
            QCOMPARE(p.summary.iteration_s, single.iteration_s);
            QCOMPARE(p.summary.oracle_s, single.oracle_s);
            QCOMPARE(p.summary.uncompressed_s, single.uncompressed_s);
            QCOMPARE(p.summary.avg_gpu_bytes, single.avg_gpu_bytes);
            QCOMPARE(p.summary.oracle_avg_gpu_bytes, single.oracle_avg_gpu_bytes);
        }
    }

    // GPU generations and what-if scaling: each point is the single run on that (scaled) GPU,
    // and at a fixed link more compute only makes offloading relatively dearer (cDMA's case).
    void gpusAndScalesMatchSingleRuns()
    {
        Scenario base = loadScenarioFile(std::string(OFFLOAD_SAMPLES_DIR) + "/scenarios/vgg16-titanx-pcie3-none.json");
        base.batch = 32;
        base.compute_model = ComputeModelKind::delta;
        SweepSpec spec;
        spec.gpus = {"titan-x-maxwell", "v100"};
        spec.compute_scales = logRange(1, 4, 3);
        spec.dram_scales = {1, 2};
        const auto points = runSweep(base, spec);
        QCOMPARE(points.size(), std::size_t{2 * 3 * 2});
        QCOMPARE(points[6].gpu, std::string("v100"));
        QCOMPARE(points[3].scale.dram, 2.0);
        QCOMPARE(points[2].scale.compute, 2.0);
        for (const auto& p : points) {
            Scenario s = base;
            s.gpu = scaledGpu(*findGpuPreset(p.gpu), p.scale);
            const Summary single = simulate(s).summary;
            QCOMPARE(p.summary.iteration_s, single.iteration_s);
            QCOMPARE(p.summary.oracle_s, single.oracle_s);
        }
        for (std::size_t g = 0; g < 2; ++g) {
            const auto& slow = points[g * 6].summary;    // compute x1, DRAM x1
            const auto& fast = points[g * 6 + 4].summary; // compute x4, DRAM x1
            QVERIFY(fast.oracle_s < slow.oracle_s);
            QVERIFY(fast.overhead > slow.overhead);
        }
        spec.gpus = {"gtx480"};
        QVERIFY_THROWS_EXCEPTION(InputError, runSweep(base, spec));
        spec.gpus = {};
        spec.l2_scales = {0};
        QVERIFY_THROWS_EXCEPTION(InputError, runSweep(base, spec));
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sim_sweep.moc"
