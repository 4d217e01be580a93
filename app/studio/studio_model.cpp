#include "studio_model.h"

#include "app/qt_conversions.h"
#include "core/input_error.h"
#include "core/network_json.h"
#include "core/samples_dir.h"
#include "sim/scenario_document.h"
#include "sim/simulator.h"
#include "sim/teaching.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace offload::studio {

namespace {
// The layer the views highlight at a time: the pass that runs, else the layer a stall or the
// codec kernels hold up (the first caption's), else the last pass begun (between events).
int layerAt(const Network& network, const sim::TeachingIndex& index, double t)
{
    if (const auto step = index.computeAt(t))
        return step->layer;
    for (const auto& caption : index.captionsAt(network, t))
        if (caption.layer >= 0)
            return caption.layer;
    if (const auto before = index.previousComputeStep(t))
        return before->layer;
    return -1;
}

bool sweepCovers(const sim::SweepSpec& spec, CodecId codec)
{
    return std::find(spec.codecs.begin(), spec.codecs.end(), codec) != spec.codecs.end();
}
} // namespace

StudioModel::StudioModel(QObject* parent) : QObject(parent), watcher_(new QFutureWatcher<JobOutput>(this))
{
    qRegisterMetaType<SnapshotPtr>();
    connect(watcher_, &QFutureWatcher<JobOutput>::finished, this, &StudioModel::jobFinished);
    pinWatcher_ = new QFutureWatcher<PinOutput>(this);
    connect(pinWatcher_, &QFutureWatcher<PinOutput>::finished, this, &StudioModel::pinFinished);
    playbackTimer_ = new QTimer(this);
    playbackTimer_->setInterval(33); // ~30 frames a second: smooth enough, cheap to draw
    playbackTimer_->setTimerType(Qt::PreciseTimer);
    connect(playbackTimer_, &QTimer::timeout, this, &StudioModel::playbackTick);
}

StudioModel::~StudioModel()
{
    watcher_->disconnect(this);
    pinWatcher_->disconnect(this);
    watcher_->waitForFinished();
    pinWatcher_->waitForFinished();
}

// --- edits ---

void StudioModel::apply(const sim::ScenarioEdit& edit)
{
    if (!hasScenario())
        return;
    sim::Scenario edited = scenario_;
    sim::applyEdit(edited, edit); // throws before anything changes
    // The bandwidth sweep holds for any bandwidth and its codecs; the generations sweep for any
    // of its GPUs and its codecs. Everything else changes both.
    const bool uncoveredCodec = edit.codec && !sweepCovers(sim::defaultSweepSpec(edited), *edit.codec);
    if (edit.changesMoreThanLinkAndCodec() || uncoveredCodec)
        invalidateSweep(SweepKind::bandwidth);
    sim::ScenarioEdit rest = edit;
    rest.gpu_preset.reset();
    if (rest.changesMoreThanLinkAndCodec() || edit.bandwidth_bytes_per_s
        || (edit.codec && !sweepCovers(sim::generationsSweepSpec(edited), *edit.codec)))
        invalidateSweep(SweepKind::generations);
    scenario_ = std::move(edited);
    if (edit.network) {
        networkPath_ = QString::fromStdString(edit.network_ref);
        setSelectedLayer(-1); // the old network's layer numbers mean nothing in the new one
    }
    scenarioEdited();
}

void StudioModel::setNetworkFile(const QString& networkPath)
{
    const QString absolute = QFileInfo(networkPath).absoluteFilePath();
    sim::ScenarioEdit edit;
    edit.network = std::make_shared<const NetworkModel>(loadNetworkFile(toPath(absolute)));
    edit.network_ref = absolute.toStdString();
    apply(edit);
}

void StudioModel::invalidateSweep(SweepKind kind)
{
    auto& cache = sweeps_[static_cast<std::size_t>(kind)];
    ++cache.generation;
    cache.current = false;
}

bool StudioModel::anySweepNeeded() const
{
    return std::any_of(sweeps_.begin(), sweeps_.end(), [](const SweepCache& c) { return c.needed(); });
}

