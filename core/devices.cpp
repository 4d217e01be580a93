#include "devices.h"

#include "byte_units.h"

#include <string>

namespace offload {

namespace {

// GPU memory taken by the CUDA context with cuDNN's and cuBLAS's kernels loaded, before a
// framework allocates anything. Not on any data sheet: an assumption from commonly reported
// figures (a few hundred MiB; more on newer GPUs, whose libraries carry more kernels).
constexpr double kContextMiBPascalAndOlder = 250;
constexpr double kContextMiBVoltaAndNewer = 500;

GpuSpec gpu(const char* id, const char* name, double tflops, double tflopsFp16, double dramGBps, double memoryGiB,
            const char* citation, double contextMiB = kContextMiBVoltaAndNewer)
{
    GpuSpec g;
    g.context_bytes = static_cast<std::uint64_t>(contextMiB * kBytesPerMiB);
    g.id = id;
    g.name = name;
    g.peak_flops = tflops * 1e12;
    g.peak_flops_fp16 = tflopsFp16 * 1e12;
    g.dram_bytes_per_s = dramGBps * 1e9;
    g.memory_bytes = static_cast<std::uint64_t>(memoryGiB * kBytesPerGiB);
    g.citation = citation;
    return g;
}

// SMs, boost clock, shared memory per SM, L2 size and bandwidth. L1 bandwidth: 32 banks of
// 4 bytes per SM per clock (CUDA C++ Programming Guide, shared memory), at the boost clock.
// L2 bandwidth: Jia et al. measured 1,624 GB/s on P100 and 2,155 GB/s on V100 ("Dissecting the
// NVIDIA Volta GPU Architecture via Microbenchmarking", 2018); no vendor publishes it, so the
// other GPUs take 2.3x their DRAM bandwidth, the mean ratio of those two measurements (an
// assumption, labelled in the preset's citation).
constexpr double kL2OverDram = 2.3;

GpuSpec withHierarchy(GpuSpec g, int sms, double boostGHz, double sharedKiB, double l2MiB, double l2GBps,
                      const char* source)
{
    g.sm_count = sms;
    g.shared_bytes_per_sm = static_cast<std::uint64_t>(sharedKiB * kBytesPerKiB);
    g.l1_bytes_per_s = sms * 128.0 * boostGHz * 1e9;
    g.l2_bytes = static_cast<std::uint64_t>(l2MiB * kBytesPerMiB);
    g.l2_bytes_per_s = l2GBps > 0 ? l2GBps * 1e9 : kL2OverDram * g.dram_bytes_per_s;
    g.citation += std::string("; hierarchy: ") + source +
                  (l2GBps > 0 ? "" : "; L2 bandwidth assumed 2.3x DRAM (the P100/V100 ratio measured by Jia et al. 2018)");
    return g;
}

LinkSpec link(const char* id, const char* name, double d2hGBps, double h2dGBps, double latencyUs, bool fullDuplex,
              const char* citation)
{
    LinkSpec l;
    l.id = id;
    l.name = name;
    l.d2h_bytes_per_s = d2hGBps * 1e9;
    l.h2d_bytes_per_s = h2dGBps * 1e9;
    l.latency_s = latencyUs * 1e-6;
    l.full_duplex = fullDuplex;
    l.citation = citation;
    return l;
}

} // namespace

const std::vector<GpuSpec>& gpuPresets()
{
    // FP32 peak, FP16 peak (dense tensor-core math where the GPU has it; 0 = no faster FP16
    // path modelled), DRAM bandwidth, memory. Numbers are the vendor's data sheet values.
    static const std::vector<GpuSpec> presets = {
        withHierarchy(gpu("titan-x-maxwell", "GeForce GTX Titan X (Maxwell)", 7.0, 0, 336.5, 12,
                          "vDNN (Rhu et al., MICRO 2016), section V: 7 TFLOPS FP32, 336 GB/s, 12 GB; NVIDIA GeForce "
                          "GTX TITAN X specifications: 336.5 GB/s GDDR5, 12 GB",
                          kContextMiBPascalAndOlder),
                      24, 1.075, 96, 3, 0, "GM200: 24 SMs, 1,075 MHz boost, 96 KB shared memory per SM, 3 MB L2"),
        withHierarchy(gpu("titan-xp", "NVIDIA TITAN Xp (Pascal)", 12.1, 0, 547.6, 12,
                          "NVIDIA TITAN Xp specifications: 12.1 TFLOPS FP32, 547.6 GB/s GDDR5X, 12 GB (also cDMA, "
                          "HPCA 2018)",
                          kContextMiBPascalAndOlder),
                      30, 1.582, 96, 3, 0, "GP102: 30 SMs, 1,582 MHz boost, 96 KB shared memory per SM, 3 MB L2"),
        withHierarchy(gpu("p100", "NVIDIA Tesla P100 SXM2 16 GB", 10.6, 21.2, 732, 16,
                          "NVIDIA Tesla P100 data sheet (SXM2): 10.6 TFLOPS FP32, 21.2 TFLOPS FP16, 732 GB/s HBM2, "
                          "16 GB",
                          kContextMiBPascalAndOlder),
                      56, 1.480, 64, 4, 1624,
                      "GP100: 56 SMs, 1,480 MHz boost, 64 KB shared memory per SM, 4 MB L2; L2 1,624 GB/s measured "
                      "by Jia et al. 2018"),
        withHierarchy(gpu("v100", "NVIDIA Tesla V100 SXM2 32 GB", 15.7, 125, 900, 32,
                          "NVIDIA Tesla V100 data sheet (SXM2): 15.7 TFLOPS FP32, 125 TFLOPS tensor, 900 GB/s HBM2, "
                          "32 GB"),
                      80, 1.530, 96, 6, 2155,
                      "GV100 (Volta whitepaper): 80 SMs, 1,530 MHz boost, up to 96 KB shared memory per SM, 6 MB "
                      "L2; L2 2,155 GB/s measured by Jia et al. 2018"),
        withHierarchy(gpu("a100", "NVIDIA A100 SXM4 80 GB", 19.5, 312, 2039, 80,
                          "NVIDIA A100 Tensor Core GPU data sheet (SXM4 80GB): 19.5 TFLOPS FP32, 312 TFLOPS FP16 "
                          "tensor (dense), 2,039 GB/s HBM2e, 80 GB"),
                      108, 1.410, 164, 40, 0,
                      "GA100 (Ampere whitepaper): 108 SMs, 1,410 MHz boost, up to 164 KB shared memory per SM, "
                      "40 MB L2"),
        withHierarchy(gpu("h100", "NVIDIA H100 PCIe 80 GB", 51, 756, 2000, 80,
                          "NVIDIA H100 Tensor Core GPU data sheet (H100 PCIe): 51 TFLOPS FP32, 756 TFLOPS FP16 "
                          "tensor (dense, half of the 1,513 quoted with sparsity), 2 TB/s HBM2e, 80 GB"),
                      114, 1.755, 228, 50, 0,
                      "GH100 (Hopper whitepaper): 114 SMs on H100 PCIe, 1,755 MHz boost, up to 228 KB shared "
                      "memory per SM, 50 MB L2"),
        withHierarchy(gpu("h100-sxm", "NVIDIA H100 SXM5 80 GB", 67, 989.5, 3350, 80,
                          "NVIDIA H100 Tensor Core GPU data sheet (H100 SXM): 67 TFLOPS FP32, 989 TFLOPS FP16 "
                          "tensor (dense, half of the 1,979 quoted with sparsity), 3.35 TB/s HBM3, 80 GB"),
                      132, 1.980, 228, 50, 0,
                      "GH100 (Hopper whitepaper): 132 SMs on H100 SXM5, 1,980 MHz boost, up to 228 KB shared "
                      "memory per SM, 50 MB L2"),
        withHierarchy(gpu("h200", "NVIDIA H200 SXM 141 GB", 67, 989.5, 4800, 141e9 / kBytesPerGiB,
                          "NVIDIA H200 Tensor Core GPU data sheet (SXM): 67 TFLOPS FP32, 989 TFLOPS FP16 tensor "
                          "(dense), 4.8 TB/s HBM3e, 141 GB"),
                      132, 1.980, 228, 50, 0,
                      "GH100 as in H100 SXM5: 132 SMs, 1,980 MHz boost, 228 KB shared memory per SM, 50 MB L2"),
    };
    return presets;
}

const std::vector<LinkSpec>& linkPresets()
{
    // The default presets are measured copy rates (what cudaMemcpyAsync reaches), the *-peak ones
    // the theoretical per-direction rates. Latency: a few microseconds per cudaMemcpyAsync
    // (launch and DMA setup), a typical figure rather than a data-sheet one.
    static const std::vector<LinkSpec> presets = {
        link("pcie3-x16", "PCIe gen3 x16 (12.8 GB/s measured)", 12.8, 12.8, 5, true,
             "vDNN (Rhu et al., MICRO 2016): 12.8 GB/s measured cudaMemcpy over PCIe gen3 x16"),
        link("pcie3-x16-peak", "PCIe gen3 x16 (15.75 GB/s theoretical)", 15.75, 15.75, 5, true,
             "PCI-SIG PCIe 3.0: 8 GT/s x 16 lanes, 128b/130b encoding = 15.75 GB/s per direction"),
        link("pcie4-x16", "PCIe gen4 x16 (25 GB/s measured)", 25, 25, 5, true,
             "~25 GB/s host-device copies measured on A100 PCIe gen4 systems (public measurements, system dependent)"),
        link("pcie4-x16-peak", "PCIe gen4 x16 (31.5 GB/s theoretical)", 31.5, 31.5, 5, true,
             "PCI-SIG PCIe 4.0: 16 GT/s x 16 lanes, 128b/130b = 31.5 GB/s per direction"),
        link("pcie5-x16", "PCIe gen5 x16 (H100 measured: 53 GB/s D2H, 35 GB/s H2D)", 53, 35, 5, true,
             "Public H100 copy-engine measurements over PCIe gen5 x16: ~53 GB/s D2H, ~35 GB/s H2D "
             "(system dependent)"),
        link("pcie5-x16-peak", "PCIe gen5 x16 (63 GB/s theoretical)", 63, 63, 5, true,
             "PCI-SIG PCIe 5.0: 32 GT/s x 16 lanes, 128b/130b = 63 GB/s per direction"),
        link("nvlink2-host", "NVLink 2.0 CPU-GPU (3 links, 75 GB/s)", 75, 75, 5, true,
             "IBM POWER9 + Tesla V100 (NVLink 2.0, 3 links x 25 GB/s per direction); NVIDIA V100 data sheet"),
        link("nvlink-c2c", "NVLink-C2C (Grace Hopper, 450 GB/s)", 450, 450, 2, true,
             "NVIDIA GH200 Grace Hopper Superchip data sheet: NVLink-C2C 900 GB/s total, 450 GB/s per direction"),
    };
    return presets;
}

const GpuSpec* findGpuPreset(std::string_view id)
{
    for (const auto& g : gpuPresets())
        if (g.id == id)
            return &g;
    return nullptr;
}

const LinkSpec* findLinkPreset(std::string_view id)
{
    for (const auto& l : linkPresets())
        if (l.id == id)
            return &l;
    return nullptr;
}

} // namespace offload
