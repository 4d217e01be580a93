#pragma once
// Questions a teaching view asks of one simulated iteration at a time t (seconds from the start
// of the iteration): which tensors are where, what runs, where the next step is, and what is
// happening, in words. Pure functions of the Result (and the network, for layer names); they
// recompute nothing of the model. Each scans the events or spans once: O(events) or O(spans).
//
// Intervals are half-open, [start_s, end_s): at an event's end the next one is in force.
#include "result.h"

#include "core/network.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace offload::sim {

// One tensor at the asked time.
struct ResidentTensor {
    int tensor = -1; // producer index, -1 network input (as Event::tensor)
    TensorPlace place = TensorPlace::gpu;
    std::uint64_t bytes = 0;
    double since_s = 0; // the span the tensor is in at that time
    double until_s = 0;
};

struct Residency {
    // Sorted by place (gpu, offloading, host, prefetching: TensorPlace order), then by tensor.
    std::vector<ResidentTensor> tensors;
    std::uint64_t gpu_bytes = 0;       // place gpu: MemoryKind::activations of the memory curve
    std::uint64_t in_flight_bytes = 0; // offloading + prefetching: MemoryKind::in_flight
    std::uint64_t host_bytes = 0;      // place host: on the host only, no GPU memory
};

// Which tensors are on the GPU, in flight or on the host only at `t_s`, from Result::residency.
Residency residentAt(const Result& result, double t_s);

// The events in force at `t_s` (start_s <= t_s < end_s), copied, in Lane order (compute, d2h,
// h2d, codec) and by start time within a lane.
std::vector<Event> eventsAt(const Result& result, double t_s);

// A layer's forward or backward pass on the compute stream.
struct ComputeStep {
    int layer = -1;
    bool forward = true;
    double start_s = 0;
    double end_s = 0;
};
// The forward or backward pass running at `t_s`; nullopt while the compute stream stalls, runs
// codec kernels (sm engine) or the iteration is over.
std::optional<ComputeStep> computeAt(const Result& result, double t_s);

// Stepping a cursor. Boundaries are the start and end times of every event (all lanes).
// The first boundary strictly after `t_s`, or nullopt when there is none.
std::optional<double> nextEventBoundary(const Result& result, double t_s);
// The last boundary strictly before `t_s`, or nullopt when there is none.
std::optional<double> previousEventBoundary(const Result& result, double t_s);
// The start of the first forward or backward pass that starts strictly after `t_s`.
std::optional<ComputeStep> nextComputeStep(const Result& result, double t_s);
// The start of the last forward or backward pass that starts strictly before `t_s`.
std::optional<ComputeStep> previousComputeStep(const Result& result, double t_s);

// What a caption is about, for a view that colours or filters them.
enum class CaptionKind : std::uint8_t {
    compute,        // a layer's forward or backward pass runs
    forward_stall,  // the compute stream waits during the forward pass
    backward_stall, // the compute stream waits during the backward pass
    offload,        // a copy to the host overlaps the compute
    prefetch,       // a copy back overlaps the compute
    compress,       // compression kernels run on the compute stream (sm engine)
    decompress,     // decompression kernels run on the compute stream (sm engine)
};

struct Caption {
    CaptionKind kind = CaptionKind::compute;
    std::string text; // one English sentence, layers named as in the network
    int layer = -1;   // the compute layer the caption is about (-1: none)
    int tensor = -2;  // the tensor it is about (producer index, -1 network input, -2 none)
};

// Short sentences describing what happens at `t_s`: first what the compute stream does (a pass,
// a stall and what it waits for, codec kernels), then every copy in force that the first
// sentence does not already name. Empty when nothing runs (t_s outside the iteration).
// `network` must be the one simulated (layer i of the result is network.layers[i]).
std::vector<Caption> captionsAt(const Network& network, const Result& result, double t_s);

// How captions name a tensor: "conv1_1's output", or "the network input" for -1.
std::string tensorLabel(const Network& network, int tensor);

} // namespace offload::sim
