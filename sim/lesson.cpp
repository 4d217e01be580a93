#include "lesson.h"

#include "core/codecs/codec_id.h"
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace offload::sim {

namespace {

constexpr std::pair<std::string_view, LessonControl> kControls[] = {
    {"network", LessonControl::network},
    {"batch", LessonControl::batch},
    {"dtype", LessonControl::dtype},
    {"progress", LessonControl::progress},
    {"gpu_preset", LessonControl::gpu_preset},
    {"link_preset", LessonControl::link_preset},
    {"bandwidth_bytes_per_s", LessonControl::bandwidth_bytes_per_s},
    {"codec", LessonControl::codec},
    {"engine", LessonControl::engine},
    {"policy", LessonControl::policy},
    {"prefetch", LessonControl::prefetch},
    {"sync", LessonControl::sync},
    {"conv_algorithms", LessonControl::conv_algorithms},
    {"compute_model", LessonControl::compute_model},
};

std::string controlList()
{
    std::string list;
    for (const auto& [name, control] : kControls)
        list += (list.empty() ? "" : ", ") + std::string(name);
    return list;
}

std::string presetIds(bool gpus)
{
    std::string list;
    if (gpus)
        for (const auto& g : gpuPresets())
            list += (list.empty() ? "" : ", ") + g.id;
    else
        for (const auto& l : linkPresets())
            list += (list.empty() ? "" : ", ") + l.id;
    return list;
}

// A number as it reads in a label: "0.25", "1.28e+10".
std::string numberText(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

template <class Enum>
Enum parsedOrFail(const JsonCursor& c, std::optional<Enum> (*parse)(std::string_view), std::string_view accepted)
{
    const std::string s = c.string();
    if (auto v = parse(s))
        return *v;
    c.fail("unknown value \"" + s + "\" (accepted: " + std::string(accepted) + ")");
}

// Lessons compare complete settings: "manual" needs a layer list and is not offered.
std::optional<OffloadPolicy> parseLessonPolicy(std::string_view s)
{
    auto p = parsePolicy(s);
    if (p && *p == OffloadPolicy::manual)
        return std::nullopt;
    return p;
}

// The edit that sets `control` to the value at `c`; `text` receives the value as text.
ScenarioEdit editFor(LessonControl control, const JsonCursor& c, const std::filesystem::path& lessonPath,
                     std::string& text)
{
    ScenarioEdit e;
    switch (control) {
    case LessonControl::network: {
        text = c.nonEmptyString();
        const std::filesystem::path path = lessonPath.parent_path() / text;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            c.fail("network file \"" + path.lexically_normal().string() +
                   "\" not found (paths are relative to the lesson file)");
        e.network = std::make_shared<const NetworkModel>(loadNetworkFile(path));
        e.network_ref = path.lexically_normal().string();
        return e;
    }
    case LessonControl::batch: {
        const auto batch = c.integer(1, std::int64_t{1} << 24);
        text = std::to_string(batch);
        e.batch = batch;
        return e;
    }
    case LessonControl::dtype:
        text = c.string();
        e.dtype = parsedOrFail<DType>(c, parseDType, "fp32, fp16, bf16");
        return e;
    case LessonControl::progress: {
        const double progress = c.number(0.0, 1.0);
        text = numberText(progress);
        e.progress = progress;
        return e;
    }
    case LessonControl::gpu_preset:
        text = c.nonEmptyString();
        if (!findGpuPreset(text))
            c.fail("unknown GPU preset \"" + text + "\" (presets: " + presetIds(true) + ")");
        e.gpu_preset = text;
        return e;
    case LessonControl::link_preset:
        text = c.nonEmptyString();
        if (!findLinkPreset(text))
            c.fail("unknown link preset \"" + text + "\" (presets: " + presetIds(false) + ")");
        e.link_preset = text;
        return e;
    case LessonControl::bandwidth_bytes_per_s: {
        const double bandwidth = c.number(1e3, 1e15);
        text = numberText(bandwidth);
        e.bandwidth_bytes_per_s = bandwidth;
        return e;
    }
    case LessonControl::codec: {
        text = c.nonEmptyString();
        if (auto id = parseCodecId(text)) {
            e.codec = *id;
            return e;
        }
        std::string list;
        for (auto id : allCodecIds())
            list += (list.empty() ? "" : ", ") + std::string(codecName(id));
        c.fail("unknown codec \"" + text + "\" (accepted: " + list + ")");
    }
    case LessonControl::engine:
        text = c.string();
        e.engine = parsedOrFail<EngineKind>(c, parseEngine, "dma, sm");
        return e;
    case LessonControl::policy:
        text = c.string();
        e.policy = parsedOrFail<OffloadPolicy>(c, parseLessonPolicy, "none, all, conv, dyn, fastest-fit");
        return e;
    case LessonControl::prefetch:
        text = c.string();
        e.prefetch = parsedOrFail<PrefetchPolicy>(c, parsePrefetch, "vdnn, eager");
        return e;
    case LessonControl::sync:
        text = c.string();
        e.sync = parsedOrFail<SyncPolicy>(c, parseSync, "vdnn, relaxed");
        return e;
    case LessonControl::conv_algorithms:
        text = c.string();
        e.conv_algorithms =
            parsedOrFail<AlgorithmPreference>(c, parseAlgorithmPreference, "performance-optimal, memory-optimal");
        return e;
    case LessonControl::compute_model:
        text = c.string();
        e.compute_model = parsedOrFail<ComputeModelKind>(c, parseComputeModel, "roofline, delta");
        return e;
    }
    c.fail("unsupported control");
}

LessonControl controlFromCursor(const JsonCursor& c)
{
    const std::string name = c.string();
    if (auto control = parseLessonControl(name))
        return *control;
    c.fail("unknown control \"" + name + "\" (accepted: " + controlList() + ")");
}

// Applies an edit; a value the scenario rules reject (ScenarioEdit's checks) is reported at `c`.
void applyAt(Scenario& scenario, const ScenarioEdit& edit, const JsonCursor& c)
{
    try {
        applyEdit(scenario, edit);
    } catch (const InputError& e) {
        c.fail(e.message());
    }
}

// "scenario": a scenario file (relative to the lesson) or an embedded scenario document, whose
// network path is then relative to the lesson file.
Scenario scenarioFromCursor(const JsonCursor& c, const std::filesystem::path& lessonPath, std::string& ref)
{
    if (c.value().is_string()) {
        ref = c.nonEmptyString();
        const std::filesystem::path path = lessonPath.parent_path() / ref;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            c.fail("scenario file \"" + path.lexically_normal().string() +
                   "\" not found (paths are relative to the lesson file)");
        return loadScenarioFile(path);
    }
    c.requireObject();
    try {
        return scenarioFromJson(c.value(), lessonPath);
    } catch (const InputError& e) {
        // The embedded document's places are relative to it: make them the lesson's. An error in
        // a file it refers to (its network) already names that file.
        if (e.file() != lessonPath.string())
            throw;
        throw InputError(e.file(), c.pointer() + e.place(), e.message());
    }
}

} // namespace

std::string_view lessonControlName(LessonControl control)
{
    for (const auto& [name, value] : kControls)
        if (value == control)
            return name;
    return "policy";
}

std::optional<LessonControl> parseLessonControl(std::string_view name)
{
    for (const auto& [n, value] : kControls)
        if (n == name)
            return value;
    return std::nullopt;
}

Lesson lessonFromJson(const nlohmann::json& document, const std::filesystem::path& path)
{
    const std::string label = path.string();
    JsonCursor root(document, "", label);
    checkFormatHeader(root, kLessonFormat, kLessonFormatVersion);
    root.checkKeys({"format", "version", "title", "text", "scenario", "set", "control", "compare"});
    Lesson lesson;
    lesson.file = path;
    lesson.title = root.required("title").nonEmptyString();
    lesson.text = root.required("text").nonEmptyString();
    lesson.scenario = scenarioFromCursor(root.required("scenario"), path, lesson.scenario_ref);

    // "set": settings changed before the comparison, written as the controls are.
    if (auto set = root.member("set")) {
        set->requireObject();
        for (const auto& [key, value] : set->value().items()) {
            const JsonCursor entry(value, set->pointer() + "/" + jsonPointerToken(key), label);
            const auto control = parseLessonControl(key);
            if (!control)
                entry.fail("unknown setting \"" + key + "\" (accepted: " + controlList() + ")");
            std::string text;
            applyAt(lesson.scenario, editFor(*control, entry, path, text), entry);
        }
    }

    const JsonCursor controlCursor = root.required("control");
    lesson.control = controlFromCursor(controlCursor);
    for (const JsonCursor& element : root.required("compare").elements(2, 16)) {
        LessonChoice choice;
        JsonCursor value = element;
        if (element.value().is_object()) {
            element.checkKeys({"value", "label"});
            value = element.required("value");
        }
        choice.edit = editFor(lesson.control, value, path, choice.value);
        choice.label = element.value().is_object() ? element.stringOr("label", choice.value) : choice.value;
        if (choice.label.empty())
            choice.label = choice.value;
        Scenario check = lesson.scenario;
        applyAt(check, choice.edit, value);
        lesson.choices.push_back(std::move(choice));
    }
    return lesson;
}

Lesson loadLessonFile(const std::filesystem::path& path)
{
    return lessonFromJson(parseJsonFile(path), path);
}

std::vector<std::filesystem::path> lessonFiles(const std::filesystem::path& folder)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".json" && it->is_regular_file(ec))
            files.push_back(it->path());
    if (ec)
        throw InputError(folder.string(), "", "cannot read the lesson folder: " + ec.message());
    std::sort(files.begin(), files.end());
    return files;
}

Scenario lessonScenario(const Lesson& lesson, std::size_t index)
{
    Scenario s = lesson.scenario;
    applyEdit(s, lesson.choices.at(index).edit);
    return s;
}

} // namespace offload::sim
