// offload-probe replay: runs one training-like iteration on the GPU following the simulator's
// schedule for a scenario and records what really happened with CUDA events.
//
// Per step: a layer's compute is a stand-in that holds one block per SM until the layer's
// simulated (or measured) time has passed, after writing the layer's output tensor when that
// tensor is offloaded later (so compression reads freshly produced data with the simulated
// sparsity). Offloads run on a D2H stream and prefetches on an H2D stream, from and to pinned
// host memory, ZVC-compressed when the scenario's codec is zvc. Synchronisation follows the
// scenario: with vDNN sync the compute stream waits for the offloads of a forward step before
// the next step starts; a backward step waits for the tensors it reads. GPUs have no cDMA
// engine, so compression always runs as kernels: on the compute stream for the `sm` engine (as
// the simulator models it) and on the copy streams for `dma`. Every wait is a stream-side wait,
// so the host never sits between two steps.
#include "probe.h"
#include "replay_plan.h"

#include "core/cuda/gpu.h"
#include "core/device_profile.h"
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/version.h"
#include "sim/export/json_export.h"
#include "sim/simulator.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace offload::probe {

namespace {

struct ReplayOptions {
    std::string scenario;
    std::string out;
    std::string device; // optional device profile that replaces the scenario's GPU, link and layer times
};

// The scenario on this machine as calibrate measured it: the profile's GPU and link, its layer
// times on the network, and for ZVC the measured kernel rate as an `sm` engine (where the
// replay runs the kernels).
void useMeasuredDevice(sim::Scenario& scenario, const DeviceProfile& profile)
{
    const AppliedLayerTimes applied = sim::applyDeviceProfile(scenario, profile);
    std::printf("device profile: %s; measured times for %d layers", profile.device_name.c_str(), applied.applied);
    if (!applied.unknown_layers.empty())
        std::printf(" (%zu profile layers not in this network)", applied.unknown_layers.size());
    std::printf("\n");
    if (!profile.layer_times.empty()) {
        const std::int64_t batch = profile.layer_times.begin()->second.batch;
        if (batch != scenario.batch)
            std::printf(
                "note: layer times were measured at batch %lld, the scenario runs batch %lld (scaled linearly)\n",
                static_cast<long long>(batch), static_cast<long long>(scenario.batch));
    }
    if (scenario.codec == CodecId::zvc) {
        const double rate = zvcEngineBytesPerSecond(profile);
        if (rate <= 0)
            throw InputError(profile.device_name, "/zvc", "the device profile has no ZVC throughput");
        scenario.engine = sim::EngineKind::sm;
        scenario.engine_bytes_per_s = rate;
    }
}

// Device and host storage of one offloaded tensor.
struct TensorState {
    ReplayTensor info;
    std::uint64_t elements = 0;
    std::uint64_t wire_bytes = 0; // real compressed size (raw size without a codec)
    std::uint64_t zeros = 0;
    gpu::DeviceBuffer data;       // the activation
    gpu::DeviceBuffer compressed; // its ZVC stream (written by compress and by prefetch)
    gpu::DeviceBuffer index;      // ZVC tile index, kept on the GPU like cDMA's metadata
    gpu::PinnedBuffer host;
    gpu::Event* produced = nullptr;  // output written (compute stream)
    gpu::Event* offloaded = nullptr; // copy to host finished
    gpu::Event* ready = nullptr;     // back on the GPU and decompressed
};

struct Span {
    sim::Lane lane;
    sim::EventKind kind;
    int layer;
    int tensor;
    gpu::Event* start;
    gpu::Event* end;
    std::uint64_t raw = 0, wire = 0;
    bool backward_phase = false;
};

class Replayer {
public:
    Replayer(const sim::Scenario& scenario, const ReplayPlan& plan, const gpu::DeviceInfo& device)
        : scenario_(scenario), plan_(plan), device_(device), zvc_(scenario.codec == CodecId::zvc),
          smEngine_(scenario.engine == sim::EngineKind::sm)
    {
    }

