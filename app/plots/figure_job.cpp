#include "figure_job.h"

#include "chart.h"
#include "figure_builder.h"
#include "figure_style.h"
#include "sweep_plot.h"

#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"
#include "sim/scenario_document.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/sweep.h"

#include <QFontDatabase>
#include <QSaveFile>

#include <charconv>
#include <memory>
#include <sstream>

namespace offload::plots {

namespace fs = std::filesystem;

std::string JobPlace::place(const std::string& option) const
{
    if (pointer.empty())
        return "--" + [&] {
            std::string name = option;
            for (auto& c : name)
                if (c == '_')
                    c = '-';
            return name;
        }();
    return pointer + "/" + option;
}

namespace {

[[noreturn]] void fail(const JobPlace& where, const std::string& option, const std::string& message)
{
    throw InputError(where.file, where.place(option), message);
}

sim::Scenario loadScenarioOrNetwork(const std::string& path)
{
    return sim::openScenarioOrNetwork(path).scenario; // a network (JSON or ONNX) in the default scenario
}

bool parseNumber(const std::string& text, double& value)
{
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    return ec == std::errc() && ptr == end && std::isfinite(value);
}

std::pair<double, double> parseTimeRange(const std::string& text, const JobPlace& where)
{
    const auto colon = text.find(':');
    double from = 0, to = 0;
    if (colon == std::string::npos || !parseNumber(text.substr(0, colon), from) || !parseNumber(text.substr(colon + 1), to))
        fail(where, "time_range", "\"" + text + "\" is not a time range A:B in ms (e.g. 0:12.5)");
    if (from < 0 || to <= from)
        fail(where, "time_range", "\"" + text + "\": the range must start at 0 or later and end after it starts");
    return {from, to};
}

std::pair<int, int> parseLayerRange(const std::string& text, const sim::Scenario& scenario, const JobPlace& where)
{
    const auto colon = text.find(':');
    const std::string firstName = colon == std::string::npos ? text : text.substr(0, colon);
    const std::string lastName = colon == std::string::npos ? text : text.substr(colon + 1);
    const int first = scenario.network->indexOf(firstName);
    const int last = scenario.network->indexOf(lastName);
    for (const auto& [name, index] : {std::pair{firstName, first}, std::pair{lastName, last}})
        if (index < 0)
            fail(where, "layers", "no layer named \"" + name + "\" in " + scenario.network->network().name);
    if (last < first)
        fail(where, "layers", "\"" + lastName + "\" runs before \"" + firstName + "\": give the earlier layer first");
    return {first, last};
}

void writeText(const QString& path, const QString& text)
{
    QSaveFile file(path);
    const QByteArray bytes = text.toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        throw ExportError(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()).toStdString());
}

} // namespace

void validateFigureJob(const FigureJob& job, const JobPlace& where)
{
    const auto chart = parseChartKind(job.chart);
    if (!chart)
        fail(where, "chart", "unknown chart \"" + job.chart + "\" (timeline, layers, memory or sweep)");
    const auto preset = parseFigurePreset(job.preset);
    if (!preset)
        fail(where, "preset", "unknown preset \"" + job.preset + "\" (single-column, double-column or screen)");
    const auto metric = parseSweepMetric(job.metric);
    if (!metric)
        fail(where, "metric", "unknown metric \"" + job.metric + "\" (iteration, overhead or memory)");
    if (job.scenario.empty())
        fail(where, "scenario", "a scenario (or network) file is required");
    if (job.out.empty())
        fail(where, "out", "an output file is required");
    if (!figureFormatForPath(QString::fromStdString(job.out)))
        fail(where, "out", "\"" + job.out + "\" must end in .pdf, .svg or .png");
    if (job.width_in != 0 && !(job.width_in >= 0.5 && job.width_in <= 100))
        fail(where, "width_in", "must be between 0.5 and 100 inches");
    if (job.height_in != 0 && !(job.height_in >= 0.5 && job.height_in <= 100))
        fail(where, "height_in", "must be between 0.5 and 100 inches");
    if (!(job.dpi >= 30 && job.dpi <= 2400))
        fail(where, "dpi", "must be between 30 and 2400");
    if (job.font_size != 0 && !(job.font_size >= 4 && job.font_size <= 72))
        fail(where, "font_size", "must be between 4 and 72 points");
    if (job.label.size() > job.compare.size() + 1)
        fail(where, "label", "more labels than scenarios (one for the scenario, one per --compare)");
    if (!job.font.empty() && !QFontDatabase::families().contains(QString::fromStdString(job.font)))
        fail(where, "font", "the font family \"" + job.font + "\" is not installed (fc-list : family lists those that are)");

    if (!job.time_range.empty())
        parseTimeRange(job.time_range, where);
    if (job.log_y && job.chart != "sweep")
        fail(where, "log_y", "a logarithmic value axis is offered for the sweep chart only");
}

