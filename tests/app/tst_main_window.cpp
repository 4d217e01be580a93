// The window against the simulator: every control change shows exactly the simulator's result,
// selection reaches every view, files round-trip, and a bad file changes nothing.
#include "test_support.h"

#include "app/plots/format.h"
#include "app/plots/generations_plot.h"
#include "app/plots/layer_bars_plot.h"
#include "app/plots/memory_plot.h"
#include "app/plots/sweep_plot.h"
#include "app/plots/timeline_plot.h"
#include "app/studio/control_panel.h"
#include "app/studio/summary_widget.h"
#include "sim/simulator.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace offload;
using namespace offload::studio;
using offload::studio::test::TestWindow;
using offload::studio::test::samplePath;

namespace {

bool sameSummary(const sim::Summary& a, const sim::Summary& b)
{
    return a.iteration_s == b.iteration_s && a.oracle_s == b.oracle_s && a.peak_gpu_bytes == b.peak_gpu_bytes
           && a.avg_gpu_bytes == b.avg_gpu_bytes && a.d2h_wire_bytes == b.d2h_wire_bytes && a.h2d_wire_bytes == b.h2d_wire_bytes;
}

void activate(QComboBox* combo, const QVariant& data)
{
    const int index = combo->findData(data);
    QVERIFY2(index >= 0, qPrintable(QStringLiteral("no entry with data %1").arg(data.toString())));
    combo->setCurrentIndex(index);
    emit combo->activated(index);
}

// Every view shows exactly the state's result, and that result is what the simulator gives for
// the state's scenario.
void checkViewsShowResult(TestWindow& window)
{
    const sim::Result& shown = shownResult(window);
    const sim::Result expected = sim::simulate(window.model().scenario());
    QVERIFY(sameSummary(shown.summary, expected.summary));

    auto* summary = window.summary();
    QCOMPARE(summary->valueText(QStringLiteral("iteration")), plots::formatMs(expected.summary.iteration_s));
    QCOMPARE(summary->valueText(QStringLiteral("oracle")), plots::formatMs(expected.summary.oracle_s));
    QVERIFY(summary->valueText(QStringLiteral("speedup")).startsWith(plots::formatRatio(expected.summary.speedup_vs_uncompressed)));
    QVERIFY(summary->valueText(QStringLiteral("peak")).startsWith(plots::formatBytes(expected.summary.peak_gpu_bytes)));
    QVERIFY(summary->valueText(QStringLiteral("d2h")).endsWith(plots::formatBytes(expected.summary.d2h_wire_bytes)));

    // Timeline: the same events, lane by lane.
    const auto& lanes = window.timeline()->lanes();
    std::size_t plotted = 0;
    for (int row = 0; row < lanes.rowCount(); ++row) {
        for (const auto& e : lanes.rowEvents(row))
            QCOMPARE(e.lane, lanes.rowLane(row));
        plotted += lanes.rowEvents(row).size();
    }
    QCOMPARE(plotted, expected.events.size());
    double endS = 0;
    for (const auto& e : expected.events)
        endS = std::max(endS, e.end_s);
    QCOMPARE(lanes.endMs(), endS * 1e3);

    // Per-layer bars: one bar per layer with the result's values.
    auto* bars = window.layerBars();
    for (int panel = 0; panel < static_cast<int>(bars->metrics().size()); ++panel) {
        auto data = bars->bars(panel)->data();
        QCOMPARE(static_cast<std::size_t>(data->size()), expected.layers.size());
        for (int i = 0; i < data->size(); ++i)
            QCOMPARE(data->at(i)->value, plots::layerMetricValue(bars->metrics()[static_cast<std::size_t>(panel)],
                                                                   expected.layers[static_cast<std::size_t>(i)]));
    }

    // Memory: the step curve has the result's points (plus one closing point at the end).
    auto memoryData = window.memory()->memoryGraph()->data();
    QVERIFY(static_cast<std::size_t>(memoryData->size()) >= expected.memory.size());
    for (std::size_t i = 0; i < expected.memory.size(); ++i) {
        QCOMPARE(memoryData->at(static_cast<int>(i))->key, expected.memory[i].time_s * 1e3);
        QCOMPARE(memoryData->at(static_cast<int>(i))->value, static_cast<double>(expected.memory[i].bytes) / (1024.0 * 1024 * 1024));
    }
    const double budgetGiB = static_cast<double>(window.model().scenario().budgetBytes()) / (1024.0 * 1024 * 1024);
    QCOMPARE(window.memory()->budgetGraph()->data()->at(0)->value, budgetGiB);
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("OffloadStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
    }

    // Every test starts without unsaved work left by another one.
    void init() { QFile::remove(MainWindow::autosavePath()); }

    // No lost work: a change is autosaved; a window that dies without closing (kill -9) leaves
    // it behind; the next start offers it back, as unsaved untitled work; a clean close or a
    // save removes it.
    void unsavedWorkSurvivesACrash()
    {
        {
            auto* crashed = new TestWindow;
            crashed->openAtStart(QString());
            QCOMPARE(crashed->recoverQuestions, 0);
            applyEdit(*crashed, [](sim::ScenarioEdit& e) { e.batch = 96; });
            // The delayed autosave writes by itself (on a worker), then a flush writes at once.
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(MainWindow::autosavePath()), 10000);
            QCOMPARE(sim::loadScenarioFile(MainWindow::autosavePath().toStdString()).batch, std::int64_t{96});
            crashed->flushAutosave();
            QVERIFY(QFile::exists(MainWindow::autosavePath()));
            // Never closed: like a process killed, nothing removes the autosave. (The object
            // is deliberately not deleted through close(); its destructor does not touch it.)
            delete crashed;
        }
        QVERIFY(QFile::exists(MainWindow::autosavePath()));
        TestWindow next;
        next.openAtStart(QString());
        QCOMPARE(next.recoverQuestions, 1);
        QCOMPARE(next.model().scenario().batch, std::int64_t{96});
        QCOMPARE(next.model().scenario().codec, CodecId::zvc);
        QVERIFY(next.model().isModified());
        QVERIFY(next.model().filePath().isEmpty()); // a save asks where
        checkViewsShowResult(next);
        // The recovered network is embedded: the network list says so (not "Open network file...").
        QVERIFY2(next.controls()->networkCombo()->currentText().contains(QStringLiteral("embedded")),
                 qPrintable(next.controls()->networkCombo()->currentText()));
        // Saved elsewhere: the autosave goes.
        QTemporaryDir dir;
        QVERIFY(next.saveTo(dir.filePath(QStringLiteral("recovered.json"))));
        QVERIFY(!QFile::exists(MainWindow::autosavePath()));

        // Declined: the example opens and the autosave is dropped.
        applyEdit(next, [](sim::ScenarioEdit& e) { e.batch = 48; });
        next.flushAutosave();
        TestWindow declining;
        declining.recoverAnswer = false;
        declining.openAtStart(QString());
        QCOMPARE(declining.recoverQuestions, 1);
        QCOMPARE(declining.model().scenario().batch, std::int64_t{128});
        QVERIFY(!QFile::exists(MainWindow::autosavePath()));
    }

