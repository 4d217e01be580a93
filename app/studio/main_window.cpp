#include "main_window.h"

#include "app/plots/chart_data.h"
#include "chart_subscriptions.h"

#include "control_panel.h"
#include "summary_widget.h"
#include "teaching/caption_bar.h"
#include "teaching/glossary_dialog.h"
#include "teaching/lesson_panel.h"
#include "teaching/memory_at_cursor_view.h"
#include "teaching/network_diagram.h"
#include "teaching/playback_controls.h"
#include "teaching/presentation_mode.h"

#include "app/plots/figure_export.h"
#include "app/plots/format.h"
#include "app/plots/generations_plot.h"
#include "app/plots/layer_bars_plot.h"
#include "app/plots/memory_plot.h"
#include "app/plots/sweep_plot.h"
#include "app/plots/timeline_plot.h"
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/version.h"
#include "sim/export/chrome_trace.h"
#include "sim/export/csv_export.h"
#include "sim/export/json_export.h"

#include <QAction>
#include <QDateTime>
#include <QFile>
#include <QLocale>
#include <QStandardPaths>
#include <QTimer>
#include <QApplication>
#include <QCloseEvent>
#include <QDebug>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QFutureWatcher>
#include <QSplitter>
#include <QtConcurrent/QtConcurrentRun>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include <limits>

#include <algorithm>
#include <optional>
#include <utility>

namespace offload::studio {

namespace {
constexpr int kMaxRecentFiles = 8;
std::filesystem::path toPath(const QString& s) { return std::filesystem::path(s.toStdString()); }

QString inputErrorText(const InputError& e)
{
    // "<file>: <place>: <message>", each part on its own line so the dialog reads clearly.
    QString text = QObject::tr("File: %1").arg(QString::fromStdString(e.file()));
    if (!e.place().empty())
        text += QObject::tr("\nWhere: %1").arg(QString::fromStdString(e.place()));
    text += QObject::tr("\nProblem: %1").arg(QString::fromStdString(e.message()));
    return text;
}
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
{
    setWindowIcon(QIcon(QStringLiteral(":/offload-studio/offload-studio.svg")));
    setAcceptDrops(true);
    // An explicit minimum (below 1280 x 720, so every sample fits a projector's screen): Qt
    // then need not push the layout's own minimum to the window system on every show, which
    // platforms without size hints (offscreen) answer with a warning.
    setMinimumSize(900, 560);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks);

    // --- centre: timeline over memory (shared time axis), then per-layer bars and the sweep ---
    const auto screenStyle = plots::FigureStyle::forPreset(plots::FigurePreset::screen);
    timeline_ = new plots::TimelinePlot(screenStyle);
    timeline_->setToolTip(QString());
    timeline_->setMinimumHeight(170);
    memory_ = new plots::MemoryPlot(screenStyle);
    memory_->setMinimumHeight(130);
    layerBars_ = new plots::LayerBarsPlot(screenStyle);
    layerBars_->setMinimumHeight(200);
    sweep_ = new plots::SweepPlot(screenStyle);
    generations_ = new plots::GenerationsPlot(screenStyle);
    tabs_ = new QTabWidget;
    tabs_->addTab(layerBars_, tr("Per &layer"));
    tabs_->addTab(sweep_, tr("S&weep"));
    tabs_->addTab(generations_, tr("GPU &generations"));
    tabs_->setTabToolTip(2, tr("Offload overhead on every GPU generation at this link, per codec: compute grows faster "
                               "than PCIe, so the same offload stalls more on newer GPUs (why cDMA compresses)."));
    explorer_ = new SparsityExplorer;
    explorerHint_ = new QLabel;
    explorerHint_->setWordWrap(true);
    explorerHint_->setAlignment(Qt::AlignCenter);
    explorerHint_->setMargin(24);
    explorerPage_ = new QStackedWidget;
    explorerPage_->addWidget(explorerHint_);
    explorerPage_->addWidget(explorer_);
    tabs_->addTab(explorerPage_, tr("Sparsity e&xplorer"));
    tabs_->setTabToolTip(3, tr("The selected layer's captured output: zeros per channel, one feature map, the value "
                               "histogram and the layer's sparsity over training (File > Open Captured Tensors)."));
    tabs_->setTabToolTip(0, tr("Sparsity, compression ratio and stalls of every layer, in execution order. Click a bar to select the layer."));
    tabs_->setTabToolTip(1, tr("Iteration time against link bandwidth, one line per codec; the ring marks the current setting."));
    splitter_ = new QSplitter(Qt::Vertical);
    splitter_->addWidget(timeline_);
    splitter_->addWidget(memory_);
    splitter_->addWidget(tabs_);
    splitter_->setStretchFactor(0, 4);
    splitter_->setStretchFactor(1, 3);
    splitter_->setStretchFactor(2, 4);
    splitter_->setChildrenCollapsible(false);
    setCentralWidget(splitter_);

    // --- left: controls ---
    controls_ = new ControlPanel(model_);
    auto* scroll = new QScrollArea;
    scroll->setWidget(controls_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // As wide as the controls want, but never so wide that a 1280 px screen cannot hold the
    // window (then the fields shrink and elide; tooltips keep the whole text).
    scroll->setMinimumWidth(std::min(controls_->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 2, 300));
    auto* controlsDock = new QDockWidget(tr("What if..."), this);
    controlsDock->setObjectName(QStringLiteral("controlsDock"));
    controlsDock->setWidget(scroll);
    controlsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, controlsDock);

