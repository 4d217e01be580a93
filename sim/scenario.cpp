#include "scenario.h"
#include "scenario_edit.h"

#include "core/byte_units.h"
#include "core/codecs/codec_id.h"
#include "core/device_profile.h"
#include "core/join.h"
#include "core/json_reader.h"
#include "core/network_json.h"
#include "core/onnx_import.h"

#include <cmath>
#include <cstdlib>

namespace offload::sim {

namespace {

template <class Enum, std::size_t N>
std::optional<Enum> parseFrom(std::string_view s, const std::pair<std::string_view, Enum> (&table)[N])
{
    for (const auto& [name, value] : table)
        if (name == s)
            return value;
    return std::nullopt;
}

template <class Enum, std::size_t N>
std::string_view nameFrom(Enum e, const std::pair<std::string_view, Enum> (&table)[N])
{
    for (const auto& [name, value] : table)
        if (value == e)
            return name;
    return table[0].first;
}

constexpr std::pair<std::string_view, EngineKind> kEngines[] = {{"dma", EngineKind::dma}, {"sm", EngineKind::sm}};
constexpr std::pair<std::string_view, OffloadPolicy> kPolicies[] = {{"none", OffloadPolicy::none},
                                                                    {"all", OffloadPolicy::all},
                                                                    {"conv", OffloadPolicy::conv},
                                                                    {"dyn", OffloadPolicy::dyn},
                                                                    {"manual", OffloadPolicy::manual},
                                                                    {"fastest-fit", OffloadPolicy::fastest_fit}};
constexpr std::pair<std::string_view, PrefetchPolicy> kPrefetches[] = {{"vdnn", PrefetchPolicy::vdnn},
                                                                       {"eager", PrefetchPolicy::eager}};
constexpr std::pair<std::string_view, SyncPolicy> kSyncs[] = {{"vdnn", SyncPolicy::vdnn}, {"relaxed", SyncPolicy::relaxed}};
constexpr std::pair<std::string_view, AlgorithmPreference> kAlgorithmPreferences[] = {
    {"performance-optimal", AlgorithmPreference::performance}, {"memory-optimal", AlgorithmPreference::memory}};
constexpr std::pair<std::string_view, BaselineKind> kBaselines[] = {{"vdnn", BaselineKind::vdnn},
                                                                    {"lean", BaselineKind::lean}};
constexpr std::pair<std::string_view, ComputeModelKind> kComputeModels[] = {{"roofline", ComputeModelKind::roofline},
                                                                            {"delta", ComputeModelKind::delta}};

// The accepted names of a table, for error messages.
template <class Enum, std::size_t N>
std::string acceptedNames(const std::pair<std::string_view, Enum> (&table)[N])
{
    return joined(table, ", ", [](const auto& entry) { return entry.first; });
}

template <class Enum, std::size_t N>
Enum enumFromCursor(const JsonCursor& c, const std::pair<std::string_view, Enum> (&table)[N])
{
    const std::string s = c.string();
    if (auto v = parseFrom(s, table))
        return *v;
    c.fail("unknown value \"" + s + "\" (accepted: " + acceptedNames(table) + ")");
}

std::string gpuPresetList()
{
    return joined(gpuPresets(), ", ", [](const GpuSpec& g) { return g.id; });
}

std::string linkPresetList()
{
    return joined(linkPresets(), ", ", [](const LinkSpec& l) { return l.id; });
}

GpuSpec gpuPresetOrFail(const JsonCursor& c)
{
    const std::string id = c.nonEmptyString();
    if (const GpuSpec* g = findGpuPreset(id))
        return *g;
    c.fail("unknown GPU preset \"" + id + "\" (presets: " + gpuPresetList() + ")");
}

LinkSpec linkPresetOrFail(const JsonCursor& c)
{
    const std::string id = c.nonEmptyString();
    if (const LinkSpec* l = findLinkPreset(id))
        return *l;
    c.fail("unknown link preset \"" + id + "\" (presets: " + linkPresetList() + ")");
}

GpuSpec gpuFromCursor(const JsonCursor& c)
{
    if (c.value().is_string())
        return gpuPresetOrFail(c);
    c.requireObject();
    c.checkKeys({"preset", "name", "peak_tflops", "peak_tflops_fp16", "dram_gbps", "memory_gib", "compute_efficiency",
                 "dram_efficiency", "context_mib", "sm_count", "shared_kib_per_sm", "l1_gbps", "l2_mib", "l2_gbps",
                 "citation"});
    GpuSpec g;
    if (auto preset = c.member("preset")) {
        g = gpuPresetOrFail(*preset);
    } else {
        for (const char* key : {"peak_tflops", "dram_gbps", "memory_gib"})
            if (!c.has(key))
                c.fail(std::string("a custom GPU (no \"preset\") needs \"") + key + "\"");
        g.id = "custom";
        g.name = "Custom GPU";
    }
    g.name = c.stringOr("name", g.name);
    if (auto v = c.member("peak_tflops"))
        g.peak_flops = v->number(1e-6, 1e6) * 1e12;
    if (auto v = c.member("peak_tflops_fp16"))
        g.peak_flops_fp16 = v->number(0, 1e6) * 1e12;
    if (auto v = c.member("dram_gbps"))
        g.dram_bytes_per_s = v->number(1e-6, 1e9) * 1e9;
    if (auto v = c.member("memory_gib"))
        g.memory_bytes = static_cast<std::uint64_t>(v->number(1e-6, 1e6) * kBytesPerGiB);
    g.compute_efficiency = c.numberOr("compute_efficiency", g.compute_efficiency, 1e-3, 1.0);
    g.dram_efficiency = c.numberOr("dram_efficiency", g.dram_efficiency, 1e-3, 1.0);
    if (auto v = c.member("context_mib"))
        g.context_bytes = static_cast<std::uint64_t>(v->number(0, 1e6) * kBytesPerMiB);
    // The memory hierarchy (the delta compute model); a custom GPU without it uses the roofline.
    if (auto v = c.member("sm_count"))
        g.sm_count = static_cast<int>(v->integer(1, 100000));
    if (auto v = c.member("shared_kib_per_sm"))
        g.shared_bytes_per_sm = static_cast<std::uint64_t>(v->number(1, 1e6) * kBytesPerKiB);
    if (auto v = c.member("l1_gbps"))
        g.l1_bytes_per_s = v->number(1e-3, 1e9) * 1e9;
    if (auto v = c.member("l2_mib"))
        g.l2_bytes = static_cast<std::uint64_t>(v->number(1e-3, 1e6) * kBytesPerMiB);
    if (auto v = c.member("l2_gbps"))
        g.l2_bytes_per_s = v->number(1e-3, 1e9) * 1e9;
    if (g.context_bytes >= g.memory_bytes)
        c.fail("the CUDA context (context_mib) must be smaller than the GPU's memory");
    g.citation = c.stringOr("citation", g.citation);
    return g;
}

LinkSpec linkFromCursor(const JsonCursor& c)
{
    if (c.value().is_string())
        return linkPresetOrFail(c);
    c.requireObject();
    c.checkKeys({"preset", "name", "gbps", "d2h_gbps", "h2d_gbps", "latency_us", "duplex", "citation"});
    LinkSpec l;
    if (auto preset = c.member("preset")) {
        l = linkPresetOrFail(*preset);
    } else {
        if (!c.has("gbps") && !(c.has("d2h_gbps") && c.has("h2d_gbps")))
            c.fail("a custom link (no \"preset\") needs \"gbps\" or both \"d2h_gbps\" and \"h2d_gbps\"");
        l.id = "custom";
        l.name = "Custom link";
    }
    if (c.has("gbps") && (c.has("d2h_gbps") || c.has("h2d_gbps")))
        c.fail("give either \"gbps\" (both directions) or \"d2h_gbps\"/\"h2d_gbps\", not both");
    if (auto v = c.member("gbps"))
        l.d2h_bytes_per_s = l.h2d_bytes_per_s = v->number(1e-6, 1e9) * 1e9;
    if (auto v = c.member("d2h_gbps"))
        l.d2h_bytes_per_s = v->number(1e-6, 1e9) * 1e9;
    if (auto v = c.member("h2d_gbps"))
        l.h2d_bytes_per_s = v->number(1e-6, 1e9) * 1e9;
    if (auto v = c.member("latency_us"))
        l.latency_s = v->number(0, 1e6) * 1e-6;
    if (auto v = c.member("duplex")) {
        const std::string d = v->string();
        if (d == "full")
            l.full_duplex = true;
        else if (d == "half")
            l.full_duplex = false;
        else
            v->fail("duplex must be \"full\" or \"half\", found \"" + d + "\"");
    }
    l.name = c.stringOr("name", l.name);
    l.citation = c.stringOr("citation", l.citation);
    return l;
}

CodecId codecIdFromCursor(const JsonCursor& c)
{
    const std::string s = c.nonEmptyString();
    if (auto id = parseCodecId(s))
        return *id;
    c.fail("unknown codec \"" + s + "\" (accepted: " + joined(allCodecIds(), ", ", codecName) + ")");
}

void readCodec(const JsonCursor& c, Scenario& s)
{
    if (c.value().is_string()) {
        s.codec = codecIdFromCursor(c);
        return;
    }
    c.requireObject();
    c.checkKeys({"name", "quality", "shift_tables", "dpr_format", "zlib_level", "zstd_level", "lz4_acceleration"});
    s.codec = codecIdFromCursor(c.required("name"));
    if (auto q = c.member("quality")) {
        const auto quality = q->integer(1, 100);
        if (quality != 95 && quality != 90 && quality != 80 && quality != 50)
            q->fail("JPEG-ACT quality must be one of the standard tables 95, 90, 80 or 50");
        s.codec_params.jpeg_quality = static_cast<int>(quality);
    }
    s.codec_params.jpeg_shift_tables = c.booleanOr("shift_tables", false);
    if (auto f = c.member("dpr_format")) {
        std::string name = f->string();
        if (name == "fp8")
            name = "fp8_e4m3";
        auto fmt = parseDprFormat(name);
        if (!fmt)
            f->fail("dpr_format must be fp16, bf16 or fp8 (fp8_e4m3), found \"" + f->string() + "\"");
        s.codec_params.dpr = *fmt;
    }
    s.codec_params.zlib_level = static_cast<int>(c.integerOr("zlib_level", s.codec_params.zlib_level, 1, 9));
    s.codec_params.zstd_level = static_cast<int>(c.integerOr("zstd_level", s.codec_params.zstd_level, 1, 22));
    s.codec_params.lz4_acceleration =
        static_cast<int>(c.integerOr("lz4_acceleration", s.codec_params.lz4_acceleration, 1, 65537));
}

void readEngine(const JsonCursor& c, Scenario& s)
{
    if (c.value().is_string()) {
        s.engine = enumFromCursor(c, kEngines);
    } else {
        c.requireObject();
        c.checkKeys({"kind", "gbps"});
        s.engine = enumFromCursor(c.required("kind"), kEngines);
        s.engine_bytes_per_s = c.numberOr("gbps", 0, 0, 1e9) * 1e9;
    }
    if (s.engine == EngineKind::sm && s.engine_bytes_per_s <= 0)
        c.fail("the \"sm\" engine runs compression kernels on the GPU and needs their throughput: "
               "{\"kind\": \"sm\", \"gbps\": ...}");
}

void checkManualLayers(const Scenario& s, const JsonCursor& layersCursor)
{
    const auto elements = layersCursor.elements();
    for (std::size_t i = 0; i < s.manual_layers.size(); ++i) {
        const int index = s.network->indexOf(s.manual_layers[i]);
        if (index < 0)
            elements[i].fail("no layer named \"" + s.manual_layers[i] + "\" in the network");
    }
}

// A file referred to from a scenario (network, device profile), as a path a user can find.
std::string referenceLabel(const std::filesystem::path& scenarioPath, const std::string& ref)
{
    return (scenarioPath.parent_path() / ref).lexically_normal().string();
}

} // namespace

std::string_view engineName(EngineKind e) { return nameFrom(e, kEngines); }
std::string_view policyName(OffloadPolicy p) { return nameFrom(p, kPolicies); }
std::string_view prefetchName(PrefetchPolicy p) { return nameFrom(p, kPrefetches); }
std::string_view syncName(SyncPolicy s) { return nameFrom(s, kSyncs); }
std::optional<EngineKind> parseEngine(std::string_view s) { return parseFrom(s, kEngines); }
std::optional<OffloadPolicy> parsePolicy(std::string_view s) { return parseFrom(s, kPolicies); }
std::optional<PrefetchPolicy> parsePrefetch(std::string_view s) { return parseFrom(s, kPrefetches); }
std::optional<SyncPolicy> parseSync(std::string_view s) { return parseFrom(s, kSyncs); }

Scenario scenarioFromJson(const nlohmann::json& document, const std::filesystem::path& path)
{
    const std::string label = path.string();
    JsonCursor root(document, "", label);
    checkFormatHeader(root, kScenarioFormat, kScenarioFormatVersion);
    root.checkKeys({"format", "version", "name", "description", "network", "batch", "dtype", "progress", "gpu", "link",
                    "codec", "engine", "policy", "manual_layers", "prefetch", "eager_depth", "sync", "memory_budget_gib",
                    "workspace_mib", "device_profile", "conv_algorithms", "baseline", "compute_model", "gpu_scale"});
    Scenario s;
    s.name = root.stringOr("name", path.stem().string());
    s.description = root.stringOr("description", "");

    auto networkCursor = root.required("network");
    if (networkCursor.value().is_string()) {
        s.network_ref = networkCursor.nonEmptyString();
        const std::filesystem::path networkPath = path.parent_path() / s.network_ref;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(networkPath, ec))
            networkCursor.fail("network file \"" + referenceLabel(path, s.network_ref) +
                               "\" not found (paths are relative to the scenario file)");
        s.network = std::make_shared<const NetworkModel>(loadNetworkFile(networkPath));
    } else {
        networkCursor.requireObject();
        s.network = std::make_shared<const NetworkModel>(networkFromCursor(networkCursor), label);
    }

