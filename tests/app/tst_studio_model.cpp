// The window's model without any widget: one edit path, simulation on a worker thread where the
// newest request wins, and snapshots that are exactly what a fresh simulate() gives.
#include "app/studio/studio_model.h"

#include "core/input_error.h"
#include "sim/export/json_export.h"
#include "sim/simulator.h"

#include <QSignalSpy>
#include <QTest>

using namespace offload;
using namespace offload::studio;

namespace {
QString samplePath(const QString& relative)
{
    return QStringLiteral(OFFLOAD_SAMPLES_DIR "/") + relative;
}

// Everything a view could read of a result, as text: equal texts mean equal results.
std::string fingerprint(const sim::Scenario& scenario, const sim::Result& result)
{
    return sim::resultToJson(scenario, result).dump();
}
} // namespace

class TestStudioModel : public QObject {
    Q_OBJECT
private slots:
    void anEditGivesTheSnapshotOfAFreshSimulation()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")));
        sim::ScenarioEdit edit;
        edit.batch = 32;
        edit.codec = CodecId::rle;
        edit.bandwidth_bytes_per_s = 6e9;
        model.apply(edit);
        QVERIFY(model.waitForIdle());
        const SnapshotPtr snapshot = model.snapshot();
        QVERIFY(snapshot);
        QCOMPARE(snapshot->revision, model.revision());
        QCOMPARE(snapshot->scenario.batch, std::int64_t{32});
        QCOMPARE(snapshot->scenario.codec, CodecId::rle);
        QCOMPARE(snapshot->scenario.link.d2h_bytes_per_s, 6e9);
        const sim::Result fresh = sim::simulate(model.scenario());
        QCOMPARE(fingerprint(snapshot->scenario, *snapshot->result), fingerprint(model.scenario(), fresh));
    }

    // Forty edits in a row (a slider dragged faster than the simulator): the model never runs
    // them all, every published snapshot is newer than the one before, and the last one shown
    // is the last edit's.
    void theNewestOfManyRapidEditsWins()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")));
        QVERIFY(model.waitForIdle());
        std::vector<std::uint64_t> revisions;
        connect(&model, &StudioModel::snapshotChanged, this, [&](SnapshotPtr s) { revisions.push_back(s->revision); });
        double last = 0;
        for (int i = 0; i < 40; ++i) {
            last = (1 + i) * 1e9;
            sim::ScenarioEdit edit;
            edit.bandwidth_bytes_per_s = last;
            model.apply(edit);
        }
        QVERIFY(model.waitForIdle());
        QVERIFY(!revisions.empty());
        QVERIFY2(revisions.size() < 40, qPrintable(QString::number(revisions.size())));
        QVERIFY(std::is_sorted(revisions.begin(), revisions.end()));
        QVERIFY(std::adjacent_find(revisions.begin(), revisions.end()) == revisions.end());
        QCOMPARE(revisions.back(), model.revision());
        const SnapshotPtr shown = model.snapshot();
        QCOMPARE(shown->scenario.link.h2d_bytes_per_s, last);
        QCOMPARE(fingerprint(shown->scenario, *shown->result),
                 fingerprint(shown->scenario, sim::simulate(model.scenario())));
    }

    // A value no control offers (batch 0, a GPU that does not exist) is refused whole: the
    // scenario, its revision and the modified flag stay as they were.
    void aRejectedEditChangesNothing()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")));
        const auto revision = model.revision();
        sim::ScenarioEdit edit;
        edit.codec = CodecId::none;
        edit.batch = 0;
        QVERIFY_THROWS_EXCEPTION(InputError, model.apply(edit));
        sim::ScenarioEdit unknown;
        unknown.gpu_preset = "no-such-gpu";
        QVERIFY_THROWS_EXCEPTION(InputError, model.apply(unknown));
        QCOMPARE(model.revision(), revision);
        QCOMPARE(model.scenario().codec, CodecId::zvc);
        QVERIFY(!model.isModified());
    }

    // The bandwidth edit of the command line and of the window is one rule.
    void aCustomBandwidthIsOneRule()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")));
        sim::ScenarioEdit edit;
        edit.bandwidth_bytes_per_s = 20e9;
        model.apply(edit);
        sim::Scenario viaOverrides =
            sim::loadScenarioFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")).toStdString());
        sim::ScenarioOverrides overrides;
        overrides.bandwidth_gbps = 20;
        sim::applyOverrides(viaOverrides, overrides);
        QCOMPARE(model.scenario().link.id, viaOverrides.link.id);
        QCOMPARE(model.scenario().link.name, viaOverrides.link.name);
        QCOMPARE(model.scenario().link.latency_s, viaOverrides.link.latency_s);
        QCOMPARE(model.scenario().link.full_duplex, viaOverrides.link.full_duplex);
    }

    // The sweep (150 simulations) runs only while wanted; a bandwidth change keeps it, a batch
    // change runs it again; it is what runSweep gives for the scenario.
    void theSweepRunsOnlyWhileWanted()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("networks/alexnet.json")));
        QVERIFY(model.waitForIdle());
        QVERIFY(!model.snapshot()->sweep);
        model.setSweepWanted(SweepKind::bandwidth, true);
        QVERIFY(model.waitForIdle());
        const auto sweep = model.snapshot()->sweep;
        QVERIFY(sweep);
        const auto expected = sim::runSweep(model.scenario(), sim::defaultSweepSpec(model.scenario()));
        QCOMPARE(sweep->size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE((*sweep)[i].summary.iteration_s, expected[i].summary.iteration_s);

        sim::ScenarioEdit bandwidth;
        bandwidth.bandwidth_bytes_per_s = 3e9;
        model.apply(bandwidth);
        QVERIFY(model.waitForIdle());
        QCOMPARE(model.snapshot()->sweep, sweep); // the same points, the marker moves

        sim::ScenarioEdit batch;
        batch.batch = 64;
        model.apply(batch);
        QVERIFY(model.waitForIdle());
        QVERIFY(model.snapshot()->sweep != sweep);
        QCOMPARE(model.snapshot()->sweep->front().batch, std::int64_t{64});
        QVERIFY(!model.snapshot()->generations); // not wanted, not run
    }

    // The GPU-generations sweep: every generation at the scenario's link, the overhead growing
    // from the Titan X to the H200 without compression (compute outgrows PCIe gen3); a GPU
    // change keeps it (the GPU is its axis), a bandwidth change runs it again.
    void theGenerationsSweepShowsStallsGrowing()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")));
        model.setSweepWanted(SweepKind::generations, true);
        QVERIFY(model.waitForIdle());
        const auto points = model.snapshot()->generations;
        QVERIFY(points);
        QVERIFY(!model.snapshot()->sweep);
        double first = -1, last = -1;
        for (const auto& p : *points)
            if (p.codec == CodecId::none) {
                if (first < 0)
                    first = p.summary.overhead;
                last = p.summary.overhead;
            }
        QVERIFY2(last > first, qPrintable(QString("Titan X %1, H200 %2").arg(first).arg(last)));
        sim::ScenarioEdit gpu;
        gpu.gpu_preset = "v100";
        model.apply(gpu);
        QVERIFY(model.waitForIdle());
        QCOMPARE(model.snapshot()->generations, points);
        sim::ScenarioEdit bandwidth;
        bandwidth.bandwidth_bytes_per_s = 50e9;
        model.apply(bandwidth);
        QVERIFY(model.waitForIdle());
        QVERIFY(model.snapshot()->generations != points);
    }

    // Pinning shares the shown result; the snapshot after it carries the baseline without a new
    // simulation, and clearing removes it.
    void pinningKeepsTheShownResult()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("networks/alexnet.json")));
        QVERIFY(model.waitForIdle());
        const SnapshotPtr before = model.snapshot();
        QSignalSpy snapshots(&model, &StudioModel::snapshotChanged);
        model.pinBaseline();
        QCOMPARE(snapshots.count(), 1);
        QVERIFY(model.snapshot()->baseline);
        QCOMPARE(model.snapshot()->result, before->result);
        QCOMPARE(model.snapshot()->baseline->result->summary.iteration_s, before->result->summary.iteration_s);
        sim::ScenarioEdit edit;
        edit.policy = sim::OffloadPolicy::none;
        model.apply(edit);
        QVERIFY(model.waitForIdle());
        QVERIFY(model.snapshot()->baseline); // still pinned under the new result
        QVERIFY(model.snapshot()->result->summary.iteration_s != before->result->summary.iteration_s);
        model.clearBaseline();
        QVERIFY(!model.snapshot()->baseline);
    }

    // A pin while the shown result is older than the controls pins what the controls show, and
    // an edit right after the pin does not change what was pinned. The model never waits for it.
    void aPinBeforeTheResultPinsWhatTheControlsShow()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")));
        QVERIFY(model.waitForIdle());
        sim::ScenarioEdit toRle;
        toRle.codec = CodecId::rle;
        model.apply(toRle);
        model.pinBaseline(); // the RLE scenario's result is not published yet
        const sim::Scenario pinned = model.scenario();
        sim::ScenarioEdit toNone;
        toNone.codec = CodecId::none;
        model.apply(toNone);
        QVERIFY(model.waitForIdle());
        QVERIFY(model.snapshot()->baseline);
        QCOMPARE(model.snapshot()->baseline->scenario.codec, CodecId::rle);
        QCOMPARE(model.snapshot()->scenario.codec, CodecId::none);
        QCOMPARE(fingerprint(pinned, *model.snapshot()->baseline->result), fingerprint(pinned, sim::simulate(pinned)));
        // A clear while a pin is on its way wins over it.
        model.apply(toRle);
        model.pinBaseline();
        model.clearBaseline();
        QVERIFY(model.waitForIdle());
        QVERIFY(!model.snapshot()->baseline);
    }

    // A file that cannot be read changes nothing: scenario, file path and snapshot stay.
    void aBadFileChangesNothing()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")));
        QVERIFY(model.waitForIdle());
        const auto snapshot = model.snapshot();
        const auto revision = model.revision();
        QVERIFY_THROWS_EXCEPTION(InputError, model.open(QStringLiteral(OFFLOAD_TEST_DATA_DIR "/no-such-file.json")));
        QVERIFY_THROWS_EXCEPTION(InputError, model.open(samplePath(QStringLiteral("networks/README.md"))));
        QCOMPARE(model.revision(), revision);
        QCOMPARE(model.snapshot(), snapshot);
        QVERIFY(model.filePath().endsWith(QLatin1String("vgg16-titanx-pcie3-zvc.json")));
    }

    // Selection is model state: out-of-range layers select nothing, a new network clears it.
    void selectionFollowsTheNetwork()
    {
        StudioModel model;
        model.open(samplePath(QStringLiteral("networks/alexnet.json")));
        QVERIFY(model.waitForIdle());
        model.setSelectedLayer(3);
        QCOMPARE(model.selectedLayer(), 3);
        model.setSelectedLayer(100000);
        QCOMPARE(model.selectedLayer(), -1);
        model.setSelectedLayer(3);
        model.setNetworkFile(samplePath(QStringLiteral("networks/resnet50.json")));
        QVERIFY(model.waitForIdle());
        QCOMPARE(model.selectedLayer(), -1);
        model.setSelectedLayer(5);
        model.open(samplePath(QStringLiteral("networks/vgg16.json")));
        QCOMPARE(model.selectedLayer(), -1);
    }
};

QTEST_GUILESS_MAIN(TestStudioModel)
#include "tst_studio_model.moc"
