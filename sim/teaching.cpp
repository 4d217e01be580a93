#include "teaching.h"

#include "core/byte_units.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace offload::sim {

namespace {

bool covers(double start, double end, double t) { return start <= t && t < end; }

bool isPass(const Event& e) { return e.kind == EventKind::forward || e.kind == EventKind::backward; }

// One span in force: listed, and its bytes added to its place's total.
void addResident(Residency& r, const TensorSpan& s)
{
    r.tensors.push_back(ResidentTensor{s.tensor, s.place, s.bytes, s.start_s, s.end_s});
    switch (s.place) {
    case TensorPlace::gpu: r.gpu_bytes += s.bytes; break;
    case TensorPlace::offloading:
    case TensorPlace::prefetching: r.in_flight_bytes += s.bytes; break;
    case TensorPlace::host: r.host_bytes += s.bytes; break;
    }
}

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

// The captions at a time from the events in force then (eventsAt's order), the start of the
// backward half and the pass that runs (computeAt's).
std::vector<Caption> captionsFrom(const Network& network, const std::vector<Event>& now, double backwardStart_s,
                                  const std::optional<ComputeStep>& step)
{
    std::vector<Caption> captions;
    std::vector<const Event*> named;
    if (auto first = computeCaption(network, now, backwardStart_s, named))
        captions.push_back(std::move(*first));
    // What the copies overlap: the pass that runs, or what the first caption said the compute
    // stream does instead.
    std::string overlapped = "the stall";
    if (step)
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
        addResident(r, s);
    }
    std::stable_sort(r.tensors.begin(), r.tensors.end(), [](const ResidentTensor& a, const ResidentTensor& b) {
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
    std::stable_sort(now.begin(), now.end(), [](const Event& a, const Event& b) {
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
    return captionsFrom(network, eventsAt(result, t_s), backwardStart(result), computeAt(result, t_s));
}

// --- TeachingIndex ---

namespace {
std::size_t placeIndex(TensorPlace place) { return static_cast<std::size_t>(place); }

// The events that pass `keep`, by index in `events`, as an IntervalIndex.
template <class Keep>
IntervalIndex eventIndex(const std::vector<Event>& events, Keep&& keep)
{
    std::vector<IntervalIndex::Interval> intervals;
    for (std::size_t i = 0; i < events.size(); ++i)
        if (keep(events[i]))
            intervals.push_back(IntervalIndex::Interval{events[i].start_s, events[i].end_s, static_cast<std::uint32_t>(i)});
    return IntervalIndex(std::move(intervals));
}
} // namespace

TeachingIndex::TeachingIndex(const Result& result)
    : result_(&result),
      events_(eventIndex(result.events, [](const Event&) { return true; })),
      backwardStart_s_(backwardStart(result))
{
    const auto& events = result.events;
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].lane == Lane::compute && isPass(events[i]))
            passOrder_.push_back(static_cast<std::uint32_t>(i));
    std::sort(passOrder_.begin(), passOrder_.end(), [&](std::uint32_t a, std::uint32_t b) {
        return events[a].start_s != events[b].start_s ? events[a].start_s < events[b].start_s : a < b;
    });
    passStarts_.reserve(passOrder_.size());
    passEndsSoFar_.reserve(passOrder_.size());
    for (std::uint32_t i : passOrder_) {
        passStarts_.push_back(events[i].start_s);
        passEndsSoFar_.push_back(passEndsSoFar_.empty() ? events[i].end_s : std::max(passEndsSoFar_.back(), events[i].end_s));
    }

    // The free functions' stops, event by event: a well-formed event stops the cursor at its start
    // and its end both ways; a reversed one (end before start) only at its start going forward
    // and at its end going back. Without reversed events (the engine's) both lists are one.
    const bool reversed = std::any_of(events.begin(), events.end(), [](const Event& e) { return e.end_s < e.start_s; });
    nextStops_.reserve(2 * events.size());
    for (const Event& e : events) {
        nextStops_.push_back(e.start_s);
        if (e.end_s >= e.start_s)
            nextStops_.push_back(e.end_s);
        if (reversed) {
            previousStops_.push_back(e.end_s);
            if (e.end_s >= e.start_s)
                previousStops_.push_back(e.start_s);
        }
    }
    std::sort(nextStops_.begin(), nextStops_.end());
    std::sort(previousStops_.begin(), previousStops_.end());
    stopsDiffer_ = reversed;

    const auto& spans = result.residency;
    int lastTensor = -1;
    for (const TensorSpan& span : spans)
        lastTensor = std::max(lastTensor, span.tensor);
    {
        std::array<std::vector<IntervalIndex::Interval>, 4> byPlace;
        for (std::size_t i = 0; i < spans.size(); ++i)
            byPlace[placeIndex(spans[i].place)].push_back(
                IntervalIndex::Interval{spans[i].start_s, spans[i].end_s, static_cast<std::uint32_t>(i)});
        for (std::size_t p = 0; p < spans_.size(); ++p)
            spans_[p] = IntervalIndex(std::move(byPlace[p]));
    }

    // Per place: (time, bytes) pairs sorted by time, then running sums.
    std::array<std::vector<std::pair<double, std::uint64_t>>, 4> opened, closed;
    for (const TensorSpan& s : spans) {
        if (!(s.start_s < s.end_s)) // covers no time (as in the free residentAt)
            continue;
        opened[placeIndex(s.place)].emplace_back(s.start_s, s.bytes);
        closed[placeIndex(s.place)].emplace_back(s.end_s, s.bytes);
    }
    auto fill = [](std::vector<std::pair<double, std::uint64_t>>& pairs, std::vector<double>& times,
                   std::vector<std::uint64_t>& sums) {
        std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        times.reserve(pairs.size());
        sums.reserve(pairs.size() + 1);
        sums.push_back(0);
        for (const auto& [time, bytes] : pairs) {
            times.push_back(time);
            sums.push_back(sums.back() + bytes);
        }
    };
    for (std::size_t p = 0; p < placeSums_.size(); ++p) {
        fill(opened[p], placeSums_[p].starts, placeSums_[p].startBytes);
        fill(closed[p], placeSums_[p].ends, placeSums_[p].endBytes);
    }

    // Spans by tensor (counting sort on tensor + 1), each tensor's by start.
    const std::size_t tensors = static_cast<std::size_t>(lastTensor) + 2;
    tensorFirst_.assign(tensors + 1, 0);
    for (const TensorSpan& s : spans)
        if (s.tensor >= -1)
            ++tensorFirst_[static_cast<std::size_t>(s.tensor + 1) + 1];
    for (std::size_t t = 1; t < tensorFirst_.size(); ++t)
        tensorFirst_[t] += tensorFirst_[t - 1];
    tensorSpans_.resize(tensorFirst_.back());
    std::vector<std::uint32_t> next(tensorFirst_.begin(), tensorFirst_.end() - 1);
    for (std::size_t i = 0; i < spans.size(); ++i)
        if (spans[i].tensor >= -1)
            tensorSpans_[next[static_cast<std::size_t>(spans[i].tensor + 1)]++] = static_cast<std::uint32_t>(i);
    for (std::size_t t = 0; t < tensors; ++t)
        std::sort(tensorSpans_.begin() + tensorFirst_[t], tensorSpans_.begin() + tensorFirst_[t + 1],
                  [&](std::uint32_t a, std::uint32_t b) {
                      return spans[a].start_s != spans[b].start_s ? spans[a].start_s < spans[b].start_s : a < b;
                  });
}

Residency TeachingIndex::residentAt(double t_s) const
{
    const auto& spans = result_->residency;
    // The free function's order: place (one tree each, in TensorPlace order), tensor, then
    // Result::residency order.
    std::vector<std::uint32_t> hits;
    for (const IntervalIndex& place : spans_) {
        const auto first = static_cast<std::ptrdiff_t>(hits.size());
        place.forEachCovering(t_s, [&](std::uint32_t i) { hits.push_back(i); });
        std::sort(hits.begin() + first, hits.end(), [&](std::uint32_t a, std::uint32_t b) {
            return spans[a].tensor != spans[b].tensor ? spans[a].tensor < spans[b].tensor : a < b;
        });
    }
    Residency r;
    r.tensors.reserve(hits.size());
    for (std::uint32_t i : hits) {
        const TensorSpan& s = spans[i];
        addResident(r, s);
    }
    return r;
}

ResidencySummary TeachingIndex::residencySummaryAt(double t_s, int near, std::size_t limitPerPlace) const
{
    ResidencySummary summary;
    std::array<std::size_t, 4> wanted{};
    for (std::size_t p = 0; p < placeSums_.size(); ++p) {
        const PlaceSums& sums = placeSums_[p];
        // Covering: started at or before t and not yet ended (start < end for every span kept).
        const auto started = static_cast<std::size_t>(
            std::upper_bound(sums.starts.begin(), sums.starts.end(), t_s) - sums.starts.begin());
        const auto ended = static_cast<std::size_t>(
            std::upper_bound(sums.ends.begin(), sums.ends.end(), t_s) - sums.ends.begin());
        PlaceSummary& place = summary.places[p];
        place.count = started - ended;
        place.bytes = sums.startBytes[started] - sums.endBytes[ended];
        wanted[p] = std::min(place.count, limitPerPlace);
    }
    summary.gpu_bytes = summary.of(TensorPlace::gpu).bytes;
    summary.in_flight_bytes = summary.of(TensorPlace::offloading).bytes + summary.of(TensorPlace::prefetching).bytes;
    summary.host_bytes = summary.of(TensorPlace::host).bytes;

    // Places with few tensors: all of them from the tree, the nearest kept.
    const auto& spans = result_->residency;
    const auto distance = [near](int tensor) { return std::abs(static_cast<long long>(tensor) - near); };
    const auto nearer = [&](std::uint32_t a, std::uint32_t b) {
        const auto da = distance(spans[a].tensor), db = distance(spans[b].tensor);
        return da != db ? da < db : spans[a].tensor < spans[b].tensor;
    };
    const auto fromTree = [&](std::size_t p) {
        std::vector<std::uint32_t> all;
        spans_[p].forEachCovering(t_s, [&](std::uint32_t i) { all.push_back(i); });
        const auto keep = std::min(all.size(), wanted[p]);
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(), nearer);
        auto& listed = summary.places[p].listed;
        listed.clear();
        for (std::size_t k = 0; k < keep; ++k) {
            const TensorSpan& s = spans[all[k]];
            listed.push_back(ResidentTensor{s.tensor, s.place, s.bytes, s.start_s, s.end_s});
        }
    };
    std::array<bool, 4> walked{};
    std::size_t missing = 0;
    for (std::size_t p = 0; p < wanted.size(); ++p) {
        if (summary.places[p].count <= 4 * limitPerPlace)
            fromTree(p);
        else {
            walked[p] = true;
            missing += wanted[p];
        }
    }
    // The large places: outward from `near` (near, near - 1, near + 1, near - 2, ...: the lower
    // first at equal distance), within the tensors that have spans (-1 .. last).
    const int first = -1;
    const int last = static_cast<int>(tensorFirst_.size()) - 3;
    const int center = std::clamp(near, first, std::max(first, last));
    int down = center, up = center + 1;
    for (std::size_t budget = 16 * limitPerPlace; missing > 0 && budget > 0 && (down >= first || up <= last); --budget) {
        int tensor;
        if (down >= first && (up > last || center - down <= up - center))
            tensor = down--;
        else
            tensor = up++;
        const auto slot = static_cast<std::size_t>(tensor + 1);
        for (std::uint32_t k = tensorFirst_[slot]; k < tensorFirst_[slot + 1]; ++k) {
            const TensorSpan& s = spans[tensorSpans_[k]];
            const std::size_t p = placeIndex(s.place);
            if (!walked[p] || !covers(s.start_s, s.end_s, t_s) || summary.places[p].listed.size() >= wanted[p])
                continue;
            summary.places[p].listed.push_back(ResidentTensor{s.tensor, s.place, s.bytes, s.start_s, s.end_s});
            --missing;
        }
    }
    // Where the walk ended early (a large place far from `near`): from the tree after all.
    for (std::size_t p = 0; p < wanted.size(); ++p)
        if (walked[p] && summary.places[p].listed.size() < wanted[p])
            fromTree(p);
    for (PlaceSummary& place : summary.places)
        std::stable_sort(place.listed.begin(), place.listed.end(),
                         [](const ResidentTensor& a, const ResidentTensor& b) { return a.tensor < b.tensor; });
    return summary;
}

std::vector<Event> TeachingIndex::eventsAt(double t_s) const
{
    const auto& events = result_->events;
    std::vector<std::uint32_t> hits;
    events_.forEachCovering(t_s, [&](std::uint32_t i) { hits.push_back(i); });
    std::sort(hits.begin(), hits.end(), [&](std::uint32_t a, std::uint32_t b) {
        const Event& x = events[a];
        const Event& y = events[b];
        if (x.lane != y.lane)
            return x.lane < y.lane;
        return x.start_s != y.start_s ? x.start_s < y.start_s : a < b;
    });
    std::vector<Event> now;
    now.reserve(hits.size());
    for (std::uint32_t i : hits)
        now.push_back(events[i]);
    return now;
}

std::optional<ComputeStep> TeachingIndex::computeAt(double t_s) const
{
    // The free function's: the first such pass in Result::events order. Back from the last pass
    // that starts at or before t, while some pass up to there still ends after t.
    const auto& events = result_->events;
    std::optional<std::uint32_t> first;
    for (auto k = std::upper_bound(passStarts_.begin(), passStarts_.end(), t_s) - passStarts_.begin();
         k > 0 && passEndsSoFar_[static_cast<std::size_t>(k - 1)] > t_s; --k) {
        const std::uint32_t i = passOrder_[static_cast<std::size_t>(k - 1)];
        if (covers(events[i].start_s, events[i].end_s, t_s) && (!first || i < *first))
            first = i;
    }
    if (!first)
        return std::nullopt;
    return stepOf(result_->events[*first]);
}

std::optional<double> TeachingIndex::nextEventBoundary(double t_s) const
{
    const auto after = std::upper_bound(nextStops_.begin(), nextStops_.end(), t_s);
    if (after == nextStops_.end())
        return std::nullopt;
    return *after;
}

std::optional<double> TeachingIndex::previousEventBoundary(double t_s) const
{
    const std::vector<double>& stops = stopsDiffer_ ? previousStops_ : nextStops_;
    const auto atOrAfter = std::lower_bound(stops.begin(), stops.end(), t_s);
    if (atOrAfter == stops.begin())
        return std::nullopt;
    return *std::prev(atOrAfter);
}

std::optional<ComputeStep> TeachingIndex::nextComputeStep(double t_s) const
{
    const auto after = std::upper_bound(passStarts_.begin(), passStarts_.end(), t_s);
    if (after == passStarts_.end())
        return std::nullopt;
    return stepOf(result_->events[passOrder_[static_cast<std::size_t>(after - passStarts_.begin())]]);
}

std::optional<ComputeStep> TeachingIndex::previousComputeStep(double t_s) const
{
    const auto atOrAfter = std::lower_bound(passStarts_.begin(), passStarts_.end(), t_s);
    if (atOrAfter == passStarts_.begin())
        return std::nullopt;
    // Of the passes that start at that latest time, the first in Result::events order.
    const auto first = std::lower_bound(passStarts_.begin(), atOrAfter, *std::prev(atOrAfter));
    return stepOf(result_->events[passOrder_[static_cast<std::size_t>(first - passStarts_.begin())]]);
}

std::vector<Caption> TeachingIndex::captionsAt(const Network& network, double t_s) const
{
    return captionsFrom(network, eventsAt(t_s), backwardStart_s_, computeAt(t_s));
}

} // namespace offload::sim
