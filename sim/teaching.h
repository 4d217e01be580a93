#pragma once
// Questions a teaching view asks of one simulated iteration at a time t (seconds from the start
// of the iteration): which tensors are where, what runs, where the next step is, and what is
// happening, in words. Pure functions of the Result (and the network, for layer names); they
// recompute nothing of the model.
//
// Two forms give the same answers. The free functions scan the events or spans once per call,
// O(events) or O(spans): fine for one question. A TeachingIndex, built once per Result in
// O(n log n), answers each in O(log n + k) for k tensors, events or captions returned: what a
// cursor that moves 30 times a second over a million-layer network needs.
//
// Intervals are half-open, [start_s, end_s): at an event's end the next one is in force. Events
// are expected to have end_s >= start_s (the engine's never do otherwise).
#include "interval_index.h"
#include "result.h"

#include "core/network.h"

#include <array>
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
    // Equal place and tensor (not in practice): in Result::residency order.
    std::vector<ResidentTensor> tensors;
    std::uint64_t gpu_bytes = 0;       // place gpu: MemoryKind::activations of the memory curve
    std::uint64_t in_flight_bytes = 0; // offloading + prefetching: MemoryKind::in_flight
    std::uint64_t host_bytes = 0;      // place host: on the host only, no GPU memory
};

// Which tensors are on the GPU, in flight or on the host only at `t_s`, from Result::residency.
Residency residentAt(const Result& result, double t_s);

// The events in force at `t_s` (start_s <= t_s < end_s), copied, in Lane order (compute, d2h,
// h2d, codec), by start time within a lane, and in Result::events order at equal starts.
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

// Residency at a time without listing every tensor: a million-layer network can have hundreds
// of thousands resident at once. Counts and bytes are exact (the sums of residentAt); the list
// holds at most a given number of tensors per place.
struct PlaceSummary {
    std::size_t count = 0;   // tensors in the place
    std::uint64_t bytes = 0; // their bytes
    // All of them when count <= the limit asked, else the `limit` whose producer index is
    // nearest the asked tensor (the lower index first at equal distance); sorted by tensor.
    std::vector<ResidentTensor> listed;
};
struct ResidencySummary {
    std::array<PlaceSummary, 4> places; // index by TensorPlace
    std::uint64_t gpu_bytes = 0;        // as Residency
    std::uint64_t in_flight_bytes = 0;
    std::uint64_t host_bytes = 0;
    const PlaceSummary& of(TensorPlace place) const { return places[static_cast<std::size_t>(place)]; }
};

// The questions above for one Result, answered from an index built once: O(log n + k) per
// query, same answers as the free functions (same order of every returned vector). Keeps a
// reference to the result, which must outlive it (a Snapshot holds both). Immutable once built:
// safe to query from several threads.
class TeachingIndex {
public:
    explicit TeachingIndex(const Result& result);

    const Result& result() const { return *result_; }

    Residency residentAt(double t_s) const;
    // Counts and bytes per place in O(log n). The lists: a place with few tensors (up to four
    // times the limit) from its interval tree; the others by visiting tensors outward from
    // `near` (the cursor's layer, say), at most 16 x limit of them, and from the tree where that
    // was not enough. O(log n + limit) when the tensors of a large place lie near `near`, as they
    // do around the running layer; O(log n + count) at worst.
    ResidencySummary residencySummaryAt(double t_s, int near, std::size_t limitPerPlace) const;
    std::vector<Event> eventsAt(double t_s) const;
    std::optional<ComputeStep> computeAt(double t_s) const;
    std::optional<double> nextEventBoundary(double t_s) const;
    std::optional<double> previousEventBoundary(double t_s) const;
    std::optional<ComputeStep> nextComputeStep(double t_s) const;
    std::optional<ComputeStep> previousComputeStep(double t_s) const;
    std::vector<Caption> captionsAt(const Network& network, double t_s) const;
    // Start of the first backward pass (infinity when there is none).
    double backwardStart_s() const { return backwardStart_s_; }

private:
    const Result* result_;
    IntervalIndex events_;  // all events
    std::array<IntervalIndex, 4> spans_; // Result::residency, per place (index by TensorPlace)
    // Compute-lane passes: event indices by start time, then by event index, and the running
    // maximum of their ends in that order (passes run one after another, so computeAt looks at
    // one or two of them; overlapping passes are still answered right, only slower).
    std::vector<std::uint32_t> passOrder_;
    std::vector<double> passStarts_;
    std::vector<double> passEndsSoFar_;
    // Candidate cursor stops: after t the smallest of nextStops_ > t, before t the largest of
    // previousStops_ < t (both sorted; previousStops_ only when they differ, with reversed
    // events, else nextStops_ serves both ways).
    std::vector<double> nextStops_, previousStops_;
    bool stopsDiffer_ = false;
    double backwardStart_s_;
    // Per place: span starts and ends sorted, with the running sums of bytes (one more entry
    // than spans), for counts and bytes at a time by two binary searches.
    struct PlaceSums {
        std::vector<double> starts, ends;
        std::vector<std::uint64_t> startBytes, endBytes;
    };
    std::array<PlaceSums, 4> placeSums_;
    // Spans grouped by tensor (tensor + 1: the network input is -1), each group by start.
    std::vector<std::uint32_t> tensorFirst_; // offsets into tensorSpans_, one more than tensors
    std::vector<std::uint32_t> tensorSpans_;
};

} // namespace offload::sim
