#pragma once
// The one state every view shares: the scenario being edited, its simulation result, the
// selected layer, the pinned baseline and the file it came from. Every change re-simulates at
// once and emits resultChanged; views only read.
#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

#include <QObject>
#include <QString>

#include <optional>
#include <vector>

namespace offload::studio {

struct Baseline {
    sim::Scenario scenario;
    sim::Result result;
    QString label;
};

class StudioState : public QObject {
    Q_OBJECT
public:
    explicit StudioState(QObject* parent = nullptr);

    const sim::Scenario& scenario() const { return scenario_; }
    const sim::Result& result() const { return result_; }
    bool hasScenario() const { return scenario_.network != nullptr; }

    // Files. open() reads a scenario or a network file (a network is wrapped with
    // sim::defaultScenarioFor); on error it throws offload::InputError and nothing changes.
    void open(const QString& path);
    // Writes the scenario atomically; the network reference is rewritten relative to `path`.
    void save(const QString& path);
    // Replaces the scenario (already loaded); `filePath` empty for an untitled scenario.
    void setScenario(sim::Scenario scenario, const QString& filePath, const QString& networkPath);
    const QString& filePath() const { return filePath_; }
    const QString& networkPath() const { return networkPath_; }
    bool isModified() const { return modified_; }
    QString displayName() const;

    // Controls. Each re-simulates and emits resultChanged.
    void setNetworkFile(const QString& networkPath); // throws InputError; keeps the other settings
    void setBatch(std::int64_t batch);
    void setDType(DType dtype);
    void setGpuPreset(const std::string& id);
    void setLinkPreset(const std::string& id);
    void setBandwidth(double bytesPerSecond); // both directions
    void setCodec(CodecId codec);
    void setCodecParams(const CodecParams& params);
    void setEngine(sim::EngineKind engine, double bytesPerSecond);
    void setPolicy(sim::OffloadPolicy policy);
    void setPrefetch(sim::PrefetchPolicy prefetch, int eagerDepth);
    void setSync(sim::SyncPolicy sync);
    void setConvAlgorithms(sim::AlgorithmPreference preference);
    void setComputeModel(sim::ComputeModelKind model);
    void setMemoryBaseline(sim::BaselineKind baseline); // what memory reductions are measured against
    void setMemoryBudget(std::optional<std::uint64_t> bytes);
    void setProgress(double progress);

    int selectedLayer() const { return selectedLayer_; }
    void setSelectedLayer(int layer);

    // Compare: pins the current scenario and result as the baseline.
    void pinBaseline();
    void clearBaseline();
    const std::optional<Baseline>& baseline() const { return baseline_; }

    // The standard sweep around the current scenario, computed on demand and cached until a
    // setting other than bandwidth or codec changes (those only move the marker).
    const std::vector<sim::SweepPoint>& sweep();
    bool sweepIsCurrent() const { return sweepValid_; }

    // Autosave: a self-contained copy of the scenario (network embedded, measured device data
    // already applied) written atomically; recover() opens one as unsaved, untitled work.
    void writeAutosave(const QString& path) const;
    void recover(const QString& autosavePath); // throws InputError; keeps the state on failure

signals:
    void resultChanged();
    void selectedLayerChanged(int layer);
    void baselineChanged();
    void fileStateChanged();

private:
    template <typename Change>
    void change(Change&& apply, bool affectsSweep);
    void resimulate();

    sim::Scenario scenario_;
    sim::Result result_;
    QString filePath_;
    QString networkPath_; // absolute path of the network file; empty when embedded
    QString deviceProfilePath_; // absolute path of the scenario's device profile; empty when none
    bool modified_ = false;
    int selectedLayer_ = -1;
    std::optional<Baseline> baseline_;
    std::vector<sim::SweepPoint> sweep_;
    bool sweepValid_ = false;
};

// What kind of document a JSON file is, by its "format" member.
enum class DocumentKind { scenario, network };
DocumentKind documentKindOf(const QString& path); // throws InputError

// Where the bundled samples are: next to an installed executable, else the source tree's.
QString samplesDirectory();
QString defaultScenarioPath();

} // namespace offload::studio