    // --- right: summary and compare ---
    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    summary_ = new SummaryWidget(model_);
    rightLayout->addWidget(summary_);
    auto* compare = new QGroupBox(tr("Compare"));
    auto* compareLayout = new QVBoxLayout(compare);
    baselineLabel_ = new QLabel(tr("No baseline. Pin the current scenario, change something, and see the difference."));
    baselineLabel_->setWordWrap(true);
    baselineLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* buttons = new QHBoxLayout;
    auto* pin = new QPushButton(tr("Pin as baseline"));
    pin->setToolTip(tr("Keep the current scenario as the baseline: the summary shows deltas, the charts overlay it (Ctrl+B)."));
    auto* clear = new QPushButton(tr("Clear"));
    clear->setToolTip(tr("Forget the baseline (Ctrl+Shift+B)."));
    buttons->addWidget(pin);
    buttons->addWidget(clear);
    compareLayout->addWidget(baselineLabel_);
    compareLayout->addLayout(buttons);
    rightLayout->addWidget(compare);
    rightLayout->addStretch(1);
    // On a short screen (a 1280 x 720 projector, the Teach dock open) the summary scrolls rather
    // than squeeze its rows; its values wrap rather than widen the window past the screen.
    auto* summaryScroll = new QScrollArea;
    summaryScroll->setWidget(right);
    summaryScroll->setWidgetResizable(true);
    summaryScroll->setFrameShape(QFrame::NoFrame);
    summaryScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    summaryScroll->setMinimumWidth(300);
    auto* summaryDock = new QDockWidget(tr("Summary"), this);
    summaryDock->setObjectName(QStringLiteral("summaryDock"));
    summaryDock->setWidget(summaryScroll);
    summaryDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::RightDockWidgetArea, summaryDock);
    connect(pin, &QPushButton::clicked, &model_, &StudioModel::pinBaseline);
    connect(clear, &QPushButton::clicked, &model_, &StudioModel::clearBaseline);

    // The timeline is the centrepiece; the docks keep to what their text needs.
    splitter_->setSizes({400, 240, 420});
    resizeDocks({controlsDock, summaryDock}, {340, 380}, Qt::Horizontal);

    statusLabel_ = new QLabel;
    statusBar()->addPermanentWidget(statusLabel_);

    buildMenus();
    setupTeaching();

    // --- data flow: model -> snapshot -> charts; charts -> selection (never into the scenario) ---
    model_.setChartPreparer([](const sim::Scenario& scenario, const sim::Result& result, const plots::ChartData* sameNetwork) {
        return std::make_shared<const plots::ChartData>(plots::ChartData::build(scenario, result, sameNetwork));
    });
    // The charts subscribe first: showSnapshot then lines the memory chart up with the timeline.
    subscribeToModel(*timeline_, model_);
    subscribeToModel(*memory_, model_);
    subscribeToModel(*layerBars_, model_);
    connect(&model_, &StudioModel::snapshotChanged, this, &MainWindow::showSnapshot);
    connect(&model_, &StudioModel::selectionChanged, this, &MainWindow::updateSelection);
    connect(&model_, &StudioModel::fileStateChanged, this, &MainWindow::updateTitle);
    connect(&model_, &StudioModel::simulationFailed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Cannot simulate this scenario: %1").arg(message), 15000);
    });
    // Autosave a moment after the last change (a drag of the bandwidth slider writes once).
    autosaveTimer_ = new QTimer(this);
    autosaveTimer_->setSingleShot(true);
    autosaveTimer_->setInterval(1500);
    connect(autosaveTimer_, &QTimer::timeout, this, &MainWindow::autosaveInBackground);
    autosaveWriter_ = new QFutureWatcher<QString>(this);
    connect(autosaveWriter_, &QFutureWatcher<QString>::finished, this, &MainWindow::autosaveWritten);
    connect(&model_, &StudioModel::scenarioChanged, autosaveTimer_, qOverload<>(&QTimer::start));
    connect(&model_, &StudioModel::fileStateChanged, this, [this] {
        if (!model_.isModified())
            flushAutosave(); // saved or freshly opened: nothing to keep
    });
    connect(timeline_, &plots::TimelinePlot::layerClicked, &model_, &StudioModel::setSelectedLayer);
    connect(layerBars_, &plots::LayerBarsPlot::layerClicked, &model_, &StudioModel::setSelectedLayer);
    connect(timeline_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this](const QCPRange& range) {
        memory_->xAxis->setRange(range);
        memory_->refresh(); // queued: one replot however many times the range moves in a pass
    });
    connect(tabs_, &QTabWidget::currentChanged, this, [this](int) {
        // A sweep runs many simulations: only while its chart is on screen.
        model_.setSweepWanted(SweepKind::bandwidth, tabs_->currentWidget() == sweep_);
        model_.setSweepWanted(SweepKind::generations, tabs_->currentWidget() == generations_);
        updateSweep();
        updateExplorer();
    });
    connect(controls_, &ControlPanel::openNetworkRequested, this, &MainWindow::openNetworkDialog);
    connect(controls_, &ControlPanel::networkLoadFailed, this,
            [this](const QString& message) { showError(tr("Cannot open the network"), message); });
    connect(controls_, &ControlPanel::editRejected, this,
            [this](const QString& message) { showError(tr("Cannot apply the change"), message); });

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1500, 950);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    // Never larger than the screen, whatever the default or a bigger screen's saved size: on a
    // projector's 1280 x 720 the summary and the charts' right edge must stay in view.
    if (const QScreen* shownOn = screen()) {
        const QRect available = shownOn->availableGeometry();
        if (width() > available.width() || height() > available.height())
            resize(std::min(width(), available.width()), std::min(height(), available.height()));
    }
    rebuildRecentMenu();
    updateTitle();
}

MainWindow::~MainWindow() = default;

bool MainWindow::isHeadless() const
{
    return QGuiApplication::platformName() == QLatin1String("offscreen")
           || QGuiApplication::platformName() == QLatin1String("minimal");
}

void MainWindow::showError(const QString& title, const QString& text)
{
    if (isHeadless()) {
        qWarning().noquote() << title << ":" << text;
        return;
    }
    QMessageBox::warning(this, title, text);
}

