#pragma once
// ONNX import: an ONNX model (a .onnx file) becomes a Network. ONNX's own shape inference gives
// every tensor's shape; each node becomes the layer kind that models it (docs/formats.md,
// "Importing ONNX" lists the mapping), the graph's DAG is kept, and weights are never read (only
// their dimensions), so a structure-only export imports as well as one with weights.
//
// Shapes: the first dimension of the graph input is the batch. A symbolic batch (dim_param, or
// no value) is bound to OnnxImportOptions::batch before inference; the network itself is per
// sample, so the batch of a simulation is the scenario's.
//
// An operator we do not model becomes a `generic` layer with its inferred output shape, an
// estimate of one operation per output value, and a warning naming the node. A file that is not
// an ONNX model, or a graph that cannot be modelled (no single image/sequence input, a cycle, a
// tensor nobody produces, shapes that inference cannot settle), is an InputError naming the file
// and the node.
#include "network.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload {

struct OnnxImportOptions {
    std::int64_t batch = 1; // bound to a symbolic batch dimension during shape inference
    std::string name;       // network name; empty: the file's stem
};

struct OnnxImportResult {
    Network network;
    std::vector<std::string> warnings;     // one per node imported as a generic layer, naming it
    std::optional<std::int64_t> fixed_batch; // the batch written in the file, if it is not symbolic
    std::int64_t nodes = 0;                // ONNX nodes read (constants and shape arithmetic included)
};

// Largest ONNX file read. Protobuf itself refuses messages above 2 GiB.
inline constexpr std::uintmax_t kMaxOnnxFileBytes = std::uintmax_t{2000} << 20;

bool isOnnxPath(const std::filesystem::path& path); // by extension, case-insensitive
OnnxImportResult importOnnxFile(const std::filesystem::path& path, const OnnxImportOptions& options = {});
// `fileLabel` names the model in error messages.
OnnxImportResult importOnnxBytes(std::string_view bytes, const std::string& fileLabel,
                                 const OnnxImportOptions& options = {});

} // namespace offload
