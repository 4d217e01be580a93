#pragma once
// The network file format "offload-studio/network" version 1 (docs/formats.md,
// docs/schema/network.schema.json).
#include "json_reader.h"
#include "network.h"
#include "network_model.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace offload {

inline constexpr std::string_view kNetworkFormat = "offload-studio/network";
inline constexpr int kNetworkFormatVersion = 1;

// Reads a network document. Errors name `fileLabel` and the JSON pointer.
Network networkFromJson(const nlohmann::json& document, const std::string& fileLabel);
// Reads the network object found at `cursor` (used for networks embedded in other documents).
Network networkFromCursor(const JsonCursor& cursor);
nlohmann::json networkToJson(const Network& network);

// Parses, validates and derives: the usual way to open a network file. A .onnx file is imported
// (core/onnx_import.h) with a symbolic batch bound to 1; its layers are per sample anyway.
NetworkModel loadNetworkFile(const std::filesystem::path& path);
// Writes atomically.
void saveNetworkFile(const Network& network, const std::filesystem::path& path);

// Sparsity and provenance pieces, shared with profiles written by `offload-sim measure`.
SparsitySpec sparsityFromCursor(const JsonCursor& cursor);
nlohmann::json sparsityToJson(const SparsitySpec& spec);
Provenance provenanceFromCursor(const JsonCursor& object); // reads "source" and its note key
// Measured layer times, shared with device profiles: {"forward_s", "backward_s", "batch",
// optional "algorithms": [{"algorithm", "forward_s", "backward_s", "workspace_bytes"}]}.
MeasuredTimes measuredTimesFromCursor(const JsonCursor& cursor);
nlohmann::json measuredTimesToJson(const MeasuredTimes& times);
void provenanceToJson(const Provenance& p, nlohmann::json& object);

} // namespace offload
