#include "compute_model.h"

#include "conv_algorithms.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace offload::sim {

namespace {

constexpr std::pair<std::string_view, ComputeModelKind> kModels[] = {{"roofline", ComputeModelKind::roofline},
                                                                     {"delta", ComputeModelKind::delta}};

// --- Assumptions of the delta model (DeLTA publishes its traffic model, not these) ----------

// Fraction of an SM's FMA issue slots a tuned GEMM main loop spends on math; loads, address
// arithmetic and synchronisation take the rest.
constexpr double kGemmIssueEfficiency = 0.85;
// Fixed cost of one kernel: launch, the first wave's ramp-up and the last one's tail.
constexpr double kKernelLatencyS = 5e-6;
// Registers per SM (every architecture here) and per accumulator: a CTA holds its Mt x Nt
// accumulators in registers, plus about half as many again for operands and addresses.
constexpr double kRegistersPerSm = 65536;
constexpr double kRegistersPerAccumulator = 1.5;
// Shared memory per CTA: two stages of a 32-byte-deep K slice of the A and B panels.
constexpr double kSharedBytesPerPanelRow = 2 * 32;

struct Tile {
    double m, n;
};

// The CTA tile cuDNN and CUTLASS would pick: 128 x 128 when both sides are large, narrower
// (down to 8, a power of two) where a side is small, so that tiles are not mostly padding.
Tile pickTile(double m, double n)
{
    auto side = [](double extent) {
        double t = 8;
        while (t < 128 && t < extent)
            t *= 2;
        return t;
    };
    return {std::max(64.0, side(m)), side(n)};
}

double elementBytes(DType dtype)
{
    return static_cast<double>(bytesPerElement(dtype));
}

double peakFlops(DType dtype, const GpuSpec& gpu)
{
    return (dtype != DType::fp32 && gpu.peak_flops_fp16 > 0) ? gpu.peak_flops_fp16 : gpu.peak_flops;
}

PassEstimate limitedBy(double computeS, double l1S, double l2S, double dramS)
{
    PassEstimate e;
    const std::array<std::pair<double, Bound>, 4> levels = {
        {{computeS, Bound::compute}, {l1S, Bound::l1}, {l2S, Bound::l2}, {dramS, Bound::dram}}};
    const auto worst =
        std::max_element(levels.begin(), levels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    e.seconds = worst->first + kKernelLatencyS;
    e.bound = worst->second;
    return e;
}

PassEstimate roofline(double flops, double bytes, DType dtype, const GpuSpec& gpu)
{
    const double computeS = flops / (peakFlops(dtype, gpu) * gpu.compute_efficiency);
    const double dramS = bytes / (gpu.dram_bytes_per_s * gpu.dram_efficiency);
    PassEstimate e;
    e.seconds = std::max(computeS, dramS);
    e.bound = computeS >= dramS ? Bound::compute : Bound::dram;
    e.flops = flops;
    e.dram_bytes = bytes;
    return e;
}

// A streaming (element-wise, pooling, normalisation) kernel under delta: every byte once
// through L1, L2 and DRAM.
PassEstimate streaming(double flops, double bytes, DType dtype, const GpuSpec& gpu)
{
    PassEstimate e = limitedBy(flops / (peakFlops(dtype, gpu) * gpu.compute_efficiency), bytes / gpu.l1_bytes_per_s,
                               bytes / gpu.l2_bytes_per_s, bytes / (gpu.dram_bytes_per_s * gpu.dram_efficiency));
    e.flops = flops;
    e.l1_bytes = e.l2_bytes = e.dram_bytes = bytes;
    return e;
}

PassEstimate combine(const PassEstimate& a, const PassEstimate& b)
{
    PassEstimate e;
    e.seconds = a.seconds + b.seconds;
    e.bound = a.seconds >= b.seconds ? a.bound : b.bound;
    e.flops = a.flops + b.flops;
    e.l1_bytes = a.l1_bytes + b.l1_bytes;
    e.l2_bytes = a.l2_bytes + b.l2_bytes;
    e.dram_bytes = a.dram_bytes + b.dram_bytes;
    return e;
}

// Unique input elements a CTA of `tileM` output pixels reads (implicit GEMM's A panel after L1
// has caught the overlap of neighbouring windows): the input rows and columns its output rows
// span, for all input channels of its group.
double haloFootprint(double tileM, double outH, double outW, double inH, double inW, double channels, double stride,
                     double kernelH, double kernelW)
{
    const double pixels = outH * outW;
    if (tileM >= pixels) // the tile spans whole images
        return std::ceil(tileM / pixels) * channels * inH * inW;
    const double rows = std::min(outH, std::ceil(tileM / outW) + (std::fmod(tileM, outW) != 0 ? 1 : 0));
    const double cols = std::min(outW, tileM);
    return channels * std::min(inH, (rows - 1) * stride + kernelH) * std::min(inW, (cols - 1) * stride + kernelW);
}

// The bytes a layer's passes touch at a batch: all inputs, the output, the weights.
struct LayerBytes {
    double in = 0, out = 0, weights = 0;
    // Forward reads X and W and writes Y; backward reads X, W and dY and writes dX and dW.
    double forward() const { return in + out + weights; }
    double backward() const { return 2 * in + out + 2 * weights; }
};

LayerBytes layerBytes(const LayerInfo& info, std::int64_t batch, DType dtype)
{
    const double e = elementBytes(dtype);
    const double b = static_cast<double>(batch);
    return {static_cast<double>(info.input_elements) * b * e, static_cast<double>(info.output_shape.elements()) * b * e,
            static_cast<double>(info.weight_elements) * e};
}

LayerEstimate rooflineLayer(const NetworkModel& model, int layer, std::int64_t batch, DType dtype, const GpuSpec& gpu)
{
    const LayerInfo& info = model.info(layer);
    const LayerBytes bytes = layerBytes(info, batch, dtype);
    const double b = static_cast<double>(batch);
    return {roofline(info.forward_flops * b, bytes.forward(), dtype, gpu),
            roofline(info.backward_flops * b, bytes.backward(), dtype, gpu)};
}

LayerEstimate deltaLayer(const NetworkModel& model, int layer, std::int64_t batch, DType dtype, const GpuSpec& gpu)
{
    const Layer& L = model.network().layers[static_cast<std::size_t>(layer)];
    const LayerInfo& info = model.info(layer);
    const double e = elementBytes(dtype);
    const double n = static_cast<double>(batch);
    const LayerBytes bytes = layerBytes(info, batch, dtype);
    const double inBytes = bytes.in, outBytes = bytes.out, weightBytes = bytes.weights;

    if (L.kind == LayerKind::conv) {
        const ConvGeometry cg = convGeometry(model, layer, batch);
        const double g = static_cast<double>(std::max<std::int64_t>(cg.groups, 1));
        const double c = static_cast<double>(cg.in_channels) / g;
        const double k = static_cast<double>(cg.out_channels) / g;
        const double h = static_cast<double>(cg.in_h), w = static_cast<double>(cg.in_w);
        const double p = static_cast<double>(cg.out_h), q = static_cast<double>(cg.out_w);
        const double r = static_cast<double>((cg.kernel_h - 1) * cg.dilation + 1);
        const double s = static_cast<double>((cg.kernel_w - 1) * cg.dilation + 1);
        const double taps = static_cast<double>(cg.kernel_h * cg.kernel_w);
        const double stride = static_cast<double>(std::max(cg.stride_h, cg.stride_w));
        // Forward: M = N P Q output pixels, N = K output channels, K = C R S.
        GemmProblem fwd{n * p * q, k, c * taps, g, 0, inBytes / g, weightBytes / g};
        fwd.a_tile_unique_bytes = e * haloFootprint(pickTile(fwd.m, fwd.n).m, p, q, h, w, c, stride, r, s);
        // Weight gradient: M = K, N = C R S, K = N P Q: dY^T times im2col(X).
        GemmProblem wgrad{k, c * taps, n * p * q, g, 0, outBytes / g, inBytes / g};
        // The network input needs no gradient: frameworks skip the first layer's data gradient.
        if (info.inputs.front() == kNetworkInput)
            return {deltaGemm(fwd, dtype, gpu), deltaGemm(wgrad, dtype, gpu)};
        // Data gradient: M = N H W input pixels, N = C, K = K x the taps that reach an input
        // pixel (with stride s only about R/s x S/s of them do), over dY (a transposed
        // convolution; its windows over dY overlap as the forward's do over X).
        const double reach =
            std::ceil(r / static_cast<double>(cg.stride_h)) * std::ceil(s / static_cast<double>(cg.stride_w));
        GemmProblem dgrad{n * h * w, c, k * std::min(taps, reach), g, 0, outBytes / g, weightBytes / g};
        dgrad.a_tile_unique_bytes = e * haloFootprint(pickTile(dgrad.m, dgrad.n).m, h, w, p, q, k, 1, r, s);
        return {deltaGemm(fwd, dtype, gpu), combine(deltaGemm(dgrad, dtype, gpu), deltaGemm(wgrad, dtype, gpu))};
    }
    if (L.kind == LayerKind::fc) {
        const double in = static_cast<double>(info.input_elements);
        const double out = static_cast<double>(info.output_shape.elements());
        // per_position layers (a transformer's dense layers) apply the same weights to every
        // token: the rows of the GEMM are batch x positions.
        const double positions = L.per_position ? static_cast<double>(info.input_shape.h * info.input_shape.w) : 1;
        const double features = in / positions, outFeatures = out / positions;
        const double rows = n * positions;
        GemmProblem fwd{rows, outFeatures, features, 1, 0, inBytes, weightBytes};
        GemmProblem dgrad{rows, features, outFeatures, 1, 0, outBytes, weightBytes};
        GemmProblem wgrad{outFeatures, features, rows, 1, 0, outBytes, inBytes};
        return {deltaGemm(fwd, dtype, gpu), combine(deltaGemm(dgrad, dtype, gpu), deltaGemm(wgrad, dtype, gpu))};
    }
    return {streaming(info.forward_flops * n, bytes.forward(), dtype, gpu),
            streaming(info.backward_flops * n, bytes.backward(), dtype, gpu)};
}

} // namespace

std::string_view computeModelName(ComputeModelKind k)
{
    for (const auto& [name, value] : kModels)
        if (value == k)
            return name;
    return "roofline";
}

std::optional<ComputeModelKind> parseComputeModel(std::string_view s)
{
    for (const auto& [name, value] : kModels)
        if (name == s)
            return value;
    return std::nullopt;
}

std::string_view boundName(Bound b)
{
    switch (b) {
    case Bound::compute: return "compute";
    case Bound::l1: return "l1";
    case Bound::l2: return "l2";
    case Bound::dram: return "dram";
    }
    return "compute";
}

bool hasMemoryHierarchy(const GpuSpec& gpu)
{
    return gpu.sm_count > 0 && gpu.l1_bytes_per_s > 0 && gpu.l2_bytes_per_s > 0 && gpu.l2_bytes > 0 &&
           gpu.shared_bytes_per_sm > 0;
}

PassEstimate deltaGemm(const GemmProblem& gemm, DType dtype, const GpuSpec& gpu)
{
    const double e = elementBytes(dtype);
    const double sms = static_cast<double>(gpu.sm_count);
    const Tile tile = pickTile(gemm.m, gemm.n);
    const double tilesM = std::ceil(gemm.m / tile.m), tilesN = std::ceil(gemm.n / tile.n);
    double tiles = tilesM * tilesN * gemm.count;

    // Occupancy: CTAs resident per SM, limited by registers and shared memory.
    const double byRegisters = std::floor(kRegistersPerSm / (tile.m * tile.n * kRegistersPerAccumulator));
    const double bySharedMemory =
        std::floor(static_cast<double>(gpu.shared_bytes_per_sm) / ((tile.m + tile.n) * kSharedBytesPerPanelRow));
    const double perSm = std::max(1.0, std::min(byRegisters, bySharedMemory));
    const double slots = sms * perSm;

    // Split-K: a GEMM with fewer tiles than CTA slots and a long K (a weight gradient) cuts K
    // into chunks so that every SM works; the partial sums go through L2 to a reduction.
    double splits = 1;
    if (tiles < slots && gemm.k >= 4 * 256)
        splits = std::min(std::floor(slots / tiles), std::floor(gemm.k / 256));
    splits = std::max(1.0, splits);
    tiles *= splits;
    const double chunkK = gemm.k / splits;

    // Compute: whole waves of tiles (padding and the underfilled last wave cost full time).
    const double waves = std::ceil(tiles / slots);
    const double tileFlops = 2 * tile.m * tile.n * chunkK;
    const double smFlops = peakFlops(dtype, gpu) / sms * kGemmIssueEfficiency;
    const double computeS = waves * perSm * tileFlops / smFlops;
    const double usefulFlops = 2 * gemm.m * gemm.n * gemm.k * gemm.count;

    // L1: every CTA loads its A (Mt x K) and B (Nt x K) panels.
    const double aPanel = tile.m * chunkK * e, bPanel = tile.n * chunkK * e;
    const double l1 = tiles * (aPanel + bPanel);
    // L2: what L1 misses (A's overlapping windows hit in L1: only the unique footprint, split
    // across the K chunks), plus C written once per split.
    const double aUnique = gemm.a_tile_unique_bytes > 0 ? std::min(aPanel, gemm.a_tile_unique_bytes / splits) : aPanel;
    const double cBytes = gemm.m * gemm.n * gemm.count * e * splits;
    const double l2 = tiles * (aUnique + bPanel) + cBytes;
    // DRAM: A and B at least once. A wave's CTAs share panels through L2: the tiles of one
    // M-row share their A panel, those of one N-column their B panel. Panels are fetched once
    // per wave that needs them while a wave's working set fits in L2, once per tile when L2
    // can hold nothing of it.
    const double perWave = std::min(tiles, slots);
    const double waveRows = std::ceil(perWave / tilesN), waveCols = std::min(perWave, tilesN);
    const double waveSet = waveRows * aUnique + waveCols * bPanel;
    const double l2Bytes = static_cast<double>(gpu.l2_bytes);
    const double spill = waveSet <= l2Bytes ? 0 : std::min(1.0, (waveSet - l2Bytes) / waveSet);
    const double compulsory = gemm.a_bytes + gemm.b_bytes;
    // B (the weights) stays in L2 across waves when it fits beside a wave's A panels.
    const double bRefetch =
        (gemm.b_bytes + waveRows * aUnique <= l2Bytes) ? 0 : std::max(0.0, waves - 1) * gemm.b_bytes;
    const double dram = compulsory + bRefetch + spill * std::max(0.0, l2 - cBytes - compulsory) + cBytes;

    PassEstimate est = limitedBy(computeS, l1 / gpu.l1_bytes_per_s, l2 / gpu.l2_bytes_per_s,
                                 dram / (gpu.dram_bytes_per_s * gpu.dram_efficiency));
    if (splits > 1) // the reduction of the partial sums: one more streaming kernel
        est.seconds += kKernelLatencyS + cBytes / (gpu.dram_bytes_per_s * gpu.dram_efficiency);
    est.flops = usefulFlops;
    est.l1_bytes = l1;
    est.l2_bytes = l2;
    est.dram_bytes = dram;
    return est;
}

LayerEstimate estimateLayer(ComputeModelKind kind, const NetworkModel& model, int layer, std::int64_t batch,
                            DType dtype, const GpuSpec& gpu)
{
    if (kind == ComputeModelKind::delta && hasMemoryHierarchy(gpu))
        return deltaLayer(model, layer, batch, dtype, gpu);
    return rooflineLayer(model, layer, batch, dtype, gpu);
}

} // namespace offload::sim
