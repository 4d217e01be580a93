#pragma once
// The manifest.json beside captured tensors (tools/capture_activations.py, the bundled
// samples/tensors): which layer each .npy file holds, its layout and when in training it was
// captured. Read by `offload-sim measure` and by the window's sparsity explorer.
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace offload {

struct CaptureManifestEntry {
    std::string layer;              // "layer_name": the network's layer it is the output of
    std::string layout;             // "NCHW", "NHWC" or empty (not given)
    std::optional<double> progress; // when in training it was captured, 0..1
};

// file name (as in "file") -> entry. Empty when `dir` has no manifest.json; InputError naming
// the manifest and the JSON place when it is malformed.
std::map<std::string, CaptureManifestEntry> readCaptureManifest(const std::filesystem::path& dir);

} // namespace offload