    void prepare();
    // Runs the iteration once; the spans of the last run are kept.
    void run();
    sim::Result result(const sim::Result& simulated) const;
    double iterationSeconds() const;

private:
    gpu::Event* newEvent()
    {
        events_.push_back(std::make_unique<gpu::Event>());
        return events_.back().get();
    }
    gpu::Event* mark(gpu::StreamHandle s)
    {
        gpu::Event* e = newEvent();
        e->record(s);
        return e;
    }
    void fill(TensorState& t, gpu::StreamHandle s) const
    {
        // Seeded by producer: the timed run writes exactly the data compressed in prepare().
        gpu::fillSparseAsync(static_cast<float*>(t.data.get()), t.elements, t.info.sparsity,
                             static_cast<std::uint32_t>(t.info.producer + 2) * 2654435761u, s);
    }
    void compress(TensorState& t, gpu::StreamHandle s) const
    {
        gpu::zvcCompressAsync(t.data.get(), t.elements, 4, t.compressed.get(),
                              static_cast<std::uint64_t*>(t.index.get()), s);
    }
    void decompress(TensorState& t, gpu::StreamHandle s) const
    {
        gpu::zvcDecompressAsync(t.compressed.get(), static_cast<const std::uint64_t*>(t.index.get()), t.elements, 4,
                                t.data.get(), s);
    }
    void stallSpan(int layer, bool backward, gpu::Event* before, gpu::Event* after)
    {
        spans_.push_back({sim::Lane::compute, sim::EventKind::stall, layer, -2, before, after, 0, 0, backward});
    }

