#include "engine.h"

#include "core/codecs/ratio_model.h"
#include "memory_ledger.h"

#include <algorithm>
#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace offload::sim {

bool offloadable(const PreparedNetwork& net, int tensor)
{
    const auto t = static_cast<std::size_t>(tensor);
    // Nothing reads it (network output): it is needed again at once by the loss. Read by an
    // activation: vDNN's ReLU works in place and needs only Y, so its input is never offloaded.
    return net.last_consumer[t] >= 0 && !net.read_by_activation[t] && !net.absorbed[t];
}

std::vector<std::uint8_t> offloadSelection(const PreparedNetwork& net, const NetworkModel& model, OffloadPolicy policy,
                                           const std::vector<std::string>& manualLayers)
{
    const std::size_t tensors = static_cast<std::size_t>(net.layers) + 1;
    std::vector<std::uint8_t> selected(tensors, 0);
    switch (policy) {
    case OffloadPolicy::none:
    case OffloadPolicy::dyn: // the simulator searches; see simulator.cpp
        break;
    case OffloadPolicy::all:
        for (std::size_t t = 0; t < tensors; ++t)
            selected[t] = offloadable(net, static_cast<int>(t));
        break;
    case OffloadPolicy::conv:
        for (std::size_t t = 0; t < tensors; ++t)
            selected[t] = net.read_by_conv[t] && offloadable(net, static_cast<int>(t));
        break;
    case OffloadPolicy::manual:
        for (const auto& name : manualLayers) {
            const int layer = model.indexOf(name);
            if (layer < 0)
                continue;
            for (int producer : model.info(layer).inputs) {
                const int t = producer + 1;
                if (offloadable(net, t))
                    selected[static_cast<std::size_t>(t)] = 1;
            }
        }
        break;
    }
    return selected;
}

TransferPlan planTransfers(const PreparedNetwork& net, const NetworkModel& model, const Scenario& scenario,
                           std::vector<std::uint8_t> offloaded, bool sparsity)
{
    const std::size_t tensors = static_cast<std::size_t>(net.layers) + 1;
    TransferPlan plan;
    plan.offloaded = std::move(offloaded);
    plan.sparsity.resize(tensors);
    plan.ratio.resize(tensors);
    plan.wire_bytes.resize(tensors);
    plan.d2h_s.resize(tensors);
    plan.h2d_s.resize(tensors);
    plan.compress_s.assign(tensors, 0.0);
    plan.decompress_s.assign(tensors, 0.0);

    const auto elementBytes = static_cast<std::uint32_t>(bytesPerElement(scenario.dtype));
    const std::string_view codec = codecName(scenario.codec);
    const bool compressing = scenario.codec != CodecId::none;
    // Without a codec the ratio is 1 whatever the sparsity; deriving it is then wasted work
    // unless the caller reports it per layer.
    const bool withSparsity = sparsity || compressing;
    const auto derived = withSparsity ? model.sparsityAt(scenario.progress) : std::vector<double>{};
    const bool sm = scenario.engine == EngineKind::sm && compressing;
    // cDMA reads GPU DRAM at (link x ratio); the engine's own throughput and the DRAM read rate
    // cap the uncompressed side of the copy.
    double rawCap = 0;
    if (compressing && !sm) {
        rawCap = scenario.gpu.dram_bytes_per_s;
        if (scenario.engine_bytes_per_s > 0)
            rawCap = rawCap > 0 ? std::min(rawCap, scenario.engine_bytes_per_s) : scenario.engine_bytes_per_s;
    }
    const auto& layers = model.network().layers;
    for (std::size_t t = 0; t < tensors; ++t) {
        const double s = !withSparsity ? 0.0
                         : t == 0      ? model.outputSparsity(kNetworkInput, scenario.progress)
                                       : derived[t - 1];
        plan.sparsity[t] = s;
        double ratio = 1;
        if (compressing) {
            ratio = 0;
            if (t > 0 && !layers[t - 1].measured_ratios.empty()) {
                const auto& measured = layers[t - 1].measured_ratios;
                if (auto it = measured.find(std::string(codec)); it != measured.end())
                    ratio = it->second;
            }
            if (ratio <= 0)
                ratio = modelRatio(scenario.codec, 1.0 - s, elementBytes, scenario.codec_params);
        }
        plan.ratio[t] = ratio;
        const double raw = static_cast<double>(net.bytes[t]);
        const double wire = raw / ratio;
        plan.wire_bytes[t] = static_cast<std::uint64_t>(wire + 0.5);
        auto copyTime = [&](double linkBytesPerS) {
            double time = wire / linkBytesPerS;
            if (rawCap > 0)
                time = std::max(time, raw / rawCap);
            return scenario.link.latency_s + time;
        };
        plan.d2h_s[t] = copyTime(scenario.link.d2h_bytes_per_s);
        plan.h2d_s[t] = copyTime(scenario.link.h2d_bytes_per_s);
        if (sm) {
            plan.compress_s[t] = raw / scenario.engine_bytes_per_s;
            plan.decompress_s[t] = raw / scenario.engine_bytes_per_s;
        }
    }
    return plan;
}

