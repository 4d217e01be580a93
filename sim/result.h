#pragma once
// What one simulation produces. Views and exporters read this; they never recompute the model.
#include "compute_model.h"
#include "conv_algorithms.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace offload::sim {

enum class Lane : std::uint8_t { compute, d2h, h2d, codec };
enum class EventKind : std::uint8_t { forward, backward, offload, prefetch, compress, decompress, stall };

std::string_view laneName(Lane);
std::string_view eventKindName(EventKind);

struct Event {
    double start_s = 0;
    double end_s = 0;
    int layer = -1;  // the compute layer this event belongs to or overlaps (the one that issued it)
    int tensor = -2; // transfers and codec work: producer index of the tensor moved (-1 network input)
    Lane lane = Lane::compute;
    EventKind kind = EventKind::forward;
    std::uint64_t raw_bytes = 0;  // uncompressed bytes (transfers, codec work)
    std::uint64_t wire_bytes = 0; // bytes over the link (compressed)
};

// One per network layer, in execution order. Offload fields describe the layer's OUTPUT tensor
// (the X that its consumers read), which is what vDNN stashes and moves.
struct LayerResult {
    double sparsity = 0;   // of the layer's output at the scenario's progress
    double ratio = 1;      // compression ratio applied to that output when offloaded
    bool offloaded = false;
    double forward_s = 0;  // compute time of the layer (roofline or measured)
    double backward_s = 0;
    double offload_s = 0;  // D2H time of the output (wire time, incl. latency)
    double prefetch_s = 0; // H2D time
    double forward_stall_s = 0;  // time the compute stream waited after this layer's forward
    double backward_stall_s = 0; // time the compute stream waited before this layer's backward
    std::uint64_t output_bytes = 0;     // activation bytes of the output at the batch
    std::uint64_t offload_wire_bytes = 0;
    std::optional<ConvAlgorithm> algorithm; // conv layers: the convolution algorithm run
    std::uint64_t workspace_bytes = 0;      // held while the layer's forward or backward runs
    Bound forward_bound = Bound::compute;   // what limits each pass (the compute model's answer)
    Bound backward_bound = Bound::compute;
};

// Where a tensor's values are at a time (TensorSpan). gpu: a buffer on the GPU holds them
// (MemoryKind::activations). offloading: the copy to the host has started and its GPU buffer is
// still allocated (MemoryKind::in_flight), until the copy has ended and the layer that issued it
// has finished its forward pass. host: only the pinned host copy exists (no GPU memory).
// prefetching: the GPU buffer for the copy back is allocated and the copy is queued or under way
// (MemoryKind::in_flight), until the copy ends.
enum class TensorPlace : std::uint8_t { gpu, offloading, host, prefetching };
std::string_view tensorPlaceName(TensorPlace);

// One stretch of time [start_s, end_s) during which a tensor stays in one place. The engine
// records them where its memory ledger allocates, changes or releases the buffers of stashed and
// moved tensors, so at any time t the bytes of the spans covering t whose place is not host add
// up to by_kind[activations] + by_kind[in_flight] of the memory curve at t. A tensor an in-place
// activation takes over ends its last span when that layer's forward pass starts, and the
// layer's output starts its own in the same buffer. A tensor still allocated when the iteration
// ends (none in practice) has its span closed at Summary::iteration_s.
struct TensorSpan {
    double start_s = 0;
    double end_s = 0;
    std::uint64_t bytes = 0; // the tensor's size at the batch (uncompressed)
    int tensor = -1;         // producer index, -1 network input (as Event::tensor)
    TensorPlace place = TensorPlace::gpu;
};

// What GPU memory is used for. weights: weights and their gradients (resident); workspace:
// convolution workspace (resident); activations: stashed layer outputs and the network input;
// in_flight: buffers of tensors being copied (offload or prefetch under way); gradients: dX/dY.
enum class MemoryKind : std::uint8_t { weights, workspace, activations, in_flight, gradients };
inline constexpr std::size_t kMemoryKinds = 5;
std::string_view memoryKindName(MemoryKind);

struct MemoryPoint {
    double time_s = 0;
    std::uint64_t bytes = 0; // GPU memory allocated from time_s until the next point
    std::array<std::uint64_t, kMemoryKinds> by_kind{}; // sums to `bytes`; index by MemoryKind
};

// What the memory reductions are measured against (vDNN, MICRO 2016; docs/model.md).
// vdnn: vDNN's network-wide allocation: every tensor and its gradient, weights, weight gradients
//       and every convolution's workspace (the oracle's performance-optimal algorithms, one
//       buffer per pass) allocated for the whole iteration.
// lean: the oracle's own timeline: in-place activations, tensors freed after their last reader,
//       gradients only while needed, workspace only while its layer runs.
enum class BaselineKind : std::uint8_t { vdnn, lean };
std::string_view baselineName(BaselineKind);
std::optional<BaselineKind> parseBaseline(std::string_view);

struct Summary {
    double iteration_s = 0;
    // The oracle: same network, no offload, unlimited memory, performance-optimal convolution
    // algorithms. Both baselines run at its speed; they differ in memory only.
    double oracle_s = 0;
    double overhead = 0;          // iteration_s / oracle_s - 1
    double uncompressed_s = 0;    // same scenario with codec none
    double speedup_vs_uncompressed = 1; // uncompressed_s / iteration_s
    std::uint64_t d2h_raw_bytes = 0, d2h_wire_bytes = 0;
    std::uint64_t h2d_raw_bytes = 0, h2d_wire_bytes = 0;
    double d2h_utilization = 0;   // busy time of the D2H lane / iteration time
    double h2d_utilization = 0;
    std::uint64_t weight_bytes = 0;
    std::uint64_t peak_gpu_bytes = 0;
    std::uint64_t avg_gpu_bytes = 0;        // vDNN's definition: mean over layer steps (fwd and bwd)
    std::uint64_t oracle_peak_gpu_bytes = 0; // the oracle's timeline (the lean baseline)
    std::uint64_t oracle_avg_gpu_bytes = 0;
    // vDNN's network-wide allocation of this network at this batch (the vdnn baseline).
    std::uint64_t vdnn_allocation_bytes = 0;
    BaselineKind baseline = BaselineKind::vdnn;
    std::uint64_t baseline_peak_gpu_bytes = 0; // of the chosen baseline
    std::uint64_t baseline_avg_gpu_bytes = 0;  // vdnn: the same (its allocation never changes)
    double peak_reduction = 0;    // 1 - peak / baseline peak
    double avg_reduction = 0;     // 1 - avg / baseline avg (vDNN reports this against vdnn)
    std::uint64_t workspace_peak_bytes = 0; // largest per-layer workspace of the chosen algorithms
    int downgraded_conv_layers = 0;         // vDNN-dyn: conv layers moved off the fastest algorithm
    double forward_stall_s = 0, backward_stall_s = 0;
    int offloaded_layers = 0;
    bool feasible = true;         // false when the memory budget cannot be met
    std::string infeasible_reason;
};

struct Result {
    Summary summary;
    std::vector<LayerResult> layers;
    std::vector<Event> events; // sorted by start time within each lane
    std::vector<MemoryPoint> memory;
    std::vector<MemoryPoint> oracle_memory;
    // Filled together with `events`. No span has zero length; spans with no bytes are left out.
    // In no particular order (teaching.h answers questions about a time).
    std::vector<TensorSpan> residency;
};

} // namespace offload::sim