    const sim::Scenario& scenario_;
    const ReplayPlan& plan_;
    gpu::DeviceInfo device_;
    bool zvc_;
    bool smEngine_;
    gpu::Stream compute_, d2h_, h2d_;
    gpu::DeviceBuffer stamp_;
    std::map<int, TensorState> tensors_;
    std::vector<std::unique_ptr<gpu::Event>> events_;
    std::vector<Span> spans_;
    gpu::Event* origin_ = nullptr;
};

void Replayer::prepare()
{
    if (scenario_.dtype != DType::fp32)
        throw InputError("", "/dtype", "replay runs fp32 scenarios only");
    if (scenario_.codec != CodecId::none && scenario_.codec != CodecId::zvc)
        throw InputError("", "/codec",
                         "replay runs the codecs none and zvc (the GPU kernels that exist), not " +
                             std::string(codecName(scenario_.codec)));
    std::uint64_t deviceBytes = 0;
    for (const auto& [producer, t] : plan_.tensors) {
        deviceBytes += t.raw_bytes;
        if (zvc_)
            deviceBytes += gpu::zvcMaxCompressedBytes(t.raw_bytes / 4, 4);
    }
    const std::uint64_t freeBytes = gpu::freeDeviceMemory();
    if (deviceBytes > freeBytes / 10 * 9)
        throw std::runtime_error("replay keeps every offloaded tensor on the GPU as well and needs " +
                                 std::to_string(deviceBytes >> 20) + " MiB; " + std::to_string(freeBytes >> 20) +
                                 " MiB are free. Lower the scenario's batch.");
    stamp_ = gpu::DeviceBuffer(sizeof(std::uint64_t));
    for (const auto& [producer, info] : plan_.tensors) {
        TensorState& t = tensors_[producer];
        t.info = info;
        if (info.raw_bytes % 4 != 0)
            throw std::runtime_error("tensor of producer " + std::to_string(producer) +
                                     " is not a whole number of fp32 values");
        t.elements = info.raw_bytes / 4;
        t.data = gpu::DeviceBuffer(info.raw_bytes);
        fill(t, compute_.handle());
        t.zeros = gpu::countZeros(t.data.get(), t.elements, 4, compute_.handle());
        if (zvc_) {
            t.compressed = gpu::DeviceBuffer(gpu::zvcMaxCompressedBytes(t.elements, 4));
            t.index = gpu::DeviceBuffer(gpu::zvcIndexEntries(t.elements) * sizeof(std::uint64_t));
            compress(t, compute_.handle());
            // Known before the timed run, so the copies can be queued without asking the GPU.
            t.wire_bytes =
                gpu::zvcCompressedSize(static_cast<const std::uint64_t*>(t.index.get()), t.elements, compute_.handle());
        } else {
            t.wire_bytes = info.raw_bytes;
        }
        t.host = gpu::PinnedBuffer(t.wire_bytes);
    }
    gpu::synchronizeDevice();
}

void Replayer::run()
{
    events_.clear();
    spans_.clear();
    const gpu::StreamHandle c = compute_.handle(), d = d2h_.handle(), h = h2d_.handle();
    auto* stamp = static_cast<std::uint64_t*>(stamp_.get());
    origin_ = mark(c);
    origin_->makeWait(d);
    origin_->makeWait(h);
    for (auto& [producer, t] : tensors_) {
        t.produced = producer < 0 ? origin_ : nullptr; // the network input is there at the start
        t.offloaded = t.ready = nullptr;
    }

    for (const ReplayStep& step : plan_.steps) {
        gpu::Event* stepStart = mark(c);
        if (step.forward) {
            for (int u : step.offloads) {
                TensorState& t = tensors_.at(u);
                gpu::StreamHandle codecStream = smEngine_ ? c : d;
                if (zvc_) {
                    if (!smEngine_) {
                        stepStart->makeWait(d);
                        if (t.produced)
                            t.produced->makeWait(d);
                    }
                    gpu::Event* a = mark(codecStream);
                    compress(t, codecStream);
                    gpu::Event* b = mark(codecStream);
                    spans_.push_back({sim::Lane::codec, sim::EventKind::compress, step.layer, u, a, b, t.info.raw_bytes,
                                      t.wire_bytes});
                    if (smEngine_)
                        b->makeWait(d);
                } else {
                    stepStart->makeWait(d);
                    if (t.produced)
                        t.produced->makeWait(d);
                }
                gpu::Event* a = mark(d);
                gpu::copyAsync(t.host.get(), zvc_ ? t.compressed.get() : t.data.get(), t.wire_bytes,
                               gpu::CopyKind::device_to_host, d);
                t.offloaded = mark(d);
                spans_.push_back({sim::Lane::d2h, sim::EventKind::offload, step.layer, u, a, t.offloaded,
                                  t.info.raw_bytes, t.wire_bytes});
            }
            gpu::Event* a = mark(c);
            gpu::stampTimerAsync(stamp, c);
            if (auto it = tensors_.find(step.layer); it != tensors_.end()) {
                fill(it->second, c);
                it->second.produced = mark(c);
            }
            gpu::spinUntilAsync(stamp, step.compute_s, device_.sm_count, c);
            gpu::Event* b = mark(c);
            spans_.push_back({sim::Lane::compute, sim::EventKind::forward, step.layer, step.layer, a, b, 0, 0});
            if (scenario_.sync == sim::SyncPolicy::vdnn && !step.offloads.empty()) {
                mark(d)->makeWait(c);
                stallSpan(step.layer, false, b, mark(c));
            }
        } else {
            for (int u : step.prefetches) {
                TensorState& t = tensors_.at(u);
                stepStart->makeWait(h);
                if (t.offloaded)
                    t.offloaded->makeWait(h);
                gpu::Event* a = mark(h);
                gpu::copyAsync(zvc_ ? t.compressed.get() : t.data.get(), t.host.get(), t.wire_bytes,
                               gpu::CopyKind::host_to_device, h);
                gpu::Event* b = mark(h);
                spans_.push_back(
                    {sim::Lane::h2d, sim::EventKind::prefetch, step.layer, u, a, b, t.info.raw_bytes, t.wire_bytes});
                t.ready = b;
                if (zvc_ && !smEngine_) {
                    decompress(t, h);
                    gpu::Event* e = mark(h);
                    spans_.push_back({sim::Lane::codec, sim::EventKind::decompress, step.layer, u, b, e,
                                      t.info.raw_bytes, t.wire_bytes});
                    t.ready = e;
                }
            }
            gpu::Event* beforeWait = mark(c);
            for (int u : step.needs) {
                TensorState& t = tensors_.at(u);
                if (!t.ready)
                    throw std::runtime_error("the schedule reads tensor " + std::to_string(u) +
                                             " in the backward pass before prefetching it");
                t.ready->makeWait(c);
            }
            if (!step.needs.empty())
                stallSpan(step.layer, true, beforeWait, mark(c));
            if (zvc_ && smEngine_) {
                for (int u : step.needs) {
                    TensorState& t = tensors_.at(u);
                    gpu::Event* a = mark(c);
                    decompress(t, c);
                    spans_.push_back({sim::Lane::codec, sim::EventKind::decompress, step.layer, u, a, mark(c),
                                      t.info.raw_bytes, t.wire_bytes});
                }
            }
            gpu::Event* a = mark(c);
            gpu::stampTimerAsync(stamp, c);
            gpu::spinUntilAsync(stamp, step.compute_s, device_.sm_count, c);
            spans_.push_back({sim::Lane::compute, sim::EventKind::backward, step.layer, step.layer, a, mark(c), 0, 0});
        }
    }
    gpu::synchronizeDevice();
}

double Replayer::iterationSeconds() const
{
    double end = 0;
    for (const Span& s : spans_)
        end = std::max(end, s.end->secondsSince(*origin_));
    return end;
}

sim::Result Replayer::result(const sim::Result& simulated) const
{
    sim::Result r;
    r.layers = simulated.layers;
    for (sim::LayerResult& L : r.layers) {
        L.forward_s = L.backward_s = L.offload_s = L.prefetch_s = 0;
        L.forward_stall_s = L.backward_stall_s = 0;
    }
    for (const Span& s : spans_) {
        sim::Event e;
        e.start_s = s.start->secondsSince(*origin_);
        e.end_s = s.end->secondsSince(*origin_);
        // Waits that were already satisfied show up as a gap of a few microseconds of event
        // bookkeeping, not as stalls.
        if (s.kind == sim::EventKind::stall && e.end_s - e.start_s < 2e-6)
            continue;
        e.layer = s.layer;
        e.tensor = s.tensor;
        e.lane = s.lane;
        e.kind = s.kind;
        e.raw_bytes = s.raw;
        e.wire_bytes = s.wire;
        r.events.push_back(e);
        const double dt = e.end_s - e.start_s;
        auto& L = r.layers[static_cast<std::size_t>(s.layer)];
        switch (s.kind) {
        case sim::EventKind::forward: L.forward_s += dt; break;
        case sim::EventKind::backward: L.backward_s += dt; break;
        case sim::EventKind::stall:
            (s.backward_phase ? L.backward_stall_s : L.forward_stall_s) += dt;
            (s.backward_phase ? r.summary.backward_stall_s : r.summary.forward_stall_s) += dt;
            break;
        default: break;
        }
        if (s.kind == sim::EventKind::offload) {
            r.summary.d2h_raw_bytes += s.raw;
            r.summary.d2h_wire_bytes += s.wire;
            r.summary.d2h_utilization += dt;
            if (s.tensor >= 0) {
                auto& P = r.layers[static_cast<std::size_t>(s.tensor)];
                P.offloaded = true;
                P.offload_s = dt;
                P.offload_wire_bytes = s.wire;
                P.ratio = s.wire ? static_cast<double>(s.raw) / static_cast<double>(s.wire) : 1.0;
                ++r.summary.offloaded_layers;
            }
        } else if (s.kind == sim::EventKind::prefetch) {
            r.summary.h2d_raw_bytes += s.raw;
            r.summary.h2d_wire_bytes += s.wire;
            r.summary.h2d_utilization += dt;
            if (s.tensor >= 0)
                r.layers[static_cast<std::size_t>(s.tensor)].prefetch_s = dt;
        }
    }
    std::sort(r.events.begin(), r.events.end(), [](const sim::Event& a, const sim::Event& b) {
        return a.lane != b.lane ? a.lane < b.lane : a.start_s < b.start_s;
    });
    r.summary.iteration_s = iterationSeconds();
    if (r.summary.iteration_s > 0) {
        r.summary.d2h_utilization /= r.summary.iteration_s;
        r.summary.h2d_utilization /= r.summary.iteration_s;
    }
    for (const auto& [producer, t] : tensors_)
        if (producer >= 0)
            r.layers[static_cast<std::size_t>(producer)].sparsity =
                static_cast<double>(t.zeros) / static_cast<double>(std::max<std::uint64_t>(t.elements, 1));
    return r;
}

int runReplay(const ReplayOptions& o)
{
    std::string why;
    const auto device = gpu::probeDevice(&why);
    if (!device) {
        std::cerr << "offload-probe: " << why << "\n";
        return kNoDevice;
    }
    sim::Scenario scenario = sim::loadScenarioFile(o.scenario);
    if (!o.device.empty())
        useMeasuredDevice(scenario, loadDeviceProfileFile(o.device));
    const sim::Result simulated = sim::simulate(scenario);
    ReplayPlan plan;
    try {
        plan = buildReplayPlan(scenario, simulated);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("cannot replay this schedule: ") + e.what());
    }
    Replayer replayer(scenario, plan, *device);
    replayer.prepare();
    replayer.run(); // warm-up: first launches load kernels and touch pinned pages
    replayer.run();
    sim::Result measured = replayer.result(simulated);