MainWindow::SaveChoice MainWindow::askToSaveChanges()
{
    if (isHeadless())
        return SaveChoice::discard;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"),
                                              tr("The scenario \"%1\" has unsaved changes. Save them?").arg(model_.displayName()),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return SaveChoice::save;
    if (answer == QMessageBox::Discard)
        return SaveChoice::discard;
    return SaveChoice::cancel;
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open..."), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a scenario or a network file (Ctrl+O)."));
    auto* examples = file->addMenu(tr("Open &Example"));
    const QDir scenarios(samplesDirectory() + QStringLiteral("/scenarios"));
    for (const QFileInfo& info : scenarios.entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        const QString path = info.absoluteFilePath();
        examples->addAction(info.completeBaseName(), this, [this, path] {
            if (maybeSave())
                openFile(path);
        });
    }
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    auto* saveAction = file->addAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("&Save"), this, [this] { save(); });
    saveAction->setShortcut(QKeySequence::Save);
    auto* saveAsAction = file->addAction(tr("Save &As..."), this, [this] { saveAs(); });
    saveAsAction->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    file->addAction(tr("Open Captured &Tensors..."), this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder of Captured Tensors (manifest.json and .npy files)"),
                                                                 samplesDirectory() + QStringLiteral("/tensors"));
        if (!folder.isEmpty())
            openCapturedTensors(folder);
    });
    file->addSeparator();
    auto* exportFigureAction = file->addAction(tr("&Export Figure..."), this, &MainWindow::exportDialog);
    exportFigureAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    auto* data = file->addMenu(tr("Export &Data"));
    data->addAction(tr("Per-layer table (CSV)..."), this, [this] { exportDataDialog(DataExport::layersCsv); });
    data->addAction(tr("Timeline events (CSV)..."), this, [this] { exportDataDialog(DataExport::eventsCsv); });
    data->addAction(tr("Summary (CSV)..."), this, [this] { exportDataDialog(DataExport::summaryCsv); });
    data->addAction(tr("Sweep (CSV)..."), this, [this] { exportDataDialog(DataExport::sweepCsv); });
    data->addAction(tr("Whole result (JSON)..."), this, [this] { exportDataDialog(DataExport::resultJson); });
    auto* trace = data->addAction(tr("Chrome trace for Perfetto (JSON)..."), this, [this] { exportDataDialog(DataExport::chromeTrace); });
    trace->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto* view = menuBar()->addMenu(tr("&View"));
    auto* resetZoom = view->addAction(tr("&Whole Iteration"), this, [this] {
        timeline_->resetZoom();
        timeline_->refresh();
    });
    resetZoom->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    resetZoom->setToolTip(tr("Show the whole iteration in the timeline (Ctrl+0)."));
    auto* next = view->addAction(tr("&Next Layer"), this, [this] { selectAdjacentLayer(+1); });
    next->setShortcut(QKeySequence(Qt::Key_BracketRight));
    auto* previous = view->addAction(tr("&Previous Layer"), this, [this] { selectAdjacentLayer(-1); });
    previous->setShortcut(QKeySequence(Qt::Key_BracketLeft));
    auto* clearSelection = view->addAction(tr("&Clear Selection"), this, [this] { model_.setSelectedLayer(-1); });
    clearSelection->setShortcut(QKeySequence(Qt::Key_Escape));
    view->addSeparator();
    auto* layersTab = view->addAction(tr("Per-layer Chart"), this, [this] { tabs_->setCurrentWidget(layerBars_); });
    layersTab->setShortcut(QKeySequence(Qt::ALT | Qt::Key_1));
    auto* sweepTab = view->addAction(tr("Sweep Chart"), this, [this] { tabs_->setCurrentWidget(sweep_); });
    sweepTab->setShortcut(QKeySequence(Qt::ALT | Qt::Key_2));
    auto* generationsTab = view->addAction(tr("GPU Generations Chart"), this, [this] { tabs_->setCurrentWidget(generations_); });
    generationsTab->setShortcut(QKeySequence(Qt::ALT | Qt::Key_3));

    auto* compareMenu = menuBar()->addMenu(tr("&Compare"));
    auto* pin = compareMenu->addAction(tr("&Pin Current as Baseline"), &model_, &StudioModel::pinBaseline);
    pin->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    clearBaselineAction_ = compareMenu->addAction(tr("&Clear Baseline"), &model_, &StudioModel::clearBaseline);
    clearBaselineAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    clearBaselineAction_->setEnabled(false);

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Offload Studio"), this, [this] {
        QMessageBox::about(this, tr("About Offload Studio"),
                           tr("<h3>Offload Studio %1</h3><p>Simulates and shows activation offloading in DNN training: "
                              "vDNN offload and prefetch, cDMA compression, JPEG-ACT.</p>"
                              "<p>Keys: Ctrl+O open, Ctrl+S save, Ctrl+E export figure, Ctrl+B pin baseline, "
                              "[ and ] previous/next layer, Esc clear selection, Ctrl+0 whole iteration. "
                              "Scroll the timeline to zoom in time, drag it to pan.</p>")
                               .arg(QString::fromUtf8(offload::kVersion)));
    });

    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(open);
    toolbar->addAction(saveAction);
    toolbar->addAction(exportFigureAction);
    toolbar->addSeparator();
    toolbar->addAction(pin);
    toolbar->addAction(clearBaselineAction_);
    toolbar->addSeparator();
    toolbar->addAction(resetZoom);
    for (QAction* action : {open, saveAction, exportFigureAction, pin, clearBaselineAction_, resetZoom})
        if (action->toolTip() == action->text().remove(QLatin1Char('&')) || action->toolTip().isEmpty())
            action->setToolTip(QStringLiteral("%1 (%2)").arg(action->text().remove(QLatin1Char('&')), action->shortcut().toString()));
}

void MainWindow::showSnapshot(SnapshotPtr snapshot)
{
    const bool baselineChanged = !shown_ || shown_->baseline != snapshot->baseline;
    const bool resultChanged = !shown_ || shown_->result != snapshot->result;
    shown_ = std::move(snapshot);
    // The timeline, memory and per-layer charts have shown it already (chart_subscriptions.h);
    // the memory chart follows the timeline's time range.
    if (resultChanged) {
        memory_->xAxis->setRange(timeline_->xAxis->range());
        memory_->refresh();
    }
    if (baselineChanged)
        updateBaseline();
    updateSweep();
    updateSelection(model_.selectedLayer());
    // The charts draw after this returns (queued replots): bench_gui measures that time.
    statusLabel_->setText(tr("%1 · %2 layers · %3 events")
                              .arg(QString::fromStdString(shown_->scenario.network->network().name))
                              .arg(shown_->result->layers.size())
                              .arg(shown_->result->events.size()));
}

void MainWindow::updateSweep()
{
    if (!shown_)
        return;
    if (shown_->sweep && tabs_->currentWidget() == sweep_
        && (sweepShown_ != shown_->sweep || sweepMarkerRevision_ != shown_->revision)) {
        sweepShown_ = shown_->sweep;
        sweepMarkerRevision_ = shown_->revision;
        sweep_->setData(shown_->scenario, *shown_->sweep, shown_->result->summary.iteration_s,
                        shown_->result->summary.oracle_s);
    }
    if (shown_->generations && tabs_->currentWidget() == generations_
        && (generationsShown_ != shown_->generations || generationsMarkerRevision_ != shown_->revision)) {
        generationsShown_ = shown_->generations;
        generationsMarkerRevision_ = shown_->revision;
        generations_->setData(shown_->scenario, *shown_->generations);
    }
}

