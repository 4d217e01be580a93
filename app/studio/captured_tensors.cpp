#include "captured_tensors.h"

#include "core/codecs/codec.h"
#include "core/codecs/codec_tensor.h"
#include "core/codecs/npy.h"
#include "core/codecs/ratio_model.h"
#include "core/input_error.h"

#include <chrono>
#include <cmath>
#include <limits>

namespace offload::studio {

CapturedTensors CapturedTensors::openFolder(const std::filesystem::path& folder)
{
    CapturedTensors t;
    t.folder_ = folder;
    t.entries_ = readCaptureManifest(folder);
    if (t.entries_.empty())
        throw InputError(folder.string(), "manifest.json",
                         "no captured tensors: expected a manifest.json listing .npy files and their layer_name "
                         "(tools/capture_activations.py writes one)");
    return t;
}

bool CapturedTensors::hasLayer(const std::string& layer) const
{
    for (const auto& [file, entry] : entries_)
        if (entry.layer == layer)
            return true;
    return false;
}

int CapturedTensors::layersOf(const Network& network) const
{
    int n = 0;
    for (const auto& layer : network.layers)
        n += hasLayer(layer.name) ? 1 : 0;
    return n;
}

const std::pair<const std::string, CaptureManifestEntry>* CapturedTensors::closest(const std::string& layer,
                                                                                  double progress) const
{
    const std::pair<const std::string, CaptureManifestEntry>* found = nullptr;
    double distance = std::numeric_limits<double>::infinity();
    for (const auto& item : entries_) {
        const auto& e = item.second;
        if (e.layer != layer)
            continue;
        const double d = e.progress ? std::abs(*e.progress - progress) : 0.0;
        if (!found || d < distance) {
            found = &item;
            distance = d;
        }
    }
    return found;
}

std::optional<SparsityExplorerData> CapturedTensors::explorerData(const Network& network, const std::string& layer,
                                                                  double progress) const
{
    const auto* found = closest(layer, progress);
    if (!found)
        return std::nullopt;
    const std::string* file = &found->first;
    const CaptureManifestEntry* entry = &found->second;

    const std::string path = (folder_ / *file).string();
    const NpyArray array = readNpyFile(path);
    const auto& s = array.shape;
    const bool nhwc = entry->layout == "NHWC";
    SparsityExplorerData data;
    data.layer = QString::fromStdString(layer);
    // Samples, channels and the spatial map; a vector per sample is channels of 1 x 1.
    std::uint64_t n = 1, c = 1, h = 1, w = 1;
    if (s.size() == 4) {
        n = s[0];
        c = nhwc ? s[3] : s[1];
        h = nhwc ? s[1] : s[2];
        w = nhwc ? s[2] : s[3];
    } else if (s.size() == 3) {
        c = nhwc ? s[2] : s[0];
        h = nhwc ? s[0] : s[1];
        w = nhwc ? s[1] : s[2];
    } else if (s.size() == 2) {
        n = s[0];
        c = s[1];
    } else if (s.size() == 1) {
        c = s[0];
    } else {
        throw InputError(path, "shape", "expected 1 to 4 dimensions (N, C, H, W), found " + std::to_string(s.size()));
    }
    constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 30;
    if (n == 0 || c == 0 || h == 0 || w == 0 || n > kMaxDim || c > kMaxDim || h > kMaxDim || w > kMaxDim)
        throw InputError(path, "shape", "a dimension is zero or too large to show");
    const std::vector<float> values = array.toFloat32();
    DType dtype = DType::fp32;
    data.elementBytes = array.codecDType(dtype) ? static_cast<int>(bytesPerElement(dtype)) : 4; // bytes: measured as fp32
    data.samples = static_cast<int>(n);
    data.channels = static_cast<int>(c);
    data.height = static_cast<int>(h);
    data.width = static_cast<int>(w);
    if (nhwc && s.size() >= 3) {
        data.values.resize(values.size());
        for (std::uint64_t in = 0; in < n; ++in)
            for (std::uint64_t y = 0; y < h; ++y)
                for (std::uint64_t x = 0; x < w; ++x)
                    for (std::uint64_t ch = 0; ch < c; ++ch)
                        data.values[((in * c + ch) * h + y) * w + x] = values[((in * h + y) * w + x) * c + ch];
    } else {
        data.values = values;
    }

    // The layer's sparsity over training as the network states it (measured curves where the
    // network has them), and the scenario's progress on it.
    for (const auto& l : network.layers)
        if (l.name == layer && l.sparsity)
            data.curve = l.sparsity->points;
    data.progress = progress;
    return data;
}

CodecComparison CapturedTensors::codecComparison(const Network& network, const std::string& layer, double progress,
                                                  double modelSparsity, const CodecParams& params) const
{
    const auto start = std::chrono::steady_clock::now();
    CodecComparison out;
    out.layer = QString::fromStdString(layer);
    out.modelSparsity = modelSparsity;
    const auto* found = closest(layer, progress);
    if (!found)
        return out;
    const std::string path = (folder_ / found->first).string();
    out.file = QString::fromStdString(path);
    const std::string& layout = found->second.layout;
    const CodecTensor tensor = codecTensor(readNpyFile(path), layout == "NHWC" ? layout : std::string("NCHW"));
    const TensorDesc& desc = tensor.desc;
    if (desc.elements > 0)
        out.tensorSparsity = static_cast<double>(countZeros(desc.dtype, tensor.bytes.data(), desc.elements)) /
                             static_cast<double>(desc.elements);
    for (const auto& l : network.layers)
        if (l.name == layer)
            out.networkHasMeasuredRatios = !l.measured_ratios.empty();
    const auto elementBytes = static_cast<std::uint32_t>(bytesPerElement(desc.dtype));
    for (CodecId id : allCodecIds()) {
        if (id == CodecId::none)
            continue;
        const auto codec = makeCodec(id, params);
        CodecRatio r;
        r.codec = QString::fromUtf8(codecName(id).data(), static_cast<qsizetype>(codecName(id).size()));
        r.label = QString::fromStdString(codec->label());
        r.lossless = codec->lossless();
        r.inputBytes = desc.bytes();
        r.compressedBytes = codec->compress(desc, tensor.bytes.data()).size();
        r.measured = r.compressedBytes ? static_cast<double>(r.inputBytes) / static_cast<double>(r.compressedBytes) : 0.0;
        r.model = modelRatio(id, 1.0 - modelSparsity, elementBytes, params);
        out.codecs.push_back(r);
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

} // namespace offload::studio