    s.batch = root.integerOr("batch", s.batch, 1, std::int64_t{1} << 24);
    if (auto d = root.member("dtype")) {
        auto dtype = parseDType(d->string());
        if (!dtype)
            d->fail("dtype must be fp32, fp16 or bf16, found \"" + d->string() + "\"");
        s.dtype = *dtype;
    }
    s.progress = root.numberOr("progress", s.progress, 0.0, 1.0);
    if (auto profileCursor = root.member("device_profile")) {
        s.device_profile_ref = profileCursor->nonEmptyString();
        const std::filesystem::path profilePath = path.parent_path() / s.device_profile_ref;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(profilePath, ec))
            profileCursor->fail("device profile \"" + referenceLabel(path, s.device_profile_ref) +
                                "\" not found (paths are relative to the scenario file)");
        applyDeviceProfile(s, loadDeviceProfileFile(profilePath));
    }
    // With a device profile, "gpu" and "link" are optional and override the measured ones.
    if (s.device_profile_ref.empty() || root.has("gpu"))
        s.gpu = gpuFromCursor(root.required("gpu"));
    if (s.device_profile_ref.empty() || root.has("link"))
        s.link = linkFromCursor(root.required("link"));
    if (auto c = root.member("codec"))
        readCodec(*c, s);
    if (auto e = root.member("engine"))
        readEngine(*e, s);
    if (auto p = root.member("policy"))
        s.policy = enumFromCursor(*p, kPolicies);
    if (auto m = root.member("manual_layers")) {
        if (s.policy != OffloadPolicy::manual)
            m->fail("\"manual_layers\" is only read with \"policy\": \"manual\"");
        for (const auto& e : m->elements(0, 10'000'000))
            s.manual_layers.push_back(e.nonEmptyString());
        checkManualLayers(s, *m);
    } else if (s.policy == OffloadPolicy::manual) {
        root.fail("\"policy\": \"manual\" needs \"manual_layers\" (names of layers whose input is offloaded)");
    }
    if (auto p = root.member("prefetch"))
        s.prefetch = enumFromCursor(*p, kPrefetches);
    s.eager_depth = static_cast<int>(root.integerOr("eager_depth", s.eager_depth, 1, 1'000'000));
    if (auto p = root.member("sync"))
        s.sync = enumFromCursor(*p, kSyncs);
    if (auto b = root.member("memory_budget_gib"))
        s.memory_budget_bytes = static_cast<std::uint64_t>(b->number(1e-6, 1e6) * kBytesPerGiB);
    if (auto w = root.member("workspace_mib"))
        s.workspace_bytes = static_cast<std::uint64_t>(w->number(0, 1e9) * kBytesPerMiB);
    if (auto m = root.member("compute_model"))
        s.compute_model = enumFromCursor(*m, kComputeModels);
    if (auto scale = root.member("gpu_scale")) {
        scale->requireObject();
        scale->checkKeys({"compute", "l2", "dram"});
        if (auto v = scale->member("compute"))
            s.gpu_scale.compute = v->number(1e-3, 1e3);
        if (auto v = scale->member("l2"))
            s.gpu_scale.l2 = v->number(1e-3, 1e3);
        if (auto v = scale->member("dram"))
            s.gpu_scale.dram = v->number(1e-3, 1e3);
    }
    if (auto a = root.member("conv_algorithms"))
        s.conv_algorithms = enumFromCursor(*a, kAlgorithmPreferences);
    if (auto b = root.member("baseline"))
        s.baseline = enumFromCursor(*b, kBaselines);
    return s;
}

