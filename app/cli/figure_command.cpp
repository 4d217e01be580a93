// offload-sim figure SCENARIO.json --chart timeline|layers|memory|sweep --out FILE.pdf|svg|png:
// a paper figure drawn by the same plot code as offload-studio, off screen, reproducibly.
#include "command.h"

#include "app/plots/figure_builder.h"
#include "app/plots/figure_export.h"
#include "app/plots/figure_style.h"
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/sweep.h"
#include "app/plots/sweep_plot.h"

#include <QApplication>

#include <cstdlib>
#include <iostream>
#include <memory>

namespace offload::cli {

namespace {

struct FigureOptions {
    std::string input;
    std::string chart = "timeline";
    std::string out;
    std::string preset = "double-column";
    double widthIn = 0;  // 0: the preset's
    double heightIn = 0;
    double dpi = 300;
    std::string select; // layer name to highlight
};

sim::Scenario loadScenarioOrNetwork(const std::string& path)
{
    const auto document = parseJsonFile(path);
    const auto format = document.is_object() && document.contains("format") && document["format"].is_string()
                            ? document["format"].get<std::string>()
                            : std::string();
    if (format == "offload-studio/network")
        return sim::defaultScenarioFor(std::make_shared<const NetworkModel>(loadNetworkFile(path)));
    return sim::loadScenarioFile(path);
}

void runFigure(const FigureOptions& o, int& exitCode)
{
    const auto chart = plots::parseChartKind(o.chart);
    const auto preset = plots::parseFigurePreset(o.preset);
    if (!chart || !preset)
        throw InputError("", "", "unknown chart or preset"); // CLI11 checked both; kept for safety
    const QString outPath = QString::fromStdString(o.out);
    if (!plots::figureFormatForPath(outPath))
        throw InputError(o.out, "", "the output must end in .pdf, .svg or .png");

    // The plots are widgets: a QApplication is needed, on the offscreen platform when there is
    // no display (CI, ssh, scripts), so figures are the same everywhere.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::unique_ptr<QApplication> ownedApp;
    if (!QCoreApplication::instance()) {
        static int argc = 1;
        static char name[] = "offload-sim";
        static char* argv[] = {name, nullptr};
        ownedApp = std::make_unique<QApplication>(argc, argv);
    }

    const sim::Scenario scenario = loadScenarioOrNetwork(o.input);
    const sim::Result result = sim::simulate(scenario);
    std::vector<sim::SweepPoint> sweep;
    plots::FigureInput input;
    input.scenario = &scenario;
    input.result = &result;
    if (!o.select.empty()) {
        input.selectedLayer = scenario.network->indexOf(o.select);
        if (input.selectedLayer < 0)
            throw InputError("", "--select", "no layer named \"" + o.select + "\" in " + scenario.network->network().name);
    }
    if (*chart == plots::ChartKind::sweep) {
        sweep = sim::runSweep(scenario, plots::standardSweepSpec(scenario));
        input.sweep = &sweep;
    }
    const auto style = plots::FigureStyle::forPreset(*preset);
    plots::FigureSize size{o.widthIn > 0 ? o.widthIn : style.defaultWidthIn, o.heightIn > 0 ? o.heightIn : style.defaultHeightIn,
                           o.dpi};
    if (*chart == plots::ChartKind::layers && o.heightIn <= 0)
        size.height_in = size.width_in * 0.75; // four stacked panels need more height than a single chart
    auto figure = plots::buildFigureChart(*chart, style, input);
    try {
        plots::exportFigure(*figure, outPath, size);
    } catch (const plots::ExportError& e) {
        throw Failure(e.what());
    }
    std::cerr << "wrote " << o.out << " (" << o.chart << ", " << size.width_in << " x " << size.height_in << " in)\n";
    exitCode = kSuccess;
}

} // namespace

void addFigureCommand(CLI::App& app, int& exitCode)
{
    auto options = std::make_shared<FigureOptions>();
    auto* cmd = app.add_subcommand("figure", "Draw a chart of a simulated scenario as a PDF, SVG or PNG figure (same plots as offload-studio)");
    cmd->add_option("scenario", options->input, "Scenario (or network) JSON file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--chart", options->chart, "Chart to draw")
        ->check(CLI::IsMember({"timeline", "layers", "memory", "sweep"}))
        ->capture_default_str();
    cmd->add_option("--out,-o", options->out, "Output file: .pdf (vector, fonts embedded), .svg or .png")->required();
    cmd->add_option("--preset", options->preset, "Figure style: single-column (3.5 in), double-column (7 in) or screen")
        ->check(CLI::IsMember({"single-column", "double-column", "screen"}))
        ->capture_default_str();
    cmd->add_option("--width-in", options->widthIn, "Width in inches (default: the preset's)")->check(CLI::Range(0.5, 100.0));
    cmd->add_option("--height-in", options->heightIn, "Height in inches (default: the preset's)")->check(CLI::Range(0.5, 100.0));
    cmd->add_option("--dpi", options->dpi, "PNG resolution in pixels per inch")->check(CLI::Range(30.0, 2400.0))->capture_default_str();
    cmd->add_option("--select", options->select, "Highlight this layer (by name) in the chart");
    cmd->callback([options, &exitCode] { runFigure(*options, exitCode); });
}

} // namespace offload::cli
