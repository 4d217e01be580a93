#pragma once
// The window: controls on the left, summary on the right, timeline / memory / per-layer and
// sweep charts in the middle. Every view shows the StudioModel's newest snapshot.
#include "captured_tensors.h"
#include "export_dialog.h"
#include "studio_model.h"

#include "app/plots/figure_builder.h"

#include <QFutureWatcher>
#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QStackedWidget;
class QTabWidget;

namespace offload::plots {
class GenerationsPlot;
class LayerBarsPlot;
class MemoryPlot;
class SweepPlot;
class TimelinePlot;
} // namespace offload::plots

class QTimer;
class QDateTime;
class QDialog;
class QDockWidget;

namespace offload::studio::teaching {
class CaptionBar;
class LessonPanel;
class MemoryAtCursorView;
class NetworkDiagram;
class PlaybackControls;
class PresentationMode;
} // namespace offload::studio::teaching

namespace offload::studio {

class ControlPanel;
class SummaryWidget;

enum class DataExport { layersCsv, eventsCsv, summaryCsv, sweepCsv, resultJson, chromeTrace };

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    StudioModel& model() { return model_; }
    ControlPanel* controls() const { return controls_; }
    SummaryWidget* summary() const { return summary_; }
    plots::TimelinePlot* timeline() const { return timeline_; }
    plots::LayerBarsPlot* layerBars() const { return layerBars_; }
    plots::MemoryPlot* memory() const { return memory_; }
    plots::SweepPlot* sweepPlot() const { return sweep_; }
    plots::GenerationsPlot* generationsPlot() const { return generations_; }
    SparsityExplorer* sparsityExplorer() const { return explorer_; }
    QWidget* sparsityExplorerPage() const { return explorerPage_; }
    QString sparsityExplorerHint() const;
    QTabWidget* chartTabs() const { return tabs_; }

    // --- teaching mode (setupTeaching): the cursor's views, lessons and presentation mode ---
    teaching::NetworkDiagram* networkDiagram() const { return teach_.diagram; }
    teaching::MemoryAtCursorView* memoryAtCursor() const { return teach_.memory; }
    teaching::CaptionBar* captionBar() const { return teach_.captions; }
    teaching::PlaybackControls* playbackControls() const { return teach_.playback; }
    teaching::LessonPanel* lessonPanel() const { return teach_.lessons; }
    QDockWidget* teachingDock() const { return teach_.dock; }
    QDockWidget* lessonsDock() const { return teach_.lessonsDock; }
    void setTeachingPanelsVisible(bool visible);
    // Full screen, large fonts, high contrast, lecture keys; what a lecture does not need hidden.
    bool isPresenting() const;
    void setPresentationMode(bool on);
    // Opens lesson `index` of the lesson panel (asking to save unsaved work first) and sets its
    // first value; false when the user cancels or the index is out of range.
    bool startLesson(int index);
    void showGlossary();

    // Opens a scenario or network file; on failure reports it (showError) and keeps the state.
    // A file larger than kBackgroundOpenBytes (a generated network of a million layers) is read
    // on a worker thread while the window stays live: true then means the opening has started,
    // and isOpening() is true until it has finished or failed.
    bool openFile(const QString& path);
    static constexpr qint64 kBackgroundOpenBytes = 16 * 1024 * 1024;
    bool isOpening() const { return opening_ != nullptr; }
    // What the window opens when it starts: the bundled example first, so that the window behind
    // any error dialog is complete, then `requested` (empty: none). A requested file that fails
    // to load leaves the example open.
    void openAtStart(const QString& requested);
    // Where unsaved work is kept while the window runs (removed when it is saved, discarded or
    // the window closes), so that a crash loses at most the last couple of seconds.
    static QString autosavePath();
    // Writes (or removes) the autosave now instead of after the delay, on this thread, after any
    // background write on its way.
    void flushAutosave();
    bool saveTo(const QString& path);
    // Writes a figure of a chart as the window shows it (selection, baseline, timeline zoom).
    bool exportFigure(const FigureRequest& request);
    bool exportData(DataExport kind, const QString& path);
    // Captured layer outputs (a folder with manifest.json) for the sparsity explorer; on failure
    // reports it (showError) and keeps the tensors it had.
    bool openCapturedTensors(const QString& folder);