QString MainWindow::sparsityExplorerHint() const
{
    return explorerPage_->currentWidget() == explorerHint_ ? explorerHint_->text() : QString();
}

bool MainWindow::openCapturedTensors(const QString& folder)
{
    try {
        tensors_ = CapturedTensors::openFolder(toPath(folder));
    } catch (const InputError& e) {
        showError(tr("Cannot open the captured tensors"), inputErrorText(e));
        return false;
    }
    explorerShows_.clear();
    tabs_->setCurrentWidget(explorerPage_);
    updateExplorer();
    return true;
}

void MainWindow::updateExplorer()
{
    if (!shown_ || tabs_->currentWidget() != explorerPage_)
        return;
    const Network& network = shown_->scenario.network->network();
    // The bundled MobileNetV1-SSD tensors serve their network without asking; their manifest
    // is read once, not on every snapshot while the tab is shown.
    if (tensors_.empty() && !triedBundledTensors_) {
        triedBundledTensors_ = true;
        try {
            bundledTensors_ = CapturedTensors::openFolder(toPath(samplesDirectory() + QStringLiteral("/tensors")));
        } catch (const InputError&) {
            // No bundled tensors (a trimmed install): the hint below says how to open some.
        }
    }
    if (tensors_.empty() && bundledTensors_.layersOf(network) > 0)
        tensors_ = bundledTensors_;
    const int layer = model_.selectedLayer();
    const std::string name = layer >= 0 ? plots::layerName(shown_->scenario, layer).toStdString() : std::string();
    auto hint = [this](const QString& text) {
        explorerHint_->setText(text);
        explorerPage_->setCurrentWidget(explorerHint_);
        explorerShows_.clear();
    };
    if (tensors_.empty() || tensors_.layersOf(network) == 0) {
        hint(tr("No captured outputs of %1's layers are open.\n\nFile > Open Captured Tensors... takes a folder with "
                "manifest.json and one .npy per layer output, as tools/capture_activations.py writes it. The bundled "
                "MobileNetV1-SSD example (File > Open Example) comes with its own.")
                 .arg(QString::fromStdString(network.name)));
        return;
    }
    QStringList captured;
    for (const auto& l : network.layers)
        if (tensors_.hasLayer(l.name))
            captured << QString::fromStdString(l.name);
    if (layer < 0 || !tensors_.hasLayer(name)) {
        hint(tr("%1\n\nSelect a layer with a captured output (click its bar or its compute block). %n of this network's "
                "layers have one: %2.",
                nullptr, static_cast<int>(captured.size()))
                 .arg(layer < 0 ? tr("No layer is selected.") : tr("Nothing was captured for %1.").arg(QString::fromStdString(name)),
                      captured.mid(0, 8).join(QStringLiteral(", ")) + (captured.size() > 8 ? QStringLiteral(", ...") : QString())));
        return;
    }
    const std::string key = name + "@" + std::to_string(shown_->scenario.progress);
    if (key == explorerShows_)
        return;
    try {
        auto data = tensors_.explorerData(network, name, shown_->scenario.progress);
        explorer_->setData(std::move(*data));
        explorerPage_->setCurrentWidget(explorer_);
        explorerShows_ = key;
        // The real codecs on the tensor beside the ratio model at the simulator's sparsity.
        const auto& layers = shown_->result->layers;
        const double modelSparsity = static_cast<std::size_t>(layer) < layers.size() ? layers[static_cast<std::size_t>(layer)].sparsity
                                                                                    : explorer_->data().sparsity();
        explorer_->measureCodecs([tensors = tensors_, snapshot = shown_, name, modelSparsity] {
            return tensors.codecComparison(snapshot->scenario.network->network(), name, snapshot->scenario.progress,
                                           modelSparsity, snapshot->scenario.codec_params);
        });
    } catch (const InputError& e) {
        hint(inputErrorText(e));
    }
}

void MainWindow::updateSelection(int layer)
{
    if (!shown_ || layer >= static_cast<int>(shown_->result->layers.size()))
        layer = -1;
    updateExplorer();
    if (layer >= 0) {
        const auto& r = shown_->result->layers[static_cast<std::size_t>(layer)];
        statusBar()->showMessage(tr("Selected %1: forward %2, backward %3, sparsity %4, ratio %5%6")
                                     .arg(plots::layerName(shown_->scenario, layer), plots::formatMs(r.forward_s),
                                          plots::formatMs(r.backward_s), plots::formatPercent(r.sparsity),
                                          plots::formatRatio(r.ratio), r.offloaded ? tr(", offloaded") : QString()));
    } else {
        statusBar()->clearMessage();
    }
}

void MainWindow::updateBaseline()
{
    const auto& baseline = shown_->baseline;
    clearBaselineAction_->setEnabled(baseline != nullptr);
    baselineLabel_->setText(baseline ? tr("Baseline: <b>%1</b><br>%2 per iteration. Dashed outlines in the charts.")
                                           .arg(baseline->label.toHtmlEscaped(), plots::formatMs(baseline->result->summary.iteration_s))
                                     : tr("No baseline. Pin the current scenario, change something, and see the difference."));
}

void MainWindow::updateTitle()
{
    setWindowTitle(QStringLiteral("%1[*] — Offload Studio").arg(model_.displayName()));
    setWindowModified(model_.isModified());
}

bool MainWindow::openFile(const QString& path)
{
    if (QFileInfo(path).size() > kBackgroundOpenBytes) {
        openInBackground(path);
        return true;
    }
    try {
        model_.open(path);
    } catch (const InputError& e) {
        showError(tr("Cannot open %1").arg(QFileInfo(path).fileName()), inputErrorText(e));
        return false;
    } catch (const std::exception& e) {
        showError(tr("Cannot open %1").arg(QFileInfo(path).fileName()),
                  tr("File: %1\nProblem: %2").arg(path, QString::fromStdString(e.what())));
        return false;
    }
    addRecentFile(QFileInfo(path).absoluteFilePath());
    return true;
}

