#pragma once
// A lesson: a scenario to start from, one setting to change and the values to compare, with a
// paragraph saying what to look at. Read from "offload-studio/lesson" v1 files
// (docs/teaching.md); samples/lessons/ holds the bundled ones. Every error is an InputError
// naming the file and the JSON pointer of the value.
#include "scenario.h"
#include "scenario_edit.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::sim {

// The setting a lesson changes. Each is the ScenarioEdit field of the same name, and is written
// in lesson files by that name ("policy", "link_preset", ...). Values, as written in a file:
//   network: a network file path, relative to the lesson file
//   batch: an integer >= 1            dtype: fp32, fp16, bf16
//   progress: a number in 0..1        gpu_preset, link_preset: preset ids (core/devices.h)
//   bandwidth_bytes_per_s: a number > 0 (both directions; the link becomes custom)
//   codec: a codec name (none, zvc, rle, zlib, jpeg-act, ...)     engine: dma, sm
//   policy: none, all, conv, dyn, fastest-fit                    prefetch: vdnn, eager
//   sync: vdnn, relaxed      conv_algorithms: performance-optimal, memory-optimal
//   compute_model: roofline, delta
enum class LessonControl : std::uint8_t {
    network,
    batch,
    dtype,
    progress,
    gpu_preset,
    link_preset,
    bandwidth_bytes_per_s,
    codec,
    engine,
    policy,
    prefetch,
    sync,
    conv_algorithms,
    compute_model,
};
std::string_view lessonControlName(LessonControl);
std::optional<LessonControl> parseLessonControl(std::string_view);

// One value of the lesson's control.
struct LessonChoice {
    std::string label; // as a view shows it ("vDNN-all"); the value's text when the file gives none
    std::string value; // the value as written in the file, as text ("all", "0.25")
    ScenarioEdit edit; // sets the control to that value (and nothing else)
};

struct Lesson {
    std::filesystem::path file; // where it was read from
    std::string title;
    std::string text; // a paragraph: what to look at and what the numbers mean
    // The starting point: the referenced or embedded scenario with the lesson's "set" applied.
    Scenario scenario;
    std::string scenario_ref; // the scenario file as written in the lesson (empty: embedded)
    LessonControl control = LessonControl::policy;
    std::vector<LessonChoice> choices; // the values compared, at least two, in the file's order
};

inline constexpr std::string_view kLessonFormat = "offload-studio/lesson";
inline constexpr int kLessonFormatVersion = 1;

// Reads a lesson document; `path` is the file it came from (errors name it; the scenario and
// network paths inside are relative to its folder). Every choice is checked by applying it to
// the scenario, so a loaded lesson's choices all give valid scenarios.
Lesson lessonFromJson(const nlohmann::json& document, const std::filesystem::path& path);
Lesson loadLessonFile(const std::filesystem::path& path);

// The *.json files of a folder, sorted by name (the order a lesson list shows them in).
// Throws InputError naming the folder when it cannot be read.
std::vector<std::filesystem::path> lessonFiles(const std::filesystem::path& folder);

// The lesson's scenario with choice `index` applied (index < lesson.choices.size()).
Scenario lessonScenario(const Lesson& lesson, std::size_t index);

} // namespace offload::sim