void StudioModel::scenarioEdited()
{
    ++revision_;
    const bool wasModified = modified_;
    modified_ = true;
    emit scenarioChanged(scenario_);
    if (!wasModified)
        emit fileStateChanged();
    requestSimulation();
}

// --- files ---

void StudioModel::open(const QString& path)
{
    // Loaded into a local first: a bad file throws before the model is touched.
    adopt(load(path), path);
}

sim::OpenedDocument StudioModel::load(const QString& path)
{
    return sim::openScenarioOrNetwork(toPath(QFileInfo(path).absoluteFilePath()));
}

void StudioModel::adopt(sim::OpenedDocument opened, const QString& path)
{
    const QString filePath =
        opened.kind == sim::DocumentKind::scenario ? QFileInfo(path).absoluteFilePath() : QString();
    replaceScenario(std::move(opened.scenario), filePath, pathToQString(opened.network_path),
                    pathToQString(opened.device_profile_path), false);
}

void StudioModel::save(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QDir folder = QFileInfo(absolute).dir();
    sim::Scenario copy = scenario_;
    copy.network_ref = networkPath_.isEmpty() ? std::string() : folder.relativeFilePath(networkPath_).toStdString();
    if (!deviceProfilePath_.isEmpty() && !copy.device_profile_ref.empty())
        copy.device_profile_ref = folder.relativeFilePath(deviceProfilePath_).toStdString();
    sim::saveScenarioFile(copy, toPath(absolute));
    scenario_.network_ref = copy.network_ref;
    scenario_.device_profile_ref = copy.device_profile_ref;
    filePath_ = absolute;
    modified_ = false;
    emit fileStateChanged();
}

sim::Scenario StudioModel::autosaveScenario() const
{
    sim::Scenario copy = scenario_;
    copy.network_ref.clear();        // embedded: the autosave stands on its own
    copy.device_profile_ref.clear(); // its GPU, link and layer times are in the copy already
    return copy;
}

void StudioModel::writeAutosave(const QString& path) const
{
    sim::saveScenarioFile(autosaveScenario(), toPath(QFileInfo(path).absoluteFilePath()));
}

void StudioModel::recover(const QString& autosavePath)
{
    sim::Scenario scenario = sim::loadScenarioFile(toPath(QFileInfo(autosavePath).absoluteFilePath()));
    replaceScenario(std::move(scenario), QString(), QString(), QString(), true); // unsaved until saved somewhere
}

void StudioModel::openScenario(sim::Scenario scenario, const QString& title)
{
    scenario.network_ref.clear(); // relative to a file this model does not know: embedded when saved
    replaceScenario(std::move(scenario), QString(), QString(), QString(), false);
    title_ = title;
    emit fileStateChanged(); // the name shown changed
}

void StudioModel::replaceScenario(sim::Scenario scenario, const QString& filePath, const QString& networkPath,
                                  const QString& deviceProfilePath, bool modified)
{
    const bool sameNetwork = scenario_.network && scenario.network &&
                             scenario_.network->size() == scenario.network->size() &&
                             scenario_.network->network().name == scenario.network->network().name;
    scenario_ = std::move(scenario);
    filePath_ = filePath;
    title_.clear();
    networkPath_ = networkPath;
    deviceProfilePath_ = deviceProfilePath;
    modified_ = modified;
    invalidateSweep(SweepKind::bandwidth);
    invalidateSweep(SweepKind::generations);
    ++revision_;
    if (!sameNetwork && selectedLayer_ != -1) {
        selectedLayer_ = -1;
        emit selectionChanged(-1);
    }
    emit scenarioChanged(scenario_);
    emit fileStateChanged();
    requestSimulation();
}

QString StudioModel::displayName() const
{
    if (!filePath_.isEmpty())
        return QFileInfo(filePath_).fileName();
    if (!title_.isEmpty())
        return title_;
    if (scenario_.network)
        return QStringLiteral("%1 (untitled)").arg(QString::fromStdString(scenario_.network->network().name));
    return QStringLiteral("untitled");
}

// --- selection, baseline, sweep ---

