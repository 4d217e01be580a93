#pragma once
// Host API of the GPU code: device discovery, memory, streams and timing events, and the ZVC
// kernels. Plain C++ with no CUDA types, so code built without the CUDA toolkit's headers can
// include it; CUDA handles cross this interface as opaque pointers.
//
// ZVC stream layout (cDMA's, identical to the CPU codec in core/codecs/zvc.h): the tensor is cut
// into groups of 32 elements; each group is a little-endian 32-bit mask (bit i set = element i
// is non-zero) followed by the non-zero elements in order. The last partial group is treated as
// padded with zeros. "Non-zero" compares bit patterns, so -0.0 and NaN payloads survive a round
// trip (the codec is lossless).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace offload::gpu {

// A CUDA call failed. The message names the call and CUDA's error string.
class GpuError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct DeviceInfo {
    std::string name;
    int ordinal = 0;
    int cc_major = 0, cc_minor = 0;
    int sm_count = 0;
    std::uint64_t memory_bytes = 0;
    double sm_clock_hz = 0;                  // peak SM clock reported by the driver
    double theoretical_dram_bytes_per_s = 0; // memory clock x bus width x 2 (DDR)
    double theoretical_fp32_flops = 0;       // SMs x FP32 lanes per SM (by architecture) x 2 x clock; 0 if unknown
    std::uint64_t l2_bytes = 0;              // the driver's L2 size
    std::uint64_t shared_bytes_per_sm = 0;   // shared memory per SM
};

// The first GPU, or nullopt with the reason in `whyNot`. Any CUDA error counts as "no device":
// without a driver cudaGetDeviceCount fails with cudaErrorInsufficientDriver, not with 0 devices.
std::optional<DeviceInfo> probeDevice(std::string* whyNot = nullptr);

// Opaque CUDA handles: a StreamHandle is a cudaStream_t (nullptr = the legacy default stream).
using StreamHandle = void*;

class Stream {
public:
    Stream();
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    StreamHandle handle() const { return handle_; }
    void synchronize() const;

private:
    StreamHandle handle_ = nullptr;
};

// A CUDA event with timing enabled. Elapsed times are in seconds (CUDA's resolution is about
// half a microsecond).
class Event {
public:
    Event();
    ~Event();
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;
    void record(StreamHandle stream);
    void synchronize() const;
    // Makes `stream` wait for this event (no host blocking).
    void makeWait(StreamHandle stream) const;
    double secondsSince(const Event& earlier) const;

private:
    void* handle_ = nullptr;
};

class DeviceBuffer {
public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(std::uint64_t bytes);
    ~DeviceBuffer();
    DeviceBuffer(DeviceBuffer&& other) noexcept;
    DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
    void* get() const { return ptr_; }
    std::uint64_t bytes() const { return bytes_; }

private:
    void* ptr_ = nullptr;
    std::uint64_t bytes_ = 0;
};

// Page-locked host memory: the only kind a DMA copy engine reads and writes at full speed.
class PinnedBuffer {
public:
    PinnedBuffer() = default;
    explicit PinnedBuffer(std::uint64_t bytes);
    ~PinnedBuffer();
    PinnedBuffer(PinnedBuffer&& other) noexcept;
    PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;
    void* get() const { return ptr_; }
    std::uint64_t bytes() const { return bytes_; }

private:
    void* ptr_ = nullptr;
    std::uint64_t bytes_ = 0;
};

enum class CopyKind { host_to_device, device_to_host, device_to_device };
void copyAsync(void* dst, const void* src, std::uint64_t bytes, CopyKind kind, StreamHandle stream);
void copySync(void* dst, const void* src, std::uint64_t bytes, CopyKind kind);
void synchronizeDevice();
std::uint64_t freeDeviceMemory();

// ---- ZVC ----

inline constexpr std::uint64_t kZvcGroupElements = 32;
// Groups per tile: one warp compresses or decompresses one tile, and the tile index (below)
// holds the byte offset of each tile so that decompression is parallel.
inline constexpr std::uint64_t kZvcTileGroups = 32;
inline constexpr std::uint64_t kZvcTileElements = kZvcGroupElements * kZvcTileGroups;

std::uint64_t zvcGroups(std::uint64_t elements);
std::uint64_t zvcTiles(std::uint64_t elements);
// Worst case (no zeros): every group's mask plus every element.
std::uint64_t zvcMaxCompressedBytes(std::uint64_t elements, std::uint32_t elementBytes);
// Entries (std::uint64_t) of the tile index: one offset per tile plus the total size at the end.
std::uint64_t zvcIndexEntries(std::uint64_t elements);

// Compresses `elements` elements of `elementBytes` (2 or 4) bytes at device address `input`
// into `output` (device, at least zvcMaxCompressedBytes), and writes the tile index to `index`
// (device, zvcIndexEntries entries; the last entry is the compressed size). Asynchronous on
// `stream`; read the size with zvcCompressedSize. Both inputs must be 4-byte aligned.
void zvcCompressAsync(const void* input, std::uint64_t elements, std::uint32_t elementBytes, void* output,
                      std::uint64_t* index, StreamHandle stream);
// Waits for `stream` and reads the compressed size (the last index entry) back to the host.
std::uint64_t zvcCompressedSize(const std::uint64_t* index, std::uint64_t elements, StreamHandle stream);

// Decompresses a stream produced with the same `elements` and `elementBytes`, using its tile
// index (device). Asynchronous on `stream`.
void zvcDecompressAsync(const void* compressed, const std::uint64_t* index, std::uint64_t elements,
                        std::uint32_t elementBytes, void* output, StreamHandle stream);

// Builds the tile index of a stream held in host memory (for streams from the CPU codec or a
// file, which carry no index). Throws std::invalid_argument when the stream is too short or has
// bytes left over.
std::vector<std::uint64_t> zvcBuildIndexOnHost(const std::uint8_t* compressed, std::uint64_t compressedBytes,
                                               std::uint64_t elements, std::uint32_t elementBytes);

// Counts elements whose bit pattern is zero (what ZVC drops). Synchronous.
std::uint64_t countZeros(const void* input, std::uint64_t elements, std::uint32_t elementBytes,
                         StreamHandle stream = nullptr);

// Host conveniences for tests and tools: copy in, run, copy out (synchronous).
std::vector<std::uint8_t> zvcCompressHost(const void* input, std::uint64_t elements, std::uint32_t elementBytes);
std::vector<std::uint8_t> zvcDecompressHost(const std::uint8_t* compressed, std::uint64_t compressedBytes,
                                            std::uint64_t elements, std::uint32_t elementBytes);

// ---- Synthetic work for benchmarks and replay ----

// Fills `elements` fp32 values at `output` so that a fraction `sparsity` of them (in
// expectation, from a hash of the index and `seed`) is exactly zero and the rest positive.
void fillSparseAsync(float* output, std::uint64_t elements, double sparsity, std::uint32_t seed, StreamHandle stream);
// Writes the GPU's global timer (nanoseconds) to `*stampNs` (device) when the stream reaches it.
void stampTimerAsync(std::uint64_t* stampNs, StreamHandle stream);
// Occupies one block per SM until the global timer reaches *startNs + durationSeconds: a layer's
// compute stand-in that ends at the same time however long the work queued before it took.
void spinUntilAsync(const std::uint64_t* startNs, double durationSeconds, int smCount, StreamHandle stream);

} // namespace offload::gpu
