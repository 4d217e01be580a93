#pragma once
// Times GEMMs with cuBLAS on the GPU: the stand-in for conv and fc layers (layer_gemms.h) and
// the measured FP32/FP16 matrix rates of a device profile.
#include "layer_gemms.h"

#include "core/cuda/gpu.h"

#include <cstdint>
#include <string>

namespace offload::probe {

class GemmTimer {
public:
    // `memoryCapBytes`: device memory the operands may take; larger products are timed on a
    // slice of their largest dimension and scaled linearly (GEMM time is linear in m, n or k
    // once the slice still fills the GPU).
    explicit GemmTimer(std::uint64_t memoryCapBytes);
    ~GemmTimer();
    GemmTimer(const GemmTimer&) = delete;
    GemmTimer& operator=(const GemmTimer&) = delete;

    // False when offload-probe was built without cuBLAS; then seconds() throws.
    static bool available();
    static std::string method() { return "cublas-gemm"; }

    // Median seconds of `repeats` runs after one warm-up. fp16: FP16 inputs and outputs with
    // FP32 accumulation (tensor cores where present); otherwise FP32 (no TF32).
    double seconds(const GemmShape& shape, bool fp16 = false, int repeats = 5);

private:
    void* handle_ = nullptr;
    gpu::DeviceBuffer buffer_;
    gpu::Stream stream_;
};

} // namespace offload::probe
