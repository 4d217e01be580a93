#pragma once
// "Scenario or network file?": the one rule every front end uses to open a document, and what
// opening one gives (the scenario plus where its network and device profile live on disk, so a
// save elsewhere can rewrite the references).
#include "scenario.h"

#include <filesystem>

namespace offload::sim {

// What kind of document a file is: an .onnx model is a network; a JSON file is what its "format"
// member says. Throws InputError (naming the file and "/format") for anything else.
enum class DocumentKind { scenario, network };
DocumentKind documentKindOf(const std::filesystem::path& path);

struct OpenedDocument {
    DocumentKind kind = DocumentKind::scenario;
    // A scenario file as written, or sim::defaultScenarioFor around a network file.
    Scenario scenario;
    std::filesystem::path network_path;        // absolute; empty when the network is embedded
    std::filesystem::path device_profile_path; // absolute; empty when the scenario names none
};

// Opens a scenario or a network file. Throws InputError naming the file and place.
OpenedDocument openScenarioOrNetwork(const std::filesystem::path& path);

} // namespace offload::sim
