#pragma once
// The published figures of vDNN (MICRO 2016), cDMA (HPCA 2018) and JPEG-ACT (ISCA 2020) next to
// what the simulator gives for the same setting: `offload-sim reproduce` prints these rows, and
// docs/model.md's comparison table is generated from them.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload::sim {

enum class Paper { vdnn, cdma, jpeg_act };
std::string_view paperName(Paper);                 // "vdnn", "cdma", "jpeg-act"
std::optional<Paper> parsePaper(std::string_view); // the same names
std::string_view paperCitation(Paper);

enum class FigureUnit {
    percent, // published and simulated are fractions (0.89 = 89 %); the difference is in points
    gib,     // bytes / 2^30 (the papers' "GB" of GPU memory are binary: a 12 GB Titan X holds 12 GiB)
    ratio,   // a factor (2.6x)
};

struct ReproductionRow {
    std::string quantity;   // what is compared, e.g. "vDNN-all average memory reduction"
    std::string network;    // as the paper names it, or "average of N networks"
    std::int64_t batch = 0; // 0 where the row spans several batches
    double published = 0;
    double simulated = 0;
    FigureUnit unit = FigureUnit::percent;
    std::string settings; // the simulated setting: GPU, link, policy, codec, baseline, algorithms
    std::string note;     // the modelling choice behind a gap, or where the input comes from

    // simulated - published, in the unit's display scale (points for percent).
    double difference() const;
};

// Runs the paper's settings on the sample networks found in `samplesDir` (its networks/
// folder). Throws InputError when a sample network is missing or invalid.
std::vector<ReproductionRow> reproducePaper(Paper paper, const std::filesystem::path& samplesDir);

// Display helpers shared by the CLI table, the JSON and the docs table.
std::string formatFigure(double value, FigureUnit unit);  // "89.0 %", "28.1 GiB", "2.60x"
std::string formatDifference(const ReproductionRow& row); // "+1.2 pt", "-0.4 GiB", "+0.31x"
// The rows as a Markdown table (docs/model.md embeds these; a test keeps them in step).
std::string reproductionMarkdown(const std::vector<ReproductionRow>& rows);

} // namespace offload::sim