    void opensTheDefaultExample()
    {
        TestWindow window;
        QVERIFY(QFile::exists(defaultScenarioPath()));
        QVERIFY(window.openFile(defaultScenarioPath()));
        QVERIFY(window.errors.isEmpty());
        const auto& s = window.model().scenario();
        QCOMPARE(s.codec, CodecId::zvc);
        QCOMPARE(s.policy, sim::OffloadPolicy::all);
        QCOMPARE(s.link.d2h_bytes_per_s, 12.8e9);
        QVERIFY(!window.model().isModified());
        checkViewsShowResult(window);
    }

    // On a 1280 x 720 projector every field of the controls and every value of the summary is
    // shown whole: none is cut at the edge of its dock.
    void everyFieldAndValueFitsA1280x720Screen_data()
    {
        QTest::addColumn<QString>("sample");
        QTest::newRow("ResNet-50") << QStringLiteral("networks/resnet50.json");
        QTest::newRow("MobileNetV1-SSD") << QStringLiteral("networks/mobilenetv1-ssd.json");
        QTest::newRow("VGG-16 with a baseline") << QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json");
    }
    void everyFieldAndValueFitsA1280x720Screen()
    {
        QFETCH(QString, sample);
        TestWindow window;
        window.resize(1280, 720 - 40); // less the window frame and a panel
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openFile(samplePath(sample)));
        QVERIFY(window.model().waitForIdle());
        if (sample.contains(QLatin1String("vgg16"))) {
            window.model().pinBaseline();
            sim::ScenarioEdit edit;
            edit.bandwidth_bytes_per_s = 3e9;
            window.model().apply(edit);
            QVERIFY(window.model().waitForIdle());
        }
        QApplication::processEvents();
        QVERIFY2(window.width() <= 1280, qPrintable(QString::number(window.width())));
        QStringList cut;