namespace {

// The outputs are written once, front to back, right after they are reserved; with 4 KiB pages a
// run of a million layers spends most of its time faulting them in. Where the kernel hands out
// huge pages on request (transparent_hugepage=madvise, the default of many distributions) ask
// for them: 512 times fewer faults. Small vectors are left alone (they come from the heap, warm).
template <class T>
void preferHugePages(std::vector<T>& v)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
    const std::size_t bytes = v.capacity() * sizeof(T);
    if (bytes < 8 * huge)
        return;
    const auto first = reinterpret_cast<std::uintptr_t>(v.data());
    const std::uintptr_t begin = (first + huge - 1) & ~(huge - 1);
    const std::uintptr_t end = (first + bytes) & ~(huge - 1);
    if (end > begin)
        madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE); // advice only: failure is harmless
#else
    (void)v;
#endif
}

struct EngineScratch {
    std::vector<double> offload_end, prefetch_end, step_start, step_end;
    std::vector<std::uint8_t> prefetched;
    std::vector<int> order;
};

// vDNN's average: for every layer step, the most memory allocated while it runs; then the mean.
std::uint64_t averageOfStepPeaks(const std::vector<MemoryPoint>& points, const std::vector<double>& stepStart,
                                 const std::vector<double>& stepEnd)
{
    if (stepStart.empty() || points.empty())
        return 0;
    long double sum = 0;
    std::size_t p = 0;
    std::uint64_t value = 0; // value in force at the current time
    for (std::size_t k = 0; k < stepStart.size(); ++k) {
        const double s = stepStart[k];
        const double e = stepEnd[k];
        while (p < points.size() && points[p].time_s <= s)
            value = points[p++].bytes;
        std::uint64_t peak = value;
        std::size_t q = p;
        while (q < points.size() && points[q].time_s < e)
            peak = std::max(peak, points[q++].bytes);
        sum += static_cast<long double>(peak);
    }
    return static_cast<std::uint64_t>(sum / static_cast<long double>(stepStart.size()));
}

} // namespace

