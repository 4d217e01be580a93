#pragma once
// Internal to offload_cuda: turns CUDA error codes into GpuError exceptions.
#include "gpu.h"

#include <cuda_runtime_api.h>

#include <string>

namespace offload::gpu {

inline void cudaCheck(cudaError_t err, const char* what)
{
    if (err != cudaSuccess)
        throw GpuError(std::string(what) + " failed: " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}

} // namespace offload::gpu
