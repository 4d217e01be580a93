// offload-sim figure SCENARIO.json --chart timeline|layers|memory|sweep --out FILE.pdf|svg|png:
// a paper figure drawn by the same plot code as offload-studio, off screen, reproducibly; with
// a time or layer range, comparisons with other scenarios, the paper's font, its data as CSV,
// or every figure of a paper from one spec file (docs/figures.md).
#include "command.h"

#include "app/plots/figure_export.h"
#include "app/plots/figure_job.h"
#include "core/input_error.h"

#include <QApplication>
#include <QHashFunctions>

#include <filesystem>
#include <iostream>
#include <memory>

namespace offload::cli {

namespace {

struct FigureCommandOptions {
    plots::FigureJob job;
    std::string spec;
    std::string outDir;
};

void ensureApplication(std::unique_ptr<QApplication>& ownedApp)
{
    // The PDF writer keeps its fonts in a QHash and writes them in its order: with Qt's random
    // per-process seed the same figure came out with its font objects in another order each
    // run. A fixed seed makes every figure the same file, run after run and in a spec.
    QHashSeed::setDeterministicGlobalSeed();
    // The plots are widgets: a QApplication is needed, on the offscreen platform when there is
    // no display (CI, ssh, scripts), so figures are the same everywhere.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (!QCoreApplication::instance()) {
        static int argc = 1;
        static char name[] = "offload-sim";
        static char* argv[] = {name, nullptr};
        ownedApp = std::make_unique<QApplication>(argc, argv);
    }
}

void runFigure(const FigureCommandOptions& o, int& exitCode)
{
    std::unique_ptr<QApplication> ownedApp;
    if (!o.spec.empty()) {
        if (!o.job.scenario.empty() || !o.job.out.empty())
            throw InputError("", "--spec", "a spec names its own scenarios and outputs: give no SCENARIO or --out with it");
        // Every figure is checked before any is drawn: a bad spec writes nothing.
        const auto jobs = plots::loadFigureSpec(o.spec, o.outDir);
        ensureApplication(ownedApp); // the font check needs the font database
        for (std::size_t i = 0; i < jobs.size(); ++i)
            plots::validateFigureJob(jobs[i], plots::JobPlace{o.spec, "/figures/" + std::to_string(i)});
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            const plots::JobPlace where{o.spec, "/figures/" + std::to_string(i)};
            // A spec may sort its figures into folders of their own.
            for (const auto& output : {jobs[i].out, jobs[i].csv})
                if (!output.empty() && std::filesystem::path(output).has_parent_path())
                    std::filesystem::create_directories(std::filesystem::path(output).parent_path());
            try {
                std::cerr << plots::runFigureJob(jobs[i], where) << "\n";
            } catch (const plots::ExportError& e) {
                throw Failure(o.spec + ": /figures/" + std::to_string(i) + ": " + e.what());
            }
        }
        exitCode = kSuccess;
        return;
    }
    if (!o.outDir.empty())
        throw InputError("", "--out-dir", "goes with --spec only");
    if (o.job.scenario.empty())
        throw InputError("", "SCENARIO", "a scenario (or network) file is required, or --spec FILE");
    if (o.job.out.empty())
        throw InputError("", "--out", "an output file is required");
    ensureApplication(ownedApp);
    try {
        std::cerr << plots::runFigureJob(o.job) << "\n";
    } catch (const plots::ExportError& e) {
        throw Failure(e.what());
    }
    exitCode = kSuccess;
}

} // namespace

void addFigureCommand(CLI::App& app, int& exitCode)
{
    auto options = std::make_shared<FigureCommandOptions>();
    auto& job = options->job;
    auto* cmd = app.add_subcommand(
        "figure", "Draw a chart of a simulated scenario as a PDF, SVG or PNG figure (same plots as offload-studio)");
    cmd->footer("Examples:\n"
                "  offload-sim figure vgg16.json --chart timeline --time-range 40:75 --preset single-column -o zoom.pdf\n"
                "  offload-sim figure vdnn.json --compare cdma.json --label vDNN --label cDMA --width-in 7 -o stacked.pdf\n"
                "  offload-sim figure alexnet.json --compare vgg16.json --compare resnet50.json --chart sweep \\\n"
                "      --metric overhead -o overhead.pdf --csv overhead.csv\n"
                "  offload-sim figure --spec paper-figures.json\n"
                "See docs/figures.md for the spec format.");
    cmd->add_option("scenario", job.scenario, "Scenario (or network) JSON file")->check(CLI::ExistingFile);
    cmd->add_option("--chart", job.chart, "Chart to draw")
        ->check(CLI::IsMember({"timeline", "layers", "memory", "sweep"}))
        ->capture_default_str();
    cmd->add_option("--out,-o", job.out, "Output file: .pdf (vector, fonts embedded), .svg or .png");
    cmd->add_option("--preset", job.preset, "Figure style: single-column (3.5 in), double-column (7 in) or screen")
        ->check(CLI::IsMember({"single-column", "double-column", "screen"}))
        ->capture_default_str();
    cmd->add_option("--width-in", job.width_in, "Width in inches (default: the preset's)")->check(CLI::Range(0.5, 100.0));
    cmd->add_option("--height-in", job.height_in, "Height in inches (default: the preset's)")->check(CLI::Range(0.5, 100.0));
    cmd->add_option("--dpi", job.dpi, "PNG resolution in pixels per inch")->check(CLI::Range(30.0, 2400.0))->capture_default_str();
    cmd->add_option("--select", job.select, "Highlight this layer (by name) in the chart");
    cmd->add_option("--time-range", job.time_range,
                    "Draw only A:B (ms) of the iteration: timeline and memory are cut at its edges; the per-layer "
                    "chart keeps the layers that compute in it");
    cmd->add_option("--layers", job.layers,
                    "FIRST:LAST layer names (or one name): the per-layer chart shows these layers; timeline and memory "
                    "show their forward pass (unless --time-range is given)");
    cmd->add_option("--compare", job.compare,
                    "Another scenario or network file (repeatable): timelines are stacked on one time axis, memory "
                    "and sweep curves overlaid, per-layer bars grouped (same network only)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--label", job.label,
                    "Names of the rows or series (repeatable): this scenario's, then each --compare's in order "
                    "(default: the scenarios' names)");
    cmd->add_option("--metric", job.metric,
                    "Sweep chart: iteration (ms), overhead (% over no offload) or memory (peak GiB) against bandwidth; "
                    "with --compare one line per scenario (its own codec)")
        ->check(CLI::IsMember({"iteration", "overhead", "memory"}))
        ->capture_default_str();
    cmd->add_flag("--log-y", job.log_y, "Sweep chart: logarithmic value axis (for values that span decades)");
    cmd->add_option("--font", job.font, "Font family of every text, embedded in PDF (default: the preset's, DejaVu Sans)");
    cmd->add_option("--font-size", job.font_size,
                    "Size in points of every text at the printed size (default: the preset's, 7-9 pt for paper)")
        ->check(CLI::Range(4.0, 72.0));
    cmd->add_option("--csv", job.csv, "Also write the numbers the figure draws to this CSV file");
    cmd->add_option("--spec", options->spec,
                    "Draw every figure of a JSON spec file (keys: the options above, with _ for -; paths relative to "
                    "the spec)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--out-dir", options->outDir,
                    "With --spec: write the spec's relative outputs below this folder instead of beside the spec");
    cmd->callback([options, &exitCode] { runFigure(*options, exitCode); });
}

} // namespace offload::cli