AppliedLayerTimes applyDeviceProfile(Scenario& scenario, const DeviceProfile& profile)
{
    scenario.gpu = gpuSpecFromProfile(profile);
    scenario.link = linkSpecFromProfile(profile);
    if (profile.layer_times.empty())
        return {};
    Network measured = scenario.network->network();
    AppliedLayerTimes applied = applyMeasuredLayerTimes(measured, profile);
    scenario.network = std::make_shared<const NetworkModel>(std::move(measured), scenario.network->fileLabel());
    return applied;
}

Scenario loadScenarioFile(const std::filesystem::path& path)
{
    // A model alone (offload-sim run model.onnx) runs in the default scenario around it; the
    // network is per sample, so the batch is the scenario's (--batch overrides it).
    if (isOnnxPath(path))
        return defaultScenarioFor(std::make_shared<const NetworkModel>(loadNetworkFile(path)));
    return scenarioFromJson(parseJsonFile(path), path);
}

nlohmann::json scenarioToJson(const Scenario& s)
{
    nlohmann::json j;
    j["format"] = std::string(kScenarioFormat);
    j["version"] = kScenarioFormatVersion;
    if (!s.name.empty())
        j["name"] = s.name;
    if (!s.description.empty())
        j["description"] = s.description;
    if (!s.network_ref.empty())
        j["network"] = s.network_ref;
    else if (s.network)
        j["network"] = networkToJson(s.network->network());
    j["batch"] = s.batch;
    j["dtype"] = std::string(dtypeName(s.dtype));
    j["progress"] = s.progress;
    if (!s.device_profile_ref.empty())
        j["device_profile"] = s.device_profile_ref;

    nlohmann::json gpu;
    if (s.gpu.id != "custom" && findGpuPreset(s.gpu.id))
        gpu["preset"] = s.gpu.id;
    gpu["name"] = s.gpu.name;
    gpu["peak_tflops"] = s.gpu.peak_flops / 1e12;
    gpu["peak_tflops_fp16"] = s.gpu.peak_flops_fp16 / 1e12;
    gpu["dram_gbps"] = s.gpu.dram_bytes_per_s / 1e9;
    gpu["memory_gib"] = static_cast<double>(s.gpu.memory_bytes) / kBytesPerGiB;
    gpu["compute_efficiency"] = s.gpu.compute_efficiency;
    gpu["dram_efficiency"] = s.gpu.dram_efficiency;
    gpu["context_mib"] = static_cast<double>(s.gpu.context_bytes) / kBytesPerMiB;
    if (s.gpu.sm_count > 0) {
        gpu["sm_count"] = s.gpu.sm_count;
        gpu["shared_kib_per_sm"] = static_cast<double>(s.gpu.shared_bytes_per_sm) / kBytesPerKiB;
        gpu["l1_gbps"] = s.gpu.l1_bytes_per_s / 1e9;
        gpu["l2_mib"] = static_cast<double>(s.gpu.l2_bytes) / kBytesPerMiB;
        gpu["l2_gbps"] = s.gpu.l2_bytes_per_s / 1e9;
    }
    if (!s.gpu.citation.empty())
        gpu["citation"] = s.gpu.citation;
    j["gpu"] = gpu;

    nlohmann::json link;
    if (s.link.id != "custom" && findLinkPreset(s.link.id))
        link["preset"] = s.link.id;
    link["name"] = s.link.name;
    link["d2h_gbps"] = s.link.d2h_bytes_per_s / 1e9;
    link["h2d_gbps"] = s.link.h2d_bytes_per_s / 1e9;
    link["latency_us"] = s.link.latency_s * 1e6;
    link["duplex"] = s.link.full_duplex ? "full" : "half";
    if (!s.link.citation.empty())
        link["citation"] = s.link.citation;
    j["link"] = link;

    nlohmann::json codec;
    codec["name"] = std::string(codecName(s.codec));
    if (s.codec == CodecId::jpeg_act) {
        codec["quality"] = s.codec_params.jpeg_quality;
        codec["shift_tables"] = s.codec_params.jpeg_shift_tables;
    } else if (s.codec == CodecId::dpr) {
        codec["dpr_format"] = std::string(dprFormatName(s.codec_params.dpr));
    } else if (s.codec == CodecId::zlib) {
        codec["zlib_level"] = s.codec_params.zlib_level;
    } else if (s.codec == CodecId::zstd) {
        codec["zstd_level"] = s.codec_params.zstd_level;
    } else if (s.codec == CodecId::lz4) {
        codec["lz4_acceleration"] = s.codec_params.lz4_acceleration;
    }
    j["codec"] = codec;
    j["engine"] = {{"kind", std::string(engineName(s.engine))}, {"gbps", s.engine_bytes_per_s / 1e9}};
    j["policy"] = std::string(policyName(s.policy));
    if (s.policy == OffloadPolicy::manual)
        j["manual_layers"] = s.manual_layers;
    j["prefetch"] = std::string(prefetchName(s.prefetch));
    j["eager_depth"] = s.eager_depth;
    j["sync"] = std::string(syncName(s.sync));
    if (s.memory_budget_bytes)
        j["memory_budget_gib"] = static_cast<double>(*s.memory_budget_bytes) / kBytesPerGiB;
    if (s.workspace_bytes)
        j["workspace_mib"] = static_cast<double>(s.workspace_bytes) / kBytesPerMiB;
    j["conv_algorithms"] = std::string(algorithmPreferenceName(s.conv_algorithms));
    j["baseline"] = std::string(baselineName(s.baseline));
    j["compute_model"] = std::string(computeModelName(s.compute_model));
    if (!s.gpu_scale.isIdentity())
        j["gpu_scale"] = {{"compute", s.gpu_scale.compute}, {"l2", s.gpu_scale.l2}, {"dram", s.gpu_scale.dram}};
    return j;
}

