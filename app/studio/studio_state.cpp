#include "studio_state.h"

#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"
#include "core/samples_dir.h"
#include "core/version.h"
#include "sim/simulator.h"

#include "app/plots/sweep_plot.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <filesystem>

namespace offload::studio {

namespace {
std::filesystem::path toPath(const QString& s) { return std::filesystem::path(s.toStdString()); }
} // namespace

StudioState::StudioState(QObject* parent)
    : QObject(parent)
{
}

DocumentKind documentKindOf(const QString& path)
{
    const auto document = parseJsonFile(toPath(path));
    const std::string label = path.toStdString();
    if (!document.is_object())
        throw InputError(label, "", "expected a JSON object (a scenario or a network file)");
    const auto format = document.find("format");
    if (format == document.end() || !format->is_string())
        throw InputError(label, "/format", "missing \"format\": expected \"offload-studio/scenario\" or \"offload-studio/network\"");
    const std::string name = format->get<std::string>();
    if (name == "offload-studio/scenario")
        return DocumentKind::scenario;
    if (name == "offload-studio/network")
        return DocumentKind::network;
    throw InputError(label, "/format", "unknown format \"" + name + "\": expected \"offload-studio/scenario\" or \"offload-studio/network\"");
}

void StudioState::open(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    // Everything is loaded into locals first: a bad file throws before the state is touched.
    if (documentKindOf(absolute) == DocumentKind::network) {
        auto model = std::make_shared<const NetworkModel>(loadNetworkFile(toPath(absolute)));
        sim::Scenario scenario = sim::defaultScenarioFor(std::move(model));
        setScenario(std::move(scenario), QString(), absolute);
        return;
    }
    sim::Scenario scenario = sim::loadScenarioFile(toPath(absolute));
    QString networkPath;
    if (!scenario.network_ref.empty())
        networkPath = QFileInfo(QFileInfo(absolute).dir(), QString::fromStdString(scenario.network_ref)).absoluteFilePath();
    // Like the network, a device profile is referred to relative to the scenario file, so a
    // save elsewhere must rewrite the reference.
    deviceProfilePath_.clear();
    if (!scenario.device_profile_ref.empty())
        deviceProfilePath_ =
            QFileInfo(QFileInfo(absolute).dir(), QString::fromStdString(scenario.device_profile_ref)).absoluteFilePath();
    setScenario(std::move(scenario), absolute, networkPath);
}

void StudioState::save(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    sim::Scenario copy = scenario_;
    if (!networkPath_.isEmpty())
        copy.network_ref = QFileInfo(absolute).dir().relativeFilePath(networkPath_).toStdString();
    else
        copy.network_ref.clear();
    if (!deviceProfilePath_.isEmpty() && !copy.device_profile_ref.empty())
        copy.device_profile_ref = QFileInfo(absolute).dir().relativeFilePath(deviceProfilePath_).toStdString();
    sim::saveScenarioFile(copy, toPath(absolute));
    scenario_.network_ref = copy.network_ref;
    scenario_.device_profile_ref = copy.device_profile_ref;
    filePath_ = absolute;
    modified_ = false;
    emit fileStateChanged();
}

void StudioState::writeAutosave(const QString& path) const
{
    sim::Scenario copy = scenario_;
    copy.network_ref.clear();        // embedded: the autosave stands on its own
    copy.device_profile_ref.clear(); // its GPU, link and layer times are in the copy already
    sim::saveScenarioFile(copy, toPath(QFileInfo(path).absoluteFilePath()));
}

void StudioState::recover(const QString& autosavePath)
{
    sim::Scenario scenario = sim::loadScenarioFile(toPath(QFileInfo(autosavePath).absoluteFilePath()));
    setScenario(std::move(scenario), QString(), QString());
    modified_ = true; // recovered work is unsaved until the user saves it somewhere
    emit fileStateChanged();
}

void StudioState::setScenario(sim::Scenario scenario, const QString& filePath, const QString& networkPath)
{
    sim::Result result = sim::simulate(scenario);
    const bool sameNetwork = scenario_.network && scenario.network
                             && scenario_.network->size() == scenario.network->size()
                             && scenario_.network->network().name == scenario.network->network().name;
    scenario_ = std::move(scenario);
    result_ = std::move(result);
    filePath_ = filePath;
    networkPath_ = networkPath;
    modified_ = false;
    sweepValid_ = false;
    if (!sameNetwork)
        selectedLayer_ = -1;
    emit resultChanged();
    emit selectedLayerChanged(selectedLayer_);
    emit fileStateChanged();
}

QString StudioState::displayName() const
{
    if (!filePath_.isEmpty())
        return QFileInfo(filePath_).fileName();
    if (scenario_.network)
        return QStringLiteral("%1 (untitled)").arg(QString::fromStdString(scenario_.network->network().name));
    return QStringLiteral("untitled");
}

void StudioState::resimulate()
{
    result_ = sim::simulate(scenario_);
}

template <typename Change>
void StudioState::change(Change&& apply, bool affectsSweep)
{
    if (!hasScenario())
        return;
    apply(scenario_);
    resimulate();
    if (affectsSweep)
        sweepValid_ = false;
    const bool wasModified = modified_;
    modified_ = true;
    emit resultChanged();
    if (!wasModified)
        emit fileStateChanged();
}

void StudioState::setNetworkFile(const QString& networkPath)
{
    const QString absolute = QFileInfo(networkPath).absoluteFilePath();
    auto model = std::make_shared<const NetworkModel>(loadNetworkFile(toPath(absolute)));
    networkPath_ = absolute;
    selectedLayer_ = -1;
    change([&](sim::Scenario& s) {
        s.network = model;
        s.network_ref = absolute.toStdString();
        s.manual_layers.clear();
    }, true);
    emit selectedLayerChanged(selectedLayer_);
}

void StudioState::setBatch(std::int64_t batch)
{
    change([&](sim::Scenario& s) { s.batch = batch; }, true);
}

void StudioState::setDType(DType dtype)
{
    change([&](sim::Scenario& s) { s.dtype = dtype; }, true);
}

void StudioState::setGpuPreset(const std::string& id)
{
    const GpuSpec* gpu = findGpuPreset(id);
    if (!gpu)
        return;
    change([&](sim::Scenario& s) { s.gpu = *gpu; }, true);
}

void StudioState::setLinkPreset(const std::string& id)
{
    const LinkSpec* link = findLinkPreset(id);
    if (!link)
        return;
    change([&](sim::Scenario& s) { s.link = *link; }, true);
}

void StudioState::setBandwidth(double bytesPerSecond)
{
    change([&](sim::Scenario& s) {
        if (s.link.d2h_bytes_per_s == bytesPerSecond && s.link.h2d_bytes_per_s == bytesPerSecond)
            return;
        s.link.d2h_bytes_per_s = bytesPerSecond;
        s.link.h2d_bytes_per_s = bytesPerSecond;
        s.link.id = "custom";
        s.link.name = "Custom link";
        s.link.citation.clear();
    }, false);
}

void StudioState::setCodec(CodecId codec)
{
    // The sweep lines cover the standard codecs; another codec adds its own line.
    const auto standard = plots::standardSweepSpec(scenario_).codecs;
    const bool covered = std::find(standard.begin(), standard.end(), codec) != standard.end();
    change([&](sim::Scenario& s) { s.codec = codec; }, !covered);
}

void StudioState::setCodecParams(const CodecParams& params)
{
    change([&](sim::Scenario& s) { s.codec_params = params; }, true);
}

void StudioState::setEngine(sim::EngineKind engine, double bytesPerSecond)
{
    change([&](sim::Scenario& s) {
        s.engine = engine;
        s.engine_bytes_per_s = bytesPerSecond;
    }, true);
}

void StudioState::setPolicy(sim::OffloadPolicy policy)
{
    change([&](sim::Scenario& s) { s.policy = policy; }, true);
}

void StudioState::setPrefetch(sim::PrefetchPolicy prefetch, int eagerDepth)
{
    change([&](sim::Scenario& s) {
        s.prefetch = prefetch;
        s.eager_depth = eagerDepth;
    }, true);
}

void StudioState::setSync(sim::SyncPolicy sync)
{
    change([&](sim::Scenario& s) { s.sync = sync; }, true);
}

void StudioState::setConvAlgorithms(sim::AlgorithmPreference preference)
{
    change([&](sim::Scenario& s) { s.conv_algorithms = preference; }, true);
}

void StudioState::setComputeModel(sim::ComputeModelKind model)
{
    change([&](sim::Scenario& s) { s.compute_model = model; }, true);
}

void StudioState::setMemoryBaseline(sim::BaselineKind baseline)
{
    change([&](sim::Scenario& s) { s.baseline = baseline; }, true);
}

void StudioState::setMemoryBudget(std::optional<std::uint64_t> bytes)
{
    change([&](sim::Scenario& s) { s.memory_budget_bytes = bytes; }, true);
}

void StudioState::setProgress(double progress)
{
    change([&](sim::Scenario& s) { s.progress = progress; }, true);
}

void StudioState::setSelectedLayer(int layer)
{
    if (layer < -1 || (layer >= 0 && static_cast<std::size_t>(layer) >= result_.layers.size()))
        layer = -1;
    if (layer == selectedLayer_)
        return;
    selectedLayer_ = layer;
    emit selectedLayerChanged(layer);
}

void StudioState::pinBaseline()
{
    if (!hasScenario())
        return;
    baseline_ = Baseline{scenario_, result_,
                         QStringLiteral("%1, %2, %3 GB/s")
                             .arg(QString::fromStdString(std::string(codecName(scenario_.codec))),
                                  QString::fromStdString(std::string(sim::policyName(scenario_.policy))))
                             .arg(std::min(scenario_.link.d2h_bytes_per_s, scenario_.link.h2d_bytes_per_s) / 1e9, 0, 'g', 3)};
    emit baselineChanged();
}

void StudioState::clearBaseline()
{
    if (!baseline_)
        return;
    baseline_.reset();
    emit baselineChanged();
}

const std::vector<sim::SweepPoint>& StudioState::sweep()
{
    if (!sweepValid_ && hasScenario()) {
        sweep_ = sim::runSweep(scenario_, plots::standardSweepSpec(scenario_));
        sweepValid_ = true;
    }
    return sweep_;
}

QString samplesDirectory()
{
    const std::filesystem::path dir = bundledSamplesDir(toPath(QCoreApplication::applicationDirPath()));
    return QString::fromStdString(dir.string());
}

QString defaultScenarioPath()
{
    return samplesDirectory() + QStringLiteral("/scenarios/vgg16-titanx-pcie3-zvc.json");
}

} // namespace offload::studio
