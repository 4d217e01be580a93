#pragma once
// The window's model: the scenario being edited, the file it belongs to, the selected layer and
// the pinned baseline; simulation on a worker thread. No widgets: the Qt Test suites drive it
// alone, and every view subscribes to its signals.
//
// Data flow: a control calls apply(edit) -> the scenario changes at once (scenarioChanged) ->
// a worker simulates it -> snapshotChanged carries the immutable result to every view. Views
// hold the shared snapshot and never write into it. While a simulation runs, newer edits
// replace the pending request: only the newest scenario is simulated next, and every snapshot
// published is newer than the one before it.
#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/scenario_document.h"
#include "sim/scenario_edit.h"
#include "sim/sweep.h"
#include "sim/teaching.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace offload::plots {
struct ChartData;
}

namespace offload::studio {

// A pinned scenario and its result, shown beside the current one.
struct Baseline {
    sim::Scenario scenario;
    std::shared_ptr<const sim::Result> result; // the pinned snapshot's, shared
    QString label;
};

using SweepPoints = std::vector<sim::SweepPoint>;

// The sweeps a view can ask for: iteration time against link bandwidth per codec
// (sim::defaultSweepSpec), and overhead across GPU generations (sim::generationsSweepSpec).
enum class SweepKind { bandwidth = 0, generations = 1 };
inline constexpr int kSweepKinds = 2;

// One simulated state of the model, immutable once published.
struct Snapshot {
    std::uint64_t revision = 0; // the edit it reflects (StudioModel::revision() when requested)
    sim::Scenario scenario;
    std::shared_ptr<const sim::Result> result; // never null
    std::shared_ptr<const Baseline> baseline;  // null: none pinned
    std::shared_ptr<const SweepPoints> sweep;       // sim::defaultSweepSpec(scenario); null unless wanted
    std::shared_ptr<const SweepPoints> generations; // sim::generationsSweepSpec(scenario); null unless wanted
    std::shared_ptr<const sim::TeachingIndex> teaching; // of `result`, built with it; never null
    // The charts' data of `result`, prepared on the worker with it; null when no ChartPreparer
    // is set (the model alone, in its tests).
    std::shared_ptr<const plots::ChartData> charts;
};

// What the charts draw of a result, built on the simulation worker (sorting and naming a
// million layers takes seconds the GUI thread must not spend). `sameNetwork`: the data of an
// earlier result of the same network, whose layer names can be reused; null when none. The
// window sets it; the model itself knows no charts.
using ChartPreparer = std::function<std::shared_ptr<const plots::ChartData>(
    const sim::Scenario& scenario, const sim::Result& result, const plots::ChartData* sameNetwork)>;
using SnapshotPtr = std::shared_ptr<const Snapshot>;

// Playback's pace: at speed 1 an iteration plays in this many seconds of wall time, whatever
// its simulated length (a tiny network's 5 ms and VGG-16's 2 s alike are watchable).
inline constexpr double kIterationPlaySeconds = 20;
// The speeds faster() and slower() step through, as multiples of that pace.
inline constexpr std::array<double, 7> kPlaybackSpeeds{0.125, 0.25, 0.5, 1, 2, 4, 8};

class StudioModel : public QObject {
    Q_OBJECT
public:
    explicit StudioModel(QObject* parent = nullptr);
    ~StudioModel() override; // waits for a running simulation

    // --- the scenario as edited (ahead of snapshot() while a simulation runs) ---
    bool hasScenario() const { return scenario_.network != nullptr; }
    const sim::Scenario& scenario() const { return scenario_; }
    std::uint64_t revision() const { return revision_; }

    // --- the newest published simulation (null before the first) ---
    SnapshotPtr snapshot() const { return snapshot_; }
    bool isSimulating() const { return running_; }
    // Blocks, processing events, until the snapshot reflects the newest edit (tests, headless
    // exports). Returns false after `timeoutMs`.
    bool waitForIdle(int timeoutMs = 60000);

    // --- edits: one path for every control. Throws InputError (nothing changes) when invalid ---
    void apply(const sim::ScenarioEdit& edit);
    void setNetworkFile(const QString& networkPath); // loads, then applies; throws InputError

    // --- files ---
    // Opens a scenario or network file; throws InputError and changes nothing on failure.
    void open(const QString& path);
    // The same in two steps, for files too large to read on the GUI thread: load() reads and
    // validates on any thread (throws InputError), adopt() makes the loaded document the model's.
    static sim::OpenedDocument load(const QString& path);
    void adopt(sim::OpenedDocument opened, const QString& path);
    // Writes the scenario atomically; references are rewritten relative to `path`.
    void save(const QString& path);
    const QString& filePath() const { return filePath_; }
    const QString& networkPath() const { return networkPath_; }
    bool isModified() const { return modified_; }
    QString displayName() const;
    // Autosave: a self-contained copy (network embedded, measured device data applied), written
    // atomically; recover() opens one as unsaved, untitled work (throws InputError).
    void writeAutosave(const QString& path) const;
    // What writeAutosave writes, for a caller that writes it on another thread (a million-layer
    // network takes seconds to serialize): a copy whose network is shared, never changed.
    sim::Scenario autosaveScenario() const;
    void recover(const QString& autosavePath);
    // A scenario that is no file of its own (a lesson's starting point): shown as `title`,
    // unmodified, saved with its network embedded.
    void openScenario(sim::Scenario scenario, const QString& title);
    // The title openScenario gave; empty for files and recovered work.
    const QString& scenarioTitle() const { return title_; }