        // The controls: each field lies within the visible part of its scroll area.
        auto* scroll = qobject_cast<QScrollArea*>(window.controls()->parentWidget()->parentWidget());
        QVERIFY(scroll);
        const QWidget* viewport = scroll->viewport();
        // The dock at its narrowest still holds the controls' minimum beside its scroll bar.
        QVERIFY2(window.controls()->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width()
                     <= scroll->minimumWidth(),
                 qPrintable(QStringLiteral("controls need %1 px, the dock gives %2")
                                .arg(window.controls()->minimumSizeHint().width())
                                .arg(scroll->minimumWidth() - scroll->verticalScrollBar()->sizeHint().width())));
        for (QWidget* field : window.controls()->findChildren<QWidget*>()) {
            if (!field->isVisibleTo(window.controls()) || !(qobject_cast<QComboBox*>(field) || qobject_cast<QAbstractSpinBox*>(field)
                                                            || qobject_cast<QSlider*>(field)))
                continue;
            const int right = field->mapTo(viewport, QPoint(field->width(), 0)).x();
            if (right > viewport->width())
                cut << QStringLiteral("%1 ends at %2 of %3").arg(field->toolTip().left(40)).arg(right).arg(viewport->width());
        }
        // The summary: each value's text within its label, wrapped where the label wraps.
        for (QLabel* label : window.summary()->findChildren<QLabel*>()) {
            if (!label->isVisibleTo(window.summary()) || label->text().isEmpty() || label->textFormat() == Qt::RichText)
                continue;
            const QFontMetrics metrics(label->font());
            const QRect needed = metrics.boundingRect(QRect(0, 0, label->width(), 100000),
                                                      label->wordWrap() ? Qt::TextWordWrap : 0, label->text());
            if (needed.width() > label->width() || needed.height() > label->height())
                cut << QStringLiteral("\"%1\" needs %2x%3, has %4x%5")
                           .arg(label->text())
                           .arg(needed.width())
                           .arg(needed.height())
                           .arg(label->width())
                           .arg(label->height());
        }
        QVERIFY2(cut.isEmpty(), qPrintable(cut.join(QLatin1Char('\n'))));
    }

    // Hover help: every control of the panel and its row title, every codec in the list and
    // every label of the summary says what it changes or shows.
    void everyControlAndMetricExplainsItself()
    {
        TestWindow window;
        QVERIFY(window.openFile(defaultScenarioPath()));
        auto* panel = window.controls();
        auto insideList = [](const QWidget* w) {
            for (const QWidget* p = w->parentWidget(); p; p = p->parentWidget())
                if (qobject_cast<const QComboBox*>(p))
                    return true; // a combo box's own popup and scroll bars
            return false;
        };
        int controls = 0;
        for (QWidget* w : panel->findChildren<QWidget*>()) {
            const bool control = qobject_cast<QComboBox*>(w) || qobject_cast<QAbstractSpinBox*>(w)
                                 || qobject_cast<QAbstractSlider*>(w) || qobject_cast<QAbstractButton*>(w);
            if (!control || insideList(w))
                continue;
            ++controls;
            QVERIFY2(!w->toolTip().isEmpty(), w->metaObject()->className());
        }
        QVERIFY(controls >= 25);
        for (auto* form : panel->findChildren<QFormLayout*>()) {
            for (int row = 0; row < form->rowCount(); ++row) {
                QLayoutItem* item = form->itemAt(row, QFormLayout::LabelRole);
                auto* title = item ? qobject_cast<QLabel*>(item->widget()) : nullptr;
                if (title && !title->text().isEmpty())
                    QVERIFY2(!title->toolTip().isEmpty(), qPrintable(title->text()));
            }
        }
        auto* codecs = panel->codecCombo();
        for (int i = 0; i < codecs->count(); ++i)
            QVERIFY2(!codecs->itemData(i, Qt::ToolTipRole).toString().isEmpty(), qPrintable(codecs->itemText(i)));
        const auto labels = window.summary()->findChildren<QLabel*>();
        QVERIFY(labels.size() >= 3 * 13);
        for (QLabel* label : labels)
            QVERIFY2(!label->toolTip().isEmpty(), qPrintable(label->text()));
    }

    void controlChangesShowTheSimulatorsResult_data()
    {
        QTest::addColumn<QString>("control");
        QTest::newRow("codec") << "codec";
        QTest::newRow("jpeg quality") << "jpeg-quality";
        QTest::newRow("bandwidth slider") << "bandwidth";
        QTest::newRow("policy") << "policy";
        QTest::newRow("progress") << "progress";
        QTest::newRow("batch") << "batch";
        QTest::newRow("link preset") << "link";
        QTest::newRow("convolution algorithms") << "conv-algorithms";
        QTest::newRow("compute model") << "compute-model";
        QTest::newRow("GPU compute scale") << "compute-scale";
    }

    void controlChangesShowTheSimulatorsResult()
    {
        QFETCH(QString, control);
        TestWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        auto* controls = window.controls();
        if (control == QLatin1String("jpeg-quality"))
            activate(controls->codecCombo(), static_cast<int>(CodecId::jpeg_act));
        const sim::Summary before = shownResult(window).summary;
        const QString iterationBefore = window.summary()->valueText(QStringLiteral("iteration"));
        const auto revisionBefore = window.model().revision();

        if (control == QLatin1String("codec")) {
            activate(controls->codecCombo(), static_cast<int>(CodecId::none));
            QCOMPARE(window.model().scenario().codec, CodecId::none);
        } else if (control == QLatin1String("jpeg-quality")) {
            activate(controls->jpegQualityCombo(), 50);
            QCOMPARE(window.model().scenario().codec_params.jpeg_quality, 50);
        } else if (control == QLatin1String("bandwidth")) {
            const int position = ControlPanel::sliderPositionFor(100);
            controls->bandwidthSlider()->setValue(position);
            QCOMPARE(window.model().scenario().link.d2h_bytes_per_s, ControlPanel::bandwidthAt(position) * 1e9);
            QCOMPARE(window.model().scenario().link.h2d_bytes_per_s, ControlPanel::bandwidthAt(position) * 1e9);
            QCOMPARE(controls->bandwidthSpin()->value(), ControlPanel::bandwidthAt(position));
        } else if (control == QLatin1String("policy")) {
            activate(controls->policyCombo(), static_cast<int>(sim::OffloadPolicy::none));
            QCOMPARE(window.model().scenario().policy, sim::OffloadPolicy::none);
        } else if (control == QLatin1String("progress")) {
            controls->progressSlider()->setValue(0);
            QCOMPARE(window.model().scenario().progress, 0.0);
        } else if (control == QLatin1String("batch")) {
            controls->batchSpin()->setValue(static_cast<int>(window.model().scenario().batch / 2));
        } else if (control == QLatin1String("conv-algorithms")) {
            activate(controls->convAlgorithmsCombo(), static_cast<int>(sim::AlgorithmPreference::memory));
            QCOMPARE(window.model().scenario().conv_algorithms, sim::AlgorithmPreference::memory);
            shownResult(window);
            QCOMPARE(window.summary()->valueText(QStringLiteral("algorithms")), QStringLiteral("implicit GEMM"));
        } else if (control == QLatin1String("compute-model")) {
            activate(controls->computeModelCombo(), static_cast<int>(sim::ComputeModelKind::delta));
            QCOMPARE(window.model().scenario().compute_model, sim::ComputeModelKind::delta);
        } else if (control == QLatin1String("compute-scale")) {
            controls->computeScaleSpin()->setValue(4);
            QCOMPARE(window.model().scenario().gpu_scale.compute, 4.0);
            QCOMPARE(window.model().scenario().gpu_scale.dram, 1.0);
        } else if (control == QLatin1String("link")) {
            activate(controls->linkCombo(), QStringLiteral("pcie4-x16"));
            QCOMPARE(window.model().scenario().link.id, std::string("pcie4-x16"));
        }
        QVERIFY(window.model().isModified());
        QVERIFY2(!sameSummary(before, shownResult(window).summary), "the change must change the result");
        // One user action, one edit: no view or control wrote anything back while it showed the
        // new scenario and result.
        QCOMPARE(window.model().revision(), revisionBefore + 1);
        QVERIFY(window.summary()->valueText(QStringLiteral("iteration")) != iterationBefore
                || before.iteration_s == shownResult(window).summary.iteration_s);
        checkViewsShowResult(window);
        QVERIFY(window.isWindowModified());
    }

    // A bad file given at start: its error is shown over the complete bundled example, never
    // over a half-built window.
    void badFileAtStartLeavesTheExampleOpen()
    {
        QTemporaryDir dir;
        const QString garbage = dir.filePath(QStringLiteral("garbage.json"));
        QFile f(garbage);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ this is not json");
        f.close();
        TestWindow window;
        window.openAtStart(garbage);
        QCOMPARE(window.errors.size(), 1);
        QVERIFY(window.errors.front().contains(QStringLiteral("garbage.json")));
        QVERIFY(window.model().hasScenario());
        QCOMPARE(window.model().scenario().codec, CodecId::zvc); // the bundled VGG-16 example
        QVERIFY(!window.model().isModified());
        QVERIFY(window.controls()->isEnabled());
        QVERIFY(window.summary()->valueText(QStringLiteral("feasibility")).isEmpty());
        checkViewsShowResult(window);
    }

    // The reductions are against the baseline the user picks, and the summary says which.
    void memoryBaselineSwitchChangesTheReduction()
    {
        TestWindow window;
        QVERIFY(window.openFile(defaultScenarioPath()));
        const sim::Summary vdnn = shownResult(window).summary;
        QCOMPARE(vdnn.baseline, sim::BaselineKind::vdnn);
        QVERIFY(window.summary()->valueText(QStringLiteral("memory_baseline")).contains(QStringLiteral("vDNN")));
        activate(window.controls()->memoryBaselineCombo(), static_cast<int>(sim::BaselineKind::lean));
        QCOMPARE(window.model().scenario().baseline, sim::BaselineKind::lean);
        const sim::Summary lean = shownResult(window).summary;
        QVERIFY(window.summary()->valueText(QStringLiteral("memory_baseline")).contains(QStringLiteral("lean")));
        // Same timeline, a smaller reference: the lean oracle keeps less than vDNN's allocation.
        QCOMPARE(lean.avg_gpu_bytes, vdnn.avg_gpu_bytes);
        QCOMPARE(lean.baseline_avg_gpu_bytes, lean.oracle_avg_gpu_bytes);
        QVERIFY(lean.baseline_avg_gpu_bytes < vdnn.baseline_avg_gpu_bytes);
        QVERIFY(lean.avg_reduction < vdnn.avg_reduction);
        QVERIFY(window.model().isModified());
    }

    void bandwidthSliderIsLogarithmic_data()
    {
        QTest::addColumn<double>("gbps");
        for (double v : {0.5, 1.0, 12.8, 25.0, 63.0, 500.0})
            QTest::newRow(qPrintable(QString::number(v))) << v;
    }

    void bandwidthSliderIsLogarithmic()
    {
        QFETCH(double, gbps);
        const int position = ControlPanel::sliderPositionFor(gbps);
        // One slider step is 0.7 % of bandwidth; the shown value is rounded to 3 digits.
        QVERIFY(std::abs(ControlPanel::bandwidthAt(position) / gbps - 1) < 0.01);
        QVERIFY(ControlPanel::bandwidthAt(position + 1) > ControlPanel::bandwidthAt(position) || position == ControlPanel::kSliderSteps);
    }

    void selectingALayerHighlightsItEverywhere()
    {
        TestWindow window;
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        shownResult(window);
        window.timeline()->replot();
        window.layerBars()->replot();

        // Click the centre of the longest compute event in the timeline.
        const auto& lanes = window.timeline()->lanes();
        const int computeRow = lanes.rowOf(sim::Lane::compute);
        QVERIFY(computeRow >= 0);
        const sim::Event* longest = nullptr;
        for (const auto& e : lanes.rowEvents(computeRow))
            if (e.kind == sim::EventKind::forward && (!longest || e.end_s - e.start_s > longest->end_s - longest->start_s))
                longest = &e;
        QVERIFY(longest);
        const QPoint at(static_cast<int>(window.timeline()->xAxis->coordToPixel((longest->start_s + longest->end_s) * 0.5e3)),
                        static_cast<int>(window.timeline()->yAxis->coordToPixel(computeRow)));
        const QString hover = window.timeline()->hoverText(at);
        QVERIFY(hover.contains(plots::layerName(window.model().scenario(), longest->layer)));
        // The hover says what bounds the pass and which convolution algorithm ran.
        const auto& hovered = shownResult(window).layers[static_cast<std::size_t>(longest->layer)];
        QVERIFY2(hover.contains(QStringLiteral("bound by: ") + plots::boundLabel(hovered.forward_bound)), qPrintable(hover));
        if (hovered.algorithm)
            QVERIFY(hover.contains(QStringLiteral("algorithm: ")));
        QTest::mouseClick(window.timeline(), Qt::LeftButton, {}, at);
        const int layer = longest->layer;
        QCOMPARE(window.model().selectedLayer(), layer);
        QCOMPARE(window.timeline()->selectedLayer(), layer);
        QCOMPARE(window.layerBars()->selectedLayer(), layer);
        for (int panel = 0; panel < static_cast<int>(window.layerBars()->metrics().size()); ++panel) {
            auto selected = window.layerBars()->selectedBar(panel)->data();
            QCOMPARE(selected->size(), 1);
            QCOMPARE(selected->at(0)->key, static_cast<double>(layer));
        }
        QVERIFY(window.summary()->valueText(QStringLiteral("provenance")).contains(plots::layerName(window.model().scenario(), layer)));

        // Clicking a bar in the per-layer chart selects that layer.
        const int other = layer == 0 ? 1 : 0;
        auto* bars = window.layerBars();
        auto* x = bars->bars(0)->keyAxis();
        auto* y = bars->bars(0)->valueAxis();
        const QPoint barPoint(static_cast<int>(x->coordToPixel(other)), static_cast<int>(y->coordToPixel(y->range().center())));
        QCOMPARE(bars->layerAtPixel(barPoint), other);
        QTest::mouseClick(bars, Qt::LeftButton, {}, barPoint);
        QCOMPARE(window.model().selectedLayer(), other);
        QCOMPARE(window.timeline()->selectedLayer(), other);
        QCOMPARE(bars->selectedBar(0)->data()->at(0)->key, static_cast<double>(other));
    }

    void sweepShowsOneLinePerCodecAndTheCurrentSetting()
    {
        TestWindow window;
        window.show();
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        window.chartTabs()->setCurrentWidget(window.sweepPlot());
        QVERIFY(window.model().waitForIdle());
        const auto spec = sim::defaultSweepSpec(window.model().scenario());
        auto* sweep = window.sweepPlot();
        QCOMPARE(sweep->lineCount(), static_cast<int>(spec.codecs.size()));
        const auto points = sim::runSweep(window.model().scenario(), spec);
        for (int line = 0; line < sweep->lineCount(); ++line) {
            auto data = sweep->line(line)->data();
            QCOMPARE(static_cast<std::size_t>(data->size()), spec.bandwidths_bytes_per_s.size());
            for (const auto& p : points)
                if (QString::fromStdString(std::string(codecName(p.codec))) == sweep->line(line)->name()) {
                    const auto it = data->findBegin(p.bandwidth_bytes_per_s / 1e9 * (1 - 1e-12), false);
                    QCOMPARE(it->value, p.summary.iteration_s * 1e3);
                }
        }
        QCOMPARE(sweep->marker()->data()->at(0)->key, 12.8);
        QCOMPARE(sweep->marker()->data()->at(0)->value, shownResult(window).summary.iteration_s * 1e3);
        // Moving the bandwidth moves the marker, with the sweep cached.
        window.controls()->bandwidthSpin()->setValue(40);
        QVERIFY(window.model().waitForIdle() && window.model().snapshot()->sweep);
        QCOMPARE(sweep->marker()->data()->at(0)->key, 40.0);
        QCOMPARE(sweep->marker()->data()->at(0)->value, shownResult(window).summary.iteration_s * 1e3);
    }

    // The GPU-generations tab: one line per codec over the seven GPUs, each point the overhead
    // runSweep gives for that GPU at the scenario's link.
    void generationsChartShowsEveryGpu()
    {
        TestWindow window;
        window.show();
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        window.chartTabs()->setCurrentWidget(window.generationsPlot());
        QVERIFY(window.model().waitForIdle());
        auto* plot = window.generationsPlot();
        const auto spec = sim::generationsSweepSpec(window.model().scenario());
        QCOMPARE(plot->gpuLabels().size(), static_cast<qsizetype>(spec.gpus.size()));
        QCOMPARE(plot->lineCount(), static_cast<int>(spec.codecs.size()));
        const auto points = sim::runSweep(window.model().scenario(), spec);
        for (int line = 0; line < plot->lineCount(); ++line) {
            auto data = plot->line(line)->data();
            QCOMPARE(static_cast<std::size_t>(data->size()), spec.gpus.size());
            for (const auto& p : points)
                if (QString::fromStdString(std::string(codecName(p.codec))) == plot->line(line)->name()) {
                    const double key = static_cast<double>(
                        std::find(spec.gpus.begin(), spec.gpus.end(), p.gpu) - spec.gpus.begin());
                    QCOMPARE(data->findBegin(key, false)->value, p.summary.overhead * 100);
                }
        }
    }

    // The sparsity explorer: MobileNetV1-SSD comes with real captured outputs (samples/tensors).
    // Selecting a captured layer shows its tensor (NHWC read as NCHW) with the exact zero
    // fraction; a layer without one, or a folder without a manifest, says so and keeps state.
    void sparsityExplorerShowsTheSelectedLayersCapture()
    {
        TestWindow window;
        window.show();
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/mobilenetv1-ssd-zvc.json"))));
        shownResult(window);
        window.chartTabs()->setCurrentWidget(window.sparsityExplorerPage());
        QVERIFY(window.sparsityExplorerHint().contains(QStringLiteral("prediction/conv_0/relu6")));
        const int layer = window.model().scenario().network->indexOf("prediction/conv_0/relu6");
        QVERIFY(layer >= 0);
        window.model().setSelectedLayer(layer);
        QVERIFY2(window.sparsityExplorerHint().isEmpty(), qPrintable(window.sparsityExplorerHint()));
        const auto& data = window.sparsityExplorer()->data();
        QCOMPARE(data.layer, QStringLiteral("prediction/conv_0/relu6"));
        QCOMPARE(data.samples, 1);
        QCOMPARE(data.channels, 256);
        QCOMPARE(data.height, 16);
        QCOMPARE(data.width, 16);
        // numpy: (a == 0).mean() of ssd_mobilenetv1__sample1__055__prediction.conv_0.relu6.npy
        QCOMPARE(data.sparsity(), 0.720550537109375);

        window.model().setSelectedLayer(0); // the input convolution: nothing captured
        QVERIFY(window.sparsityExplorerHint().contains(QStringLiteral("Nothing was captured")));

        QTemporaryDir empty;
        QVERIFY(!window.openCapturedTensors(empty.path()));
        QCOMPARE(window.errors.size(), 1);
        QVERIFY(window.errors.front().contains(QStringLiteral("manifest.json")));
        window.model().setSelectedLayer(layer); // the bundled tensors are still open
        QCOMPARE(window.sparsityExplorer()->data().channels, 256);
    }

    void baselineShowsDeltas()
    {
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        QVERIFY(window.summary()->deltaText(QStringLiteral("iteration")).isEmpty());
        window.model().pinBaseline();
        const sim::Result baseline = shownResult(window);
        activate(window.controls()->codecCombo(), static_cast<int>(CodecId::none));
        const auto& now = shownResult(window).summary;
        QVERIFY(now.iteration_s != baseline.summary.iteration_s);
        const QString delta = window.summary()->deltaText(QStringLiteral("iteration"));
        const double diff = now.iteration_s - baseline.summary.iteration_s;
        QVERIFY2(delta.startsWith(diff > 0 ? QStringLiteral("+") : QStringLiteral("−")), qPrintable(delta));
        QVERIFY2(delta.contains(plots::formatMs(std::abs(diff))), qPrintable(delta));
        // The memory chart overlays the baseline's curve.
        auto baselineData = window.memory()->baselineGraph()->data();
        QVERIFY(static_cast<std::size_t>(baselineData->size()) >= baseline.memory.size());
        QCOMPARE(baselineData->at(0)->value, static_cast<double>(baseline.memory.front().bytes) / (1024.0 * 1024 * 1024));
        window.model().clearBaseline();
        QVERIFY(window.memory()->baselineGraph()->data()->isEmpty());
    }

    void openSaveRoundTrip()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("networks/resnet50.json"))));
        QVERIFY(window.model().filePath().isEmpty());
        window.controls()->bandwidthSpin()->setValue(31.5);
        activate(window.controls()->codecCombo(), static_cast<int>(CodecId::jpeg_act));
        activate(window.controls()->jpegQualityCombo(), 80);
        activate(window.controls()->policyCombo(), static_cast<int>(sim::OffloadPolicy::conv));
        window.controls()->progressSlider()->setValue(40);
        QVERIFY(window.model().isModified());
        const QString path = dir.filePath(QStringLiteral("sub/../saved.json"));
        QVERIFY(window.saveTo(path));
        QVERIFY(!window.model().isModified());

        TestWindow reopened;
        QVERIFY(reopened.openFile(dir.filePath(QStringLiteral("saved.json"))));
        const auto& a = window.model().scenario();
        const auto& b = reopened.model().scenario();
        QCOMPARE(b.network->network().name, a.network->network().name);
        QCOMPARE(b.link.d2h_bytes_per_s, 31.5e9);
        QCOMPARE(b.codec, CodecId::jpeg_act);
        QCOMPARE(b.codec_params.jpeg_quality, 80);
        QCOMPARE(b.policy, sim::OffloadPolicy::conv);
        QCOMPARE(b.progress, 0.4);
        QCOMPARE(b.batch, a.batch);
        QVERIFY(sameSummary(shownResult(reopened).summary, shownResult(window).summary));
        QCOMPARE(reopened.model().networkPath(), QFileInfo(samplePath(QStringLiteral("networks/resnet50.json"))).absoluteFilePath());
    }

    void badFileLeavesTheStateUnchanged_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expectedPlace");
        QTest::newRow("not json") << QByteArray("{ \"format\": ") << QString();
        QTest::newRow("unknown format") << QByteArray(R"({"format": "something/else", "version": 1})") << QStringLiteral("/format");
        QTest::newRow("bad scenario value")
            << QByteArray(R"({"format": "offload-studio/scenario", "version": 1, "network": "missing-network.json"})")
            << QStringLiteral("/network");
        QTest::newRow("bad network layer")
            << QByteArray(R"({"format": "offload-studio/network", "version": 1, "name": "x", "input": {"shape": [3, 8, 8]},)"
                          R"( "layers": [{"name": "c", "kind": "conv", "out_channels": 4, "kernel": 0}]})")
            << QStringLiteral("/layers/0");
    }

    void badFileLeavesTheStateUnchanged()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expectedPlace);
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        window.controls()->bandwidthSpin()->setValue(20);
        const auto network = window.model().scenario().network;
        const sim::Summary before = shownResult(window).summary;
        const QString fileBefore = window.model().filePath();

        QVERIFY(!window.openFile(bad));
        QCOMPARE(window.errors.size(), 1);
        QVERIFY2(window.errors.front().contains(bad), qPrintable(window.errors.front()));
        if (!expectedPlace.isEmpty())
            QVERIFY2(window.errors.front().contains(expectedPlace), qPrintable(window.errors.front()));
        QCOMPARE(window.model().scenario().network, network);
        QVERIFY(sameSummary(shownResult(window).summary, before));
        QCOMPARE(window.model().filePath(), fileBefore);
        QCOMPARE(window.model().scenario().link.d2h_bytes_per_s, 20e9);
        QVERIFY(window.model().isModified());
        checkViewsShowResult(window);
    }

    void missingFileIsReported()
    {
        TestWindow window;
        QVERIFY(window.openFile(samplePath(QStringLiteral("networks/vgg16.json"))));
        QVERIFY(!window.openFile(QStringLiteral("/nonexistent/dir/scenario.json")));
        QCOMPARE(window.errors.size(), 1);
        QVERIFY(window.errors.front().contains(QStringLiteral("/nonexistent/dir/scenario.json")));
        QVERIFY(window.model().hasScenario());
    }

    void unsavedChangesAreAskedAbout()
    {
        TestWindow window;
        window.show();
        QVERIFY(window.openFile(samplePath(QStringLiteral("networks/vgg16.json"))));
        QVERIFY(window.close()); // nothing changed: no question
        QCOMPARE(window.saveQuestions, 0);
        window.show();
        window.controls()->bandwidthSpin()->setValue(20);
        window.saveChoice = MainWindow::SaveChoice::cancel;
        QVERIFY(!window.close());
        QCOMPARE(window.saveQuestions, 1);
        QVERIFY(window.isVisible());
        window.saveChoice = MainWindow::SaveChoice::discard;
        QVERIFY(window.close());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
