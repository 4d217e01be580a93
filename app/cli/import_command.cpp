// offload-sim import MODEL.onnx -o NETWORK.json [--batch N]: an ONNX model as a network file
// (core/onnx_import.h). Warnings name every node imported as a generic layer.
#include "command.h"

#include "core/input_error.h"
#include "core/network_json.h"
#include "core/onnx_import.h"

#include <iostream>
#include <memory>

namespace offload::cli {

namespace {

struct ImportOptions {
    std::string model;
    std::string out;
    std::int64_t batch = 1;
    bool batchGiven = false;
    std::string name;
};

void runImport(const ImportOptions& o, int& exitCode)
{
    OnnxImportOptions options;
    options.batch = o.batch;
    options.name = o.name;
    const OnnxImportResult imported = importOnnxFile(o.model, options);
    // Validate and derive before writing: a file we write must load.
    const NetworkModel model(imported.network, o.model);
    for (const auto& w : imported.warnings)
        std::cerr << "offload-sim import: warning: " << o.model << ": " << w << "\n";
    if (o.batchGiven && imported.fixed_batch && *imported.fixed_batch != o.batch)
        std::cerr << "offload-sim import: note: " << o.model << " fixes the batch at " << *imported.fixed_batch
                  << "; --batch binds only a symbolic batch (the network is per sample, a scenario sets the batch)\n";
    writeOutput(o.out, networkToJson(model.network()).dump(2) + "\n");
    if (o.out != "-") {
        std::int64_t generic = 0;
        for (const auto& L : model.network().layers)
            generic += L.kind == LayerKind::generic ? 1 : 0;
        std::cout << "Imported " << model.network().name << ": " << imported.nodes << " ONNX nodes -> "
                  << model.size() << " layers (" << generic << " generic), "
                  << formatFixed(model.totalForwardFlops() / 1e9, 3) << " GFLOPs per sample, input "
                  << formatShape(model.network().input)
                  << ", batch "
                  << (imported.fixed_batch ? "fixed at " + std::to_string(*imported.fixed_batch) + " in the file"
                                           : "symbolic (set by the scenario)")
                  << "\n";
    }
    exitCode = kSuccess;
}

} // namespace

void addImportCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<ImportOptions>();
    auto* cmd = app.add_subcommand("import", "Import an ONNX model as a network file");
    cmd->add_option("model", o->model, "The .onnx file")->required();
    cmd->add_option("-o,--output", o->out, "Network file to write, or - for stdout")->required();
    cmd->add_option("--batch", o->batch, "Value of a symbolic batch dimension during shape inference")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 24))
        ->each([o](const std::string&) { o->batchGiven = true; });
    cmd->add_option("--name", o->name, "Network name (default: the file name without .onnx)");
    cmd->callback([o, &exitCode] { runImport(*o, exitCode); });
}

} // namespace offload::cli
