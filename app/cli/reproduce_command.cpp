// offload-sim reproduce vdnn|cdma|jpeg-act: every published figure of the paper next to the
// simulated one, with the difference and the settings used (sim/reproduce.h).
#include "command.h"

#include "core/samples_dir.h"
#include "core/version.h"
#include "sim/reproduce.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

namespace offload::cli {

namespace {

struct ReproduceOptions {
    std::string paper;
    std::string json; // "" = table on stdout; "-" = JSON on stdout; else a file
    std::string samples;
    bool markdown = false;
};

// The bundled samples, found from where this program runs (core/samples_dir.h).
std::filesystem::path defaultSamplesDir()
{
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return bundledSamplesDir(ec ? std::filesystem::path(".") : exe.parent_path());
}

std::string unitName(sim::FigureUnit u)
{
    switch (u) {
    case sim::FigureUnit::percent: return "fraction";
    case sim::FigureUnit::gib: return "bytes";
    case sim::FigureUnit::ratio: return "ratio";
    }
    return "";
}

nlohmann::json rowsToJson(sim::Paper paper, const std::vector<sim::ReproductionRow>& rows)
{
    nlohmann::json out = {{"format", "offload-studio/reproduction"},
                          {"version", 1},
                          {"paper", std::string(sim::paperName(paper))},
                          {"citation", std::string(sim::paperCitation(paper))},
                          {"simulator", std::string("offload-sim ") + kVersion}};
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : rows) {
        list.push_back({{"quantity", r.quantity},
                        {"network", r.network},
                        {"batch", r.batch},
                        {"unit", unitName(r.unit)},
                        {"published", r.published},
                        {"simulated", r.simulated},
                        {"difference", r.difference()},
                        {"published_text", sim::formatFigure(r.published, r.unit)},
                        {"simulated_text", sim::formatFigure(r.simulated, r.unit)},
                        {"difference_text", sim::formatDifference(r)},
                        {"settings", r.settings},
                        {"note", r.note}});
    }
    out["rows"] = std::move(list);
    return out;
}

std::string rowsToText(sim::Paper paper, const std::vector<sim::ReproductionRow>& rows)
{
    std::ostringstream out;
    out << sim::paperCitation(paper) << ": published figures against offload-sim\n\n";
    for (const auto& r : rows) {
        out << r.quantity << " - " << r.network;
        if (r.batch > 0)
            out << ", batch " << r.batch;
        out << "\n  published " << sim::formatFigure(r.published, r.unit) << ", simulated "
            << sim::formatFigure(r.simulated, r.unit) << ", difference " << sim::formatDifference(r) << "\n"
            << "  settings: " << r.settings << "\n"
            << "  note: " << r.note << "\n";
    }
    return out.str();
}

void runReproduce(const ReproduceOptions& o, int& exitCode)
{
    const sim::Paper paper = *sim::parsePaper(o.paper); // CLI11 checked the choice
    const std::filesystem::path samples = o.samples.empty() ? defaultSamplesDir() : std::filesystem::path(o.samples);
    const auto rows = sim::reproducePaper(paper, samples);
    if (o.markdown)
        std::cout << sim::reproductionMarkdown(rows);
    else if (o.json.empty())
        std::cout << rowsToText(paper, rows);
    else
        writeOutput(o.json, rowsToJson(paper, rows).dump(2) + "\n");
    exitCode = kSuccess;
}

} // namespace

void addReproduceCommand(CLI::App& app, int& exitCode)
{
    auto options = std::make_shared<ReproduceOptions>();
    auto* cmd = app.add_subcommand("reproduce", "The paper's published figures next to the simulated ones, with the "
                                                "difference and the settings used");
    cmd->add_option("paper", options->paper, "vdnn, cdma or jpeg-act")
        ->required()
        ->check(CLI::IsMember({"vdnn", "cdma", "jpeg-act"}));
    cmd->add_option("--json", options->json, "Write JSON to FILE (atomically), or to stdout with '-'");
    cmd->add_flag("--markdown", options->markdown, "Print the Markdown table docs/model.md embeds");
    cmd->add_option("--samples", options->samples, "Folder with the sample networks (default: the bundled samples)");
    cmd->callback([options, &exitCode] { runReproduce(*options, exitCode); });
}

} // namespace offload::cli