EngineOutput runEngine(const PreparedNetwork& net, const TransferPlan& plan, const EngineSettings& settings)
{
    const int n = net.layers;
    const std::size_t tensors = static_cast<std::size_t>(n) + 1;
    EngineOutput out;
    const bool layers = settings.collect_layers;
    const bool memory = settings.collect_memory;
    if (layers) {
        out.layers.reserve(static_cast<std::size_t>(n));
        preferHugePages(out.layers);
        out.layers.resize(static_cast<std::size_t>(n));
    }
    if (settings.collect_events) {
        // Forward and backward per layer, an offload and a prefetch per moved tensor (and their
        // codec work on the sm engine), and room for about two stalls per layer: growing a
        // vector of millions of events would copy it and fault in fresh pages again.
        std::size_t moved = 0;
        for (std::size_t t = 0; t < tensors; ++t)
            moved += plan.offloaded[t];
        const std::size_t codecEvents = settings.sm_engine ? 2 * moved : 0;
        out.events.reserve(4 * static_cast<std::size_t>(n) + 2 * moved + codecEvents + 16);
        preferHugePages(out.events);
    }

    MemoryLedger ledger = memory ? MemoryLedger(static_cast<std::size_t>(n) * 6 + 8)
                                 : MemoryLedger(MemoryLedger::PeakOnly{});
    preferHugePages(ledger.points());
    const std::uint64_t budget = settings.budget_bytes;
    bool overBudget = false;

    double d2hFree = 0, h2dFree = 0;
    double& d2hLink = d2hFree;
    double& h2dLink = settings.half_duplex ? d2hFree : h2dFree;
    // Working arrays are kept per thread between runs: sweeps and the three runs of simulate()
    // then reuse warm memory instead of faulting in fresh pages every time.
    thread_local EngineScratch scratch;
    auto& offloadEnd = scratch.offload_end;
    auto& prefetchEnd = scratch.prefetch_end;
    auto& prefetched = scratch.prefetched;
    auto& stepStart = scratch.step_start;
    auto& stepEnd = scratch.step_end;
    offloadEnd.assign(tensors, 0.0);
    prefetchEnd.assign(tensors, 0.0);
    prefetched.assign(tensors, 0);
    // Step bounds feed only the average of the memory curve.
    stepStart.assign(memory ? 2 * static_cast<std::size_t>(n) : 0, 0.0);
    stepEnd.assign(memory ? 2 * static_cast<std::size_t>(n) : 0, 0.0);

    auto emit = [&](Lane lane, EventKind kind, double start, double end, int layer, int tensor, std::uint64_t raw,
                    std::uint64_t wire) {
        if (settings.collect_events)
            out.events.push_back(Event{start, end, layer, tensor, lane, kind, raw, wire});
    };
    auto stall = [&](int layer, bool forward, double start, double end) {
        if (layers) {
            auto& L = out.layers[static_cast<std::size_t>(layer)];
            (forward ? L.forward_stall_s : L.backward_stall_s) += end - start;
        }
        emit(Lane::compute, EventKind::stall, start, end, layer, -2, 0, 0);
    };

    for (int i = 0; layers && i < n; ++i) {
        auto& L = out.layers[static_cast<std::size_t>(i)];
        L.forward_s = net.forward_s[static_cast<std::size_t>(i)];
        L.backward_s = net.backward_s[static_cast<std::size_t>(i)];
        L.output_bytes = net.bytes[static_cast<std::size_t>(i) + 1];
        L.sparsity = plan.sparsity[static_cast<std::size_t>(i) + 1];
        L.ratio = plan.ratio[static_cast<std::size_t>(i) + 1];
    }

    // The resident part and the minibatch itself are there before the first layer starts.
    ledger.allocate(0, settings.weight_bytes, MemoryKind::weights);
    ledger.allocate(0, settings.workspace_bytes, MemoryKind::workspace);
    ledger.allocate(0, net.bytes[0], MemoryKind::activations);
    double t = 0;

    // ---- forward pass ----
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        if (memory)
            stepStart[ui] = t;
        const std::uint64_t outputBytes = net.in_place[ui] ? 0 : net.bytes[ui + 1];
        const double allocated = ledger.allocateWhenFits(t, outputBytes, MemoryKind::activations, budget, overBudget);
        if (allocated > t) {
            stall(i > 0 ? i - 1 : i, true, t, allocated);
            t = allocated;
        }
        const int o0 = net.owned_offsets[ui], o1 = net.owned_offsets[ui + 1];
        for (int k = o0; k < o1; ++k) {
            const auto u = static_cast<std::size_t>(net.owned[static_cast<std::size_t>(k)]);
            if (!plan.offloaded[u])
                continue;
            if (plan.compress_s[u] > 0) {
                emit(Lane::codec, EventKind::compress, t, t + plan.compress_s[u], i, static_cast<int>(u) - 1,
                     net.bytes[u], plan.wire_bytes[u]);
                t += plan.compress_s[u];
            }
            const double start = std::max(t, d2hLink);
            const double end = start + plan.d2h_s[u];
            d2hLink = end;
            offloadEnd[u] = end;
            ledger.change(start, net.bytes[u], MemoryKind::activations, MemoryKind::in_flight);
            emit(Lane::d2h, EventKind::offload, start, end, i, static_cast<int>(u) - 1, net.bytes[u], plan.wire_bytes[u]);
            if (layers && u > 0) {
                auto& P = out.layers[u - 1];
                P.offloaded = true;
                P.offload_s = plan.d2h_s[u];
                P.offload_wire_bytes = plan.wire_bytes[u];
            }
        }
        emit(Lane::compute, EventKind::forward, t, t + net.forward_s[ui], i, i, 0, 0);
        t += net.forward_s[ui];
        for (int k = o0; k < o1; ++k) {
            const auto u = static_cast<std::size_t>(net.owned[static_cast<std::size_t>(k)]);
            if (plan.offloaded[u])
                ledger.release(std::max(offloadEnd[u], t), net.bytes[u], MemoryKind::in_flight);
        }
        if (settings.sync == SyncPolicy::vdnn && d2hLink > t) {
            stall(i, true, t, d2hLink);
            t = d2hLink;
        }
        if (memory)
            stepEnd[ui] = t;
    }

    // ---- backward pass ----
    // Offloaded tensors in the order the backward pass needs them (owner layer descending).
    auto& order = scratch.order;
    order.clear();
    for (int i = n - 1; i >= 0; --i)
        for (int k = net.owned_offsets[static_cast<std::size_t>(i)]; k < net.owned_offsets[static_cast<std::size_t>(i) + 1]; ++k)
            if (plan.offloaded[static_cast<std::size_t>(net.owned[static_cast<std::size_t>(k)])])
                order.push_back(net.owned[static_cast<std::size_t>(k)]);
    std::size_t next = 0; // first entry of `order` that may not be prefetched yet
    int ahead = 0;        // eager: prefetched tensors whose backward consumer has not started

    auto issuePrefetch = [&](std::size_t u, int issuer, double when, bool mayWait) {
        const double allocated =
            mayWait ? ledger.allocateWhenFits(when, net.bytes[u], MemoryKind::in_flight, budget, overBudget)
                    : (ledger.allocate(when, net.bytes[u], MemoryKind::in_flight), ledger.now());
        const double start = std::max({allocated, h2dLink, offloadEnd[u]});
        const double end = start + plan.h2d_s[u];
        h2dLink = end;
        prefetchEnd[u] = end;
        prefetched[u] = 1;
        ledger.change(end, net.bytes[u], MemoryKind::in_flight, MemoryKind::activations);
        emit(Lane::h2d, EventKind::prefetch, start, end, issuer, static_cast<int>(u) - 1, net.bytes[u], plan.wire_bytes[u]);
        if (layers && u > 0)
            out.layers[u - 1].prefetch_s = plan.h2d_s[u];
    };
    auto skipPrefetched = [&] {
        while (next < order.size() && prefetched[static_cast<std::size_t>(order[next])])
            ++next;
    };

    for (int i = n - 1; i >= 0; --i) {
        const auto ui = static_cast<std::size_t>(i);
        const std::size_t step = static_cast<std::size_t>(n) + static_cast<std::size_t>(n - 1 - i);
        if (memory)
            stepStart[step] = t;
        const int o0 = net.owned_offsets[ui], o1 = net.owned_offsets[ui + 1];

        // What this layer needs and nobody fetched yet is fetched now: the compute stream waits.
        for (int k = o0; k < o1; ++k) {
            const auto u = static_cast<std::size_t>(net.owned[static_cast<std::size_t>(k)]);
            if (!plan.offloaded[u])
                continue;
            if (prefetched[u])
                --ahead;
            else
                issuePrefetch(u, i, t, true);
        }

        skipPrefetched();
        if (settings.prefetch == PrefetchPolicy::vdnn) {
            // findPrefetchLayer: the closest earlier layer with an offloaded, not yet prefetched
            // input; the search stops at the first CONV layer it meets.
            if (next < order.size()) {
                const int owner = net.last_consumer[static_cast<std::size_t>(order[next])];
                const int convBetween = i > 0 ? net.conv_at_or_below[ui - 1] : -1;
                if (owner < i && convBetween <= owner) {
                    while (next < order.size() && net.last_consumer[static_cast<std::size_t>(order[next])] == owner) {
                        const auto u = static_cast<std::size_t>(order[next]);
                        if (!prefetched[u])
                            issuePrefetch(u, i, t, false);
                        ++next;
                    }
                }
            }
        } else {
            while (ahead < settings.eager_depth && next < order.size()) {
                const auto u = static_cast<std::size_t>(order[next]);
                if (!ledger.fitsNow(t, net.bytes[u], budget))
                    break;
                issuePrefetch(u, i, t, false);
                ++ahead;
                ++next;
                skipPrefetched();
            }
        }

        // Gradients: dY of a network output is created here; dX of each input at its first
        // backward reader (an in-place activation reuses dY's buffer).
        std::uint64_t gradientBytes = net.last_consumer[ui + 1] < 0 ? net.bytes[ui + 1] : 0;
        if (!net.in_place[ui])
            for (int k = o0; k < o1; ++k) {
                const auto u = static_cast<std::size_t>(net.owned[static_cast<std::size_t>(k)]);
                if (u != 0)
                    gradientBytes += net.bytes[u];
            }
        double ready = ledger.allocateWhenFits(t, gradientBytes, MemoryKind::gradients, budget, overBudget);
        for (int k = o0; k < o1; ++k) {
            const auto u = static_cast<std::size_t>(net.owned[static_cast<std::size_t>(k)]);
            if (plan.offloaded[u])
                ready = std::max(ready, prefetchEnd[u]);
        }
        if (ready > t) {
            stall(i, false, t, ready);
            t = ready;
        }
        for (int k = o0; k < o1; ++k) {
            const auto u = static_cast<std::size_t>(net.owned[static_cast<std::size_t>(k)]);
            if (plan.offloaded[u] && plan.decompress_s[u] > 0) {
                emit(Lane::codec, EventKind::decompress, t, t + plan.decompress_s[u], i, static_cast<int>(u) - 1,
                     net.bytes[u], plan.wire_bytes[u]);
                t += plan.decompress_s[u];
            }
        }
        emit(Lane::compute, EventKind::backward, t, t + net.backward_s[ui], i, i, 0, 0);
        t += net.backward_s[ui];

        // The layer's output (its Y) and its dY are done with; the network input after its first reader.
        if (!net.absorbed[ui + 1])
            ledger.release(t, net.bytes[ui + 1], MemoryKind::activations);
        if (net.first_consumer[0] == i)
            ledger.release(t, net.bytes[0], MemoryKind::activations);
        if (!net.in_place[ui])
            ledger.release(t, net.bytes[ui + 1], MemoryKind::gradients);

        if (settings.sync == SyncPolicy::vdnn && i > 0) {
            const double synced = std::max(h2dLink, d2hLink);
            if (synced > t) {
                stall(i - 1, false, t, synced);
                t = synced;
            }
        }
        if (memory)
            stepEnd[step] = t;
    }
    out.iteration_s = std::max({t, d2hFree, h2dFree});
    ledger.finish();
    out.peak_bytes = ledger.peak();
    if (memory) {
        out.memory = std::move(ledger.points());
        out.avg_step_bytes = averageOfStepPeaks(out.memory, stepStart, stepEnd);
    }
    out.over_budget = overBudget || out.peak_bytes > budget;
    return out;
}

} // namespace offload::sim
