// The replay schedule taken from the simulator's events: one forward and one backward step per
// layer, every offloaded tensor offloaded once, prefetched once and read by its last consumer's
// backward step after the prefetch was issued. Needs no GPU.
#include "app/probe/replay_plan.h"

#include "sim/simulator.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace offload;

class TestReplayPlan : public QObject {
    Q_OBJECT

private slots:
    void samples_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* name : {"vgg16-titanx-pcie3-none.json", "vgg16-titanx-pcie3-zvc.json", "tiny-teaching.json"}) {
            const std::filesystem::path p = std::filesystem::path(OFFLOAD_SAMPLES_DIR) / "scenarios" / name;
            if (std::filesystem::exists(p))
                QTest::newRow(name) << QString::fromStdString(p.string());
        }
    }

    void samples()
    {
        QFETCH(QString, file);
        const sim::Scenario scenario = sim::loadScenarioFile(file.toStdString());
        const sim::Result result = sim::simulate(scenario);
        const probe::ReplayPlan plan = probe::buildReplayPlan(scenario, result);
        const int n = static_cast<int>(scenario.network->size());
        QCOMPARE(static_cast<int>(plan.steps.size()), 2 * n);
        for (int i = 0; i < n; ++i) {
            QVERIFY(plan.steps[static_cast<std::size_t>(i)].forward);
            QCOMPARE(plan.steps[static_cast<std::size_t>(i)].layer, i);
            QVERIFY(!plan.steps[static_cast<std::size_t>(n + i)].forward);
            QCOMPARE(plan.steps[static_cast<std::size_t>(n + i)].layer, n - 1 - i);
        }
        std::map<int, int> offloadStep, prefetchStep, needStep;
        double computeS = 0;
        for (std::size_t s = 0; s < plan.steps.size(); ++s) {
            const auto& step = plan.steps[s];
            computeS += step.compute_s;
            for (int u : step.offloads)
                QVERIFY(offloadStep.emplace(u, static_cast<int>(s)).second);
            for (int u : step.prefetches)
                QVERIFY(prefetchStep.emplace(u, static_cast<int>(s)).second);
            for (int u : step.needs)
                QVERIFY(needStep.emplace(u, static_cast<int>(s)).second);
        }
        QCOMPARE(offloadStep.size(), plan.tensors.size());
        QCOMPARE(prefetchStep.size(), plan.tensors.size());
        QCOMPARE(needStep.size(), plan.tensors.size());
        std::uint64_t raw = 0;
        for (const auto& [u, t] : plan.tensors) {
            QVERIFY(prefetchStep.at(u) <= needStep.at(u));
            QVERIFY(offloadStep.at(u) < n);
            QCOMPARE(plan.steps[static_cast<std::size_t>(offloadStep.at(u))].layer, t.last_consumer);
            raw += t.raw_bytes;
        }
        QCOMPARE(raw, result.summary.d2h_raw_bytes);
        // The replay's compute is the simulated compute: no time lost or invented.
        QVERIFY(computeS <= result.summary.iteration_s * (1 + 1e-9));
    }
};

QTEST_GUILESS_MAIN(TestReplayPlan)
#include "tst_replay_plan.moc"
