#include "gemm_timer.h"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <vector>

#ifdef OFFLOAD_PROBE_HAVE_CUBLAS
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#endif

namespace offload::probe {

#ifdef OFFLOAD_PROBE_HAVE_CUBLAS

namespace {

void check(cublasStatus_t s, const char* what)
{
    if (s != CUBLAS_STATUS_SUCCESS)
        throw gpu::GpuError(std::string(what) + " failed: " + cublasGetStatusString(s));
}

std::uint64_t operandBytes(const GemmShape& s, std::uint64_t elementBytes)
{
    const auto b = static_cast<std::uint64_t>(s.batch);
    return elementBytes * b *
           (static_cast<std::uint64_t>(s.m) * static_cast<std::uint64_t>(s.k) +
            static_cast<std::uint64_t>(s.k) * static_cast<std::uint64_t>(s.n) +
            static_cast<std::uint64_t>(s.m) * static_cast<std::uint64_t>(s.n));
}

} // namespace

GemmTimer::GemmTimer(std::uint64_t memoryCapBytes) : buffer_(memoryCapBytes)
{
    cublasHandle_t h = nullptr;
    check(cublasCreate(&h), "cublasCreate");
    handle_ = h;
    check(cublasSetStream(h, static_cast<cudaStream_t>(stream_.handle())), "cublasSetStream");
    // Zeros: timing does not depend on values, and garbage could hold NaNs that a debugger flags.
    if (cudaMemset(buffer_.get(), 0, buffer_.bytes()) != cudaSuccess)
        throw gpu::GpuError("cudaMemset failed");
}

GemmTimer::~GemmTimer()
{
    if (handle_)
        cublasDestroy(static_cast<cublasHandle_t>(handle_));
}

bool GemmTimer::available()
{
    return true;
}

double GemmTimer::seconds(const GemmShape& requested, bool fp16, int repeats)
{
    const std::uint64_t elementBytes = fp16 ? 2 : 4;
    GemmShape s = requested;
    double scale = 1;
    // Shrink the largest dimension until the operands fit the buffer and cuBLAS's int sizes.
    while (operandBytes(s, elementBytes) > buffer_.bytes() || s.m > INT_MAX || s.n > INT_MAX || s.k > INT_MAX) {
        std::int64_t* largest = &s.m;
        if (s.n > *largest)
            largest = &s.n;
        if (s.k > *largest)
            largest = &s.k;
        if (*largest < 2)
            throw std::runtime_error("GEMM operands do not fit the timing buffer");
        const std::int64_t half = (*largest + 1) / 2;
        scale *= static_cast<double>(*largest) / static_cast<double>(half);
        *largest = half;
    }
    if (s.m <= 0 || s.n <= 0 || s.k <= 0 || s.batch <= 0)
        return 0;
    auto* h = static_cast<cublasHandle_t>(handle_);
    auto* base = static_cast<std::uint8_t*>(buffer_.get());
    const auto b = static_cast<std::uint64_t>(s.batch);
    void* A = base;
    void* B = base + elementBytes * b * static_cast<std::uint64_t>(s.m * s.k);
    void* C = static_cast<std::uint8_t*>(B) + elementBytes * b * static_cast<std::uint64_t>(s.k * s.n);
    const int m = static_cast<int>(s.m), n = static_cast<int>(s.n), k = static_cast<int>(s.k);
    const float alpha = 1.0f, beta = 0.0f;
    auto run = [&] {
        if (fp16)
            check(cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, A, CUDA_R_16F, m, s.m * s.k,
                                             B, CUDA_R_16F, k, s.k * s.n, &beta, C, CUDA_R_16F, m, s.m * s.n,
                                             static_cast<int>(s.batch), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
                  "cublasGemmStridedBatchedEx");
        else
            check(cublasSgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &alpha, static_cast<const float*>(A),
                                            m, s.m * s.k, static_cast<const float*>(B), k, s.k * s.n, &beta,
                                            static_cast<float*>(C), m, s.m * s.n, static_cast<int>(s.batch)),
                  "cublasSgemmStridedBatched");
    };
    run(); // warm-up: kernel selection and first-launch costs are not the layer's time
    std::vector<double> times;
    gpu::Event start, stop;
    for (int r = 0; r < repeats; ++r) {
        start.record(stream_.handle());
        run();
        stop.record(stream_.handle());
        stop.synchronize();
        times.push_back(stop.secondsSince(start));
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2] * scale;
}

#else

GemmTimer::GemmTimer(std::uint64_t) {}
GemmTimer::~GemmTimer() = default;
bool GemmTimer::available()
{
    return false;
}
double GemmTimer::seconds(const GemmShape&, bool, int)
{
    throw std::runtime_error("offload-probe was built without cuBLAS");
}

#endif

} // namespace offload::probe
