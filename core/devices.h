#pragma once
// GPUs and host links: presets with data-sheet numbers (each cites its source) and custom values.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace offload {

struct GpuSpec {
    std::string id;                 // preset id ("titan-x-maxwell") or "custom" / "measured"
    std::string name;               // shown to users
    double peak_flops = 0;          // FLOP/s at the training dtype's usual math (FP32 for fp32)
    double peak_flops_fp16 = 0;     // FLOP/s for fp16/bf16 (tensor cores where present); 0 = same as peak_flops
    double dram_bytes_per_s = 0;
    std::uint64_t memory_bytes = 0;
    double compute_efficiency = 0.7; // fraction of peak reached by real kernels (roofline)
    double dram_efficiency = 0.8;
    // GPU memory the CUDA context and the libraries' kernels take before training allocates
    // anything; the default memory budget leaves it out.
    std::uint64_t context_bytes = 0;
    // The memory hierarchy the DeLTA compute model needs (0: not described; delta then falls
    // back to the roofline). Bandwidths are for the whole GPU.
    int sm_count = 0;
    std::uint64_t shared_bytes_per_sm = 0; // shared memory a thread block's tiles can use
    double l1_bytes_per_s = 0;             // L1 / shared memory: SMs x 128 B per clock x clock
    std::uint64_t l2_bytes = 0;
    double l2_bytes_per_s = 0;
    std::string citation;
};

struct LinkSpec {
    std::string id;   // preset id ("pcie3-x16") or "custom"
    std::string name;
    double d2h_bytes_per_s = 0; // per direction
    double h2d_bytes_per_s = 0;
    double latency_s = 0;       // fixed cost per transfer
    bool full_duplex = true;    // false: D2H and H2D share one link (one at a time)
    std::string citation;
};

const std::vector<GpuSpec>& gpuPresets();
const std::vector<LinkSpec>& linkPresets();
const GpuSpec* findGpuPreset(std::string_view id);
const LinkSpec* findLinkPreset(std::string_view id);

} // namespace offload