    nlohmann::json j = sim::resultToJson(scenario, measured);
    const double simS = simulated.summary.iteration_s;
    const double realS = measured.summary.iteration_s;
    j["replay"] = {{"device", device->name},
                   {"tool", std::string("offload-probe ") + kVersion},
                   {"measured_at", utcNow()},
                   {"simulated_iteration_s", simS},
                   {"replayed_iteration_s", realS},
                   {"difference", simS > 0 ? realS / simS - 1 : 0.0},
                   {"compression", scenario.codec == CodecId::zvc
                                       ? (scenario.engine == sim::EngineKind::sm
                                              ? "ZVC kernels on the compute stream"
                                              : "ZVC kernels on the copy streams (no cDMA hardware)")
                                       : "none"},
                   {"memory", "not measured: the memory fields of this file are zero"}};
    writeFileAtomically(o.out, j.dump(1) + "\n");

    std::printf("device: %s\n", device->name.c_str());
    std::printf("simulated iteration: %.3f ms\nreplayed iteration:  %.3f ms (%+.1f %%)\n", simS * 1e3, realS * 1e3,
                simS > 0 ? 100 * (realS / simS - 1) : 0.0);
    std::printf("offloaded %d tensors: %.1f MiB raw, %.1f MiB over the link (simulated %.1f MiB)\n",
                measured.summary.offloaded_layers, static_cast<double>(measured.summary.d2h_raw_bytes) / (1 << 20),
                static_cast<double>(measured.summary.d2h_wire_bytes) / (1 << 20),
                static_cast<double>(simulated.summary.d2h_wire_bytes) / (1 << 20));
    std::printf("stalls: forward %.3f ms, backward %.3f ms (simulated %.3f / %.3f ms)\n",
                measured.summary.forward_stall_s * 1e3, measured.summary.backward_stall_s * 1e3,
                simulated.summary.forward_stall_s * 1e3, simulated.summary.backward_stall_s * 1e3);
    std::cout << "wrote " << o.out << "\n";
    return kSuccess;
}

} // namespace

void addReplayCommand(CLI::App& app, int& exitCode)
{
    auto opts = std::make_shared<ReplayOptions>();
    CLI::App* cmd =
        app.add_subcommand("replay", "Run a scenario's simulated iteration on this GPU and record its timeline");
    cmd->add_option("scenario", opts->scenario, "Scenario file (offload-studio/scenario v1)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", opts->out, "Measured timeline to write (the simulator's result format)")->required();
    cmd->add_option("--device", opts->device,
                    "Device profile from calibrate: simulate with its GPU, link, layer times and ZVC rate")
        ->check(CLI::ExistingFile);
    cmd->callback([opts, &exitCode] {
        try {
            exitCode = runReplay(*opts);
        } catch (const InputError& e) {
            std::cerr << "offload-probe: " << (e.file().empty() ? opts->scenario : e.file()) << ": "
                      << (e.place().empty() ? "" : e.place() + ": ") << e.message() << "\n";
            exitCode = kBadInput;
        } catch (const std::exception& e) {
            std::cerr << "offload-probe: " << e.what() << "\n";
            exitCode = kFailure;
        }
    });
}

} // namespace offload::probe
