// Device discovery, memory, streams and events: the runtime calls that need no kernels, kept in
// a host-compiled file so that they build with the project's warnings and quickly.
#include "cuda_check.h"
#include "gpu.h"

#include <cuda_runtime_api.h>

#include <utility>

namespace offload::gpu {

namespace {

// FP32 lanes per SM by architecture (NVIDIA CUDA C++ Programming Guide, "Arithmetic
// Instructions" throughput table). 0 where the table has no entry we know.
int fp32LanesPerSm(int major, int minor)
{
    if (major == 7)
        return 64; // Volta, Turing
    if (major == 8)
        return minor == 0 ? 64 : 128; // A100 64; GA10x, Ada 128
    if (major == 9 || major == 10 || major == 12)
        return 128; // Hopper, Blackwell
    if (major == 6)
        return minor == 0 ? 64 : 128;
    if (major == 5)
        return 128;
    return 0;
}

int attribute(cudaDeviceAttr attr, int device)
{
    int value = 0;
    cudaCheck(cudaDeviceGetAttribute(&value, attr, device), "cudaDeviceGetAttribute");
    return value;
}

cudaMemcpyKind toCuda(CopyKind kind)
{
    switch (kind) {
    case CopyKind::host_to_device: return cudaMemcpyHostToDevice;
    case CopyKind::device_to_host: return cudaMemcpyDeviceToHost;
    case CopyKind::device_to_device: return cudaMemcpyDeviceToDevice;
    }
    return cudaMemcpyDefault;
}

} // namespace

std::optional<DeviceInfo> probeDevice(std::string* whyNot)
{
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        if (whyNot)
            *whyNot =
                std::string("no usable CUDA device: ") + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
        cudaGetLastError(); // clear the recorded error so that later calls start clean
        return std::nullopt;
    }
    if (count == 0) {
        if (whyNot)
            *whyNot = "no CUDA device found";
        return std::nullopt;
    }
    try {
        DeviceInfo info;
        info.ordinal = 0;
        cudaDeviceProp prop{};
        cudaCheck(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
        info.name = prop.name;
        info.cc_major = prop.major;
        info.cc_minor = prop.minor;
        info.sm_count = prop.multiProcessorCount;
        info.memory_bytes = prop.totalGlobalMem;
        info.sm_clock_hz = attribute(cudaDevAttrClockRate, 0) * 1e3;
        const double memClockHz = attribute(cudaDevAttrMemoryClockRate, 0) * 1e3;
        const double busBits = attribute(cudaDevAttrGlobalMemoryBusWidth, 0);
        info.theoretical_dram_bytes_per_s = 2.0 * memClockHz * busBits / 8.0;
        info.theoretical_fp32_flops =
            2.0 * info.sm_count * fp32LanesPerSm(info.cc_major, info.cc_minor) * info.sm_clock_hz;
        info.l2_bytes = static_cast<std::uint64_t>(prop.l2CacheSize);
        info.shared_bytes_per_sm = static_cast<std::uint64_t>(prop.sharedMemPerMultiprocessor);
        cudaCheck(cudaSetDevice(0), "cudaSetDevice");
        return info;
    } catch (const GpuError& e) {
        if (whyNot)
            *whyNot = e.what();
        return std::nullopt;
    }
}

Stream::Stream()
{
    cudaStream_t s = nullptr;
    cudaCheck(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    handle_ = s;
}

Stream::~Stream()
{
    if (handle_)
        cudaStreamDestroy(static_cast<cudaStream_t>(handle_));
}

void Stream::synchronize() const
{
    cudaCheck(cudaStreamSynchronize(static_cast<cudaStream_t>(handle_)), "cudaStreamSynchronize");
}

Event::Event()
{
    cudaEvent_t e = nullptr;
    cudaCheck(cudaEventCreate(&e), "cudaEventCreate");
    handle_ = e;
}

Event::~Event()
{
    if (handle_)
        cudaEventDestroy(static_cast<cudaEvent_t>(handle_));
}

void Event::record(StreamHandle stream)
{
    cudaCheck(cudaEventRecord(static_cast<cudaEvent_t>(handle_), static_cast<cudaStream_t>(stream)), "cudaEventRecord");
}

void Event::synchronize() const
{
    cudaCheck(cudaEventSynchronize(static_cast<cudaEvent_t>(handle_)), "cudaEventSynchronize");
}

void Event::makeWait(StreamHandle stream) const
{
    cudaCheck(cudaStreamWaitEvent(static_cast<cudaStream_t>(stream), static_cast<cudaEvent_t>(handle_), 0),
              "cudaStreamWaitEvent");
}

double Event::secondsSince(const Event& earlier) const
{
    float ms = 0;
    cudaCheck(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(earlier.handle_), static_cast<cudaEvent_t>(handle_)),
              "cudaEventElapsedTime");
    return static_cast<double>(ms) * 1e-3;
}

DeviceBuffer::DeviceBuffer(std::uint64_t bytes) : bytes_(bytes)
{
    cudaCheck(cudaMalloc(&ptr_, bytes ? bytes : 1), "cudaMalloc");
}

DeviceBuffer::~DeviceBuffer()
{
    if (ptr_)
        cudaFree(ptr_);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0))
{
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept
{
    if (this != &other) {
        if (ptr_)
            cudaFree(ptr_);
        ptr_ = std::exchange(other.ptr_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

PinnedBuffer::PinnedBuffer(std::uint64_t bytes) : bytes_(bytes)
{
    cudaCheck(cudaMallocHost(&ptr_, bytes ? bytes : 1), "cudaMallocHost");
}

PinnedBuffer::~PinnedBuffer()
{
    if (ptr_)
        cudaFreeHost(ptr_);
}

PinnedBuffer::PinnedBuffer(PinnedBuffer&& other) noexcept
    : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0))
{
}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept
{
    if (this != &other) {
        if (ptr_)
            cudaFreeHost(ptr_);
        ptr_ = std::exchange(other.ptr_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

void copyAsync(void* dst, const void* src, std::uint64_t bytes, CopyKind kind, StreamHandle stream)
{
    if (!bytes)
        return;
    cudaCheck(cudaMemcpyAsync(dst, src, bytes, toCuda(kind), static_cast<cudaStream_t>(stream)), "cudaMemcpyAsync");
}

void copySync(void* dst, const void* src, std::uint64_t bytes, CopyKind kind)
{
    if (!bytes)
        return;
    cudaCheck(cudaMemcpy(dst, src, bytes, toCuda(kind)), "cudaMemcpy");
}

void synchronizeDevice()
{
    cudaCheck(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

std::uint64_t freeDeviceMemory()
{
    std::size_t freeBytes = 0, total = 0;
    cudaCheck(cudaMemGetInfo(&freeBytes, &total), "cudaMemGetInfo");
    return freeBytes;
}

} // namespace offload::gpu
