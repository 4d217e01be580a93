#pragma once
// Times convolution layers with cuDNN (forward, backward data, backward filter): with cuDNN's
// heuristically preferred algorithm for each, as a framework does without autotuning, and with
// every algorithm family the layer supports (MeasuredTimes::algorithms, for vDNN-dyn's choice).
#include "core/cuda/gpu.h"
#include "core/network.h"
#include "core/network_model.h"

#include <cstdint>

namespace offload::probe {

class ConvTimer {
public:
    explicit ConvTimer(std::uint64_t memoryCapBytes);
    ~ConvTimer();
    ConvTimer(const ConvTimer&) = delete;
    ConvTimer& operator=(const ConvTimer&) = delete;

    // False when offload-probe was built without cuDNN; then time() throws.
    static bool available();

    // Forward and backward (data + filter gradients) time of conv layer `layer` at `batch`.
    // A batch whose tensors exceed the memory cap is timed at a smaller batch and scaled
    // linearly (convolution time is linear in the batch once the GPU is full).
    MeasuredTimes time(const NetworkModel& model, int layer, std::int64_t batch, int repeats = 5);

private:
    void* handle_ = nullptr;
    std::uint64_t cap_ = 0;
    gpu::Stream stream_;
};

} // namespace offload::probe
