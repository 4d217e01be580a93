// GPU ZVC speed benchmark (docs/gpu.md). For fp32 tensors with 50 % and 80 % zeros it measures,
// in the same run: device-to-device copy bandwidth, ZVC compress and decompress throughput, and,
// where Python with a CUDA build of PyTorch exists, PyTorch's `x[x != 0]` plus a packed bit mask.
// Target: compression >= 70 % of the copy bandwidth. Usage: bench_gpu_zvc [ELEMENTS]
// [--require-target]. Exit codes: 0 done (and, with --require-target, the target met), 1 a
// round trip failed or the required target was missed, 77 no GPU (CTest's skip code).
#include "core/cuda/gpu.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace offload::gpu;

namespace {

template <typename Work> double medianSeconds(StreamHandle s, int repeats, Work&& work)
{
    work(); // warm-up
    Event start, stop;
    std::vector<double> t;
    for (int r = 0; r < repeats; ++r) {
        start.record(s);
        work();
        stop.record(s);
        stop.synchronize();
        t.push_back(stop.secondsSince(start));
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

// Runs the PyTorch baseline script; returns its output line or the reason it did not run.
bool runTorchBaseline(std::uint64_t elements, double sparsity, std::string& out)
{
    const std::string cmd = std::string("python3 '") + OFFLOAD_TORCH_BASELINE_SCRIPT + "' " + std::to_string(elements) +
                            " " + std::to_string(sparsity) + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) {
        out = "cannot start python3";
        return false;
    }
    std::array<char, 512> buf{};
    out.clear();
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), pipe.get()))
        out += buf.data();
    const int status = pclose(pipe.release());
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    // The script exits with 3 and prints why when python3, torch or CUDA in torch is missing.
    return status == 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::string why;
    const auto device = probeDevice(&why);
    if (!device) {
        std::printf("bench_gpu_zvc: skipped: %s\n", why.c_str());
        return 77;
    }
    std::uint64_t elements = 64ull << 20; // 256 MiB of fp32: far larger than any L2 cache
    bool requireTarget = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--require-target") == 0)
            requireTarget = true;
        else
            elements = std::stoull(argv[i]);
    }
    const std::uint64_t bytes = elements * 4;
    std::printf("device: %s (cc %d.%d, %d SMs)\ntensor: %llu fp32 values (%.0f MiB)\n", device->name.c_str(),
                device->cc_major, device->cc_minor, device->sm_count, static_cast<unsigned long long>(elements),
                static_cast<double>(bytes) / (1 << 20));

    Stream stream;
    const StreamHandle s = stream.handle();
    DeviceBuffer input(bytes), copy(bytes), output(bytes);
    DeviceBuffer compressed(zvcMaxCompressedBytes(elements, 4));
    DeviceBuffer index(zvcIndexEntries(elements) * sizeof(std::uint64_t));
    auto* idx = static_cast<std::uint64_t*>(index.get());

    bool met = true;
    std::printf("\n%-9s %12s %12s %12s %10s %8s  %s\n", "zeros", "copy GB/s", "compr GB/s", "decomp GB/s", "compr/copy",
                "ratio", "PyTorch x[x!=0]+mask GB/s");
    for (double sparsity : {0.5, 0.8}) {
        fillSparseAsync(static_cast<float*>(input.get()), elements, sparsity, 7u, s);
        const double tCopy =
            medianSeconds(s, 11, [&] { copyAsync(copy.get(), input.get(), bytes, CopyKind::device_to_device, s); });
        const double tCompress =
            medianSeconds(s, 11, [&] { zvcCompressAsync(input.get(), elements, 4, compressed.get(), idx, s); });
        const std::uint64_t size = zvcCompressedSize(idx, elements, s);
        const double tDecompress =
            medianSeconds(s, 11, [&] { zvcDecompressAsync(compressed.get(), idx, elements, 4, output.get(), s); });
        // A fast codec that does not round-trip proves nothing.
        std::vector<std::uint8_t> a(bytes), b(bytes);
        copySync(a.data(), input.get(), bytes, CopyKind::device_to_host);
        copySync(b.data(), output.get(), bytes, CopyKind::device_to_host);
        if (std::memcmp(a.data(), b.data(), bytes) != 0) {
            std::printf("ZVC round trip FAILED at %.0f %% zeros\n", sparsity * 100);
            return 1;
        }
        const double copyRate = static_cast<double>(bytes) / tCopy;
        const double compressRate = static_cast<double>(bytes) / tCompress;
        const double decompressRate = static_cast<double>(bytes) / tDecompress;
        const double share = compressRate / copyRate;
        met = met && share >= 0.7;
        std::string torch;
        const bool torchRan = runTorchBaseline(elements, sparsity, torch);
        std::printf("%-9.0f %12.1f %12.1f %12.1f %9.0f%% %8.2f  %s\n", sparsity * 100, copyRate / 1e9,
                    compressRate / 1e9, decompressRate / 1e9, share * 100,
                    static_cast<double>(bytes) / static_cast<double>(size),
                    torchRan ? torch.c_str() : ("skipped (" + torch + ")").c_str());
    }
    std::printf("\ncopy GB/s: bytes copied per second by cudaMemcpyAsync device-to-device; compr/decomp GB/s: "
                "uncompressed bytes per second; target: compression >= 70 %% of copy: %s\n",
                met ? "met" : "MISSED");
    return met || !requireTarget ? 0 : 1;
}
