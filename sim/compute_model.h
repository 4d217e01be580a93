#pragma once
// Compute time of a layer's forward and backward pass on a GPU, by one of two models:
//
// roofline: max(FLOPs / (peak x compute_efficiency), DRAM bytes / (DRAM x dram_efficiency)).
// delta:    after DeLTA (Lym et al., ISPASS 2019): convolutions and fully
//           connected layers as GEMMs cut into thread-block (CTA) tiles, with wave quantization
//           and occupancy, and the traffic at L1, L2 and DRAM with the reuse each level
//           catches; the time is the most limiting of compute and the three levels.
//
// Measured times (a layer's measured_times) win over both (prepared_network.cpp). docs/model.md
// ("Compute time of a layer") gives every formula and names what the paper does not publish.
#include "core/devices.h"
#include "core/dtype.h"
#include "core/network_model.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace offload::sim {

enum class ComputeModelKind : std::uint8_t { roofline, delta };
std::string_view computeModelName(ComputeModelKind k); // "roofline", "delta"
std::optional<ComputeModelKind> parseComputeModel(std::string_view s);

// What limits a pass: the SMs' arithmetic or the bandwidth of one memory level.
enum class Bound : std::uint8_t { compute, l1, l2, dram };
std::string_view boundName(Bound b); // "compute", "l1", "l2", "dram"

struct PassEstimate {
    double seconds = 0;
    Bound bound = Bound::compute;
    double flops = 0;
    double l1_bytes = 0;   // loads the SMs issue to L1 / shared memory
    double l2_bytes = 0;   // L1 misses (and stores) reaching L2
    double dram_bytes = 0; // L2 misses and write-backs reaching DRAM
};

struct LayerEstimate {
    PassEstimate forward;
    PassEstimate backward; // data and weight gradients together (bound: the longer one's)
};

// One GEMM C[M x N] = A[M x K] B[K x N], `count` independent instances (groups), with the
// bytes L1 misses fetch per CTA tile of A beyond the plain panel (implicit GEMM's im2col halo
// reuse: `a_tile_unique_bytes`, 0 = the whole Mt x K panel) and the compulsory bytes of A and
// B (what DRAM must deliver at least once).
struct GemmProblem {
    double m = 1, n = 1, k = 1;
    double count = 1;
    double a_tile_unique_bytes = 0;
    double a_bytes = 0, b_bytes = 0;
};
PassEstimate deltaGemm(const GemmProblem& gemm, DType dtype, const GpuSpec& gpu);

LayerEstimate estimateLayer(ComputeModelKind kind, const NetworkModel& model, int layer, std::int64_t batch,
                            DType dtype, const GpuSpec& gpu);

// True when the GPU describes its memory hierarchy (SMs, L1, L2), which delta needs; without it
// delta falls back to the roofline.
bool hasMemoryHierarchy(const GpuSpec& gpu);

} // namespace offload::sim
