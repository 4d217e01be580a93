#include "scenario_document.h"

#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"
#include "core/onnx_import.h"

namespace offload::sim {

DocumentKind documentKindOf(const std::filesystem::path& path)
{
    if (isOnnxPath(path))
        return DocumentKind::network; // an ONNX model is a network (core/onnx_import.h)
    const auto document = parseJsonFile(path);
    const std::string label = path.string();
    if (!document.is_object())
        throw InputError(label, "", "expected a JSON object (a scenario or a network file)");
    const auto format = document.find("format");
    if (format == document.end() || !format->is_string())
        throw InputError(label, "/format",
                         "missing \"format\": expected \"offload-studio/scenario\" or \"offload-studio/network\"");
    const std::string name = format->get<std::string>();
    if (name == kScenarioFormat)
        return DocumentKind::scenario;
    if (name == kNetworkFormat)
        return DocumentKind::network;
    throw InputError(label, "/format",
                     "unknown format \"" + name +
                         "\": expected \"offload-studio/scenario\" or \"offload-studio/network\"");
}

OpenedDocument openScenarioOrNetwork(const std::filesystem::path& path)
{
    // Read and named as given (errors quote the path the user typed); references are resolved
    // to absolute paths so that a save elsewhere can rewrite them.
    const std::filesystem::path absolute = std::filesystem::absolute(path).lexically_normal();
    OpenedDocument opened;
    opened.kind = documentKindOf(path);
    if (opened.kind == DocumentKind::network) {
        opened.scenario = defaultScenarioFor(std::make_shared<const NetworkModel>(loadNetworkFile(path)));
        opened.network_path = absolute;
        return opened;
    }
    opened.scenario = loadScenarioFile(path);
    const std::filesystem::path folder = absolute.parent_path();
    if (!opened.scenario.network_ref.empty())
        opened.network_path = (folder / opened.scenario.network_ref).lexically_normal();
    if (!opened.scenario.device_profile_ref.empty())
        opened.device_profile_path = (folder / opened.scenario.device_profile_ref).lexically_normal();
    return opened;
}

} // namespace offload::sim
