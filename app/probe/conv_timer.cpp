#include "conv_timer.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef OFFLOAD_PROBE_HAVE_CUDNN
#include <cuda_runtime_api.h>
#include <cudnn.h>
#endif

namespace offload::probe {

#ifdef OFFLOAD_PROBE_HAVE_CUDNN

namespace {

void check(cudnnStatus_t s, const char* what)
{
    if (s != CUDNN_STATUS_SUCCESS)
        throw gpu::GpuError(std::string(what) + " failed: " + cudnnGetErrorString(s));
}

// Descriptors of one convolution at one batch, destroyed together.
struct ConvDescriptors {
    cudnnTensorDescriptor_t x = nullptr, y = nullptr;
    cudnnFilterDescriptor_t w = nullptr;
    cudnnConvolutionDescriptor_t conv = nullptr;
    ConvDescriptors()
    {
        check(cudnnCreateTensorDescriptor(&x), "cudnnCreateTensorDescriptor");
        check(cudnnCreateTensorDescriptor(&y), "cudnnCreateTensorDescriptor");
        check(cudnnCreateFilterDescriptor(&w), "cudnnCreateFilterDescriptor");
        check(cudnnCreateConvolutionDescriptor(&conv), "cudnnCreateConvolutionDescriptor");
    }
    ~ConvDescriptors()
    {
        cudnnDestroyTensorDescriptor(x);
        cudnnDestroyTensorDescriptor(y);
        cudnnDestroyFilterDescriptor(w);
        cudnnDestroyConvolutionDescriptor(conv);
    }
    ConvDescriptors(const ConvDescriptors&) = delete;
    ConvDescriptors& operator=(const ConvDescriptors&) = delete;
};

// cuDNN's algorithms grouped into the families the simulator models (docs/gpu.md): the forward
// algorithm and the backward-data and backward-filter algorithms of the same kind.
struct AlgorithmFamily {
    ConvAlgorithm family;
    cudnnConvolutionFwdAlgo_t forward;
    cudnnConvolutionBwdDataAlgo_t data;
    cudnnConvolutionBwdFilterAlgo_t filter;
};

constexpr AlgorithmFamily kFamilies[] = {
    {ConvAlgorithm::implicit_gemm, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, CUDNN_CONVOLUTION_BWD_DATA_ALGO_0,
     CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0},
    {ConvAlgorithm::implicit_precomp_gemm, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM,
     CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1},
    {ConvAlgorithm::gemm, CUDNN_CONVOLUTION_FWD_ALGO_GEMM, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1,
     CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3},
    {ConvAlgorithm::fft, CUDNN_CONVOLUTION_FWD_ALGO_FFT, CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT,
     CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT},
    {ConvAlgorithm::fft_tiling, CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING, CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING,
     CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING},
    {ConvAlgorithm::winograd, CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED,
     CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED},
};

int toInt(std::int64_t v, const char* what)
{
    if (v <= 0 || v > 0x7fffffff)
        throw std::runtime_error(std::string("convolution ") + what + " out of cuDNN's range");
    return static_cast<int>(v);
}

} // namespace

ConvTimer::ConvTimer(std::uint64_t memoryCapBytes) : cap_(memoryCapBytes)
{
    cudnnHandle_t h = nullptr;
    check(cudnnCreate(&h), "cudnnCreate");
    handle_ = h;
    check(cudnnSetStream(h, static_cast<cudaStream_t>(stream_.handle())), "cudnnSetStream");
}

ConvTimer::~ConvTimer()
{
    if (handle_)
        cudnnDestroy(static_cast<cudnnHandle_t>(handle_));
}

bool ConvTimer::available()
{
    return true;
}

MeasuredTimes ConvTimer::time(const NetworkModel& model, int layer, std::int64_t batch, int repeats)
{
    const Layer& L = model.network().layers[static_cast<std::size_t>(layer)];
    const LayerInfo& info = model.info(layer);
    if (L.kind != LayerKind::conv)
        throw std::invalid_argument("ConvTimer times conv layers only");
    auto* h = static_cast<cudnnHandle_t>(handle_);
    const std::int64_t groups = std::max<std::int64_t>(L.groups, 1);
    const std::uint64_t perSample =
        4ull * static_cast<std::uint64_t>(info.input_shape.elements() + info.output_shape.elements()) *
        2; // x, dx, y, dy
    const std::uint64_t weights = 4ull * static_cast<std::uint64_t>(info.output_shape.c) *
                                  static_cast<std::uint64_t>(info.input_shape.c / groups * L.kernel_h * L.kernel_w) * 2;
    std::int64_t n = batch;
    // Leave half of the cap for the algorithms' workspace.
    while (n > 1 && weights + perSample * static_cast<std::uint64_t>(n) > cap_ / 2)
        n = (n + 1) / 2;
    const double scale = static_cast<double>(batch) / static_cast<double>(n);

    ConvDescriptors d;
    check(cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, toInt(n, "batch"),
                                     toInt(info.input_shape.c, "channels"), toInt(info.input_shape.h, "height"),
                                     toInt(info.input_shape.w, "width")),
          "cudnnSetTensor4dDescriptor");
    check(cudnnSetFilter4dDescriptor(d.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, toInt(info.output_shape.c, "outputs"),
                                     toInt(info.input_shape.c / groups, "group channels"), toInt(L.kernel_h, "kernel"),
                                     toInt(L.kernel_w, "kernel")),
          "cudnnSetFilter4dDescriptor");
    check(cudnnSetConvolution2dDescriptor(d.conv, static_cast<int>(L.pad_h), static_cast<int>(L.pad_w),
                                          toInt(L.stride_h, "stride"), toInt(L.stride_w, "stride"),
                                          toInt(L.dilation, "dilation"), toInt(L.dilation, "dilation"),
                                          CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
          "cudnnSetConvolution2dDescriptor");
    check(cudnnSetConvolutionGroupCount(d.conv, static_cast<int>(groups)), "cudnnSetConvolutionGroupCount");
    // cuDNN's default math: TF32 tensor cores for FP32 on Ampere and later, as PyTorch allows
    // for convolutions by default.
    check(cudnnSetConvolutionMathType(d.conv, CUDNN_DEFAULT_MATH), "cudnnSetConvolutionMathType");
    int on = 0, oc = 0, oh = 0, ow = 0;
    check(cudnnGetConvolution2dForwardOutputDim(d.conv, d.x, d.w, &on, &oc, &oh, &ow),
          "cudnnGetConvolution2dForwardOutputDim");
    check(cudnnSetTensor4dDescriptor(d.y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, on, oc, oh, ow),
          "cudnnSetTensor4dDescriptor");

    const std::uint64_t xBytes =
        4ull * static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(info.input_shape.elements());
    const std::uint64_t yBytes = 4ull * static_cast<std::uint64_t>(on) * static_cast<std::uint64_t>(oc) *
                                 static_cast<std::uint64_t>(oh) * static_cast<std::uint64_t>(ow);
    const std::uint64_t wBytes = weights / 2;
    gpu::DeviceBuffer x(xBytes), dx(xBytes), y(yBytes), dy(yBytes), w(wBytes), dw(wBytes);
    for (const gpu::DeviceBuffer* b : {&x, &dx, &y, &dy, &w, &dw})
        if (cudaMemset(b->get(), 0, b->bytes()) != cudaSuccess)
            throw gpu::GpuError("cudaMemset failed");
    const std::uint64_t workspaceCap = cap_ - std::min(cap_, 2 * (xBytes + yBytes + wBytes));

    // The first algorithm of cuDNN's heuristic list that succeeds within the workspace cap.
    constexpr int kMaxAlgos = 16;
    int count = 0;
    cudnnConvolutionFwdAlgoPerf_t fwd[kMaxAlgos];
    check(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, kMaxAlgos, &count, fwd),
          "cudnnGetConvolutionForwardAlgorithm_v7");
    const cudnnConvolutionFwdAlgoPerf_t* f = nullptr;
    for (int i = 0; i < count && !f; ++i)
        if (fwd[i].status == CUDNN_STATUS_SUCCESS && fwd[i].memory <= workspaceCap)
            f = &fwd[i];
    cudnnConvolutionBwdDataAlgoPerf_t bwdD[kMaxAlgos];
    check(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.y, d.conv, d.x, kMaxAlgos, &count, bwdD),
          "cudnnGetConvolutionBackwardDataAlgorithm_v7");
    const cudnnConvolutionBwdDataAlgoPerf_t* bd = nullptr;
    for (int i = 0; i < count && !bd; ++i)
        if (bwdD[i].status == CUDNN_STATUS_SUCCESS && bwdD[i].memory <= workspaceCap)
            bd = &bwdD[i];
    cudnnConvolutionBwdFilterAlgoPerf_t bwdF[kMaxAlgos];
    check(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, d.x, d.y, d.conv, d.w, kMaxAlgos, &count, bwdF),
          "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
    const cudnnConvolutionBwdFilterAlgoPerf_t* bf = nullptr;
    for (int i = 0; i < count && !bf; ++i)
        if (bwdF[i].status == CUDNN_STATUS_SUCCESS && bwdF[i].memory <= workspaceCap)
            bf = &bwdF[i];
    if (!f || !bd || !bf)
        throw std::runtime_error("cuDNN has no algorithm for layer " + L.name + " within the memory cap");
    gpu::DeviceBuffer workspace(std::max({f->memory, bd->memory, bf->memory, std::size_t(1)}));

    const float one = 1.0f, zero = 0.0f;
    auto timeIt = [&](auto&& run) {
        run();
        gpu::Event start, stop;
        std::vector<double> t;
        for (int r = 0; r < repeats; ++r) {
            start.record(stream_.handle());
            run();
            stop.record(stream_.handle());
            stop.synchronize();
            t.push_back(stop.secondsSince(start));
        }
        std::sort(t.begin(), t.end());
        return t[t.size() / 2];
    };
    MeasuredTimes m;
    m.batch = batch;
    // Every family cuDNN supports for this shape within the cap: its three passes timed with
    // their own workspace. A family some pass of which is unsupported is left out (the
    // simulator then has fewer choices for the layer, never made-up ones).
    for (const AlgorithmFamily& family : kFamilies) {
        std::size_t wsForward = 0, wsData = 0, wsFilter = 0;
        if (cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.conv, d.y, family.forward, &wsForward) !=
                CUDNN_STATUS_SUCCESS ||
            cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.conv, d.x, family.data, &wsData) !=
                CUDNN_STATUS_SUCCESS ||
            cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.conv, d.w, family.filter, &wsFilter) !=
                CUDNN_STATUS_SUCCESS)
            continue;
        const std::size_t ws = std::max({wsForward, wsData, wsFilter, std::size_t(1)});
        if (ws > workspaceCap)
            continue;
        gpu::DeviceBuffer familyWorkspace(ws);
        bool ran = true;
        auto timed = [&](auto&& run) {
            if (!ran || run() != CUDNN_STATUS_SUCCESS) {
                ran = false;
                return 0.0;
            }
            return timeIt([&] { run(); });
        };
        MeasuredAlgorithm a;
        a.algorithm = family.family;
        a.workspace_bytes = static_cast<std::uint64_t>(static_cast<double>(ws) * scale);
        a.forward_s = scale * timed([&] {
                          return cudnnConvolutionForward(h, &one, d.x, x.get(), d.w, w.get(), d.conv, family.forward,
                                                         familyWorkspace.get(), ws, &zero, d.y, y.get());
                      });
        a.backward_s = scale * (timed([&] {
                                    return cudnnConvolutionBackwardData(h, &one, d.w, w.get(), d.y, dy.get(), d.conv,
                                                                        family.data, familyWorkspace.get(), ws, &zero,
                                                                        d.x, dx.get());
                                }) +
                                timed([&] {
                                    return cudnnConvolutionBackwardFilter(h, &one, d.x, x.get(), d.y, dy.get(), d.conv,
                                                                          family.filter, familyWorkspace.get(), ws,
                                                                          &zero, d.w, dw.get());
                                }));
        if (ran)
            m.algorithms.push_back(a);
    }
    m.forward_s = scale * timeIt([&] {
                      check(cudnnConvolutionForward(h, &one, d.x, x.get(), d.w, w.get(), d.conv, f->algo,
                                                    workspace.get(), workspace.bytes(), &zero, d.y, y.get()),
                            "cudnnConvolutionForward");
                  });
    m.backward_s =
        scale * (timeIt([&] {
                     check(cudnnConvolutionBackwardData(h, &one, d.w, w.get(), d.y, dy.get(), d.conv, bd->algo,
                                                        workspace.get(), workspace.bytes(), &zero, d.x, dx.get()),
                           "cudnnConvolutionBackwardData");
                 }) +
                 timeIt([&] {
                     check(cudnnConvolutionBackwardFilter(h, &one, d.x, x.get(), d.y, dy.get(), d.conv, bf->algo,
                                                          workspace.get(), workspace.bytes(), &zero, d.w, dw.get()),
                           "cudnnConvolutionBackwardFilter");
                 }));
    return m;
}

#else

ConvTimer::ConvTimer(std::uint64_t memoryCapBytes) : cap_(memoryCapBytes) {}
ConvTimer::~ConvTimer() = default;
bool ConvTimer::available()
{
    return false;
}
MeasuredTimes ConvTimer::time(const NetworkModel&, int, std::int64_t, int)
{
    throw std::runtime_error("offload-probe was built without cuDNN");
}

#endif

} // namespace offload::probe