void MainWindow::openInBackground(const QString& path)
{
    if (opening_)
        return; // one at a time: the first one's result would be replaced anyway
    struct Loaded {
        std::optional<sim::OpenedDocument> document;
        QString error;
    };
    auto* watcher = new QFutureWatcher<Loaded>(this);
    opening_ = watcher;
    const QString name = QFileInfo(path).fileName();
    statusBar()->showMessage(tr("Opening %1 (%2)...").arg(name, plots::formatBytes(static_cast<std::uint64_t>(QFileInfo(path).size()))));
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, path, name] {
        Loaded loaded = watcher->result();
        watcher->deleteLater();
        opening_ = nullptr;
        statusBar()->clearMessage();
        if (!loaded.document) {
            showError(tr("Cannot open %1").arg(name), loaded.error);
            return;
        }
        model_.adopt(std::move(*loaded.document), path);
        addRecentFile(QFileInfo(path).absoluteFilePath());
    });
    watcher->setFuture(QtConcurrent::run([path]() -> Loaded {
        try {
            return {StudioModel::load(path), {}};
        } catch (const InputError& e) {
            return {std::nullopt, inputErrorText(e)};
        } catch (const std::exception& e) {
            return {std::nullopt, QObject::tr("File: %1\nProblem: %2").arg(path, QString::fromStdString(e.what()))};
        }
    }));
}

QString MainWindow::autosavePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/autosave.json");
}

void MainWindow::autosaveInBackground()
{
    if (autosaveWriter_->isRunning()) {
        autosaveQueued_ = true; // the newest state is written when this write ends
        return;
    }
    const QString path = autosavePath();
    if (!model_.hasScenario() || !model_.isModified()) {
        QFile::remove(path);
        return;
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    autosaveWriter_->setFuture(QtConcurrent::run([scenario = model_.autosaveScenario(), path]() -> QString {
        try {
            sim::saveScenarioFile(scenario, toPath(path)); // atomic: a crash mid-write keeps the last one
            return {};
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
    }));
}

void MainWindow::autosaveWritten()
{
    if (const QString error = autosaveWriter_->result(); !error.isEmpty())
        statusBar()->showMessage(tr("Autosave failed: %1").arg(error), 10000);
    if (std::exchange(autosaveQueued_, false))
        autosaveInBackground();
}

void MainWindow::flushAutosave()
{
    autosaveTimer_->stop();
    autosaveQueued_ = false;
    autosaveWriter_->waitForFinished(); // a write on its way must not land after this one
    const QString path = autosavePath();
    if (!model_.hasScenario() || !model_.isModified()) {
        QFile::remove(path);
        return;
    }
    try {
        QDir().mkpath(QFileInfo(path).absolutePath());
        model_.writeAutosave(path);
    } catch (const std::exception& e) {
        // Not worth a dialog in the middle of work; the status bar says it.
        statusBar()->showMessage(tr("Autosave failed: %1").arg(QString::fromStdString(e.what())), 10000);
    }
}

bool MainWindow::askToRecover(const QDateTime& savedAt)
{
    return QMessageBox::question(this, tr("Recover unsaved work?"),
                                 tr("Offload Studio did not close normally. Unsaved changes from %1 were kept. "
                                    "Recover them?")
                                     .arg(QLocale().toString(savedAt, QLocale::ShortFormat)),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes) == QMessageBox::Yes;
}

void MainWindow::openAtStart(const QString& requested)
{
    // Unsaved work of a session that did not close is set aside first: opening the example
    // below would otherwise count as "nothing to keep" and remove it.
    const QString kept = autosavePath() + QStringLiteral(".recovering");
    const bool haveKept = QFileInfo::exists(autosavePath());
    if (haveKept) {
        QFile::remove(kept);
        QFile::rename(autosavePath(), kept);
    }
    // The example first, so that the window behind any question or error is complete.
    const QString example = defaultScenarioPath();
    openFile(example);
    if (haveKept) {
        bool recovered = false;
        if (askToRecover(QFileInfo(kept).lastModified())) {
            try {
                model_.recover(kept);
                recovered = true;
                flushAutosave(); // a second crash must not lose it either
            } catch (const InputError& e) {
                showError(tr("Cannot recover the unsaved work"), inputErrorText(e));
            }
        }
        QFile::remove(kept);
        if (recovered) {
            // The recovered work stays; a requested file opens only if the user lets it go.
            if (!requested.isEmpty() && maybeSave())
                openFile(requested);
            return;
        }
    }
    if (!requested.isEmpty() && QFileInfo(requested) != QFileInfo(example))
        openFile(requested);
}

bool MainWindow::saveTo(const QString& path)
{
    try {
        model_.save(path);
    } catch (const std::exception& e) {
        showError(tr("Cannot save %1").arg(QFileInfo(path).fileName()), QString::fromStdString(e.what()));
        return false;
    }
    addRecentFile(model_.filePath());
    return true;
}

bool MainWindow::save()
{
    if (model_.filePath().isEmpty())
        return saveAs();
    return saveTo(model_.filePath());
}

bool MainWindow::saveAs()
{
    QSettings settings;
    const QString dir = model_.filePath().isEmpty() ? settings.value(QStringLiteral("files/dir"), QDir::homePath()).toString()
                                                    : QFileInfo(model_.filePath()).absolutePath();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Scenario"), dir, tr("Scenarios (*.json)"));
    if (path.isEmpty())
        return false;
    return saveTo(path.endsWith(QLatin1String(".json")) ? path : path + QStringLiteral(".json"));
}

bool MainWindow::maybeSave()
{
    if (!model_.isModified())
        return true;
    switch (askToSaveChanges()) {
    case SaveChoice::save: return save();
    case SaveChoice::discard: return true;
    case SaveChoice::cancel: return false;
    }
    return false;
}

void MainWindow::openDialog()
{
    if (!maybeSave())
        return;
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Scenario or Network"),
                                                      settings.value(QStringLiteral("files/dir"), samplesDirectory()).toString(),
                                                      tr("Scenarios and networks (*.json *.onnx);;All files (*)"));
    if (!path.isEmpty()) {
        settings.setValue(QStringLiteral("files/dir"), QFileInfo(path).absolutePath());
        openFile(path);
    }
}

void MainWindow::openNetworkDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Network"), samplesDirectory() + QStringLiteral("/networks"),
                                                      tr("Networks (*.json *.onnx)"));
    if (path.isEmpty())
        return;
    try {
        model_.setNetworkFile(path);
    } catch (const InputError& e) {
        showError(tr("Cannot open %1").arg(QFileInfo(path).fileName()), inputErrorText(e));
    }
}

