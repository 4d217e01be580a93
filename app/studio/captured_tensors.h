#pragma once
// Captured layer outputs for the sparsity explorer: a folder with manifest.json and one .npy per
// layer output (tools/capture_activations.py, samples/tensors). Read-only input: the explorer
// shows the tensors as they are, beside the model's numbers, and never feeds them back.
#include "sparsity_explorer.h"

#include "core/codecs/capture_manifest.h"
#include "core/codecs/codec_id.h"
#include "core/network.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace offload::studio {

class CapturedTensors {
public:
    CapturedTensors() = default;
    // Reads the folder's manifest (InputError naming it when malformed); files are read later,
    // one at a time, when their layer is explored.
    static CapturedTensors openFolder(const std::filesystem::path& folder);

    bool empty() const { return entries_.empty(); }
    const std::filesystem::path& folder() const { return folder_; }
    bool hasLayer(const std::string& layer) const;
    // How many of `network`'s layers have a captured output here.
    int layersOf(const Network& network) const;

    // The output of `layer` captured closest to `progress`, as the explorer's data (NCHW floats),
    // with the layer's sparsity curve from `network` and the progress marked. Empty when nothing
    // was captured for the layer; InputError naming the .npy when it cannot be read.
    std::optional<SparsityExplorerData> explorerData(const Network& network, const std::string& layer, double progress) const;

    // Every codec (none aside) run on the file explorerData shows, as `offload-sim measure` runs
    // them (the file's own bytes and layout, core/codecs/codec_tensor.h), beside the ratio model
    // (core/codecs/ratio_model.h) at `modelSparsity`, the simulator's sparsity of the layer, for
    // the tensor's element size. Reads and compresses the whole file: for a worker thread.
    // Empty codecs when nothing was captured for the layer; InputError or CodecError on a bad file.
    CodecComparison codecComparison(const Network& network, const std::string& layer, double progress,
                                    double modelSparsity, const CodecParams& params = {}) const;

private:
    // The manifest entry of `layer` captured closest to `progress` (null: none).
    const std::pair<const std::string, CaptureManifestEntry>* closest(const std::string& layer, double progress) const;

    std::filesystem::path folder_;
    std::map<std::string, CaptureManifestEntry> entries_; // file -> entry
};

} // namespace offload::studio
