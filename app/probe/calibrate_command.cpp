// offload-probe calibrate: measures pinned H2D/D2H bandwidth against copy size, device copy
// and GEMM rates, GPU ZVC throughput and, given a network, its conv and fc layer times, and
// writes them as a device profile ("offload-studio/device" v1).
#include "conv_timer.h"
#include "gemm_timer.h"
#include "layer_gemms.h"
#include "probe.h"

#include "core/cuda/gpu.h"
#include "core/device_profile.h"
#include "core/input_error.h"
#include "core/network_json.h"
#include "core/version.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <vector>

namespace offload::probe {

namespace {

struct CalibrateOptions {
    std::string network;
    std::int64_t batch = 0;
    std::string out;
    bool quick = false;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Median seconds of `repeats` timed runs of `work` on `stream`, after one untimed warm-up.
template <typename Work> double timeOnStream(gpu::StreamHandle stream, int repeats, Work&& work)
{
    work();
    gpu::Event start, stop;
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        start.record(stream);
        work();
        stop.record(stream);
        stop.synchronize();
        times.push_back(stop.secondsSince(start));
    }
    return median(times);
}

// One copy per timed run: the fixed cost per call is part of the curve, as vDNN pays it once
// per tensor.
std::vector<BandwidthPoint> copyCurve(gpu::CopyKind kind, void* device, void* host, std::uint64_t maxBytes,
                                      gpu::StreamHandle stream)
{
    std::vector<BandwidthPoint> curve;
    for (std::uint64_t bytes = 4096; bytes <= maxBytes; bytes *= 4) {
        const int repeats = bytes < (1u << 20) ? 21 : 7;
        const double s = timeOnStream(stream, repeats, [&] {
            if (kind == gpu::CopyKind::host_to_device)
                gpu::copyAsync(device, host, bytes, kind, stream);
            else
                gpu::copyAsync(host, device, bytes, kind, stream);
        });
        curve.push_back({bytes, static_cast<double>(bytes) / s});
    }
    return curve;
}

// Least-squares fit of time = latency + bytes / bandwidth; returns the latency (>= 0).
double fitLatency(const std::vector<BandwidthPoint>& curve)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double n = static_cast<double>(curve.size());
    for (const BandwidthPoint& p : curve) {
        const double x = static_cast<double>(p.bytes);
        const double y = x / p.bytes_per_s;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double denom = n * sxx - sx * sx;
    if (denom <= 0)
        return 0;
    const double slope = (n * sxy - sx * sy) / denom;
    return std::max(0.0, (sy - slope * sx) / n);
}

ZvcThroughput measureZvc(double sparsity, std::uint64_t elements, gpu::StreamHandle stream, int repeats)
{
    const std::uint64_t bytes = elements * 4;
    gpu::DeviceBuffer input(bytes), output(bytes), copy(bytes);
    gpu::DeviceBuffer compressed(gpu::zvcMaxCompressedBytes(elements, 4));
    gpu::DeviceBuffer index(gpu::zvcIndexEntries(elements) * sizeof(std::uint64_t));
    auto* idx = static_cast<std::uint64_t*>(index.get());
    gpu::fillSparseAsync(static_cast<float*>(input.get()), elements, sparsity, 12345u, stream);

    ZvcThroughput t;
    t.sparsity = sparsity;
    t.tensor_bytes = bytes;
    const double compress = timeOnStream(
        stream, repeats, [&] { gpu::zvcCompressAsync(input.get(), elements, 4, compressed.get(), idx, stream); });
    const double decompress = timeOnStream(
        stream, repeats, [&] { gpu::zvcDecompressAsync(compressed.get(), idx, elements, 4, output.get(), stream); });
    const double d2d = timeOnStream(stream, repeats, [&] {
        gpu::copyAsync(copy.get(), input.get(), bytes, gpu::CopyKind::device_to_device, stream);
    });
    t.compress_bytes_per_s = static_cast<double>(bytes) / compress;
    t.decompress_bytes_per_s = static_cast<double>(bytes) / decompress;
    t.d2d_copy_bytes_per_s = static_cast<double>(bytes) / d2d;

    // A throughput of a codec that does not round-trip would be a fake figure: check it.
    std::vector<std::uint8_t> a(bytes), b(bytes);
    gpu::copySync(a.data(), input.get(), bytes, gpu::CopyKind::device_to_host);
    gpu::copySync(b.data(), output.get(), bytes, gpu::CopyKind::device_to_host);
    if (std::memcmp(a.data(), b.data(), bytes) != 0)
        throw std::runtime_error("GPU ZVC round trip does not reproduce the tensor; throughput not reported");
    return t;
}

int runCalibrate(const CalibrateOptions& o)
{
    std::string why;
    const auto device = gpu::probeDevice(&why);
    if (!device) {
        std::cerr << "offload-probe: " << why << "\n";
        return kNoDevice;
    }
    // Read the network first so that a typo fails before minutes of measuring.
    std::optional<NetworkModel> model;
    if (!o.network.empty()) {
        if (o.batch <= 0)
            throw InputError("", "--batch", "a batch size is needed with --network");
        model.emplace(loadNetworkFile(o.network));
    }

    std::cout << "device: " << device->name << " (compute capability " << device->cc_major << "." << device->cc_minor
              << ", " << device->sm_count << " SMs, " << device->memory_bytes / (1024 * 1024) << " MiB)\n";

    DeviceProfile p;
    p.device_name = device->name;
    p.compute_capability = std::to_string(device->cc_major) + "." + std::to_string(device->cc_minor);
    p.sm_count = device->sm_count;
    p.measured_at = utcNow();
    p.tool = std::string("offload-probe ") + kVersion;
    p.gpu.memory_bytes = device->memory_bytes;
    // The memory hierarchy for the delta compute model: sizes from the driver, L1 bandwidth from
    // 128 bytes per SM per clock (32 banks of 4 bytes); L2 bandwidth is not measured here and
    // takes 2.3x DRAM, the presets' assumption (docs/scenario-format.md).
    p.gpu.sm_count = device->sm_count;
    p.gpu.shared_bytes_per_sm = device->shared_bytes_per_sm;
    p.gpu.l1_bytes_per_s = device->sm_count * 128.0 * device->sm_clock_hz;
    p.gpu.l2_bytes = device->l2_bytes;

    gpu::Stream stream, second;
    const std::uint64_t maxCopy = o.quick ? (16ull << 20) : (256ull << 20);
    {
        gpu::DeviceBuffer d(maxCopy), d2(maxCopy);
        gpu::PinnedBuffer h(maxCopy), h2(maxCopy);
        std::memset(h.get(), 1, maxCopy);
        p.h2d = copyCurve(gpu::CopyKind::host_to_device, d.get(), h.get(), maxCopy, stream.handle());
        p.d2h = copyCurve(gpu::CopyKind::device_to_host, d.get(), h.get(), maxCopy, stream.handle());
        p.link_latency_s = 0.5 * (fitLatency(p.h2d) + fitLatency(p.d2h));
        std::cout << "pinned H2D / D2H by copy size:\n";
        for (std::size_t i = 0; i < p.h2d.size(); ++i)
            std::printf("  %10llu B  %s  %s\n", static_cast<unsigned long long>(p.h2d[i].bytes),
                        formatRate(p.h2d[i].bytes_per_s).c_str(), formatRate(p.d2h[i].bytes_per_s).c_str());
        std::printf("  fitted fixed cost per copy: %.2f us\n", p.link_latency_s * 1e6);

        // Full duplex: both directions at once, each on its own stream, against one alone.
        const std::uint64_t bytes = maxCopy;
        gpu::Event start, endA, endB;
        start.record(stream.handle());
        start.makeWait(second.handle());
        gpu::copyAsync(d.get(), h.get(), bytes, gpu::CopyKind::host_to_device, stream.handle());
        gpu::copyAsync(h2.get(), d2.get(), bytes, gpu::CopyKind::device_to_host, second.handle());
        endA.record(stream.handle());
        endB.record(second.handle());
        endA.synchronize();
        endB.synchronize();
        const double both = std::max(endA.secondsSince(start), endB.secondsSince(start));
        const double alone = static_cast<double>(bytes) / std::min(p.h2d.back().bytes_per_s, p.d2h.back().bytes_per_s);
        // Half duplex would take about the sum of both; allow 30 % of slack for shared DRAM.
        p.full_duplex = both < 1.3 * alone;
        std::printf("  both directions at once: %.2f ms for %.2f ms alone -> %s duplex\n", both * 1e3, alone * 1e3,
                    p.full_duplex ? "full" : "half");
    }

    // ZVC at the sparsities of the benchmark in docs/gpu.md.
    const std::uint64_t zvcElements = (o.quick ? 16ull : 64ull) << 20;
    for (double s : {0.5, 0.8}) {
        const ZvcThroughput t = measureZvc(s, zvcElements, stream.handle(), o.quick ? 3 : 7);
        std::printf("ZVC fp32 %.0f %% zeros, %llu MiB: compress %s, decompress %s, device copy %s (compress = %.0f %% "
                    "of copy)\n",
                    s * 100, static_cast<unsigned long long>(t.tensor_bytes >> 20),
                    formatRate(t.compress_bytes_per_s).c_str(), formatRate(t.decompress_bytes_per_s).c_str(),
                    formatRate(t.d2d_copy_bytes_per_s).c_str(), 100 * t.compress_bytes_per_s / t.d2d_copy_bytes_per_s);
        p.zvc.push_back(t);
    }

    // DRAM: a device copy reads and writes every byte.
    const double copyDram = 2 * p.zvc.front().d2d_copy_bytes_per_s;
    p.gpu.dram_bytes_per_s = device->theoretical_dram_bytes_per_s > 0 ? device->theoretical_dram_bytes_per_s : copyDram;
    p.gpu.dram_efficiency = std::clamp(copyDram / p.gpu.dram_bytes_per_s, 0.01, 1.0);
    p.gpu.l2_bytes_per_s = 2.3 * p.gpu.dram_bytes_per_s;

    std::string citation = "DRAM: data-sheet rate from the driver's memory clock and bus width, efficiency = "
                           "measured device copy (read + write) / that rate";
    std::optional<GemmTimer> gemm;
    if (GemmTimer::available()) {
        const std::uint64_t cap = std::min<std::uint64_t>(gpu::freeDeviceMemory() / 2, 6ull << 30);
        gemm.emplace(cap);
        const std::int64_t dim = o.quick ? 2048 : 8192;
        const GemmShape square{dim, dim, dim, 1};
        const double fp32 = square.flops() / gemm->seconds(square, false);
        const double fp16 = square.flops() / gemm->seconds(square, true);
        p.gpu.peak_flops = device->theoretical_fp32_flops > 0 ? device->theoretical_fp32_flops : fp32;
        p.gpu.compute_efficiency = std::clamp(fp32 / p.gpu.peak_flops, 0.01, 1.0);
        // The simulator applies one efficiency to both precisions; store the FP16 peak so that
        // peak x efficiency reproduces the measured FP16 GEMM rate.
        p.gpu.peak_flops_fp16 = fp16 / p.gpu.compute_efficiency;
        std::printf(
            "GEMM %lldx%lldx%lld: FP32 %.2f TFLOP/s (%.0f %% of %.2f TFLOP/s from SMs x clock), FP16 %.2f TFLOP/s\n",
            static_cast<long long>(dim), static_cast<long long>(dim), static_cast<long long>(dim), fp32 / 1e12,
            100 * p.gpu.compute_efficiency, p.gpu.peak_flops / 1e12, fp16 / 1e12);
        citation += "; FP32 peak: SMs x FP32 lanes x 2 x clock, efficiency = measured cuBLAS SGEMM / peak; FP16 "
                    "peak: measured cuBLAS FP16 GEMM / that efficiency";
    } else {
        p.gpu.peak_flops = device->theoretical_fp32_flops > 0 ? device->theoretical_fp32_flops : 1e12;
        citation += "; FP32 peak from SMs x lanes x clock, not measured (built without cuBLAS)";
        std::cout << "GEMM rates not measured: offload-probe was built without cuBLAS\n";
    }
    p.gpu.citation = citation + "; " + p.tool + ", " + p.measured_at;

    if (model) {
        if (!gemm) {
            std::cerr << "offload-probe: layer times need cuBLAS, which this build does not have\n";
            return kFailure;
        }
        std::optional<ConvTimer> conv;
        if (ConvTimer::available())
            conv.emplace(std::min<std::uint64_t>(gpu::freeDeviceMemory() / 2, 8ull << 30));
        p.layer_times_network = model->network().name;
        p.layer_times_method = conv ? "cudnn-conv+cublas-fc" : GemmTimer::method();
        std::printf("layer times at batch %lld (%s):\n", static_cast<long long>(o.batch),
                    conv ? "conv with cuDNN's preferred algorithms, fc as cuBLAS GEMMs"
                         : "cuDNN not available: conv as implicit GEMMs with cuBLAS, one per group; fc as GEMMs");
        for (int i = 0; i < static_cast<int>(model->size()); ++i) {
            const Layer& layer = model->network().layers[static_cast<std::size_t>(i)];
            const LayerGemms g = layerGemms(*model, i, o.batch);
            if (g.forward.empty())
                continue;
            MeasuredTimes m;
            m.batch = o.batch;
            if (conv && layer.kind == LayerKind::conv) {
                m = conv->time(*model, i, o.batch);
            } else {
                for (const GemmShape& s : g.forward)
                    m.forward_s += gemm->seconds(s);
                for (const GemmShape& s : g.backward)
                    m.backward_s += gemm->seconds(s);
            }
            p.layer_times[layer.name] = m;
            std::printf("  %-24s forward %9.3f ms  backward %9.3f ms\n", layer.name.c_str(), m.forward_s * 1e3,
                        m.backward_s * 1e3);
        }
    }

    saveDeviceProfileFile(p, o.out);
    std::cout << "wrote " << o.out << "\n";
    return kSuccess;
}

} // namespace

void addCalibrateCommand(CLI::App& app, int& exitCode)
{
    auto opts = std::make_shared<CalibrateOptions>();
    CLI::App* cmd = app.add_subcommand("calibrate", "Measure this GPU and write a device profile");
    cmd->add_option("--network", opts->network, "Network file whose conv and fc layers are timed")
        ->check(CLI::ExistingFile);
    cmd->add_option("--batch", opts->batch, "Batch size for the layer times (with --network)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--out", opts->out, "Device profile to write (offload-studio/device v1)")->required();
    cmd->add_flag("--quick", opts->quick, "Smaller sizes and fewer repeats (smoke test; figures less stable)");
    cmd->callback([opts, &exitCode] {
        try {
            exitCode = runCalibrate(*opts);
        } catch (const InputError& e) {
            std::cerr << "offload-probe: " << (e.file().empty() ? "" : e.file() + ": ")
                      << (e.place().empty() ? "" : e.place() + ": ") << e.message() << "\n";
            exitCode = kBadInput;
        } catch (const std::exception& e) {
            std::cerr << "offload-probe: " << e.what() << "\n";
            exitCode = kFailure;
        }
    });
}

} // namespace offload::probe