void MainWindow::addRecentFile(const QString& path)
{
    QSettings settings;
    QStringList files = settings.value(QStringLiteral("files/recent")).toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    settings.setValue(QStringLiteral("files/recent"), files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    const QStringList files = QSettings().value(QStringLiteral("files/recent")).toStringList();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files[i];
        auto* action = recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()), this, [this, path] {
            if (maybeSave())
                openFile(path);
        });
        action->setToolTip(path);
    }
    recentMenu_->setEnabled(!files.isEmpty());
}

plots::ChartKind MainWindow::currentChartKind() const
{
    if (tabs_->currentWidget() == sweep_)
        return plots::ChartKind::sweep;
    if (tabs_->currentWidget() == memory_)
        return plots::ChartKind::memory;
    return plots::ChartKind::timeline;
}

SnapshotPtr MainWindow::settledSnapshot()
{
    // An export writes what the controls say now, not a simulation still on its way.
    if (!model_.hasScenario())
        return nullptr;
    model_.waitForIdle();
    const SnapshotPtr snapshot = model_.snapshot();
    return snapshot && snapshot->revision == model_.revision() ? snapshot : nullptr;
}

std::shared_ptr<const SweepPoints> MainWindow::sweepOf(const Snapshot& snapshot)
{
    if (snapshot.sweep)
        return snapshot.sweep;
    return std::make_shared<const SweepPoints>(sim::runSweep(snapshot.scenario, sim::defaultSweepSpec(snapshot.scenario)));
}

// What the window shows, handed to the figure export as plain data.
static ExportContext figureExportContext(const Snapshot& snapshot, const QCPRange& visible, int selectedLayer,
                                         const QString& file, const SweepPoints* sweep)
{
    ExportContext context;
    context.scenario = &snapshot.scenario;
    context.result = snapshot.result.get();
    context.selectedLayer = selectedLayer;
    if (snapshot.baseline) {
        context.baselineScenario = &snapshot.baseline->scenario;
        context.baselineResult = snapshot.baseline->result.get();
        context.baselineLabel = snapshot.baseline->label;
    }
    context.visibleRangeMs = std::make_pair(visible.lower, visible.upper);
    context.scenarioFile = file;
    context.sweep = sweep;
    return context;
}