    // --- selection, baseline, sweep ---
    int selectedLayer() const { return selectedLayer_; }
    void setSelectedLayer(int layer); // -1: none; out of range: none
    // Pins the scenario as the controls show it, with its result, as the baseline: at once when
    // the shown snapshot is current, else once a worker has simulated it (the window is never
    // held while a large network simulates). A later pin or clear supersedes one on its way.
    void pinBaseline();
    void clearBaseline();
    std::shared_ptr<const Baseline> baseline() const { return baseline_; }
    // A sweep is simulated only while a view wants it (many simulations each).
    void setSweepWanted(SweepKind kind, bool wanted);
    // Run with every new simulation, on its worker (see ChartPreparer).
    void setChartPreparer(ChartPreparer preparer) { chartPreparer_ = std::move(preparer); }

    // --- teaching: the cursor and its playback, model state like any other ---
    // The cursor: seconds into the shown snapshot's iteration, within [0, iteration_s]. A new
    // snapshot whose iteration is shorter moves it to the new end.
    double cursorTime() const { return cursorS_; }
    void setCursorTime(double seconds);
    // The layer whose forward or backward pass runs (or waits) at the cursor; -1 when none
    // (no snapshot). Changes with the cursor; cursorChanged says so.
    int cursorLayer() const { return cursorLayer_; }
    // Steps to the next (+1) or previous (-1) event boundary (any lane), or to the start of the
    // next or previous layer's forward or backward pass. Stepping pauses playback.
    void stepEvent(int direction);
    void stepLayer(int direction);
    bool isPlaying() const { return playing_; }
    // A multiple of the default pace (kIterationPlaySeconds per iteration), > 0.
    double playbackSpeed() const { return speed_; }
    void setPlaybackSpeed(double speed);
    void faster(); // the next of kPlaybackSpeeds
    void slower();
    // Simulated seconds that pass per second of wall time at the current speed (0: no snapshot).
    double simulatedSecondsPerSecond() const;
    void play(); // from the start when the cursor is at the end
    void pause();
    void togglePlayback();
    // What one tick of the playback timer does: the cursor moves by `wallSeconds` of playback
    // and stops (pausing) at the end of the iteration. Tests call it to play without waiting.
    void advancePlayback(double wallSeconds);

signals:
    void cursorChanged(double seconds);
    void playbackChanged(bool playing, double speed);
    void scenarioChanged(const sim::Scenario& scenario); // at once, on every edit or open
    void snapshotChanged(std::shared_ptr<const offload::studio::Snapshot> snapshot);
    void selectionChanged(int layer);
    void fileStateChanged(); // path, modified flag
    void simulationFailed(const QString& message);

private:
    // What a worker returns: the new snapshot, or why the simulation failed.
    struct JobOutput {
        std::shared_ptr<const Snapshot> snapshot;
        std::string error;
    };
    void replaceScenario(sim::Scenario scenario, const QString& filePath, const QString& networkPath,
                         const QString& deviceProfilePath, bool modified);
    void scenarioEdited();
    void requestSimulation();
    void startNextJob();
    void jobFinished();
    void publish(SnapshotPtr snapshot);
    void republishWith(std::shared_ptr<const Baseline> baseline);

    sim::Scenario scenario_;
    std::uint64_t revision_ = 0;
    QString filePath_;
    QString title_;
    QString networkPath_;       // absolute; empty when embedded
    QString deviceProfilePath_; // absolute; empty when none
    bool modified_ = false;
    int selectedLayer_ = -1;
    std::shared_ptr<const Baseline> baseline_;
    void pin(const sim::Scenario& scenario, std::shared_ptr<const sim::Result> result);
    void pinFinished();
    // The pin of a scenario whose result is not shown yet: simulated on its own worker.
    struct PinOutput {
        sim::Scenario scenario;
        std::shared_ptr<const sim::Result> result; // null when the simulation failed
        std::string error;
    };
    QFutureWatcher<PinOutput>* pinWatcher_ = nullptr;
    bool pinning_ = false;

    // One cache per SweepKind: the points stay valid while no edit they depend on happens.
    struct SweepCache {
        bool wanted = false;
        std::shared_ptr<const SweepPoints> points;
        std::uint64_t generation = 0; // bumped by edits the sweep depends on
        bool current = false;
        std::uint64_t runningGeneration = 0; // of the points the running job computes
        bool needed() const { return wanted && !current; }
    };
    std::array<SweepCache, kSweepKinds> sweeps_;
    void invalidateSweep(SweepKind kind);
    bool anySweepNeeded() const;

    void moveCursor(double seconds); // clamps, finds the layer, emits
    void playbackTick();
    double iterationS() const;
    double cursorS_ = 0;
    int cursorLayer_ = -1;
    bool playing_ = false;
    double speed_ = 1;
    QTimer* playbackTimer_ = nullptr;
    QElapsedTimer sinceTick_;

    ChartPreparer chartPreparer_;
    SnapshotPtr snapshot_;
    bool running_ = false;
    bool pending_ = false;
    QFutureWatcher<JobOutput>* watcher_ = nullptr;
};

// Where the bundled samples are: next to an installed executable, else the source tree's.
QString samplesDirectory();
QString defaultScenarioPath();

} // namespace offload::studio

Q_DECLARE_METATYPE(std::shared_ptr<const offload::studio::Snapshot>)
