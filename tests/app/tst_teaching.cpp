// Teaching mode's cursor and playback as StudioModel state, without any widget: stepping lands
// on the result's event boundaries and pass starts, play advances at the stated pace, pause
// stops, the end pauses, and a shorter iteration pulls the cursor back to its end.
#include "app/studio/studio_model.h"

#include "sim/teaching.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <set>

using namespace offload;
using namespace offload::studio;

namespace {
QString samplePath(const QString& relative)
{
    return QStringLiteral(OFFLOAD_SAMPLES_DIR "/") + relative;
}

// Every start and end of every event: the places an event step may land.
std::set<double> boundaries(const sim::Result& result)
{
    std::set<double> times;
    for (const auto& e : result.events) {
        times.insert(e.start_s);
        times.insert(e.end_s);
    }
    return times;
}

void openSettled(StudioModel& model, const QString& scenario)
{
    model.open(samplePath(scenario));
    QVERIFY(model.waitForIdle());
    QVERIFY(model.snapshot());
}
} // namespace

class TestTeaching : public QObject {
    Q_OBJECT
private slots:
    void theCursorStartsAtZeroAndStaysInTheIteration()
    {
        StudioModel model;
        openSettled(model, QStringLiteral("scenarios/tiny-teaching.json"));
        QCOMPARE(model.cursorTime(), 0.0);
        QVERIFY(!model.isPlaying());
        const double end = model.snapshot()->result->summary.iteration_s;
        model.setCursorTime(end * 3);
        QCOMPARE(model.cursorTime(), end);
        model.setCursorTime(-1);
        QCOMPARE(model.cursorTime(), 0.0);
    }

    // Forward through the whole iteration event by event: every stop is an event boundary, each
    // one later than the last, none skipped; then back again over the same stops.
    void eventStepsVisitEveryBoundaryInOrder()
    {
        StudioModel model;
        openSettled(model, QStringLiteral("scenarios/tiny-teaching.json"));
        const sim::Result& result = *model.snapshot()->result;
        const std::set<double> all = boundaries(result);
        std::vector<double> forward;
        for (int guard = 0; guard < 100000 && model.cursorTime() < result.summary.iteration_s; ++guard) {
            model.stepEvent(+1);
            forward.push_back(model.cursorTime());
        }
        std::vector<double> expected(all.upper_bound(0.0), all.end());
        if (expected.empty() || expected.back() < result.summary.iteration_s)
            expected.push_back(result.summary.iteration_s);
        QVERIFY2(forward == expected, qPrintable(QStringLiteral("%1 stops, %2 boundaries").arg(forward.size()).arg(expected.size())));
        std::vector<double> backward;
        while (model.cursorTime() > 0) {
            model.stepEvent(-1);
            backward.push_back(model.cursorTime());
        }
        std::vector<double> reversed(all.begin(), all.end());
        std::reverse(reversed.begin(), reversed.end());
        reversed.erase(reversed.begin(), std::find_if(reversed.begin(), reversed.end(), [&](double t) {
                           return t < result.summary.iteration_s;
                       }));
        if (reversed.empty() || reversed.back() > 0)
            reversed.push_back(0);
        QVERIFY2(backward == reversed, qPrintable(QStringLiteral("%1 stops, %2 boundaries").arg(backward.size()).arg(reversed.size())));
    }

    // A layer step lands on the start of a forward or backward pass, and the cursor's layer is
    // that pass's layer.
    void layerStepsLandOnPassStarts()
    {
        StudioModel model;
        openSettled(model, QStringLiteral("scenarios/tiny-teaching.json"));
        const sim::Result& result = *model.snapshot()->result;
        int passes = 0;
        for (const auto& e : result.events)
            passes += e.lane == sim::Lane::compute && (e.kind == sim::EventKind::forward || e.kind == sim::EventKind::backward);
        int steps = 0;
        while (true) {
            const double before = model.cursorTime();
            model.stepLayer(+1);
            if (model.cursorTime() == before || model.cursorTime() >= result.summary.iteration_s)
                break;
            ++steps;
            const auto pass = std::find_if(result.events.begin(), result.events.end(), [&](const sim::Event& e) {
                return e.lane == sim::Lane::compute && e.start_s == model.cursorTime()
                       && (e.kind == sim::EventKind::forward || e.kind == sim::EventKind::backward);
            });
            QVERIFY2(pass != result.events.end(), qPrintable(QString::number(model.cursorTime())));
            QCOMPARE(model.cursorLayer(), pass->layer);
            const auto step = sim::computeAt(result, model.cursorTime());
            QVERIFY(step);
            QCOMPARE(step->layer, pass->layer);
        }
        // The first pass starts at 0, where the cursor began: every other pass is one step.
        QCOMPARE(steps, passes - 1);
        model.stepLayer(-1);
        QVERIFY(model.cursorTime() < result.summary.iteration_s);
    }