bool MainWindow::exportFigure(const FigureRequest& request)
{
    const SnapshotPtr snapshot = settledSnapshot();
    if (!snapshot)
        return false;
    try {
        const auto sweep = request.chart == plots::ChartKind::sweep && !request.explorerView ? sweepOf(*snapshot) : nullptr;
        ExportContext context = figureExportContext(*snapshot, timeline_->xAxis->range(), model_.selectedLayer(), model_.filePath(),
                                                    sweep.get());
        context.explorer = explorerPage_->currentWidget() == explorer_ ? explorer_ : nullptr;
        writeFigure(request, context);
    } catch (const std::exception& e) {
        showError(tr("Cannot export the figure"), QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Wrote %1").arg(request.path), 5000);
    return true;
}

void MainWindow::exportDialog()
{
    if (!model_.hasScenario())
        return;
    const QString base = QFileInfo(model_.filePath().isEmpty() ? QString::fromStdString(model_.scenario().network->network().name)
                                                               : model_.filePath())
                             .completeBaseName();
    const SnapshotPtr snapshot = settledSnapshot();
    if (!snapshot)
        return;
    ExportContext context = figureExportContext(*snapshot, timeline_->xAxis->range(), model_.selectedLayer(), model_.filePath(), nullptr);
    context.explorer = explorerPage_->currentWidget() == explorer_ ? explorer_ : nullptr;
    context.explorerCurrent = context.explorer && tabs_->currentWidget() == explorerPage_;
    ExportDialog dialog(currentChartKind(), base, context, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const FigureRequest request = dialog.request();
    if (exportFigure(request))
        ExportDialog::remember(request);
}

bool MainWindow::exportData(DataExport kind, const QString& path)
{
    const SnapshotPtr snapshot = settledSnapshot();
    if (!snapshot)
        return false;
    try {
        const auto& scenario = snapshot->scenario;
        const auto& result = *snapshot->result;
        std::string text;
        switch (kind) {
        case DataExport::layersCsv: text = sim::layersCsv(scenario, result); break;
        case DataExport::eventsCsv: text = sim::eventsCsv(scenario, result); break;
        case DataExport::summaryCsv: text = sim::summaryCsv(result); break;
        case DataExport::sweepCsv: text = sim::sweepCsv(*sweepOf(*snapshot)); break;
        case DataExport::resultJson: text = sim::resultToJson(scenario, result).dump(2) + "\n"; break;
        case DataExport::chromeTrace: {
            std::vector<sim::TraceRun> runs{{scenario.name.empty() ? std::string("scenario") : scenario.name, &scenario, &result}};
            if (const auto& baseline = snapshot->baseline)
                runs.push_back({"baseline: " + baseline->label.toStdString(), &baseline->scenario, baseline->result.get()});
            text = sim::chromeTrace(runs).dump() + "\n";
            break;
        }
        }
        writeFileAtomically(toPath(path), text);
    } catch (const std::exception& e) {
        showError(tr("Cannot export the data"), QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
    return true;
}

void MainWindow::exportDataDialog(DataExport kind)
{
    const bool csv = kind == DataExport::layersCsv || kind == DataExport::eventsCsv || kind == DataExport::summaryCsv
                     || kind == DataExport::sweepCsv;
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("export/dataDir"), QDir::homePath()).toString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Data"), dir,
                                                      csv ? tr("CSV (*.csv)") : tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("export/dataDir"), QFileInfo(path).absolutePath());
    exportData(kind, path);
}

void MainWindow::selectAdjacentLayer(int step)
{
    const int n = shown_ ? static_cast<int>(shown_->result->layers.size()) : 0;
    if (n == 0)
        return;
    int layer = model_.selectedLayer();
    layer = layer < 0 ? (step > 0 ? 0 : n - 1) : std::clamp(layer + step, 0, n - 1);
    model_.setSelectedLayer(layer);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    autosaveTimer_->stop();
    autosaveQueued_ = false;
    autosaveWriter_->waitForFinished(); // nothing may write it again after the removal
    QFile::remove(autosavePath()); // saved or deliberately discarded
    setPresentationMode(false); // the layout kept for next time is the working one, not the lecture's
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    arrangeForHeight();
}

void MainWindow::arrangeForHeight()
{
    // Below ~860 px three stacked charts get too short to read: the memory chart then moves
    // into the tabs beside the per-layer chart, and the timeline keeps its height.
    const bool compact = height() < 860;
    if (compact == compactLayout_)
        return;
    compactLayout_ = compact;
    if (compact) {
        tabs_->insertTab(1, memory_, tr("GPU &memory"));
        tabs_->setTabToolTip(1, tr("GPU memory over the iteration, with the oracle's curve and the budget."));
        splitter_->setSizes({height() * 4 / 10, height() * 6 / 10});
    } else {
        splitter_->insertWidget(1, memory_);
        memory_->show();
        splitter_->setSizes({400, 240, 420});
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()
        && (urls.front().toLocalFile().endsWith(QLatin1String(".json"), Qt::CaseInsensitive)
            || urls.front().toLocalFile().endsWith(QLatin1String(".onnx"), Qt::CaseInsensitive)))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty())
        return;
    event->acceptProposedAction();
    if (maybeSave())
        openFile(urls.front().toLocalFile());
}

// --- teaching mode ---

void MainWindow::setupTeaching()
{
    // The bottom dock: what happens at the cursor (captions), the playback controls, then the
    // network diagram beside the memory at the cursor. Hidden until asked for (View > Teaching
    // Panels, a lesson, presentation mode), so the analysis layout keeps its room.
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->setSpacing(2);
    teach_.captions = new teaching::CaptionBar(model_);
    teach_.playback = new teaching::PlaybackControls(model_);
    teach_.diagram = new teaching::NetworkDiagram(model_);
    teach_.memory = new teaching::MemoryAtCursorView(model_);
    auto* views = new QSplitter(Qt::Horizontal);
    views->setObjectName(QStringLiteral("teachingViews"));
    views->addWidget(teach_.diagram);
    views->addWidget(teach_.memory);
    views->setStretchFactor(0, 3);
    views->setStretchFactor(1, 2);
    views->setChildrenCollapsible(false);
    layout->addWidget(teach_.captions);
    layout->addWidget(teach_.playback);
    layout->addWidget(views, 1);
    teach_.dock = new QDockWidget(tr("Teach: the iteration step by step"), this);
    teach_.dock->setObjectName(QStringLiteral("teachingDock"));
    teach_.dock->setWidget(panel);
    teach_.dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::BottomDockWidgetArea, teach_.dock);
    teach_.dock->hide();
    // The first time it shows, the dock takes ~40 % of the height: captions, controls and a
    // diagram with room for branches. Later the user's size stays.
    connect(teach_.dock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (!visible || teach_.sized)
            return;
        teach_.sized = true;
        // After the show has been laid out, or the main window's layout undoes it.
        QTimer::singleShot(0, this, [this] {
            resizeDocks({teach_.dock}, {std::max(teach_.dock->minimumSizeHint().height(), height() * 2 / 5)}, Qt::Vertical);
        });
    });

    teach_.lessons = new teaching::LessonPanel(model_);
    teach_.lessons->loadFolder(samplesDirectory() + QStringLiteral("/lessons"));
    teach_.lessonsDock = new QDockWidget(tr("Lessons"), this);
    teach_.lessonsDock->setObjectName(QStringLiteral("lessonsDock"));
    teach_.lessonsDock->setWidget(teach_.lessons);
    teach_.lessonsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, teach_.lessonsDock);
    if (auto* summaryDock = findChild<QDockWidget*>(QStringLiteral("summaryDock")))
        tabifyDockWidget(summaryDock, teach_.lessonsDock);
    teach_.lessonsDock->hide();
    connect(teach_.lessons, &teaching::LessonPanel::lessonRequested, this, [this](int index) { startLesson(index); });

    teach_.presentation = new teaching::PresentationMode(model_, this);
    connect(teach_.presentation, &teaching::PresentationMode::leaveRequested, this, [this] { setPresentationMode(false); });

    // The charts follow the cursor and its layer (after showSnapshot has given them new data).
    connect(&model_, &StudioModel::cursorChanged, this, &MainWindow::showCursorInCharts);
    connect(&model_, &StudioModel::snapshotChanged, this, &MainWindow::showCursorInCharts);
    connect(teach_.dock, &QDockWidget::visibilityChanged, this, &MainWindow::showCursorInCharts);

    // Menus: View > Teaching Panels and Presentation Mode, a Lessons menu, Help > Glossary.
    QMenu* viewMenu = nullptr;
    QMenu* helpMenu = nullptr;
    for (QAction* action : menuBar()->actions()) {
        if (!action->menu())
            continue;
        if (action->menu()->title() == tr("&View"))
            viewMenu = action->menu();
        else if (action->menu()->title() == tr("&Help"))
            helpMenu = action->menu();
    }
    auto* lessonsMenu = new QMenu(tr("&Lessons"), this);
    menuBar()->insertMenu(helpMenu ? helpMenu->menuAction() : nullptr, lessonsMenu);
    if (!viewMenu)
        viewMenu = menuBar()->addMenu(tr("&View"));
    if (!helpMenu)
        helpMenu = menuBar()->addMenu(tr("&Help"));
    viewMenu->addSeparator();
    teach_.panelsAction = teach_.dock->toggleViewAction();
    teach_.panelsAction->setText(tr("&Teaching Panels"));
    teach_.panelsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    teach_.panelsAction->setToolTip(tr("The cursor's captions, playback, network diagram and memory at the cursor (Ctrl+T)."));
    viewMenu->addAction(teach_.panelsAction);
    teach_.presentAction = viewMenu->addAction(tr("&Presentation Mode"), this, [this](bool on) { setPresentationMode(on); });
    teach_.presentAction->setCheckable(true);
    teach_.presentAction->setShortcut(QKeySequence(Qt::Key_F5));
    teach_.presentAction->setToolTip(tr("Full screen, large type, high contrast; Space plays, arrows step, +/- speed, Esc leaves (F5)."));
    addAction(teach_.presentAction); // F5 works while the menu bar is hidden
    auto* playback = viewMenu->addMenu(tr("Pla&yback"));
    playback->addAction(tr("&Play / Pause"), &model_, &StudioModel::togglePlayback);
    playback->addAction(tr("Next &Event"), this, [this] { model_.stepEvent(+1); });
    playback->addAction(tr("Previous E&vent"), this, [this] { model_.stepEvent(-1); });
    playback->addAction(tr("Next &Layer"), this, [this] { model_.stepLayer(+1); });
    playback->addAction(tr("Previous L&ayer"), this, [this] { model_.stepLayer(-1); });
    playback->addAction(tr("&Faster"), &model_, &StudioModel::faster);
    playback->addAction(tr("&Slower"), &model_, &StudioModel::slower);
    playback->addAction(tr("Back to the S&tart"), this, [this] {
        model_.pause();
        model_.setCursorTime(0);
    });
    for (int i = 0; i < teach_.lessons->lessonCount(); ++i)
        lessonsMenu->addAction(QString::fromStdString(teach_.lessons->lesson(i).title), this, [this, i] { startLesson(i); });
    if (teach_.lessons->lessonCount() > 0)
        lessonsMenu->addSeparator();
    auto* lessonsPanel = teach_.lessonsDock->toggleViewAction();
    lessonsPanel->setText(tr("Lesson &Panel"));
    lessonsMenu->addAction(lessonsPanel);
    auto* glossary = new QAction(tr("&Glossary"), this);
    glossary->setShortcut(QKeySequence::HelpContents);
    glossary->setToolTip(tr("Short definitions: offload, prefetch, stall, ZVC, sparsity, ... (F1)."));
    connect(glossary, &QAction::triggered, this, &MainWindow::showGlossary);
    helpMenu->insertAction(helpMenu->actions().isEmpty() ? nullptr : helpMenu->actions().front(), glossary);
}

