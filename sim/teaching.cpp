#include "teaching.h"

#include "core/byte_units.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace offload::sim {

namespace {

bool covers(double start, double end, double t) { return start <= t && t < end; }

bool isPass(const Event& e) { return e.kind == EventKind::forward || e.kind == EventKind::backward; }

ComputeStep stepOf(const Event& e) { return ComputeStep{e.layer, e.kind == EventKind::forward, e.start_s, e.end_s}; }

std::string layerName(const Network& network, int layer)
{
    if (layer >= 0 && static_cast<std::size_t>(layer) < network.layers.size())
        return network.layers[static_cast<std::size_t>(layer)].name;
    return "layer " + std::to_string(layer);
}

// "(12.5 MiB)", or "(12.5 MiB, 4.1 MiB on the link)" when the copy is compressed.
std::string copySize(const Event& e)
{
    if (e.wire_bytes != 0 && e.wire_bytes < e.raw_bytes)
        return "(" + formatBytes(e.raw_bytes) + ", " + formatBytes(e.wire_bytes) + " after compression)";
    return "(" + formatBytes(e.raw_bytes) + ")";
}

std::string passName(bool forward) { return forward ? "forward pass" : "backward pass"; }

// What the compute stream does at t, as the first caption. `named` collects the copies it names.
std::optional<Caption> computeCaption(const Network& network, const std::vector<Event>& now, double backwardStart_s,
                                      std::vector<const Event*>& named)
{
    const Event* compute = nullptr;
    const Event* codec = nullptr;
    const Event* offload = nullptr;
    const Event* prefetch = nullptr;
    for (const Event& e : now) {
        if (e.lane == Lane::compute)
            compute = &e;
        else if (e.lane == Lane::codec)
            codec = &e;
        else if (e.kind == EventKind::offload)
            offload = &e;
        else if (e.kind == EventKind::prefetch)
            prefetch = &e;
    }
    if (codec) {
        const bool compress = codec->kind == EventKind::compress;
        Caption c{compress ? CaptionKind::compress : CaptionKind::decompress, "", codec->layer, codec->tensor};
        const std::string tensor = tensorLabel(network, codec->tensor);
        c.text = compress ? "Compressing " + tensor + " on the GPU's cores before its offload; " +
                                layerName(network, codec->layer) + "'s forward pass waits for it"
                          : "Decompressing " + tensor + " on the GPU's cores after its prefetch; " +
                                layerName(network, codec->layer) + "'s backward pass waits for it";
        return c;
    }
    if (!compute)
        return std::nullopt;
    if (isPass(*compute)) {
        const bool forward = compute->kind == EventKind::forward;
        return Caption{CaptionKind::compute, layerName(network, compute->layer) + " computes its " + passName(forward),
                       compute->layer, -2};
    }
    // A stall. Event::layer is the layer that waits after its forward pass, or the layer whose
    // backward pass cannot start yet (the engine's convention). Stalls carry no direction: one
    // is backward when the backward pass has begun or a prefetch (issued only in the backward
    // pass) is under way.
    const std::string layer = layerName(network, compute->layer);
    const bool backward = compute->start_s >= backwardStart_s || prefetch != nullptr;
    if (!backward && offload) {
        named.push_back(offload);
        Caption c{CaptionKind::forward_stall, "", compute->layer, offload->tensor};
        c.text = "Forward stall: the offload of " + tensorLabel(network, offload->tensor) + " " + copySize(*offload) +
                 " takes longer than the compute it overlaps; the next layer cannot start until it ends";
        return c;
    }
    if (backward && prefetch) {
        named.push_back(prefetch);
        Caption c{CaptionKind::backward_stall, "", compute->layer, prefetch->tensor};
        c.text = "Backward stall: " + layer + "'s backward pass cannot start until the prefetch of " +
                 tensorLabel(network, prefetch->tensor) + " " + copySize(*prefetch) + " ends";
        return c;
    }
    // No copy to wait for on the way: the allocation of the next buffer waits for memory that
    // pending releases free (a memory budget).
    Caption c{backward ? CaptionKind::backward_stall : CaptionKind::forward_stall, "", compute->layer, -2};
    c.text = std::string(backward ? "Backward stall" : "Forward stall") +
             ": the compute stream waits for GPU memory to be freed to stay within the memory budget";
    if (offload)
        c.text += " (the offload of " + tensorLabel(network, offload->tensor) + " frees its buffer when it ends)";
    return c;
}

// Start of the first backward pass: where the iteration's backward half begins.
double backwardStart(const Result& result)
{
    double start = std::numeric_limits<double>::infinity();
    for (const Event& e : result.events)
        if (e.kind == EventKind::backward)
            start = std::min(start, e.start_s);
    return start;
}

} // namespace

std::string tensorLabel(const Network& network, int tensor)
{
    if (tensor == -1)
        return "the network input";
    return layerName(network, tensor) + "'s output";
}

