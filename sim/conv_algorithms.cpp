#include "conv_algorithms.h"

#include <cmath>

namespace offload::sim {

namespace {


// Speed of each family's arithmetic relative to precomputed implicit GEMM (docs/model.md gives
// the reasoning; all four are assumptions that a device profile's measurements replace).
// Implicit GEMM recomputes the input offsets that the precomputed variant reads from a table.
constexpr double kImplicitGemmEfficiency = 0.75;
// Explicit GEMM runs the same matrix product after an im2col pass (its traffic is charged
// separately); the product itself is a plain SGEMM.
constexpr double kGemmEfficiency = 0.9;
// FFT convolutions are many small batched complex products, one per frequency, plus the
// forward and inverse transforms: far from GEMM efficiency.
constexpr double kFftEfficiency = 0.3;
// Non-fused Winograd F(4x4, 3x3): 36 batched GEMMs between input and output transforms.
constexpr double kWinogradEfficiency = 0.5;

// cuDNN's FFT algorithm handles feature maps of at most 256 x 256 including padding; the tiled
// variant cuts the map into 32 x 32 tiles instead.
constexpr std::int64_t kFftMaxSize = 256;
constexpr std::int64_t kFftTile = 32;
// Winograd F(4x4, 3x3): 4 x 4 output tiles from 6 x 6 input tiles.
constexpr std::int64_t kWinogradOutputTile = 4;
constexpr std::int64_t kWinogradInputTile = 6;

// The smallest size >= n whose prime factors are 2, 3, 5 and 7 (the sizes cuFFT transforms
// with its fast kernels).
std::int64_t fftSize(std::int64_t n)
{
    for (std::int64_t m = std::max<std::int64_t>(n, 1);; ++m) {
        std::int64_t r = m;
        for (std::int64_t p : {2, 3, 5, 7})
            while (r % p == 0)
                r /= p;
        if (r == 1)
            return m;
    }
}

std::int64_t ceilDiv(std::int64_t a, std::int64_t b)
{
    return (a + b - 1) / b;
}

// Direct multiply-adds of the forward pass: N K P Q (C / groups) R S.
double directMacs(const ConvGeometry& g)
{
    return static_cast<double>(g.batch) * static_cast<double>(g.out_channels) * static_cast<double>(g.out_h) *
           static_cast<double>(g.out_w) * static_cast<double>(g.in_channels / g.groups) *
           static_cast<double>(g.kernel_h * g.kernel_w);
}

// Bytes of three transformed tensors of `points` values each map: the input (N x C/g maps, or
// `tiles` per map), the filters (K/g x C/g) and the output (N x K/g). Groups run one after the
// other with the same workspace (as cuDNN does for grouped convolutions).
std::uint64_t transformedBytes(const ConvGeometry& g, double pointsPerMap, double tiles, double valueBytes)
{
    const double n = static_cast<double>(g.batch);
    const double c = static_cast<double>(g.in_channels / g.groups);
    const double k = static_cast<double>(g.out_channels / g.groups);
    return static_cast<std::uint64_t>(valueBytes * pointsPerMap * (n * c * tiles + k * c + n * k * tiles));
}

bool unitStride(const ConvGeometry& g)
{
    return g.stride_h == 1 && g.stride_w == 1 && g.dilation == 1;
}

} // namespace

std::string_view algorithmPreferenceName(AlgorithmPreference p)
{
    return p == AlgorithmPreference::performance ? "performance-optimal" : "memory-optimal";
}

std::optional<AlgorithmPreference> parseAlgorithmPreference(std::string_view s)
{
    if (s == "performance-optimal")
        return AlgorithmPreference::performance;
    if (s == "memory-optimal")
        return AlgorithmPreference::memory;
    return std::nullopt;
}

ConvGeometry convGeometry(const NetworkModel& model, int layer, std::int64_t batch)
{
    const Layer& L = model.network().layers[static_cast<std::size_t>(layer)];
    const LayerInfo& info = model.info(layer);
    ConvGeometry g;
    g.batch = batch;
    g.in_channels = info.input_shape.c;
    g.in_h = info.input_shape.h;
    g.in_w = info.input_shape.w;
    g.out_channels = info.output_shape.c;
    g.out_h = info.output_shape.h;
    g.out_w = info.output_shape.w;
    g.groups = L.groups;
    g.kernel_h = L.kernel_h;
    g.kernel_w = L.kernel_w;
    g.stride_h = L.stride_h;
    g.stride_w = L.stride_w;
    g.pad_h = L.pad_h;
    g.pad_w = L.pad_w;
    g.dilation = L.dilation;
    return g;
}

ConvAlgorithmCost convAlgorithmCost(ConvAlgorithm algorithm, const ConvGeometry& g, DType dtype)
{
    const double elementBytes = static_cast<double>(bytesPerElement(dtype));
    // Complex values of the transforms are computed in single precision whatever the dtype.
    constexpr double complexBytes = 8;
    const double macs = directMacs(g);
    ConvAlgorithmCost cost;
    switch (algorithm) {
    case ConvAlgorithm::implicit_gemm:
        cost.supported = true;
        cost.time_factor = 1.0 / kImplicitGemmEfficiency;
        break;
    case ConvAlgorithm::implicit_precomp_gemm:
        cost.supported = true;
        // One 32-bit input offset per (input channel, filter tap) pair.
        cost.workspace_bytes = static_cast<std::uint64_t>(4 * (g.in_channels / g.groups) * g.kernel_h * g.kernel_w);
        break;
    case ConvAlgorithm::gemm: {
        cost.supported = true;
        cost.time_factor = 1.0 / kGemmEfficiency;
        // im2col of the whole minibatch: (C/g R S) x (N P Q) values.
        const double columns = static_cast<double>(g.in_channels / g.groups) * static_cast<double>(g.kernel_h * g.kernel_w) *
                               static_cast<double>(g.batch) * static_cast<double>(g.out_h * g.out_w);
        cost.workspace_bytes = static_cast<std::uint64_t>(columns * elementBytes);
        cost.workspace_traffic_bytes = 2 * cost.workspace_bytes;
        break;
    }
    case ConvAlgorithm::fft: {
        const std::int64_t h = g.in_h + 2 * g.pad_h, w = g.in_w + 2 * g.pad_w;
        cost.supported = unitStride(g) && h <= kFftMaxSize && w <= kFftMaxSize;
        if (!cost.supported)
            break;
        // Real-to-complex transforms of Hf x Wf maps keep Hf x (Wf / 2 + 1) frequencies; the
        // product per frequency is a complex MAC (4 real ones) over C/g for each (n, k).
        const double frequencies = static_cast<double>(fftSize(h)) * static_cast<double>(fftSize(w) / 2 + 1);
        const double fftMacs = 4 * frequencies * static_cast<double>(g.batch) * static_cast<double>(g.out_channels) *
                               static_cast<double>(g.in_channels / g.groups);
        cost.time_factor = fftMacs / macs / kFftEfficiency;
        cost.workspace_bytes = transformedBytes(g, frequencies, 1, complexBytes);
        cost.workspace_traffic_bytes = 2 * cost.workspace_bytes;
        break;
    }
    case ConvAlgorithm::fft_tiling: {
        const std::int64_t validH = kFftTile - g.kernel_h + 1, validW = kFftTile - g.kernel_w + 1;
        cost.supported = unitStride(g) && validH > 0 && validW > 0;
        if (!cost.supported)
            break;
        const double tiles = static_cast<double>(ceilDiv(g.out_h, validH) * ceilDiv(g.out_w, validW));
        const double frequencies = static_cast<double>(kFftTile * (kFftTile / 2 + 1));
        const double fftMacs = 4 * frequencies * tiles * static_cast<double>(g.batch) *
                               static_cast<double>(g.out_channels) * static_cast<double>(g.in_channels / g.groups);
        cost.time_factor = fftMacs / macs / kFftEfficiency;
        cost.workspace_bytes = transformedBytes(g, frequencies, tiles, complexBytes);
        cost.workspace_traffic_bytes = 2 * cost.workspace_bytes;
        break;
    }
    case ConvAlgorithm::winograd: {
        cost.supported = unitStride(g) && g.kernel_h == 3 && g.kernel_w == 3;
        if (!cost.supported)
            break;
        const double tiles = static_cast<double>(ceilDiv(g.out_h, kWinogradOutputTile) * ceilDiv(g.out_w, kWinogradOutputTile));
        const double points = static_cast<double>(kWinogradInputTile * kWinogradInputTile);
        // 36 multiplies per 4 x 4 output tile and (n, k, c) instead of 16 x 9 direct ones.
        const double winogradMacs = points * tiles * static_cast<double>(g.batch) * static_cast<double>(g.out_channels) *
                                    static_cast<double>(g.in_channels / g.groups);
        cost.time_factor = winogradMacs / macs / kWinogradEfficiency;
        cost.workspace_bytes = transformedBytes(g, points, tiles, elementBytes);
        cost.workspace_traffic_bytes = 2 * cost.workspace_bytes;
        break;
    }
    }
    return cost;
}

} // namespace offload::sim