void StudioModel::setSelectedLayer(int layer)
{
    const std::size_t layers = scenario_.network ? scenario_.network->size() : 0;
    if (layer < -1 || (layer >= 0 && static_cast<std::size_t>(layer) >= layers))
        layer = -1;
    if (layer == selectedLayer_)
        return;
    selectedLayer_ = layer;
    emit selectionChanged(layer);
}

void StudioModel::pinBaseline()
{
    if (!hasScenario())
        return;
    if (snapshot_ && snapshot_->revision == revision_) {
        pinning_ = false;
        pin(snapshot_->scenario, snapshot_->result);
        return;
    }
    // The shown result is older than the controls: pin the scenario they show, simulated on its
    // own (setFuture drops a pin still on its way: the newest wins).
    pinning_ = true;
    pinWatcher_->setFuture(QtConcurrent::run([scenario = scenario_]() -> PinOutput {
        PinOutput out{scenario, nullptr, {}};
        try {
            out.result = std::make_shared<const sim::Result>(sim::simulate(scenario));
        } catch (const std::exception& e) {
            out.error = e.what();
        }
        return out;
    }));
}

void StudioModel::pinFinished()
{
    if (!pinning_)
        return; // cleared or pinned anew meanwhile
    pinning_ = false;
    PinOutput out = pinWatcher_->result();
    if (out.result)
        pin(out.scenario, std::move(out.result));
    else
        emit simulationFailed(QString::fromStdString(out.error));
}

void StudioModel::pin(const sim::Scenario& s, std::shared_ptr<const sim::Result> result)
{
    auto pinned = std::make_shared<Baseline>();
    pinned->scenario = s;
    pinned->result = std::move(result);
    pinned->label = QStringLiteral("%1, %2, %3 GB/s")
                        .arg(toQString(codecName(s.codec)),
                             toQString(sim::policyName(s.policy)))
                        .arg(std::min(s.link.d2h_bytes_per_s, s.link.h2d_bytes_per_s) / 1e9, 0, 'g', 3);
    baseline_ = std::move(pinned);
    republishWith(baseline_);
}

void StudioModel::clearBaseline()
{
    pinning_ = false;
    if (!baseline_)
        return;
    baseline_.reset();
    republishWith(nullptr);
}

void StudioModel::republishWith(std::shared_ptr<const Baseline> baseline)
{
    if (!snapshot_)
        return;
    auto copy = std::make_shared<Snapshot>(*snapshot_); // shares the result; only the baseline differs
    copy->baseline = std::move(baseline);
    snapshot_ = std::move(copy);
    emit snapshotChanged(snapshot_);
}

void StudioModel::setSweepWanted(SweepKind kind, bool wanted)
{
    auto& cache = sweeps_[static_cast<std::size_t>(kind)];
    if (wanted == cache.wanted)
        return;
    cache.wanted = wanted;
    if (cache.needed() && hasScenario())
        requestSimulation();
}

// --- the worker ---

void StudioModel::requestSimulation()
{
    if (running_) {
        pending_ = true; // the newest scenario is simulated when the running job ends
        return;
    }
    startNextJob();
}