Residency residentAt(const Result& result, double t_s)
{
    Residency r;
    for (const TensorSpan& s : result.residency) {
        if (!covers(s.start_s, s.end_s, t_s))
            continue;
        r.tensors.push_back(ResidentTensor{s.tensor, s.place, s.bytes, s.start_s, s.end_s});
        switch (s.place) {
        case TensorPlace::gpu: r.gpu_bytes += s.bytes; break;
        case TensorPlace::offloading:
        case TensorPlace::prefetching: r.in_flight_bytes += s.bytes; break;
        case TensorPlace::host: r.host_bytes += s.bytes; break;
        }
    }
    std::sort(r.tensors.begin(), r.tensors.end(), [](const ResidentTensor& a, const ResidentTensor& b) {
        return a.place != b.place ? a.place < b.place : a.tensor < b.tensor;
    });
    return r;
}

std::vector<Event> eventsAt(const Result& result, double t_s)
{
    std::vector<Event> now;
    for (const Event& e : result.events)
        if (covers(e.start_s, e.end_s, t_s))
            now.push_back(e);
    std::sort(now.begin(), now.end(), [](const Event& a, const Event& b) {
        return a.lane != b.lane ? a.lane < b.lane : a.start_s < b.start_s;
    });
    return now;
}

std::optional<ComputeStep> computeAt(const Result& result, double t_s)
{
    for (const Event& e : result.events)
        if (e.lane == Lane::compute && isPass(e) && covers(e.start_s, e.end_s, t_s))
            return stepOf(e);
    return std::nullopt;
}

std::optional<double> nextEventBoundary(const Result& result, double t_s)
{
    double best = std::numeric_limits<double>::infinity();
    for (const Event& e : result.events) {
        if (e.start_s > t_s)
            best = std::min(best, e.start_s);
        else if (e.end_s > t_s)
            best = std::min(best, e.end_s);
    }
    if (best == std::numeric_limits<double>::infinity())
        return std::nullopt;
    return best;
}

std::optional<double> previousEventBoundary(const Result& result, double t_s)
{
    double best = -std::numeric_limits<double>::infinity();
    for (const Event& e : result.events) {
        if (e.end_s < t_s)
            best = std::max(best, e.end_s);
        else if (e.start_s < t_s)
            best = std::max(best, e.start_s);
    }
    if (best == -std::numeric_limits<double>::infinity())
        return std::nullopt;
    return best;
}

std::optional<ComputeStep> nextComputeStep(const Result& result, double t_s)
{
    const Event* best = nullptr;
    for (const Event& e : result.events)
        if (e.lane == Lane::compute && isPass(e) && e.start_s > t_s && (!best || e.start_s < best->start_s))
            best = &e;
    if (!best)
        return std::nullopt;
    return stepOf(*best);
}

std::optional<ComputeStep> previousComputeStep(const Result& result, double t_s)
{
    const Event* best = nullptr;
    for (const Event& e : result.events)
        if (e.lane == Lane::compute && isPass(e) && e.start_s < t_s && (!best || e.start_s > best->start_s))
            best = &e;
    if (!best)
        return std::nullopt;
    return stepOf(*best);
}

std::vector<Caption> captionsAt(const Network& network, const Result& result, double t_s)
{
    const std::vector<Event> now = eventsAt(result, t_s);
    std::vector<Caption> captions;
    std::vector<const Event*> named;
    if (auto first = computeCaption(network, now, backwardStart(result), named))
        captions.push_back(std::move(*first));
    // What the copies overlap: the pass that runs, or what the first caption said the compute
    // stream does instead.
    std::string overlapped = "the stall";
    if (const std::optional<ComputeStep> step = computeAt(result, t_s))
        overlapped = layerName(network, step->layer) + "'s " + passName(step->forward);
    else if (!captions.empty() && captions.front().kind == CaptionKind::compress)
        overlapped = "the compression kernels";
    else if (!captions.empty() && captions.front().kind == CaptionKind::decompress)
        overlapped = "the decompression kernels";
    for (const Event& e : now) {
        if (e.lane != Lane::d2h && e.lane != Lane::h2d)
            continue;
        if (std::find(named.begin(), named.end(), &e) != named.end())
            continue;
        const std::string tensor = tensorLabel(network, e.tensor);
        if (e.kind == EventKind::offload)
            captions.push_back(Caption{CaptionKind::offload,
                                       "The offload of " + tensor + " " + copySize(e) + " to the host overlaps " +
                                           overlapped,
                                       e.layer, e.tensor});
        else
            captions.push_back(Caption{CaptionKind::prefetch,
                                       "The prefetch of " + tensor + " " + copySize(e) + " back to the GPU overlaps " +
                                           overlapped,
                                       e.layer, e.tensor});
    }
    return captions;
}

} // namespace offload::sim
