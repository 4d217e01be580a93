#pragma once
// The GEMMs that stand for a conv or fc layer's forward and backward pass: convolution as an
// implicit GEMM (no im2col buffer is counted), one GEMM per group. Pure C++: no GPU needed.
#include "core/network_model.h"

#include <cstdint>
#include <vector>

namespace offload::probe {

// Column-major C (m x n) = A (m x k) * B (k x n), `batch` independent products.
struct GemmShape {
    std::int64_t m = 0, n = 0, k = 0;
    std::int64_t batch = 1;
    double flops() const
    {
        return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) *
               static_cast<double>(batch);
    }
};

struct LayerGemms {
    std::vector<GemmShape> forward;
    std::vector<GemmShape> backward; // data gradient, then weight gradient
};

// Empty for layers that are neither conv nor fc.
LayerGemms layerGemms(const NetworkModel& model, int layer, std::int64_t batch);

} // namespace offload::probe