void MainWindow::showCursorInCharts()
{
    // The cursor is drawn while the teaching views are open; otherwise the charts stay as the
    // analysis layout shows them (no line at 0 ms).
    const bool teaching = teach_.dock && teach_.dock->isVisible() && shown_;
    const double t = teaching ? model_.cursorTime() : std::numeric_limits<double>::quiet_NaN();
    const int layer = teaching ? model_.cursorLayer() : -1;
    timeline_->setCursorTime(t);
    timeline_->setHighlightedLayer(layer);
    memory_->setCursorTime(t);
    layerBars_->setHighlightedLayer(layer);
}

void MainWindow::setTeachingPanelsVisible(bool visible)
{
    teach_.dock->setVisible(visible);
    if (visible)
        teach_.dock->raise();
}

bool MainWindow::isPresenting() const { return teach_.presentation->isOn(); }

void MainWindow::setPresentationMode(bool on)
{
    if (on == isPresenting()) {
        teach_.presentAction->setChecked(on);
        return;
    }
    if (on) {
        teach_.windowState = windowState();
        teach_.panelsWereVisible = teach_.dock->isVisible();
        teach_.hidden.clear();
        // What a lecture does not need: the what-if controls, the summary, toolbar, menus,
        // status bar and the charts below the timeline (the memory at the cursor replaces the
        // memory chart). Only what is shown now is hidden, so leaving restores exactly it.
        QList<QWidget*> candidates{menuBar(), statusBar(), tabs_, memory_};
        for (auto* name : {"controlsDock", "summaryDock", "mainToolbar"})
            if (auto* w = findChild<QWidget*>(QLatin1String(name)))
                candidates << w;
        if (teach_.lessons->activeLesson() < 0)
            candidates << teach_.lessonsDock;
        for (QWidget* w : candidates) {
            if (w->isVisibleTo(this)) {
                w->hide();
                teach_.hidden << w;
            }
        }
        teach_.presentation->setOn(true);
        teach_.dock->setTitleBarWidget(new QWidget); // no title bar: every line counts
        teach_.dock->show();
        if (teach_.lessons->activeLesson() >= 0) {
            teach_.lessonsDock->show();
            teach_.lessonsDock->raise();
        }
        teach_.normalGeometry = saveGeometry();
        // The whole screen also where no window manager applies the full-screen state.
        if (screen())
            setGeometry(screen()->geometry());
        showFullScreen();
        // The timeline above, the teaching views below with most of the height (again once the
        // window system has resized the window).
        auto sizeDock = [this] {
            if (isPresenting())
                resizeDocks({teach_.dock}, {height() * 2 / 3}, Qt::Vertical);
        };
        sizeDock();
        QTimer::singleShot(150, this, sizeDock);
        // Large type needs the width for the memory's three columns; the diagram follows the
        // cursor in what remains.
        if (auto* views = teach_.dock->findChild<QSplitter*>(QStringLiteral("teachingViews"))) {
            teach_.viewSizes = views->sizes();
            const int w = views->width();
            views->setSizes({w * 2 / 5, w * 3 / 5});
        }
    } else {
        teach_.presentation->setOn(false);
        if (QWidget* bar = teach_.dock->titleBarWidget()) {
            teach_.dock->setTitleBarWidget(nullptr);
            delete bar;
        }
        for (QWidget* w : std::as_const(teach_.hidden))
            w->show();
        teach_.hidden.clear();
        teach_.dock->setVisible(teach_.panelsWereVisible);
        if (auto* views = teach_.dock->findChild<QSplitter*>(QStringLiteral("teachingViews")); views && !teach_.viewSizes.isEmpty())
            views->setSizes(teach_.viewSizes);
        setWindowState(teach_.windowState);
        restoreGeometry(teach_.normalGeometry);
    }
    teach_.presentAction->setChecked(on);
}

bool MainWindow::startLesson(int index)
{
    if (index < 0 || index >= teach_.lessons->lessonCount())
        return false;
    // Another lesson's scenario (values switched or not) is no work to keep; anything else is.
    const bool lessonScenario = model_.filePath().isEmpty() && !model_.scenarioTitle().isEmpty();
    if (!lessonScenario && !maybeSave())
        return false;
    const sim::Lesson& lesson = teach_.lessons->lesson(index);
    model_.openScenario(lesson.scenario, QString::fromStdString(lesson.title));
    teach_.lessons->setActiveLesson(index);
    try {
        teach_.lessons->chooseValue(0);
    } catch (const std::exception& e) {
        showError(tr("Cannot start the lesson"), QString::fromStdString(e.what()));
        return false;
    }
    model_.pause();
    model_.setCursorTime(0);
    teach_.lessonsDock->show();
    teach_.lessonsDock->raise();
    teach_.dock->show();
    return true;
}

void MainWindow::showGlossary()
{
    if (!teach_.glossary)
        teach_.glossary = new teaching::GlossaryDialog(this);
    teach_.glossary->show();
    teach_.glossary->raise();
    teach_.glossary->activateWindow();
}

} // namespace offload::studio