void StudioModel::startNextJob()
{
    pending_ = false;
    running_ = true;
    // Per sweep: run it (wanted, not current), keep the cached points (current), or leave it out.
    std::array<bool, kSweepKinds> compute{};
    std::array<std::shared_ptr<const SweepPoints>, kSweepKinds> keep{};
    for (std::size_t k = 0; k < sweeps_.size(); ++k) {
        compute[k] = sweeps_[k].needed();
        sweeps_[k].runningGeneration = sweeps_[k].generation;
        if (sweeps_[k].wanted && sweeps_[k].current)
            keep[k] = sweeps_[k].points;
    }
    // A sweep-only request for the scenario already shown reuses its result.
    SnapshotPtr reuse = snapshot_ && snapshot_->revision == revision_ ? snapshot_ : nullptr;
    // Layer names depend on the network only: a new result of the same network reuses them.
    std::shared_ptr<const plots::ChartData> sameNetworkCharts =
        snapshot_ && snapshot_->scenario.network == scenario_.network ? snapshot_->charts : nullptr;
    auto job = [scenario = scenario_, revision = revision_, baseline = baseline_, compute, keep, reuse,
                sameNetworkCharts, prepare = chartPreparer_]() -> JobOutput {
        JobOutput out;
        try {
            auto snapshot = std::make_shared<Snapshot>();
            snapshot->revision = revision;
            snapshot->scenario = scenario;
            snapshot->baseline = baseline;
            snapshot->result = reuse ? reuse->result : std::make_shared<const sim::Result>(sim::simulate(scenario));
            snapshot->teaching = reuse ? reuse->teaching : std::make_shared<const sim::TeachingIndex>(*snapshot->result);
            if (reuse)
                snapshot->charts = reuse->charts;
            else if (prepare)
                snapshot->charts = prepare(scenario, *snapshot->result, sameNetworkCharts.get());
            auto sweep = [&](SweepKind kind, sim::SweepSpec (*spec)(const sim::Scenario&)) {
                const auto k = static_cast<std::size_t>(kind);
                return compute[k] ? std::make_shared<const SweepPoints>(sim::runSweep(scenario, spec(scenario))) : keep[k];
            };
            snapshot->sweep = sweep(SweepKind::bandwidth, &sim::defaultSweepSpec);
            snapshot->generations = sweep(SweepKind::generations, &sim::generationsSweepSpec);
            out.snapshot = std::move(snapshot);
        } catch (const std::exception& e) {
            out.error = e.what();
        }
        return out;
    };
    watcher_->setFuture(QtConcurrent::run(std::move(job)));
}

void StudioModel::jobFinished()
{
    running_ = false;
    JobOutput out = watcher_->result();
    if (out.snapshot) {
        const std::array<std::shared_ptr<const SweepPoints>, kSweepKinds> computed{out.snapshot->sweep,
                                                                                   out.snapshot->generations};
        for (std::size_t k = 0; k < sweeps_.size(); ++k) {
            auto& cache = sweeps_[k];
            // Points of a scenario edited since (in what they depend on) are not cached.
            if (computed[k] && computed[k] != cache.points && cache.runningGeneration == cache.generation) {
                cache.points = computed[k];
                cache.current = true;
            }
        }
        // A pin or clear while the job ran is newer than the job's copy of the baseline.
        if (out.snapshot->baseline != baseline_) {
            auto fixed = std::make_shared<Snapshot>(*out.snapshot);
            fixed->baseline = baseline_;
            out.snapshot = std::move(fixed);
        }
        publish(out.snapshot);
    } else {
        emit simulationFailed(QString::fromStdString(out.error));
    }
    if (pending_ || (anySweepNeeded() && hasScenario() && out.snapshot))
        startNextJob();
}

void StudioModel::publish(SnapshotPtr snapshot)
{
    // Every snapshot shown is newer than the last: intermediate ones appear during a drag, and
    // the newest edit's always comes last.
    if (snapshot_ && snapshot->revision < snapshot_->revision)
        return;
    const bool networkChanged = !snapshot_ || snapshot_->scenario.network != snapshot->scenario.network;
    snapshot_ = std::move(snapshot);
    if (networkChanged && selectedLayer_ >= static_cast<int>(snapshot_->result->layers.size())) {
        selectedLayer_ = -1;
        emit selectionChanged(-1);
    }
    emit snapshotChanged(snapshot_);
    // The cursor stays at its time when it still lies in the iteration (an edit that shortens
    // the iteration moves it to the new end); its layer may differ in the new result.
    moveCursor(cursorS_);
}

// --- teaching: cursor and playback ---

double StudioModel::iterationS() const
{
    return snapshot_ ? snapshot_->result->summary.iteration_s : 0.0;
}

void StudioModel::setCursorTime(double seconds)
{
    if (std::isnan(seconds))
        return;
    moveCursor(seconds);
}

void StudioModel::moveCursor(double seconds)
{
    const double t = std::clamp(seconds, 0.0, iterationS());
    const int layer = snapshot_ ? layerAt(snapshot_->scenario.network->network(), *snapshot_->teaching, t) : -1;
    if (t == cursorS_ && layer == cursorLayer_)
        return;
    cursorS_ = t;
    cursorLayer_ = layer;
    emit cursorChanged(t);
}