void saveScenarioFile(const Scenario& scenario, const std::filesystem::path& path)
{
    writeFileAtomically(path, scenarioToJson(scenario).dump(2) + "\n");
}

void applyOverrides(Scenario& s, const ScenarioOverrides& o)
{
    // Names are parsed here (a bad one names its option); the values' rules are applyEdit's.
    ScenarioEdit edit;
    if (o.codec) {
        auto id = parseCodecId(*o.codec);
        if (!id) {
            throw InputError("", "--codec",
                             "unknown codec \"" + *o.codec + "\" (accepted: " + joined(allCodecIds(), ", ", codecName) + ")");
        }
        edit.codec = *id;
    }
    if (o.bandwidth_gbps) {
        if (!(*o.bandwidth_gbps > 0))
            throw InputError("", "--bandwidth", "the bandwidth must be positive (GB/s)");
        edit.bandwidth_bytes_per_s = *o.bandwidth_gbps * 1e9;
    }
    if (o.policy) {
        auto p = parsePolicy(*o.policy);
        if (!p || *p == OffloadPolicy::manual)
            throw InputError("", "--policy",
                             "unknown policy \"" + *o.policy + "\" (accepted: none, all, conv, dyn, fastest-fit)");
        edit.policy = *p;
    }
    if (o.baseline) {
        auto b = parseFrom(*o.baseline, kBaselines);
        if (!b)
            throw InputError("", "--baseline",
                             "unknown baseline \"" + *o.baseline + "\" (accepted: " + acceptedNames(kBaselines) + ")");
        edit.baseline = *b;
    }
    if (o.compute_model) {
        auto m = parseFrom(*o.compute_model, kComputeModels);
        if (!m)
            throw InputError("", "--compute-model",
                             "unknown compute model \"" + *o.compute_model + "\" (accepted: " +
                                 acceptedNames(kComputeModels) + ")");
        edit.compute_model = *m;
    }
    if (o.conv_algorithms) {
        auto a = parseFrom(*o.conv_algorithms, kAlgorithmPreferences);
        if (!a)
            throw InputError("", "--conv-algorithms",
                             "unknown choice \"" + *o.conv_algorithms + "\" (accepted: " +
                                 acceptedNames(kAlgorithmPreferences) + ")");
        edit.conv_algorithms = *a;
    }
    if (o.gpu) {
        if (!findGpuPreset(*o.gpu))
            throw InputError("", "--gpu", "unknown GPU preset \"" + *o.gpu + "\" (presets: " + gpuPresetList() + ")");
        edit.gpu_preset = *o.gpu;
    }
    if (o.batch) {
        if (*o.batch < 1)
            throw InputError("", "--batch", "the batch must be at least 1");
        edit.batch = *o.batch;
    }
    if (o.progress) {
        if (!(*o.progress >= 0 && *o.progress <= 1))
            throw InputError("", "--progress", "training progress is between 0 and 1");
        edit.progress = *o.progress;
    }
    if (!o.gpu_scale.empty()) {
        ResourceScale scale = s.gpu_scale;
        for (const auto& item : o.gpu_scale) {
            const auto eq = item.find('=');
            const std::string resource = item.substr(0, eq);
            double* factor = resource == "compute" ? &scale.compute
                             : resource == "l2"    ? &scale.l2
                             : resource == "dram"  ? &scale.dram
                                                   : nullptr;
            char* end = nullptr;
            const std::string number = eq == std::string::npos ? std::string() : item.substr(eq + 1);
            const double value = std::strtod(number.c_str(), &end);
            if (!factor || number.empty() || *end != '\0' || !(value > 0) || !std::isfinite(value))
                throw InputError("", "--scale",
                                 "expected compute=F, l2=F or dram=F with a positive factor F, found \"" + item + "\"");
            *factor = value;
        }
        edit.gpu_scale = scale;
    }
    applyEdit(s, edit);
}

GpuSpec scaledGpu(const GpuSpec& gpu, const ResourceScale& scale)
{
    GpuSpec g = gpu;
    g.peak_flops *= scale.compute;
    g.peak_flops_fp16 *= scale.compute;
    g.l1_bytes_per_s *= scale.compute;
    g.l2_bytes_per_s *= scale.l2;
    g.dram_bytes_per_s *= scale.dram;
    return g;
}

Scenario defaultScenarioFor(std::shared_ptr<const NetworkModel> network)
{
    Scenario s;
    s.name = network ? network->network().name + " (vDNN-all, Titan X, PCIe gen3)" : "scenario";
    s.network = std::move(network);
    s.batch = 128;
    s.gpu = *findGpuPreset("titan-x-maxwell");
    s.link = *findLinkPreset("pcie3-x16");
    s.codec = CodecId::none;
    s.policy = OffloadPolicy::all;
    return s;
}

} // namespace offload::sim
