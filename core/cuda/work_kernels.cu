// Small kernels around the codec: the sparsity scan, synthetic sparse tensors for benchmarks
// and replay, and the timed spin that stands in for a layer's computation during replay.
#include "cuda_check.h"
#include "gpu.h"

#include <cuda_runtime.h>

namespace offload::gpu {

namespace {

template <typename T>
__global__ void countZerosKernel(const T* __restrict__ in, std::uint64_t n, unsigned long long* zeros)
{
    unsigned long long local = 0;
    const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
        local += in[i] == T(0) ? 1 : 0;
    for (int offset = 16; offset > 0; offset >>= 1)
        local += __shfl_down_sync(0xffffffffu, local, offset);
    if ((threadIdx.x & 31u) == 0 && local)
        atomicAdd(zeros, local);
}

// A 32-bit integer hash with good avalanche (Chris Wellons' "lowbias32"): neighbouring
// elements get independent values, so zeros are spread like ReLU zeros, not in runs.
__device__ __forceinline__ std::uint32_t hash32(std::uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

__global__ void fillSparseKernel(float* out, std::uint64_t n, std::uint32_t threshold, std::uint32_t seed)
{
    const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
    for (std::uint64_t i = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
        const std::uint32_t h =
            hash32(static_cast<std::uint32_t>(i) ^ hash32(static_cast<std::uint32_t>(i >> 32) + seed));
        out[i] = h < threshold ? 0.0f : 0.25f + static_cast<float>(h) * (1.0f / 4294967296.0f);
    }
}

__device__ __forceinline__ std::uint64_t globalTimerNs()
{
    std::uint64_t t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

__global__ void stampKernel(std::uint64_t* stamp)
{
    *stamp = globalTimerNs();
}

__global__ void spinKernel(const std::uint64_t* startNs, std::uint64_t durationNs)
{
    const std::uint64_t until = *startNs + durationNs;
    while (globalTimerNs() < until)
        __nanosleep(100);
}

unsigned gridFor(std::uint64_t n, unsigned threads)
{
    // Grid-stride loops: enough blocks to fill any current GPU, no more.
    const std::uint64_t blocks = (n + threads - 1) / threads;
    return static_cast<unsigned>(blocks < 4096 ? (blocks ? blocks : 1) : 4096);
}

} // namespace

std::uint64_t countZeros(const void* input, std::uint64_t elements, std::uint32_t elementBytes, StreamHandle stream)
{
    if (elementBytes != 2 && elementBytes != 4)
        throw std::invalid_argument("countZeros supports 2- and 4-byte elements");
    auto s = static_cast<cudaStream_t>(stream);
    DeviceBuffer counter(sizeof(unsigned long long));
    auto* c = static_cast<unsigned long long*>(counter.get());
    cudaCheck(cudaMemsetAsync(c, 0, sizeof *c, s), "cudaMemsetAsync");
    if (elements) {
        if (elementBytes == 4)
            countZerosKernel<<<gridFor(elements, 256), 256, 0, s>>>(static_cast<const std::uint32_t*>(input), elements,
                                                                    c);
        else
            countZerosKernel<<<gridFor(elements, 256), 256, 0, s>>>(static_cast<const std::uint16_t*>(input), elements,
                                                                    c);
        cudaCheck(cudaGetLastError(), "zero count kernel");
    }
    unsigned long long zeros = 0;
    cudaCheck(cudaMemcpyAsync(&zeros, c, sizeof zeros, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync");
    cudaCheck(cudaStreamSynchronize(s), "cudaStreamSynchronize");
    return zeros;
}

void fillSparseAsync(float* output, std::uint64_t elements, double sparsity, std::uint32_t seed, StreamHandle stream)
{
    if (!(sparsity >= 0 && sparsity <= 1))
        throw std::invalid_argument("sparsity must be in [0, 1]");
    if (!elements)
        return;
    const double t = sparsity * 4294967296.0;
    const std::uint32_t threshold = t >= 4294967295.0 ? 0xffffffffu : static_cast<std::uint32_t>(t);
    fillSparseKernel<<<gridFor(elements, 256), 256, 0, static_cast<cudaStream_t>(stream)>>>(output, elements, threshold,
                                                                                            seed);
    cudaCheck(cudaGetLastError(), "fill kernel");
}

void stampTimerAsync(std::uint64_t* stampNs, StreamHandle stream)
{
    stampKernel<<<1, 1, 0, static_cast<cudaStream_t>(stream)>>>(stampNs);
    cudaCheck(cudaGetLastError(), "timer stamp kernel");
}

void spinUntilAsync(const std::uint64_t* startNs, double durationSeconds, int smCount, StreamHandle stream)
{
    if (durationSeconds <= 0)
        return;
    const auto ns = static_cast<std::uint64_t>(durationSeconds * 1e9 + 0.5);
    spinKernel<<<static_cast<unsigned>(smCount > 0 ? smCount : 1), 32, 0, static_cast<cudaStream_t>(stream)>>>(startNs,
                                                                                                               ns);
    cudaCheck(cudaGetLastError(), "spin kernel");
}

} // namespace offload::gpu