void StudioModel::stepEvent(int direction)
{
    pause();
    if (!snapshot_ || direction == 0)
        return;
    const auto& index = *snapshot_->teaching;
    const auto to = direction > 0 ? index.nextEventBoundary(cursorS_) : index.previousEventBoundary(cursorS_);
    moveCursor(to ? *to : (direction > 0 ? iterationS() : 0.0));
}

void StudioModel::stepLayer(int direction)
{
    pause();
    if (!snapshot_ || direction == 0)
        return;
    const auto& index = *snapshot_->teaching;
    const auto to = direction > 0 ? index.nextComputeStep(cursorS_) : index.previousComputeStep(cursorS_);
    moveCursor(to ? to->start_s : (direction > 0 ? iterationS() : 0.0));
}

void StudioModel::setPlaybackSpeed(double speed)
{
    if (!(speed > 0) || !std::isfinite(speed) || speed == speed_)
        return;
    speed_ = speed;
    emit playbackChanged(playing_, speed_);
}

void StudioModel::faster()
{
    const auto next = std::upper_bound(kPlaybackSpeeds.begin(), kPlaybackSpeeds.end(), speed_);
    if (next != kPlaybackSpeeds.end())
        setPlaybackSpeed(*next);
}

void StudioModel::slower()
{
    const auto next = std::lower_bound(kPlaybackSpeeds.begin(), kPlaybackSpeeds.end(), speed_);
    if (next != kPlaybackSpeeds.begin())
        setPlaybackSpeed(*std::prev(next));
}

double StudioModel::simulatedSecondsPerSecond() const
{
    return iterationS() / kIterationPlaySeconds * speed_;
}

void StudioModel::play()
{
    if (playing_ || !snapshot_ || iterationS() <= 0)
        return;
    if (cursorS_ >= iterationS())
        moveCursor(0); // played to the end: play again from the start
    playing_ = true;
    sinceTick_.start();
    playbackTimer_->start();
    emit playbackChanged(true, speed_);
}

void StudioModel::pause()
{
    if (!playing_)
        return;
    playing_ = false;
    playbackTimer_->stop();
    emit playbackChanged(false, speed_);
}

void StudioModel::togglePlayback()
{
    if (playing_)
        pause();
    else
        play();
}

void StudioModel::playbackTick()
{
    // The wall time since the last tick, not the timer's interval: a busy GUI thread that
    // delays a tick does not slow the simulated clock.
    const double wall = static_cast<double>(sinceTick_.restart()) / 1e3;
    advancePlayback(wall);
}

void StudioModel::advancePlayback(double wallSeconds)
{
    if (!playing_ || !(wallSeconds > 0))
        return;
    const double end = iterationS();
    moveCursor(cursorS_ + wallSeconds * simulatedSecondsPerSecond());
    if (cursorS_ >= end)
        pause();
}

bool StudioModel::waitForIdle(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    auto idle = [this] {
        return !running_ && !pending_ && !pinning_ && (!hasScenario() || (snapshot_ && snapshot_->revision == revision_))
               && (!anySweepNeeded() || !hasScenario());
    };
    while (!idle()) {
        if (deadline.hasExpired())
            return false;
        if (!running_ && !pending_ && !pinning_)
            return idle(); // nothing more is coming: current, or the last simulation failed
        // Wait as the event loop does, woken by a worker's result: the thread keeps serving its
        // timers and repaints, and never runs a queued simulation itself.
        QEventLoop loop;
        connect(watcher_, &QFutureWatcher<JobOutput>::finished, &loop, &QEventLoop::quit, Qt::QueuedConnection);
        connect(pinWatcher_, &QFutureWatcher<PinOutput>::finished, &loop, &QEventLoop::quit, Qt::QueuedConnection);
        QTimer::singleShot(std::clamp<qint64>(deadline.remainingTime(), 1, 50), &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

QString samplesDirectory()
{
    const std::filesystem::path dir = bundledSamplesDir(toPath(QCoreApplication::applicationDirPath()));
    return pathToQString(dir);
}

QString defaultScenarioPath()
{
    return samplesDirectory() + QStringLiteral("/scenarios/vgg16-titanx-pcie3-zvc.json");
}

} // namespace offload::studio
