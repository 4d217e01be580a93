#pragma once
// cuDNN's convolution algorithm families (as vDNN, MICRO 2016, uses them): the workspace each
// needs as a function of the layer's shape, and its speed relative to precomputed implicit GEMM,
// the kernel the compute models estimate. vDNN's "performance-optimal" configuration picks the fastest
// family a layer supports whatever its workspace; "memory-optimal" picks implicit GEMM, which
// needs none. docs/model.md ("Convolution algorithms") derives every formula and names every
// assumption; a device profile with per-algorithm measurements replaces them.
#include "core/conv_algorithm.h"
#include "core/devices.h"
#include "core/dtype.h"
#include "core/network_model.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace offload::sim {

// ConvAlgorithm, kConvAlgorithms and their names come from core/conv_algorithm.h.

// How every run but vDNN-dyn picks a conv layer's algorithm (vDNN-dyn decides per layer).
enum class AlgorithmPreference : std::uint8_t { performance, memory };
std::string_view algorithmPreferenceName(AlgorithmPreference p); // "performance-optimal", "memory-optimal"
std::optional<AlgorithmPreference> parseAlgorithmPreference(std::string_view s);

// One convolution at a batch, in cuDNN's terms (N, C, H, W -> N, K, P, Q with R x S filters).
struct ConvGeometry {
    std::int64_t batch = 1;
    std::int64_t in_channels = 1, out_channels = 1, groups = 1;
    std::int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
    std::int64_t kernel_h = 1, kernel_w = 1;
    std::int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation = 1;
};
ConvGeometry convGeometry(const NetworkModel& model, int layer, std::int64_t batch);

// What one algorithm costs for one convolution. The same workspace serves each of the three
// passes (forward, backward data, backward filter): every family here transforms or lays out
// the same three tensors, in a different role per pass.
struct ConvAlgorithmCost {
    bool supported = false;
    // Time of one pass relative to precomputed implicit GEMM (1). The backward pass (data and
    // filter gradients) scales by the same factor.
    double time_factor = 1;
    std::uint64_t workspace_bytes = 0; // per pass
    // DRAM traffic of the workspace per pass (written, then read back), charged on top of the
    // scaled time at the GPU's effective DRAM bandwidth.
    std::uint64_t workspace_traffic_bytes = 0;
};
ConvAlgorithmCost convAlgorithmCost(ConvAlgorithm algorithm, const ConvGeometry& geometry, DType dtype);

} // namespace offload::sim
