// Teaching mode in the window, offscreen: every bundled lesson starts and each of its values
// gives the stated scenario and a fresh simulation of it; the memory at the cursor is the memory
// curve's value there; the captions name the layer and tensors at the cursor; a click on the
// diagram selects the layer; presentation mode's keys drive playback and Esc restores the window.
#include "test_support.h"

#include "app/plots/format.h"
#include "app/plots/layer_bars_plot.h"
#include "app/plots/memory_plot.h"
#include "app/plots/timeline_plot.h"
#include "app/studio/teaching/caption_bar.h"
#include "app/studio/teaching/diagram_layout.h"
#include "app/studio/teaching/glossary.h"
#include "app/studio/teaching/glossary_dialog.h"
#include "app/studio/teaching/lesson_panel.h"
#include "app/studio/teaching/memory_at_cursor_view.h"
#include "app/studio/teaching/network_diagram.h"
#include "app/studio/teaching/playback_controls.h"
#include "app/studio/teaching/presentation_mode.h"
#include "core/network_json.h"
#include "core/synthetic_network.h"
#include "sim/simulator.h"
#include "sim/teaching.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QTest>

#include <cmath>
#include <cstdlib>
#include <set>

using namespace offload;
using namespace offload::studio;
using namespace offload::studio::teaching;
using test::samplePath;
using test::TestWindow;

namespace {
// The scenario as a lesson states it, comparable with the window's (whose network is embedded).
std::string scenarioText(sim::Scenario scenario)
{
    scenario.network_ref.clear();
    return sim::scenarioToJson(scenario).dump();
}

// The memory curve's value at t, read straight from the points (the step in force at t).
std::uint64_t curveAt(const sim::Result& result, double t)
{
    std::uint64_t bytes = 0;
    for (const auto& p : result.memory)
        if (p.time_s <= t)
            bytes = p.bytes;
    return bytes;
}

// Times worth looking at: the middle of every event and a grid over the iteration.
std::vector<double> probeTimes(const sim::Result& result)
{
    std::set<double> times;
    for (const auto& e : result.events)
        times.insert((e.start_s + e.end_s) / 2);
    for (int i = 0; i <= 200; ++i)
        times.insert(result.summary.iteration_s * i / 200.0);
    return {times.begin(), times.end()};
}
} // namespace

class TestTeachingWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("OffloadStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_teaching_window"));
    }

    // Every bundled lesson: it is listed, starts (its scenario with the first value), and each
    // value's button gives exactly the lesson's scenario for that value, simulated afresh.
    void everyLessonStartsAndEachValueApplies()
    {
        TestWindow window;
        window.openAtStart(QString());
        LessonPanel& panel = *window.lessonPanel();
        QVERIFY2(panel.loadErrors().isEmpty(), qPrintable(panel.loadErrors().join(QLatin1Char('\n'))));
        const QDir folder(samplePath(QStringLiteral("lessons")));
        QCOMPARE(panel.lessonCount(), static_cast<int>(folder.entryList({QStringLiteral("*.json")}, QDir::Files).size()));
        QVERIFY(panel.lessonCount() >= 1);
        for (int i = 0; i < panel.lessonCount(); ++i) {
            const sim::Lesson& lesson = panel.lesson(i);
            QVERIFY2(window.startLesson(i), lesson.title.c_str());
            QCOMPARE(panel.activeLesson(), i);
            QVERIFY(window.lessonsDock()->isVisibleTo(&window));
            QVERIFY(window.model().waitForIdle());
            QCOMPARE(scenarioText(window.model().scenario()), scenarioText(sim::lessonScenario(lesson, 0)));
            QVERIFY(!panel.lessonText().isEmpty());
            QCOMPARE(panel.choiceButtonCount(), static_cast<int>(lesson.choices.size())); // one per value, once
            std::set<std::string> distinct;
            for (std::size_t c = 0; c < lesson.choices.size(); ++c) {
                QAbstractButton* button = panel.choiceButton(static_cast<int>(c));
                QVERIFY(button);
                QCOMPARE(button->text().toStdString(), lesson.choices[c].label);
                button->click();
                QVERIFY(window.model().waitForIdle());
                QVERIFY(button->isChecked());
                const sim::Scenario expected = sim::lessonScenario(lesson, c);
                const auto snapshot = window.model().snapshot();
                QCOMPARE(scenarioText(snapshot->scenario), scenarioText(expected));
                const sim::Result fresh = sim::simulate(expected);
                QCOMPARE(snapshot->result->summary.iteration_s, fresh.summary.iteration_s);
                QCOMPARE(snapshot->result->summary.peak_gpu_bytes, fresh.summary.peak_gpu_bytes);
                distinct.insert(scenarioText(snapshot->scenario));
            }
            // Each value is a different scenario: the lesson compares something.
            QCOMPARE(distinct.size(), lesson.choices.size());
        }
        QVERIFY(window.errors.isEmpty());
    }

    // At every probed time the view's GPU total is the memory curve's value, and the tensors it
    // lists on the GPU and in flight add up to the curve's activations and in-flight bytes.
    void memoryAtTheCursorIsTheMemoryCurve_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("tiny, slow link") << QStringLiteral("scenarios/tiny-teaching.json");
        QTest::newRow("VGG-16, ZVC") << QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json");
    }
    void memoryAtTheCursorIsTheMemoryCurve()
    {
        QFETCH(QString, scenario);
        TestWindow window;
        QVERIFY(window.openFile(samplePath(scenario)));
        const sim::Result& result = test::shownResult(window);
        const MemoryAtCursorView& view = *window.memoryAtCursor();
        int withTensors = 0;
        for (double t : probeTimes(result)) {
            window.model().setCursorTime(t);
            QCOMPARE(window.model().cursorTime(), t);
            QCOMPARE(view.gpuTotalBytes(), curveAt(result, t));
            const auto& kinds = view.gpuMemory().by_kind;
            const std::uint64_t stashed = kinds[static_cast<std::size_t>(sim::MemoryKind::activations)];
            const std::uint64_t moving = kinds[static_cast<std::size_t>(sim::MemoryKind::in_flight)];
            const sim::ResidencySummary& r = view.residency();
            QCOMPARE(r.gpu_bytes + r.in_flight_bytes, stashed + moving);
            std::uint64_t listed = 0;
            std::size_t count = 0;
            for (const sim::PlaceSummary& place : r.places) {
                QCOMPARE(place.listed.size(), place.count); // a sample network: every tensor listed
                count += place.count;
                for (const auto& tensor : place.listed)
                    listed += tensor.place == sim::TensorPlace::host ? 0 : tensor.bytes;
            }
            QCOMPARE(listed, stashed + moving);
            withTensors += count == 0 ? 0 : 1;
        }
        QVERIFY(withTensors > 0);
        QVERIFY(view.headline().contains(plots::formatBytes(view.gpuTotalBytes())));
    }

    // A generated network with thousands of tensors resident at once: the view lists at most
    // kListedPerPlace per place, those nearest the cursor's layer, and its sums are still the
    // memory curve's.
    void memoryAtTheCursorIsBoundedAtScale()
    {
        TestWindow window;
        auto network = std::make_shared<const NetworkModel>(syntheticResidualNetwork(2000), "generated");
        sim::Scenario scenario = sim::defaultScenarioFor(network);
        scenario.policy = sim::OffloadPolicy::conv;
        window.model().openScenario(scenario, QStringLiteral("generated"));
        QVERIFY(window.model().waitForIdle());
        const sim::Result& result = test::shownResult(window);
        const MemoryAtCursorView& view = *window.memoryAtCursor();
        int cut = 0;
        for (int i = 1; i < 40; ++i) {
            const double t = result.summary.iteration_s * i / 40.0;
            window.model().setCursorTime(t);
            const sim::ResidencySummary& r = view.residency();
            const sim::Residency all = sim::residentAt(result, t);
            const auto& kinds = view.gpuMemory().by_kind;
            QCOMPARE(r.gpu_bytes + r.in_flight_bytes, kinds[static_cast<std::size_t>(sim::MemoryKind::activations)]
                                                          + kinds[static_cast<std::size_t>(sim::MemoryKind::in_flight)]);
            QCOMPARE(r.host_bytes, all.host_bytes);
            const int layer = window.model().cursorLayer();
            for (const sim::PlaceSummary& place : r.places) {
                QVERIFY(place.listed.size() <= kListedPerPlace);
                QCOMPARE(place.listed.size(), std::min(place.count, kListedPerPlace));
                if (place.count <= kListedPerPlace)
                    continue;
                ++cut;
                // Nothing left out is nearer the cursor's layer than what is listed.
                int farthest = 0;
                for (const auto& tensor : place.listed)
                    farthest = std::max(farthest, std::abs(tensor.tensor - layer));
                const auto placeOf = place.listed.front().place;
                std::size_t nearer = 0;
                for (const auto& tensor : all.tensors)
                    nearer += tensor.place == placeOf && std::abs(tensor.tensor - layer) < farthest ? 1 : 0;
                QVERIFY(nearer <= place.listed.size());
            }
        }
        QVERIFY(cut > 10);
        window.resize(1200, 800);
        window.setTeachingPanelsVisible(true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.model().setCursorTime(result.summary.iteration_s / 2);
        QVERIFY(window.memoryAtCursor()->grab().width() > 0); // paints the bounded columns
        window.close();
    }

    // Stepping layer by layer, the first caption is about the pass at the cursor and names its
    // layer; in the middle of every offload and prefetch a caption names the tensor moved.
    void captionsNameTheLayerAndTheTensorsAtTheCursor()
    {
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/tiny-teaching.json"))));
        const sim::Result& result = test::shownResult(window);
        const Network& network = window.model().scenario().network->network();
        const CaptionBar& bar = *window.captionBar();
        StudioModel& model = window.model();
        int passes = 0;
        while (model.cursorTime() < result.summary.iteration_s) {
            const auto step = sim::computeAt(result, model.cursorTime());
            if (step && step->start_s == model.cursorTime()) {
                ++passes;
                QVERIFY(!bar.captions().empty());
                const sim::Caption& first = bar.captions().front();
                QCOMPARE(first.kind, sim::CaptionKind::compute);
                QCOMPARE(first.layer, step->layer);
                const std::string& name = network.layers[static_cast<std::size_t>(step->layer)].name;
                QVERIFY2(first.text.find(name) != std::string::npos, first.text.c_str());
                QVERIFY(bar.text().contains(QString::fromStdString(name)));
            }
            model.stepLayer(+1);
        }
        QVERIFY(passes >= 2 * static_cast<int>(network.layers.size()) - 1);
        int copies = 0;
        for (const auto& e : result.events) {
            if (e.kind != sim::EventKind::offload && e.kind != sim::EventKind::prefetch)
                continue;
            model.setCursorTime((e.start_s + e.end_s) / 2);
            const auto kind = e.kind == sim::EventKind::offload ? sim::CaptionKind::offload : sim::CaptionKind::prefetch;
            const auto& captions = bar.captions();
            const bool named = std::any_of(captions.begin(), captions.end(), [&](const sim::Caption& c) {
                return (c.kind == kind || c.tensor == e.tensor)
                       && c.text.find(sim::tensorLabel(network, e.tensor)) != std::string::npos;
            });
            QVERIFY2(named, qPrintable(QStringLiteral("%1 of tensor %2 at %3").arg(plots::eventKindLabel(e.kind)).arg(e.tensor).arg(model.cursorTime())));
            ++copies;
        }
        QVERIFY(copies > 0);
    }

    // A click on a layer's box selects that layer in the model (and so in every view); the box
    // of the layer running at the cursor is the one highlighted.
    void aClickOnTheDiagramSelectsTheLayer()
    {
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        test::shownResult(window);
        window.resize(1600, 1000);
        window.setTeachingPanelsVisible(true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        NetworkDiagram& diagram = *window.networkDiagram();
        for (int layer : {0, 5, 17}) {
            const QRect box = diagram.boxRect(layer);
            QVERIFY(!box.isEmpty());
            QCOMPARE(diagram.layerAt(box.center()), layer);
            QTest::mouseClick(diagram.canvas(), Qt::LeftButton, {}, box.center());
            QCOMPARE(window.model().selectedLayer(), layer);
        }
        // Between boxes: nothing is selected anew.
        const QRect a = diagram.boxRect(3), b = diagram.boxRect(4);
        QTest::mouseClick(diagram.canvas(), Qt::LeftButton, {}, QPoint((a.right() + b.left()) / 2, a.center().y()));
        QCOMPARE(window.model().selectedLayer(), 17);
        window.model().stepLayer(+1);
        window.model().stepLayer(+1);
        QCOMPARE(diagram.highlightedLayer(), window.model().cursorLayer());
        QVERIFY(diagram.highlightedLayer() >= 0);
        // The charts draw the same cursor and layer while the teaching views are open, none after.
        QCOMPARE(window.timeline()->cursorTime(), window.model().cursorTime());
        QCOMPARE(window.memory()->cursorTime(), window.model().cursorTime());
        QCOMPARE(window.timeline()->highlightedLayer(), window.model().cursorLayer());
        QCOMPARE(window.layerBars()->highlightedLayer(), window.model().cursorLayer());
        window.setTeachingPanelsVisible(false);
        QVERIFY(std::isnan(window.timeline()->cursorTime()));
        QCOMPARE(window.layerBars()->highlightedLayer(), -1);
        window.setTeachingPanelsVisible(true);
        for (int m = 0; m < kDiagramMetrics; ++m) {
            diagram.setMetric(static_cast<DiagramMetric>(m));
            QVERIFY(diagram.legendText().startsWith(diagramMetricName(static_cast<DiagramMetric>(m))));
        }
        window.close();
    }

    // Presentation mode: full screen with large type and the lecture keys; Esc gives back the
    // window as it was.
    void presentationKeysDrivePlayback()
    {
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        const sim::Result& result = test::shownResult(window);
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const qreal normalPt = QApplication::font().pointSizeF();
        QVERIFY(window.menuBar()->isVisible());
        QTest::keyClick(&window, Qt::Key_F5);
        QVERIFY(window.isPresenting());
        QCOMPARE(QApplication::font().pointSizeF(), normalPt * kPresentationFontScale);
        QVERIFY(!window.menuBar()->isVisible());
        QVERIFY(window.teachingDock()->isVisible());
        StudioModel& model = window.model();
        QWidget* target = QApplication::focusWidget() ? QApplication::focusWidget() : &window;

        QTest::keyClick(target, Qt::Key_Space);
        QVERIFY(model.isPlaying());
        QTest::keyClick(target, Qt::Key_Space);
        QVERIFY(!model.isPlaying());

        model.setCursorTime(0);
        QTest::keyClick(target, Qt::Key_Right);
        QCOMPARE(model.cursorTime(), sim::nextEventBoundary(result, 0).value());
        QTest::keyClick(target, Qt::Key_Left);
        QCOMPARE(model.cursorTime(), 0.0);
        QTest::keyClick(target, Qt::Key_Right, Qt::ShiftModifier);
        QCOMPARE(model.cursorTime(), sim::nextComputeStep(result, 0)->start_s);

        const double speed = model.playbackSpeed();
        QTest::keyClick(target, Qt::Key_Plus);
        QVERIFY(model.playbackSpeed() > speed);
        QTest::keyClick(target, Qt::Key_Minus);
        QCOMPARE(model.playbackSpeed(), speed);

        // A focused button does not take Space from the lecture.
        window.playbackControls()->setFocus();
        QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &window, Qt::Key_Space);
        QVERIFY(model.isPlaying());
        model.pause();

        const int selected = 3;
        model.setSelectedLayer(selected);
        QTest::keyClick(target, Qt::Key_Escape);
        QVERIFY(!window.isPresenting());
        QCOMPARE(model.selectedLayer(), selected); // Esc left presentation mode, nothing else
        QCOMPARE(QApplication::font().pointSizeF(), normalPt);
        QVERIFY(window.menuBar()->isVisible());
        // Outside presentation mode Space is no lecture key.
        QTest::keyClick(&window, Qt::Key_Space);
        QVERIFY(!model.isPlaying());
        // Closing while presenting keeps the working layout for next time, not the lecture's.
        auto* controlsDock = window.findChild<QDockWidget*>(QStringLiteral("controlsDock"));
        const bool controlsShown = controlsDock->isVisibleTo(&window);
        window.setPresentationMode(true);
        QVERIFY(!window.menuBar()->isVisible());
        QVERIFY(!controlsDock->isVisible());
        window.close();
        QVERIFY(!window.isPresenting());
        QVERIFY(window.menuBar()->isVisibleTo(&window));
        QCOMPARE(controlsDock->isVisibleTo(&window), controlsShown);
        QCOMPARE(QApplication::font().pointSizeF(), normalPt);
    }

    // The diagram of a network with branches: every edge points right, and ResNet-50's
    // projection shortcuts stand in a row of their own beside the block they bypass.
    void theDiagramLaysOutBranchesInParallelRows()
    {
        const NetworkModel network(loadNetworkFile(std::filesystem::path(samplePath(QStringLiteral("networks/resnet50.json")).toStdString())));
        const DiagramLayout layout = layoutNetwork(network);
        QCOMPARE(layout.cells.size(), network.size());
        std::set<std::pair<int, int>> cells;
        for (std::size_t i = 0; i < network.size(); ++i) {
            const auto& cell = layout.cells[i];
            QVERIFY2(cells.insert({cell.column, cell.row}).second, "two boxes in one cell");
            for (int producer : network.layers()[i].inputs)
                QVERIFY(layout.of(producer).column < cell.column);
        }
        QVERIFY(layout.rows >= 2);
        QVERIFY(layout.columns < static_cast<int>(network.size())); // branches share columns
        const NetworkModel vgg(loadNetworkFile(std::filesystem::path(samplePath(QStringLiteral("networks/vgg16.json")).toStdString())));
        QCOMPARE(layoutNetwork(vgg).rows, 1);
    }

    // While the Teach dock is closed the diagram keeps what it showed and lays out nothing; the
    // newest simulation appears when the dock opens. On a generated network, the boxes found by
    // position (only the columns in view are searched) are the layers' own, near and far.
    void theDiagramLaysOutWhenShown()
    {
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/tiny-teaching.json"))));
        test::shownResult(window);
        window.resize(1600, 1000);
        window.setTeachingPanelsVisible(true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        NetworkDiagram& diagram = *window.networkDiagram();
        const int tinyLayers = static_cast<int>(window.model().scenario().network->size());
        QVERIFY(!diagram.boxRect(tinyLayers - 1).isEmpty());
        window.setTeachingPanelsVisible(false);
        QVERIFY(!diagram.isVisible());

        auto network = std::make_shared<const NetworkModel>(syntheticResidualNetwork(2000), "generated");
        window.model().openScenario(sim::defaultScenarioFor(network), QStringLiteral("generated"));
        QVERIFY(window.model().waitForIdle());
        const int last = static_cast<int>(network->size()) - 1;
        QVERIFY(diagram.boxRect(last).isEmpty()); // still the tiny network's layout
        QVERIFY(!diagram.boxRect(tinyLayers - 1).isEmpty());

        window.setTeachingPanelsVisible(true);
        QVERIFY(diagram.isVisible());
        for (int layer : {kNetworkInput, 0, 1, 4, 5, 137, last / 2, last - 1, last}) {
            const QRect box = diagram.boxRect(layer);
            QVERIFY2(!box.isEmpty(), qPrintable(QString::number(layer)));
            QCOMPARE(diagram.layerAt(box.center()), layer);
        }
        // Between two boxes of a row: no layer.
        const QRect a = diagram.boxRect(last - 1), b = diagram.boxRect(last);
        QCOMPARE(diagram.layerAt(QPoint((a.right() + b.left()) / 2, b.center().y())), -2);
        window.model().setCursorTime(test::shownResult(window).summary.iteration_s / 2);
        QVERIFY(diagram.highlightedLayer() >= 0);
        QVERIFY(!diagram.canvas()->grab(diagram.boxRect(diagram.highlightedLayer()).adjusted(-200, -50, 200, 50)).isNull());
        window.close();
    }

    // A network of more than kLayoutOnWorkerAbove layers is laid out on a worker: meanwhile the
    // diagram keeps drawing the previous network, consistently (its boxes, not the new one's),
    // and then shows the new network with the newest result.
    void aLargeNetworkIsLaidOutOffTheWindowThread()
    {
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/tiny-teaching.json"))));
        test::shownResult(window);
        window.resize(1600, 1000);
        window.setTeachingPanelsVisible(true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        NetworkDiagram& diagram = *window.networkDiagram();
        const int tinyLayers = static_cast<int>(window.model().scenario().network->size());

        const int blocks = static_cast<int>(kLayoutOnWorkerAbove / kSyntheticLayersPerBlock) + 1000;
        auto network = std::make_shared<const NetworkModel>(syntheticResidualNetwork(blocks), "generated");
        window.model().openScenario(sim::defaultScenarioFor(network), QStringLiteral("generated"));
        QVERIFY(window.model().waitForIdle());
        const int last = static_cast<int>(network->size()) - 1;
        if (diagram.isLayingOut()) {
            QVERIFY(diagram.boxRect(last).isEmpty()); // still the tiny network, whole
            QVERIFY(!diagram.boxRect(tinyLayers - 1).isEmpty());
            QVERIFY(!diagram.canvas()->grab().isNull());
        }
        QTRY_VERIFY_WITH_TIMEOUT(!diagram.isLayingOut(), 30000);
        for (int layer : {kNetworkInput, 0, last / 2, last}) {
            const QRect box = diagram.boxRect(layer);
            QVERIFY2(!box.isEmpty(), qPrintable(QString::number(layer)));
            QCOMPARE(diagram.layerAt(box.center()), layer);
        }
        // An edit of the large network shows at once: its layout is kept.
        sim::ScenarioEdit edit;
        edit.codec = CodecId::zvc;
        window.model().apply(edit);
        QVERIFY(window.model().waitForIdle());
        QVERIFY(!diagram.isLayingOut());
        window.close();
    }

    void theGlossaryDefinesTheWordsOfTheWindow()
    {
        for (const char* term : {"Offload", "Prefetch", "Stall", "ZVC", "RLE", "zlib", "JPEG-ACT", "Sparsity",
                                 "Compression ratio", "PCIe", "NVLink", "vDNN-all", "vDNN-conv", "vDNN-dyn", "Memory baseline",
                                 "Bound (roofline)"}) {
            const GlossaryEntry* entry = glossaryEntry(QString::fromLatin1(term));
            QVERIFY2(entry, term);
            QVERIFY(entry->definition.size() > 40);
        }
        GlossaryDialog dialog;
        QCOMPARE(dialog.shownTerms().size(), static_cast<qsizetype>(glossary().size()));
        dialog.setFilter(QStringLiteral("mask"));
        QVERIFY(dialog.shownTerms().contains(QStringLiteral("ZVC")));
        QVERIFY(!dialog.shownTerms().contains(QStringLiteral("PCIe")));
    }
};

QTEST_MAIN(TestTeachingWindow)
#include "tst_teaching_window.moc"