std::string runFigureJob(const FigureJob& job, const JobPlace& where)
{
    validateFigureJob(job, where);
    const auto chart = parseChartKind(job.chart);
    const auto preset = parseFigurePreset(job.preset);
    const auto metric = parseSweepMetric(job.metric);
    const QString outPath = QString::fromStdString(job.out);

    // In a spec, a scenario that cannot be read is reported at its figure, with the reason.
    auto load = [&where](const std::string& path, const std::string& option) {
        try {
            return loadScenarioOrNetwork(path);
        } catch (const InputError& e) {
            if (where.pointer.empty())
                throw;
            fail(where, option, e.what());
        }
    };
    const sim::Scenario scenario = load(job.scenario, "scenario");
    const sim::Result result = sim::simulate(scenario);
    std::vector<sim::Scenario> others;
    others.reserve(job.compare.size());
    for (const auto& path : job.compare)
        others.push_back(load(path, "compare"));
    std::vector<sim::Result> otherResults;
    for (const auto& other : others)
        otherResults.push_back(sim::simulate(other));

    FigureInput input;
    input.scenario = &scenario;
    input.result = &result;
    input.sweepMetric = *metric;
    input.logValueAxis = job.log_y;
    if (!job.label.empty())
        input.label = QString::fromStdString(job.label[0]);
    if (!job.select.empty()) {
        input.selectedLayer = scenario.network->indexOf(job.select);
        if (input.selectedLayer < 0)
            fail(where, "select", "no layer named \"" + job.select + "\" in " + scenario.network->network().name);
    }
    if (!job.time_range.empty())
        input.timeRangeMs = parseTimeRange(job.time_range, where);
    if (!job.layers.empty())
        input.layerRange = parseLayerRange(job.layers, scenario, where);

    std::vector<sim::SweepPoint> sweep;
    std::vector<std::vector<sim::SweepPoint>> otherSweeps(others.size());
    if (*chart == ChartKind::sweep) {
        sweep = sim::runSweep(scenario, others.empty() ? sim::defaultSweepSpec(scenario) : ownCodecSweepSpec(scenario));
        input.sweep = &sweep;
        for (std::size_t i = 0; i < others.size(); ++i)
            otherSweeps[i] = sim::runSweep(others[i], ownCodecSweepSpec(others[i]));
    }
    for (std::size_t i = 0; i < others.size(); ++i) {
        ComparedScenario compared;
        compared.label = i + 1 < job.label.size() ? QString::fromStdString(job.label[i + 1]) : QString();
        compared.scenario = &others[i];
        compared.result = &otherResults[i];
        compared.sweep = *chart == ChartKind::sweep ? &otherSweeps[i] : nullptr;
        input.compare.push_back(compared);
    }

    auto style = FigureStyle::forPreset(*preset);
    style = style.withFont(QString::fromStdString(job.font), job.font_size > 0 ? std::optional<double>(job.font_size) : std::nullopt);
    FigureSize size{job.width_in > 0 ? job.width_in : style.defaultWidthIn, job.height_in > 0 ? job.height_in : style.defaultHeightIn,
                    job.dpi};
    if (*chart == ChartKind::layers && job.height_in <= 0)
        size.height_in = size.width_in * 0.75; // four stacked panels need more height than a single chart
    if (*chart == ChartKind::timeline && !others.empty() && job.height_in <= 0)
        size.height_in = std::min(100.0, size.height_in * (0.55 + 0.45 * static_cast<double>(others.size() + 1)));

    std::unique_ptr<Chart> figure;
    try {
        figure = buildFigureChart(*chart, style, input);
    } catch (const std::invalid_argument& e) {
        fail(where, job.compare.empty() ? (job.layers.empty() ? "time_range" : "layers") : "compare", e.what());
    }
    exportFigure(*figure, outPath, size);
    std::ostringstream account;
    account << "wrote " << job.out << " (" << job.chart << ", " << size.width_in << " x " << size.height_in << " in)";
    if (!job.csv.empty()) {
        writeText(QString::fromStdString(job.csv), figure->drawnDataCsv());
        account << " and " << job.csv;
    }
    return account.str();
}