    enum class SaveChoice { save, discard, cancel };

protected:
    // Overridable so that tests and headless runs never block on a modal dialog.
    virtual void showError(const QString& title, const QString& text);
    virtual SaveChoice askToSaveChanges();
    virtual bool askToRecover(const QDateTime& savedAt); // unsaved work from a session that crashed

    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void openInBackground(const QString& path);
    void buildMenus();
    void showSnapshot(SnapshotPtr snapshot);
    void updateSelection(int layer);
    void updateBaseline();
    void updateSweep();
    void updateExplorer();
    void updateTitle();
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    bool maybeSave();
    bool save();
    bool saveAs();
    void openDialog();
    void openNetworkDialog();
    void exportDialog();
    void exportDataDialog(DataExport kind);
    void selectAdjacentLayer(int step);
    plots::ChartKind currentChartKind() const;
    SnapshotPtr settledSnapshot(); // the snapshot of the newest edit (waits for it); null if none
    static std::shared_ptr<const SweepPoints> sweepOf(const Snapshot& snapshot); // its sweep, run if missing
    bool isHeadless() const;

    StudioModel model_;
    SnapshotPtr shown_;                          // what the charts show
    std::shared_ptr<const SweepPoints> sweepShown_;
    std::uint64_t sweepMarkerRevision_ = 0;
    std::shared_ptr<const SweepPoints> generationsShown_;
    std::uint64_t generationsMarkerRevision_ = 0;
    ControlPanel* controls_ = nullptr;
    SummaryWidget* summary_ = nullptr;
    plots::TimelinePlot* timeline_ = nullptr;
    plots::MemoryPlot* memory_ = nullptr;
    plots::LayerBarsPlot* layerBars_ = nullptr;
    plots::SweepPlot* sweep_ = nullptr;
    plots::GenerationsPlot* generations_ = nullptr;
    QStackedWidget* explorerPage_ = nullptr;
    SparsityExplorer* explorer_ = nullptr;
    QLabel* explorerHint_ = nullptr;
    CapturedTensors tensors_;
    CapturedTensors bundledTensors_; // samples/tensors, read on first use
    bool triedBundledTensors_ = false;
    std::string explorerShows_; // "<layer>@<progress>" of the explorer's data, to skip reloads
    QTabWidget* tabs_ = nullptr;
    QSplitter* splitter_ = nullptr;
    QLabel* baselineLabel_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QAction* clearBaselineAction_ = nullptr;
    QTimer* autosaveTimer_ = nullptr;
    // The delayed autosave writes on a worker (serializing a million layers takes seconds); one
    // write at a time, and a change during a write is written after it.
    void autosaveInBackground();
    void autosaveWritten();
    QFutureWatcher<QString>* autosaveWriter_ = nullptr; // its result: the error, empty when written
    bool autosaveQueued_ = false;
    bool compactLayout_ = false;
    void arrangeForHeight();

    void setupTeaching();
    void showCursorInCharts();
    struct TeachingViews {
        QDockWidget* dock = nullptr;
        QDockWidget* lessonsDock = nullptr;
        teaching::NetworkDiagram* diagram = nullptr;
        teaching::MemoryAtCursorView* memory = nullptr;
        teaching::CaptionBar* captions = nullptr;
        teaching::PlaybackControls* playback = nullptr;
        teaching::LessonPanel* lessons = nullptr;
        teaching::PresentationMode* presentation = nullptr;
        QAction* panelsAction = nullptr;
        QAction* presentAction = nullptr;
        QDialog* glossary = nullptr;
        // What presentation mode hid or changed, restored when it ends.
        QList<QWidget*> hidden;
        Qt::WindowStates windowState;
        QByteArray normalGeometry;
        QList<int> viewSizes;
        bool panelsWereVisible = false;
        bool sized = false; // the dock got its first height
    };
    TeachingViews teach_;
    QObject* opening_ = nullptr; // the background open under way, if any
};

} // namespace offload::studio