    // Play moves the cursor by wall time x the pace (an iteration in kIterationPlaySeconds at
    // 1x); pause stops it; the end of the iteration pauses; play at the end starts over.
    void playAdvancesPauseStopsTheEndPauses()
    {
        StudioModel model;
        openSettled(model, QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"));
        const double end = model.snapshot()->result->summary.iteration_s;
        QSignalSpy playback(&model, &StudioModel::playbackChanged);
        QSignalSpy cursor(&model, &StudioModel::cursorChanged);
        model.advancePlayback(1.0); // paused: nothing moves
        QCOMPARE(model.cursorTime(), 0.0);
        model.play();
        QVERIFY(model.isPlaying());
        QCOMPARE(playback.count(), 1);
        QCOMPARE(playback.last().at(0).toBool(), true);
        model.advancePlayback(2.0);
        QCOMPARE(model.cursorTime(), end / kIterationPlaySeconds * 2.0);
        QVERIFY(!cursor.isEmpty());
        model.setPlaybackSpeed(4);
        const double at = model.cursorTime();
        model.advancePlayback(0.5);
        QCOMPARE(model.cursorTime(), at + end / kIterationPlaySeconds * 4 * 0.5);
        model.pause();
        QVERIFY(!model.isPlaying());
        const double paused = model.cursorTime();
        model.advancePlayback(3.0);
        QCOMPARE(model.cursorTime(), paused);
        model.play();
        model.advancePlayback(kIterationPlaySeconds * 10);
        QCOMPARE(model.cursorTime(), end);
        QVERIFY(!model.isPlaying());
        QCOMPARE(playback.last().at(0).toBool(), false);
        model.play(); // at the end: from the start again
        QCOMPARE(model.cursorTime(), 0.0);
        QVERIFY(model.isPlaying());
        model.pause();
    }

    // The model's own timer drives play (what the window relies on), and a step pauses.
    void theTimerPlaysAndAStepPauses()
    {
        StudioModel model;
        openSettled(model, QStringLiteral("scenarios/tiny-teaching.json"));
        model.play();
        QTRY_VERIFY(model.cursorTime() > 0);
        model.stepEvent(+1);
        QVERIFY(!model.isPlaying());
        const double stopped = model.cursorTime();
        QTest::qWait(100);
        QCOMPARE(model.cursorTime(), stopped);
    }

    void speedStepsThroughTheListAndStopsAtItsEnds()
    {
        StudioModel model;
        QSignalSpy playback(&model, &StudioModel::playbackChanged);
        QCOMPARE(model.playbackSpeed(), 1.0);
        model.faster();
        QCOMPARE(model.playbackSpeed(), 2.0);
        for (int i = 0; i < 10; ++i)
            model.faster();
        QCOMPARE(model.playbackSpeed(), kPlaybackSpeeds.back());
        for (int i = 0; i < 20; ++i)
            model.slower();
        QCOMPARE(model.playbackSpeed(), kPlaybackSpeeds.front());
        QCOMPARE(playback.last().at(1).toDouble(), kPlaybackSpeeds.front());
        model.setPlaybackSpeed(0);  // refused
        model.setPlaybackSpeed(-1); // refused
        QCOMPARE(model.playbackSpeed(), kPlaybackSpeeds.front());
        model.setPlaybackSpeed(3); // between two steps: faster goes to the next one up
        model.faster();
        QCOMPARE(model.playbackSpeed(), 4.0);
    }

    // An edit that shortens the iteration (no offload: no stalls) moves a cursor that lay
    // beyond the new end to it; one that lies inside stays where it is.
    void aShorterIterationClampsTheCursor()
    {
        StudioModel model;
        openSettled(model, QStringLiteral("scenarios/tiny-teaching.json"));
        const double longEnd = model.snapshot()->result->summary.iteration_s;
        model.setCursorTime(longEnd);
        sim::ScenarioEdit edit;
        edit.policy = sim::OffloadPolicy::none;
        QSignalSpy cursor(&model, &StudioModel::cursorChanged);
        model.apply(edit);
        QVERIFY(model.waitForIdle());
        const double shortEnd = model.snapshot()->result->summary.iteration_s;
        QVERIFY2(shortEnd < longEnd, qPrintable(QStringLiteral("%1 vs %2").arg(shortEnd).arg(longEnd)));
        QCOMPARE(model.cursorTime(), shortEnd);
        QVERIFY(!cursor.isEmpty());
        QCOMPARE(cursor.last().at(0).toDouble(), shortEnd);
        model.setCursorTime(shortEnd / 2);
        sim::ScenarioEdit back;
        back.policy = sim::OffloadPolicy::all;
        model.apply(back);
        QVERIFY(model.waitForIdle());
        QCOMPARE(model.cursorTime(), shortEnd / 2);
    }

    // Opening another network keeps the cursor inside the new iteration, and its layer is one
    // of the new network's.
    void anotherNetworkKeepsTheCursorValid()
    {
        StudioModel model;
        openSettled(model, QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"));
        model.setCursorTime(model.snapshot()->result->summary.iteration_s * 0.9);
        openSettled(model, QStringLiteral("scenarios/tiny-teaching.json"));
        const auto& result = *model.snapshot()->result;
        QVERIFY(model.cursorTime() <= result.summary.iteration_s);
        QVERIFY(model.cursorLayer() < static_cast<int>(result.layers.size()));
    }
};

QTEST_GUILESS_MAIN(TestTeaching)
#include "tst_teaching.moc"