namespace {

std::string resolve(const fs::path& specDir, const std::string& path)
{
    const fs::path p(path);
    return (p.is_absolute() ? p : specDir / p).lexically_normal().string();
}

// A string, or a list of strings (for the repeatable options).
std::vector<std::string> stringList(const JsonCursor& value)
{
    if (value.value().is_string())
        return {value.nonEmptyString()};
    std::vector<std::string> list;
    for (const auto& element : value.elements())
        list.push_back(element.nonEmptyString());
    return list;
}

// "A:B", or [A, B] in ms.
std::string timeRangeText(const JsonCursor& value)
{
    if (value.value().is_string())
        return value.nonEmptyString();
    const auto bounds = value.elements(2, 2);
    std::ostringstream text;
    text.precision(17);
    text << bounds[0].number() << ':' << bounds[1].number();
    return text.str();
}

} // namespace

std::vector<FigureJob> loadFigureSpec(const fs::path& path, const fs::path& outDir)
{
    const auto document = parseJsonFile(path);
    const std::string file = path.string();
    const JsonCursor root(document, "", file);
    root.requireObject();
    root.checkKeys({"figures", "format", "version", "description"});
    const fs::path specDir = fs::absolute(path).parent_path();
    const fs::path outputDir = outDir.empty() ? specDir : fs::absolute(outDir);
    std::vector<FigureJob> jobs;
    const auto figures = root.required("figures").elements(1, 10000);
    for (const auto& figure : figures) {
        figure.requireObject();
        figure.checkKeys({"scenario", "chart", "out", "preset", "width_in", "height_in", "dpi", "select", "time_range", "layers",
                          "compare", "label", "metric", "log_y", "font", "font_size", "csv", "description"});
        FigureJob job;
        job.scenario = resolve(specDir, figure.required("scenario").nonEmptyString());
        job.out = resolve(outputDir, figure.required("out").nonEmptyString());
        job.chart = figure.stringOr("chart", job.chart);
        job.preset = figure.stringOr("preset", job.preset);
        job.width_in = figure.numberOr("width_in", 0, 0.5, 100);
        job.height_in = figure.numberOr("height_in", 0, 0.5, 100);
        job.dpi = figure.numberOr("dpi", job.dpi, 30, 2400);
        job.select = figure.stringOr("select", "");
        if (const auto range = figure.member("time_range"))
            job.time_range = timeRangeText(*range);
        job.layers = figure.stringOr("layers", "");
        if (const auto compare = figure.member("compare"))
            for (const auto& other : stringList(*compare))
                job.compare.push_back(resolve(specDir, other));
        if (const auto label = figure.member("label"))
            job.label = stringList(*label);
        job.metric = figure.stringOr("metric", job.metric);
        job.log_y = figure.booleanOr("log_y", false);
        job.font = figure.stringOr("font", "");
        job.font_size = figure.numberOr("font_size", 0, 4, 72);
        if (const auto csv = figure.member("csv"))
            job.csv = resolve(outputDir, csv->nonEmptyString());
        jobs.push_back(std::move(job));
    }
    return jobs;
}

nlohmann::json figureSpecToJson(const std::vector<FigureJob>& jobs, const fs::path& specDir)
{
    const fs::path base = fs::absolute(specDir).lexically_normal();
    auto relative = [&base](const std::string& path) {
        const fs::path p = fs::absolute(path).lexically_normal();
        const fs::path rel = p.lexically_relative(base);
        return (!rel.empty() && *rel.begin() != "..") ? rel.generic_string() : p.generic_string();
    };
    nlohmann::json figures = nlohmann::json::array();
    for (const auto& job : jobs) {
        nlohmann::json f;
        f["scenario"] = relative(job.scenario);
        f["chart"] = job.chart;
        f["out"] = relative(job.out);
        f["preset"] = job.preset;
        if (job.width_in > 0)
            f["width_in"] = job.width_in;
        if (job.height_in > 0)
            f["height_in"] = job.height_in;
        f["dpi"] = job.dpi;
        if (!job.select.empty())
            f["select"] = job.select;
        if (!job.time_range.empty())
            f["time_range"] = job.time_range;
        if (!job.layers.empty())
            f["layers"] = job.layers;
        if (!job.compare.empty()) {
            nlohmann::json compare = nlohmann::json::array();
            for (const auto& other : job.compare)
                compare.push_back(relative(other));
            f["compare"] = compare;
        }
        if (!job.label.empty())
            f["label"] = job.label;
        if (job.chart == "sweep")
            f["metric"] = job.metric;
        if (job.log_y)
            f["log_y"] = true;
        if (!job.font.empty())
            f["font"] = job.font;
        if (job.font_size > 0)
            f["font_size"] = job.font_size;
        if (!job.csv.empty())
            f["csv"] = relative(job.csv);
        figures.push_back(f);
    }
    return nlohmann::json{{"figures", figures}};
}

void saveFigureSpec(const std::vector<FigureJob>& jobs, const fs::path& path)
{
    writeFileAtomically(path, figureSpecToJson(jobs, fs::absolute(path).parent_path()).dump(2) + "\n");
}

} // namespace offload::plots
