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
    // Nothing reads it (network output): the loss needs it at once. No backward pass reads it
    // (a ReLU's input, what only a concat or an add reads): it is freed, not stashed. Absorbed:
    // its buffer now holds an in-place activation's output, which is the tensor to move.
    return net.last_consumer[t] >= 0 && net.stashed(tensor) && !net.absorbed[t];
}

std::vector<std::uint8_t> offloadSelection(const PreparedNetwork& net, const NetworkModel& model, OffloadPolicy policy,
                                           const std::vector<std::string>& manualLayers)
{
    const std::size_t tensors = static_cast<std::size_t>(net.layers) + 1;
    std::vector<std::uint8_t> selected(tensors, 0);
    switch (policy) {
    case OffloadPolicy::none:
    case OffloadPolicy::dyn:         // the simulator searches; see simulator.cpp
    case OffloadPolicy::fastest_fit: // likewise
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
    // Every copy reads (D2H) or writes (H2D) GPU DRAM at the uncompressed rate. cDMA's engine
    // reads DRAM at (link x ratio) until that hits the DRAM's or its own throughput.
    const double dramCap = scenario.gpu.dram_bytes_per_s;
    double engineCap = dramCap;
    if (compressing && !sm && scenario.engine_bytes_per_s > 0)
        engineCap = engineCap > 0 ? std::min(engineCap, scenario.engine_bytes_per_s) : scenario.engine_bytes_per_s;
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
            // A block that would grow is sent raw (a flag per block, as DMA compression engines
            // do), so a compressed copy is never larger than the raw one.
            ratio = std::max(ratio, 1.0);
        }
        const double raw = static_cast<double>(net.bytes[t]);
        auto copyTime = [&](double wireBytes, double linkBytesPerS, double rawCap) {
            double time = wireBytes / linkBytesPerS;
            if (rawCap > 0)
                time = std::max(time, raw / rawCap);
            return scenario.link.latency_s + time;
        };
        double d2h = copyTime(raw / ratio, scenario.link.d2h_bytes_per_s, compressing ? engineCap : dramCap);
        double h2d = copyTime(raw / ratio, scenario.link.h2d_bytes_per_s, compressing ? engineCap : dramCap);
        if (compressing && !sm) {
            // The engine passes a tensor through uncompressed when that is faster (its own
            // throughput below the link's): compression never slows a copy down.
            const double rawD2h = copyTime(raw, scenario.link.d2h_bytes_per_s, dramCap);
            const double rawH2d = copyTime(raw, scenario.link.h2d_bytes_per_s, dramCap);
            if (rawD2h + rawH2d < d2h + h2d) {
                ratio = 1;
                d2h = rawD2h;
                h2d = rawH2d;
            }
        }
        plan.ratio[t] = ratio;
        plan.wire_bytes[t] = static_cast<std::uint64_t>(raw / ratio + 0.5);
        plan.d2h_s[t] = d2h;
        plan.h2d_s[t] = h2d;
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

// EngineScratch::prefetched: 0 not yet, or how the tensor got back for the backward pass.
constexpr std::uint8_t kCopiedBack = 1;
constexpr std::uint8_t kNeverLeft = 2; // still on the GPU: its offload had not finished

struct EngineScratch {
    std::vector<double> offload_end, release_at, prefetch_end, step_start, step_end;
    std::vector<std::uint8_t> prefetched;
    std::vector<int> order;
    // Residency: per tensor, the place of its open span and when that span began.
    std::vector<double> span_start;
    std::vector<std::uint8_t> span_place;
};

constexpr std::uint8_t kNowhere = 0xff; // EngineScratch::span_place: no open span

// Result::residency as the engine moves tensors: each call names the tensor's new place (or
// that it is gone) at the time the memory ledger applies the matching change, so the spans and
// the memory curve agree by construction. Zero-length spans and empty tensors are left out.
class ResidencyRecorder {
public:
    ResidencyRecorder(const std::vector<std::uint64_t>& bytes, bool on) : bytes_(bytes), on_(on) {}

    void reset(EngineScratch& scratch, std::vector<TensorSpan>& out, std::size_t expectedSpans)
    {
        if (!on_)
            return;
        start_ = &scratch.span_start;
        place_ = &scratch.span_place;
        out_ = &out;
        start_->assign(bytes_.size(), 0.0);
        place_->assign(bytes_.size(), kNowhere);
        out_->reserve(expectedSpans);
        preferHugePages(*out_);
    }

    void enter(std::size_t tensor, TensorPlace place, double at)
    {
        if (!on_ || bytes_[tensor] == 0)
            return;
        close(tensor, at);
        (*place_)[tensor] = static_cast<std::uint8_t>(place);
        (*start_)[tensor] = at;
    }

    void leave(std::size_t tensor, double at)
    {
        if (!on_)
            return;
        close(tensor, at);
        (*place_)[tensor] = kNowhere;
    }

    // Closes what is still open (nothing, when every buffer was released) at the iteration's end.
    void finish(double end)
    {
        if (!on_)
            return;
        for (std::size_t t = 0; t < place_->size(); ++t)
            leave(t, std::max(end, (*start_)[t]));
    }

private:
    void close(std::size_t tensor, double at)
    {
        const std::uint8_t place = (*place_)[tensor];
        const double start = (*start_)[tensor];
        if (place != kNowhere && at > start)
            out_->push_back(TensorSpan{start, at, bytes_[tensor], static_cast<int>(tensor) - 1,
                                       static_cast<TensorPlace>(place)});
    }

    const std::vector<std::uint64_t>& bytes_;
    const bool on_;
    std::vector<double>* start_ = nullptr;
    std::vector<std::uint8_t>* place_ = nullptr;
    std::vector<TensorSpan>* out_ = nullptr;
};

// For every layer step, the most memory allocated while it runs.
std::vector<std::uint64_t> stepPeaks(const std::vector<MemoryPoint>& points, const std::vector<double>& stepStart,
                                     const std::vector<double>& stepEnd)
{
    std::vector<std::uint64_t> peaks(stepStart.size(), 0);
    std::size_t p = 0;
    std::uint64_t value = 0; // value in force at the current time
    for (std::size_t k = 0; k < stepStart.size(); ++k) {
        while (p < points.size() && points[p].time_s <= stepStart[k])
            value = points[p++].bytes;
        std::uint64_t peak = value;
        for (std::size_t q = p; q < points.size() && points[q].time_s < stepEnd[k]; ++q)
            peak = std::max(peak, points[q].bytes);
        peaks[k] = peak;
    }
    return peaks;
}

// One run of the engine: the clocks of the three streams, the memory ledger and what has been
// moved, advanced layer by layer through the forward and the backward pass.
class EngineRun {
public:
    EngineRun(const PreparedNetwork& net, const ComputePlan& compute, const TransferPlan& plan,
              const EngineSettings& settings)
        : net_(net), compute_(compute), plan_(plan), settings_(settings), n_(net.layers),
          collectLayers_(settings.collect_layers), collectMemory_(settings.collect_memory),
          ledger_(settings.collect_memory ? MemoryLedger(static_cast<std::size_t>(net.layers) * 8 + 8)
                                          : MemoryLedger(MemoryLedger::PeakOnly{})),
          residency_(net.bytes, settings.collect_events), h2dLink_(settings.half_duplex ? d2hFree_ : h2dFree_)
    {
        reserveOutputs();
        resetScratch();
    }

    EngineOutput run()
    {
        // The resident part and the minibatch itself are there before the first layer starts.
        ledger_.allocate(0, settings_.weight_bytes, MemoryKind::weights);
        ledger_.allocate(0, settings_.workspace_bytes, MemoryKind::workspace);
        ledger_.allocate(0, net_.bytes[0], MemoryKind::activations);
        residency_.enter(0, TensorPlace::gpu, ledger_.now());
        for (int i = 0; i < n_; ++i)
            forwardStep(i);
        orderPrefetches();
        for (int i = n_ - 1; i >= 0; --i)
            backwardStep(i);
        return finish();
    }

private:
    // ---- set-up ----

    void reserveOutputs()
    {
        if (collectLayers_) {
            out_.layers.reserve(static_cast<std::size_t>(n_));
            preferHugePages(out_.layers);
            out_.layers.resize(static_cast<std::size_t>(n_));
            for (int i = 0; i < n_; ++i) {
                const auto ui = static_cast<std::size_t>(i);
                auto& L = out_.layers[ui];
                L.forward_s = compute_.forward_s[ui];
                L.backward_s = compute_.backward_s[ui];
                L.workspace_bytes = compute_.workspace_bytes[ui];
                L.forward_bound = net_.forward_bound[ui];
                L.backward_bound = net_.backward_bound[ui];
                if (const ConvOption* o = chosenConvOption(net_, compute_, i))
                    L.algorithm = o->algorithm;
                L.output_bytes = net_.bytes[ui + 1];
                L.sparsity = plan_.sparsity[ui + 1];
                L.ratio = plan_.ratio[ui + 1];
            }
        }
        if (settings_.collect_events) {
            // Forward and backward per layer, an offload and a prefetch per moved tensor (and
            // their codec work on the sm engine), and room for about two stalls per layer:
            // growing a vector of millions of events would copy it and fault in fresh pages.
            std::size_t moved = 0;
            for (std::uint8_t o : plan_.offloaded)
                moved += o;
            const std::size_t codecEvents = settings_.sm_engine ? 2 * moved : 0;
            out_.events.reserve(4 * static_cast<std::size_t>(n_) + 2 * moved + codecEvents + 16);
            preferHugePages(out_.events);
            moved_ = moved;
        }
        preferHugePages(ledger_.points());
    }

    void resetScratch()
    {
        // Working arrays are kept per thread between runs: sweeps and the runs of simulate() then
        // reuse warm memory instead of faulting in fresh pages every time.
        thread_local EngineScratch scratch;
        s_ = &scratch;
        const std::size_t tensors = static_cast<std::size_t>(n_) + 1;
        s_->offload_end.assign(tensors, 0.0);
        s_->release_at.assign(tensors, 0.0);
        s_->prefetch_end.assign(tensors, 0.0);
        s_->prefetched.assign(tensors, 0);
        // Step bounds feed only the per-step peaks of the memory curve.
        const std::size_t steps = collectMemory_ ? 2 * static_cast<std::size_t>(n_) : 0;
        s_->step_start.assign(steps, 0.0);
        s_->step_end.assign(steps, 0.0);
        // A span per tensor on the GPU, and four more per move (offloading, host, prefetching,
        // back on the GPU): reserved, since a vector of millions of spans must not grow.
        residency_.reset(*s_, out_.residency, tensors + 4 * moved_ + 16);
    }

    // ---- small pieces ----

    void emit(Lane lane, EventKind kind, double start, double end, int layer, int tensor, std::uint64_t raw,
              std::uint64_t wire)
    {
        if (settings_.collect_events)
            out_.events.push_back(Event{start, end, layer, tensor, lane, kind, raw, wire});
    }

    void stall(int layer, bool forward, double start, double end)
    {
        if (collectLayers_) {
            auto& L = out_.layers[static_cast<std::size_t>(layer)];
            (forward ? L.forward_stall_s : L.backward_stall_s) += end - start;
        }
        emit(Lane::compute, EventKind::stall, start, end, layer, -2, 0, 0);
    }

    // Allocates on the compute stream's clock; a wait for memory (relaxed sync) is a stall of
    // `stallLayer`. Returns the time of the allocation.
    double allocateOrWait(std::uint64_t bytes, MemoryKind kind, int stallLayer, bool forward)
    {
        const double allocated = ledger_.allocateWhenFits(t_, bytes, kind, settings_.budget_bytes, overBudget_);
        if (allocated > t_) {
            stall(stallLayer, forward, t_, allocated);
            t_ = allocated;
        }
        return allocated;
    }

    // When the ledger applies a change asked for at `t`: never before its own clock.
    double ledgerTime(double t) const { return std::max(t, ledger_.now()); }

    template <class F>
    void forEachOwned(int layer, F f) const
    {
        const auto ui = static_cast<std::size_t>(layer);
        for (int k = net_.owned_offsets[ui]; k < net_.owned_offsets[ui + 1]; ++k)
            f(static_cast<std::size_t>(net_.owned[static_cast<std::size_t>(k)]));
    }

    template <class F>
    void forEachNeeded(int layer, F f) const
    {
        const auto ui = static_cast<std::size_t>(layer);
        for (int k = net_.needed_offsets[ui]; k < net_.needed_offsets[ui + 1]; ++k)
            f(static_cast<std::size_t>(net_.needed[static_cast<std::size_t>(k)]));
    }

    // ---- forward pass ----

    void forwardStep(int i)
    {
        const auto ui = static_cast<std::size_t>(i);
        if (collectMemory_)
            s_->step_start[ui] = t_;
        allocateOutput(i);
        forEachOwned(i, [&](std::size_t u) {
            if (plan_.offloaded[u])
                offload(u, i);
        });
        allocateOrWait(compute_.workspace_bytes[ui], MemoryKind::workspace, i > 0 ? i - 1 : i, true);
        emit(Lane::compute, EventKind::forward, t_, t_ + compute_.forward_s[ui], i, i, 0, 0);
        t_ += compute_.forward_s[ui];
        ledger_.release(t_, compute_.workspace_bytes[ui], MemoryKind::workspace);
        releaseOwnedAfterForward(i);
        if (settings_.sync == SyncPolicy::vdnn && d2hFree_ > t_) {
            stall(i, true, t_, d2hFree_);
            t_ = d2hFree_;
        }
        if (collectMemory_)
            s_->step_end[ui] = t_;
    }

    // The layer's output buffer. An in-place activation writes into its input's buffer instead,
    // which from then on holds the output.
    void allocateOutput(int i)
    {
        const auto ui = static_cast<std::size_t>(i);
        if (!net_.in_place[ui]) {
            const double at = allocateOrWait(net_.bytes[ui + 1], MemoryKind::activations, i > 0 ? i - 1 : i, true);
            residency_.enter(ui + 1, TensorPlace::gpu, at);
            return;
        }
        allocateOrWait(0, MemoryKind::activations, i > 0 ? i - 1 : i, true);
        forEachOwned(i, [&](std::size_t u) {
            if (net_.absorbed[u])
                residency_.leave(u, t_);
        });
        residency_.enter(ui + 1, TensorPlace::gpu, t_);
    }

    // The layer was the last forward reader of what it owns: an offloaded tensor leaves once its
    // copy is done; one that no backward pass reads is freed now.
    void releaseOwnedAfterForward(int i)
    {
        forEachOwned(i, [&](std::size_t u) {
            if (plan_.offloaded[u]) {
                s_->release_at[u] = std::max(s_->offload_end[u], t_);
                residency_.enter(u, TensorPlace::host, ledgerTime(s_->release_at[u]));
                ledger_.release(s_->release_at[u], net_.bytes[u], MemoryKind::in_flight);
            } else if (!net_.stashed(static_cast<int>(u)) && !net_.absorbed[u]) {
                residency_.leave(u, ledgerTime(t_));
                ledger_.release(t_, net_.bytes[u], MemoryKind::activations);
            }
        });
    }

    void offload(std::size_t u, int issuer)
    {
        if (plan_.compress_s[u] > 0) {
            emit(Lane::codec, EventKind::compress, t_, t_ + plan_.compress_s[u], issuer, static_cast<int>(u) - 1,
                 net_.bytes[u], plan_.wire_bytes[u]);
            t_ += plan_.compress_s[u];
        }
        const double start = std::max(t_, d2hFree_);
        const double end = start + plan_.d2h_s[u];
        d2hFree_ = end;
        s_->offload_end[u] = end;
        residency_.enter(u, TensorPlace::offloading, ledgerTime(start));
        ledger_.change(start, net_.bytes[u], MemoryKind::activations, MemoryKind::in_flight);
        emit(Lane::d2h, EventKind::offload, start, end, issuer, static_cast<int>(u) - 1, net_.bytes[u],
             plan_.wire_bytes[u]);
        out_.d2h_raw_bytes += net_.bytes[u];
        out_.d2h_wire_bytes += plan_.wire_bytes[u];
        out_.d2h_busy_s += plan_.d2h_s[u];
        ++out_.offloaded_tensors;
        if (collectLayers_ && u > 0) {
            auto& P = out_.layers[u - 1];
            P.offloaded = true;
            P.offload_s = plan_.d2h_s[u];
            P.offload_wire_bytes = plan_.wire_bytes[u];
        }
    }

    // ---- backward pass ----

    // Offloaded tensors in the order the backward pass needs them (first backward reader descending).
    void orderPrefetches()
    {
        auto& order = s_->order;
        order.clear();
        for (int i = n_ - 1; i >= 0; --i)
            forEachNeeded(i, [&](std::size_t u) {
                if (plan_.offloaded[u])
                    order.push_back(static_cast<int>(u));
            });
        next_ = 0;
        ahead_ = 0;
    }

    void backwardStep(int i)
    {
        const auto ui = static_cast<std::size_t>(i);
        const std::size_t step = static_cast<std::size_t>(n_) + static_cast<std::size_t>(n_ - 1 - i);
        if (collectMemory_)
            s_->step_start[step] = t_;

        fetchMissing(i);
        skipPrefetched();
        if (settings_.prefetch == PrefetchPolicy::vdnn)
            prefetchLikeVdnn(i);
        else
            prefetchEagerly(i);

        allocateOrWait(gradientBytes(i), MemoryKind::gradients, i, false);
        allocateOrWait(compute_.workspace_bytes[ui], MemoryKind::workspace, i, false);
        waitForNeeded(i);
        decompressNeeded(i);
        emit(Lane::compute, EventKind::backward, t_, t_ + compute_.backward_s[ui], i, i, 0, 0);
        t_ += compute_.backward_s[ui];
        ledger_.release(t_, compute_.workspace_bytes[ui], MemoryKind::workspace);
        releaseAfterBackward(i);

        if (settings_.sync == SyncPolicy::vdnn && i > 0) {
            const double synced = std::max(h2dLink_, d2hFree_);
            if (synced > t_) {
                stall(i - 1, false, t_, synced);
                t_ = synced;
            }
        }
        if (collectMemory_)
            s_->step_end[step] = t_;
    }

    // What layer i needs and nobody fetched yet is fetched now: the compute stream waits.
    void fetchMissing(int i)
    {
        forEachNeeded(i, [&](std::size_t u) {
            if (!plan_.offloaded[u])
                return;
            if (s_->prefetched[u])
                --ahead_;
            else
                prefetch(u, i, true);
        });
    }

    // The backward pass of layer i starts once every tensor it needs is back: a stall of i.
    void waitForNeeded(int i)
    {
        double ready = t_;
        forEachNeeded(i, [&](std::size_t u) {
            if (plan_.offloaded[u])
                ready = std::max(ready, s_->prefetch_end[u]);
        });
        if (ready > t_) {
            stall(i, false, t_, ready);
            t_ = ready;
        }
    }

    // The sm engine decompresses what came back on the compute stream, before the layer runs.
    void decompressNeeded(int i)
    {
        forEachNeeded(i, [&](std::size_t u) {
            if (plan_.offloaded[u] && plan_.decompress_s[u] > 0 && s_->prefetched[u] == kCopiedBack) {
                emit(Lane::codec, EventKind::decompress, t_, t_ + plan_.decompress_s[u], i, static_cast<int>(u) - 1,
                     net_.bytes[u], plan_.wire_bytes[u]);
                t_ += plan_.decompress_s[u];
            }
        });
    }

    // Gradients: dY of a network output is created here; dX of each input at its first backward
    // reader, the layer that was its last forward reader (an in-place activation reuses dY).
    std::uint64_t gradientBytes(int i) const
    {
        const auto ui = static_cast<std::size_t>(i);
        std::uint64_t bytes = net_.last_consumer[ui + 1] < 0 ? net_.bytes[ui + 1] : 0;
        if (!net_.in_place[ui])
            forEachOwned(i, [&](std::size_t u) {
                if (u != 0)
                    bytes += net_.bytes[u];
            });
        return bytes;
    }

    // Values no later backward pass reads leave; so does the layer's dY.
    void releaseAfterBackward(int i)
    {
        const auto ui = static_cast<std::size_t>(i);
        for (int k = net_.freed_offsets[ui]; k < net_.freed_offsets[ui + 1]; ++k) {
            const auto t = static_cast<std::size_t>(net_.freed[static_cast<std::size_t>(k)]);
            // A tensor that never left may still be read by its offload copy (relaxed sync): its
            // buffer is freed when that copy ends, not before.
            const double at = s_->prefetched[t] == kNeverLeft ? std::max(t_, s_->release_at[t]) : t_;
            residency_.leave(t, ledgerTime(at));
            ledger_.release(at, net_.bytes[t], MemoryKind::activations);
        }
        if (!net_.in_place[ui])
            ledger_.release(t_, net_.bytes[ui + 1], MemoryKind::gradients);
    }

    void skipPrefetched()
    {
        while (next_ < s_->order.size() && s_->prefetched[static_cast<std::size_t>(s_->order[next_])])
            ++next_;
    }

    // findPrefetchLayer: the closest earlier layer that needs an offloaded, not yet prefetched
    // tensor has its tensors prefetched; the search stops at the first CONV layer it meets (at
    // most one layer's tensors per backward step).
    void prefetchLikeVdnn(int i)
    {
        if (next_ >= s_->order.size())
            return;
        const int owner = net_.first_backward_reader[static_cast<std::size_t>(s_->order[next_])];
        const int convBetween = i > 0 ? net_.conv_at_or_below[static_cast<std::size_t>(i) - 1] : -1;
        if (owner >= i || convBetween > owner)
            return;
        while (next_ < s_->order.size() &&
               net_.first_backward_reader[static_cast<std::size_t>(s_->order[next_])] == owner) {
            const auto u = static_cast<std::size_t>(s_->order[next_]);
            if (!s_->prefetched[u])
                prefetch(u, i, false);
            ++next_;
        }
    }

    // Tensors in the order the backward pass needs them, until `eager_depth` of them are ahead
    // of the compute stream or the next one does not fit the memory budget now.
    void prefetchEagerly(int i)
    {
        while (ahead_ < settings_.eager_depth && next_ < s_->order.size()) {
            const auto u = static_cast<std::size_t>(s_->order[next_]);
            if (!ledger_.fitsNow(t_, net_.bytes[u], settings_.budget_bytes))
                break;
            prefetch(u, i, false);
            ++ahead_;
            ++next_;
            skipPrefetched();
        }
    }

    void prefetch(std::size_t u, int issuer, bool mayWait)
    {
        s_->prefetched[u] = kCopiedBack;
        if (s_->release_at[u] > t_) {
            s_->prefetched[u] = kNeverLeft;
            // Its offload has not finished (relaxed sync): the buffer is still on the GPU. It
            // stays; nothing is copied back. The release scheduled for the end of the offload
            // is undone at the same instant.
            residency_.enter(u, TensorPlace::gpu, ledgerTime(s_->release_at[u]));
            ledger_.allocateLater(s_->release_at[u], net_.bytes[u], MemoryKind::activations);
            s_->prefetch_end[u] = t_;
            return;
        }
        const double allocated =
            mayWait ? ledger_.allocateWhenFits(t_, net_.bytes[u], MemoryKind::in_flight, settings_.budget_bytes, overBudget_)
                    : (ledger_.allocate(t_, net_.bytes[u], MemoryKind::in_flight), ledger_.now());
        residency_.enter(u, TensorPlace::prefetching, allocated);
        const double start = std::max({allocated, h2dLink_, s_->offload_end[u]});
        const double end = start + plan_.h2d_s[u];
        h2dLink_ = end;
        s_->prefetch_end[u] = end;
        residency_.enter(u, TensorPlace::gpu, ledgerTime(end));
        ledger_.change(end, net_.bytes[u], MemoryKind::in_flight, MemoryKind::activations);
        emit(Lane::h2d, EventKind::prefetch, start, end, issuer, static_cast<int>(u) - 1, net_.bytes[u],
             plan_.wire_bytes[u]);
        out_.h2d_raw_bytes += net_.bytes[u];
        out_.h2d_wire_bytes += plan_.wire_bytes[u];
        out_.h2d_busy_s += plan_.h2d_s[u];
        if (collectLayers_ && u > 0)
            out_.layers[u - 1].prefetch_s = plan_.h2d_s[u];
    }

    // ---- end ----

    EngineOutput finish()
    {
        out_.iteration_s = std::max({t_, d2hFree_, h2dFree_});
        residency_.finish(out_.iteration_s);
        ledger_.finish();
        out_.peak_bytes = ledger_.peak();
        if (collectMemory_) {
            out_.memory = std::move(ledger_.points());
            out_.step_peak_bytes = stepPeaks(out_.memory, s_->step_start, s_->step_end);
            long double sum = 0;
            for (std::uint64_t p : out_.step_peak_bytes)
                sum += static_cast<long double>(p);
            if (!out_.step_peak_bytes.empty())
                out_.avg_step_bytes =
                    static_cast<std::uint64_t>(sum / static_cast<long double>(out_.step_peak_bytes.size()));
        }
        out_.over_budget = overBudget_ || out_.peak_bytes > settings_.budget_bytes;
        return std::move(out_);
    }

    const PreparedNetwork& net_;
    const ComputePlan& compute_;
    const TransferPlan& plan_;
    const EngineSettings& settings_;
    const int n_;
    const bool collectLayers_;
    const bool collectMemory_;
    EngineOutput out_;
    MemoryLedger ledger_;
    ResidencyRecorder residency_;
    std::size_t moved_ = 0; // tensors the plan offloads (counted when events are collected)
    EngineScratch* s_ = nullptr;
    bool overBudget_ = false;
    double t_ = 0; // the compute stream's clock
    double d2hFree_ = 0, h2dFree_ = 0;
    double& h2dLink_; // the H2D stream, or the shared one of a half-duplex link
    std::size_t next_ = 0; // first entry of the prefetch order that may not be prefetched yet
    int ahead_ = 0;        // eager: prefetched tensors whose backward reader has not started
};

} // namespace

EngineOutput runEngine(const PreparedNetwork& net, const ComputePlan& compute, const TransferPlan& plan,
                       const EngineSettings& settings)
{
    return EngineRun(net, compute, plan, settings).run();
}

} // namespace offload::sim
