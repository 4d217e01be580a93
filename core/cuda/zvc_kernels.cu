// ZVC compression on the GPU, bit-exact with the CPU codec (layout in gpu.h).
//
// Compression is two passes over the input with a tiny scan between them: pass 1 counts each
// tile's compressed bytes (one warp per tile of 32 groups) and each block's total; a single
// block scans the block totals; pass 2 turns block totals into tile offsets and writes masks
// and non-zeros. Reading the input twice costs one extra read of the tensor, but it keeps the
// kernels free of inter-block synchronisation, which is what makes them simple to verify.
#include "cuda_check.h"
#include "gpu.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace offload::gpu {

namespace {

constexpr int kWarpsPerBlock = 8;
constexpr int kThreads = kWarpsPerBlock * 32;
constexpr int kScanThreads = 1024;

std::uint64_t blocksFor(std::uint64_t tiles)
{
    return (tiles + kWarpsPerBlock - 1) / kWarpsPerBlock;
}

__device__ __forceinline__ std::uint32_t lanesBelow(unsigned lane)
{
    return (1u << lane) - 1u;
}

// Groups of the tile that hold at least one element of the tensor; groups past the end are not
// part of the stream at all (only the last partial group is padded).
__device__ __forceinline__ unsigned groupsInTile(std::uint64_t tile, std::uint64_t groups)
{
    const std::uint64_t first = tile * kZvcTileGroups;
    const std::uint64_t left = groups - first;
    return left < kZvcTileGroups ? static_cast<unsigned>(left) : static_cast<unsigned>(kZvcTileGroups);
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    tileSizesKernel(const T* __restrict__ in, std::uint64_t n, std::uint64_t tiles, std::uint64_t* tileBytes,
                    std::uint64_t* blockBytes)
{
    __shared__ std::uint64_t warpBytes[kWarpsPerBlock];
    const unsigned lane = threadIdx.x & 31u;
    const unsigned warpInBlock = threadIdx.x >> 5;
    const std::uint64_t tile = static_cast<std::uint64_t>(blockIdx.x) * kWarpsPerBlock + warpInBlock;
    std::uint64_t bytes = 0;
    if (tile < tiles) {
        const std::uint64_t groups = (n + 31) / 32;
        const unsigned g = groupsInTile(tile, groups);
        const std::uint64_t base = tile * kZvcTileElements;
        unsigned nonZeros = 0;
#pragma unroll 8
        for (unsigned k = 0; k < kZvcTileGroups; ++k) {
            const std::uint64_t i = base + k * 32u + lane;
            const bool nz = (k < g && i < n) ? in[i] != T(0) : false;
            nonZeros += __popc(__ballot_sync(0xffffffffu, nz));
        }
        bytes = 4ull * g + sizeof(T) * static_cast<std::uint64_t>(nonZeros);
        if (lane == 0)
            tileBytes[tile] = bytes;
    }
    if (lane == 0)
        warpBytes[warpInBlock] = bytes;
    __syncthreads();
    if (threadIdx.x == 0) {
        std::uint64_t sum = 0;
        for (int w = 0; w < kWarpsPerBlock; ++w)
            sum += warpBytes[w];
        blockBytes[blockIdx.x] = sum;
    }
}

// Exclusive scan of `count` values in place by one block: each thread sums a contiguous run,
// the block scans the run totals, then each thread rewrites its run. `count` is one entry per
// 8 tiles (8192 elements), so even a 4 GiB tensor has only 131,072 entries.
__global__ void __launch_bounds__(kScanThreads) exclusiveScanKernel(std::uint64_t* data, std::uint64_t count)
{
    __shared__ std::uint64_t partial[kScanThreads];
    const unsigned t = threadIdx.x;
    const std::uint64_t per = (count + kScanThreads - 1) / kScanThreads;
    const std::uint64_t begin = t * per;
    const std::uint64_t end = begin + per < count ? begin + per : count;
    std::uint64_t sum = 0;
    for (std::uint64_t i = begin; i < end; ++i)
        sum += data[i];
    partial[t] = sum;
    __syncthreads();
    for (unsigned offset = 1; offset < kScanThreads; offset <<= 1) {
        const std::uint64_t v = t >= offset ? partial[t - offset] : 0;
        __syncthreads();
        partial[t] += v;
        __syncthreads();
    }
    std::uint64_t running = t ? partial[t - 1] : 0;
    for (std::uint64_t i = begin; i < end; ++i) {
        const std::uint64_t v = data[i];
        data[i] = running;
        running += v;
    }
}

template <typename T> __device__ __forceinline__ void storeMask(std::uint8_t* p, std::uint32_t mask)
{
    if constexpr (sizeof(T) == 4) {
        *reinterpret_cast<std::uint32_t*>(p) = mask; // offsets are multiples of 4 here
    } else {
        // With 2-byte elements a group can start on any even byte: two halves, low first
        // (little-endian, as the format says).
        reinterpret_cast<std::uint16_t*>(p)[0] = static_cast<std::uint16_t>(mask);
        reinterpret_cast<std::uint16_t*>(p)[1] = static_cast<std::uint16_t>(mask >> 16);
    }
}

template <typename T> __device__ __forceinline__ std::uint32_t loadMask(const std::uint8_t* p)
{
    if constexpr (sizeof(T) == 4) {
        return *reinterpret_cast<const std::uint32_t*>(p);
    } else {
        const auto* h = reinterpret_cast<const std::uint16_t*>(p);
        return static_cast<std::uint32_t>(h[0]) | (static_cast<std::uint32_t>(h[1]) << 16);
    }
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    compressKernel(const T* __restrict__ in, std::uint64_t n, std::uint64_t tiles, std::uint64_t* index,
                   const std::uint64_t* blockOffsets, std::uint64_t blocks, std::uint8_t* __restrict__ out)
{
    __shared__ std::uint64_t tileOffset[kWarpsPerBlock];
    const unsigned lane = threadIdx.x & 31u;
    const unsigned warpInBlock = threadIdx.x >> 5;
    const std::uint64_t tile = static_cast<std::uint64_t>(blockIdx.x) * kWarpsPerBlock + warpInBlock;
    if (threadIdx.x == 0) {
        // index[] holds each tile's size from pass 1; turn them into offsets within the block.
        std::uint64_t running = blockOffsets[blockIdx.x];
        for (int w = 0; w < kWarpsPerBlock; ++w) {
            const std::uint64_t t = static_cast<std::uint64_t>(blockIdx.x) * kWarpsPerBlock + w;
            tileOffset[w] = running;
            if (t < tiles)
                running += index[t];
        }
        if (blockIdx.x == 0)
            index[tiles] = blockOffsets[blocks]; // total compressed bytes
    }
    __syncthreads();
    if (tile >= tiles)
        return;
    std::uint64_t offset = tileOffset[warpInBlock];
    if (lane == 0)
        index[tile] = offset;

    const std::uint64_t groups = (n + 31) / 32;
    const unsigned g = groupsInTile(tile, groups);
    const std::uint64_t base = tile * kZvcTileElements;
    // Load the whole tile first so that 32 loads per lane are in flight at once.
    T v[kZvcTileGroups];
#pragma unroll
    for (unsigned k = 0; k < kZvcTileGroups; ++k) {
        const std::uint64_t i = base + k * 32u + lane;
        v[k] = (k < g && i < n) ? in[i] : T(0);
    }
#pragma unroll
    for (unsigned k = 0; k < kZvcTileGroups; ++k) {
        if (k < g) {
            const std::uint32_t mask = __ballot_sync(0xffffffffu, v[k] != T(0));
            if (lane == 0)
                storeMask<T>(out + offset, mask);
            if (v[k] != T(0)) {
                const unsigned slot = __popc(mask & lanesBelow(lane));
                *reinterpret_cast<T*>(out + offset + 4 + sizeof(T) * slot) = v[k];
            }
            offset += 4 + sizeof(T) * static_cast<std::uint64_t>(__popc(mask));
        }
    }
}

template <typename T>
__global__ void __launch_bounds__(kThreads)
    decompressKernel(const std::uint8_t* __restrict__ in, const std::uint64_t* __restrict__ index, std::uint64_t n,
                     std::uint64_t tiles, T* __restrict__ out)
{
    const unsigned lane = threadIdx.x & 31u;
    const std::uint64_t tile = (static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
    if (tile >= tiles)
        return;
    const std::uint64_t groups = (n + 31) / 32;
    const unsigned g = groupsInTile(tile, groups);
    const std::uint64_t base = tile * kZvcTileElements;
    std::uint64_t offset = index[tile];
    for (unsigned k = 0; k < g; ++k) {
        const std::uint32_t mask = loadMask<T>(in + offset);
        T value = T(0);
        if ((mask >> lane) & 1u) {
            const unsigned slot = __popc(mask & lanesBelow(lane));
            value = *reinterpret_cast<const T*>(in + offset + 4 + sizeof(T) * slot);
        }
        const std::uint64_t i = base + k * 32u + lane;
        if (i < n)
            out[i] = value;
        offset += 4 + sizeof(T) * static_cast<std::uint64_t>(__popc(mask));
    }
}

void checkElementBytes(std::uint32_t elementBytes)
{
    if (elementBytes != 2 && elementBytes != 4)
        throw std::invalid_argument("ZVC on the GPU supports 2- and 4-byte elements, not " +
                                    std::to_string(elementBytes));
}

template <typename T>
void compressTyped(const void* input, std::uint64_t n, void* output, std::uint64_t* index, cudaStream_t s)
{
    const std::uint64_t tiles = zvcTiles(n);
    const std::uint64_t blocks = blocksFor(tiles);
    std::uint64_t* blockScratch = index + tiles + 1; // blocks + 1 entries, see zvcIndexEntries
    // blockScratch[blocks] stays 0 in pass 1, so after the exclusive scan it holds the total.
    cudaCheck(cudaMemsetAsync(blockScratch + blocks, 0, sizeof(std::uint64_t), s), "cudaMemsetAsync");
    tileSizesKernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(static_cast<const T*>(input), n, tiles, index,
                                                                          blockScratch);
    cudaCheck(cudaGetLastError(), "ZVC tile size kernel");
    exclusiveScanKernel<<<1, kScanThreads, 0, s>>>(blockScratch, blocks + 1);
    cudaCheck(cudaGetLastError(), "ZVC scan kernel");
    compressKernel<T><<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(
        static_cast<const T*>(input), n, tiles, index, blockScratch, blocks, static_cast<std::uint8_t*>(output));
    cudaCheck(cudaGetLastError(), "ZVC compress kernel");
}

} // namespace

std::uint64_t zvcGroups(std::uint64_t elements)
{
    return (elements + kZvcGroupElements - 1) / kZvcGroupElements;
}

std::uint64_t zvcTiles(std::uint64_t elements)
{
    return (elements + kZvcTileElements - 1) / kZvcTileElements;
}

std::uint64_t zvcMaxCompressedBytes(std::uint64_t elements, std::uint32_t elementBytes)
{
    return 4 * zvcGroups(elements) + static_cast<std::uint64_t>(elementBytes) * elements;
}

std::uint64_t zvcIndexEntries(std::uint64_t elements)
{
    const std::uint64_t tiles = zvcTiles(elements);
    return tiles + 1 + blocksFor(tiles) + 1;
}

void zvcCompressAsync(const void* input, std::uint64_t elements, std::uint32_t elementBytes, void* output,
                      std::uint64_t* index, StreamHandle stream)
{
    checkElementBytes(elementBytes);
    auto s = static_cast<cudaStream_t>(stream);
    if (elements == 0) {
        cudaCheck(cudaMemsetAsync(index, 0, sizeof(std::uint64_t), s), "cudaMemsetAsync");
        return;
    }
    if (blocksFor(zvcTiles(elements)) > 0x7fffffffull)
        throw std::invalid_argument("tensor too large for one ZVC launch");
    if (elementBytes == 4)
        compressTyped<std::uint32_t>(input, elements, output, index, s);
    else
        compressTyped<std::uint16_t>(input, elements, output, index, s);
}

std::uint64_t zvcCompressedSize(const std::uint64_t* index, std::uint64_t elements, StreamHandle stream)
{
    std::uint64_t size = 0;
    auto s = static_cast<cudaStream_t>(stream);
    cudaCheck(cudaMemcpyAsync(&size, index + zvcTiles(elements), sizeof size, cudaMemcpyDeviceToHost, s),
              "cudaMemcpyAsync");
    cudaCheck(cudaStreamSynchronize(s), "cudaStreamSynchronize");
    return size;
}

void zvcDecompressAsync(const void* compressed, const std::uint64_t* index, std::uint64_t elements,
                        std::uint32_t elementBytes, void* output, StreamHandle stream)
{
    checkElementBytes(elementBytes);
    if (elements == 0)
        return;
    auto s = static_cast<cudaStream_t>(stream);
    const std::uint64_t tiles = zvcTiles(elements);
    const auto blocks = static_cast<unsigned>(blocksFor(tiles));
    const auto* in = static_cast<const std::uint8_t*>(compressed);
    if (elementBytes == 4)
        decompressKernel<std::uint32_t>
            <<<blocks, kThreads, 0, s>>>(in, index, elements, tiles, static_cast<std::uint32_t*>(output));
    else
        decompressKernel<std::uint16_t>
            <<<blocks, kThreads, 0, s>>>(in, index, elements, tiles, static_cast<std::uint16_t*>(output));
    cudaCheck(cudaGetLastError(), "ZVC decompress kernel");
}

std::vector<std::uint64_t> zvcBuildIndexOnHost(const std::uint8_t* compressed, std::uint64_t compressedBytes,
                                               std::uint64_t elements, std::uint32_t elementBytes)
{
    checkElementBytes(elementBytes);
    const std::uint64_t groups = zvcGroups(elements);
    std::vector<std::uint64_t> index(zvcIndexEntries(elements), 0);
    std::uint64_t offset = 0;
    for (std::uint64_t g = 0; g < groups; ++g) {
        if (g % kZvcTileGroups == 0)
            index[g / kZvcTileGroups] = offset;
        if (compressedBytes - offset < 4)
            throw std::invalid_argument("ZVC stream ends inside the mask of group " + std::to_string(g));
        std::uint32_t mask = 0;
        std::memcpy(&mask, compressed + offset, 4); // the format is little-endian, like every CUDA host
        offset += 4 + static_cast<std::uint64_t>(elementBytes) * static_cast<std::uint64_t>(__builtin_popcount(mask));
        if (offset > compressedBytes)
            throw std::invalid_argument("ZVC stream ends inside the values of group " + std::to_string(g));
    }
    if (offset != compressedBytes)
        throw std::invalid_argument("ZVC stream has " + std::to_string(compressedBytes - offset) +
                                    " bytes after the last group");
    index[zvcTiles(elements)] = offset;
    return index;
}

std::vector<std::uint8_t> zvcCompressHost(const void* input, std::uint64_t elements, std::uint32_t elementBytes)
{
    checkElementBytes(elementBytes);
    DeviceBuffer in(std::max<std::uint64_t>(elements * elementBytes, 4));
    DeviceBuffer out(std::max<std::uint64_t>(zvcMaxCompressedBytes(elements, elementBytes), 4));
    DeviceBuffer index(zvcIndexEntries(elements) * sizeof(std::uint64_t));
    copySync(in.get(), input, elements * elementBytes, CopyKind::host_to_device);
    auto* idx = static_cast<std::uint64_t*>(index.get());
    zvcCompressAsync(in.get(), elements, elementBytes, out.get(), idx, nullptr);
    const std::uint64_t size = zvcCompressedSize(idx, elements, nullptr);
    std::vector<std::uint8_t> result(size);
    copySync(result.data(), out.get(), size, CopyKind::device_to_host);
    return result;
}

std::vector<std::uint8_t> zvcDecompressHost(const std::uint8_t* compressed, std::uint64_t compressedBytes,
                                            std::uint64_t elements, std::uint32_t elementBytes)
{
    const std::vector<std::uint64_t> hostIndex =
        zvcBuildIndexOnHost(compressed, compressedBytes, elements, elementBytes);
    DeviceBuffer in(std::max<std::uint64_t>(compressedBytes, 4));
    DeviceBuffer index(hostIndex.size() * sizeof(std::uint64_t));
    DeviceBuffer out(std::max<std::uint64_t>(elements * elementBytes, 4));
    copySync(in.get(), compressed, compressedBytes, CopyKind::host_to_device);
    copySync(index.get(), hostIndex.data(), hostIndex.size() * sizeof(std::uint64_t), CopyKind::host_to_device);
    zvcDecompressAsync(in.get(), static_cast<const std::uint64_t*>(index.get()), elements, elementBytes, out.get(),
                       nullptr);
    std::vector<std::uint8_t> result(elements * elementBytes);
    copySync(result.data(), out.get(), result.size(), CopyKind::device_to_host);
    return result;
}

} // namespace offload::gpu
