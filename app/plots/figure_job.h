#pragma once
// One figure as `offload-sim figure` draws it: which scenarios, which chart, which part of the
// iteration, which font and size, where to write it (and its data). The command line and a
// figure spec (docs/figures.md) both fill one of these; the window writes them into a spec.
#include "figure_export.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace offload::plots {

struct FigureJob {
    std::string scenario;              // scenario or network JSON file
    std::string chart = "timeline";    // timeline, layers, memory, sweep
    std::string out;                   // .pdf, .svg or .png
    std::string preset = "double-column";
    double width_in = 0;               // 0: the preset's
    double height_in = 0;              // 0: the preset's (the per-layer chart: 0.75 x width)
    double dpi = 300;                  // PNG pixels per inch
    std::string select;                // a layer to highlight, by name
    std::string time_range;            // "A:B" in ms; empty: none
    std::string layers;                // "FIRST:LAST" layer names (or one name); empty: none
    std::vector<std::string> compare;  // other scenario or network files
    std::vector<std::string> label;    // row / series names: this scenario's, then each compared one's
    std::string metric = "iteration";  // the sweep chart: iteration, overhead, memory
    bool log_y = false;                // the sweep chart: logarithmic value axis
    std::string font;                  // font family; empty: the preset's
    double font_size = 0;              // points of every text; 0: the preset's sizes
    std::string csv;                   // where to write the drawn data; empty: nowhere
};

// Where a figure's errors are reported: "--time-range" on the command line,
// "<spec>: /figures/2/time_range" in a spec.
struct JobPlace {
    std::string file;    // the spec file; empty on the command line
    std::string pointer; // "/figures/2" in a spec; empty on the command line
    std::string place(const std::string& option) const; // "--time-range" or "/figures/2/time_range"
};

// Checks everything that does not need the scenario loaded (names, sizes, ranges, the font),
// throwing InputError as runFigureJob does: a spec is checked whole before anything is drawn.
void validateFigureJob(const FigureJob& job, const JobPlace& where = {});

// Draws the figure and writes it (and its CSV); the QApplication must exist. Bad input (a
// file, a range, a layer name, a font) throws InputError naming the option; a write that
// fails throws ExportError. Returns a one-line account of what was written.
std::string runFigureJob(const FigureJob& job, const JobPlace& where = {});

// Reads a figure spec: {"figures": [{...}, ...]} with a key per option of FigureJob. Paths
// (scenario, compare, out, csv) are made absolute relative to the spec's folder; relative
// outputs (out, csv) go below `outDir` instead when it is given. Unknown keys, wrong types and
// missing required keys throw InputError naming the figure and the key.
std::vector<FigureJob> loadFigureSpec(const std::filesystem::path& path, const std::filesystem::path& outDir = {});
// The spec of jobs, with paths written relative to `specDir` where they lie below it.
nlohmann::json figureSpecToJson(const std::vector<FigureJob>& jobs, const std::filesystem::path& specDir);
// Writes a spec file atomically.
void saveFigureSpec(const std::vector<FigureJob>& jobs, const std::filesystem::path& path);

} // namespace offload::plots
