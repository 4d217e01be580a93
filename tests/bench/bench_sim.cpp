// Simulator throughput: full simulations of ResNet-50 and VGG-16 (scenario + oracle +
// uncompressed twin), the engine alone on generated chains of 1,000 and 1,000,000 layers (cost
// must be linear in layers), and a 10,000-point VGG-16 sweep on 2 threads. The teaching
// questions at a cursor (captions and residency) on a generated 100,000-layer network: the scan
// of sim/teaching.h as the baseline, then the TeachingIndex, in the same run (compare the lines:
// the ratio is the index's gain).
#include "core/network_json.h"
#include "core/synthetic_network.h"
#include "sim/simulator.h"
#include "sim/sweep.h"
#include "sim/teaching.h"

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdlib>
#include <memory>
#include <vector>

using namespace offload;
using namespace offload::sim;

namespace {

Scenario sampleScenario(const char* network)
{
    auto model = std::make_shared<const NetworkModel>(
        loadNetworkFile(std::string(OFFLOAD_SAMPLES_DIR) + "/networks/" + network + ".json"));
    Scenario s = defaultScenarioFor(model);
    s.codec = CodecId::zvc;
    return s;
}

// conv -> relu -> pool-like blocks of generic layers, so that the policies see CONV layers and
// in-place activations as in a real CNN.
Scenario chainScenario(int layers)
{
    Network net;
    net.name = "chain";
    net.input = Shape{64, 32, 32};
    net.layers.reserve(static_cast<std::size_t>(layers));
    for (int i = 0; i < layers; ++i) {
        Layer L;
        L.name = "l" + std::to_string(i);
        switch (i % 3) {
        case 0:
            L.kind = LayerKind::conv;
            L.out_channels = 64;
            L.kernel_h = L.kernel_w = 3;
            L.pad_h = L.pad_w = 1;
            break;
        case 1: L.kind = LayerKind::relu; break;
        default:
            L.kind = LayerKind::generic;
            L.generic_output = Shape{64, 32, 32};
            L.generic_flops = 1e6;
            break;
        }
        net.layers.push_back(std::move(L));
    }
    Scenario s = defaultScenarioFor(std::make_shared<const NetworkModel>(std::move(net)));
    s.batch = 32;
    s.codec = CodecId::zvc;
    return s;
}

void reportEvents(benchmark::State& state, std::size_t eventsPerRun)
{
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(eventsPerRun));
    state.counters["events"] = static_cast<double>(eventsPerRun);
}

// The timed loop every simulation benchmark shares: run, keep the result alive, count events.
template <typename Run>
void timeSimulation(benchmark::State& state, const Scenario& s, Run run)
{
    std::size_t events = 0;
    for (auto _ : state) {
        Result r = run(s);
        events = r.events.size();
        benchmark::DoNotOptimize(r.summary.iteration_s);
    }
    reportEvents(state, events);
}

void BM_Simulate_ResNet50(benchmark::State& state)
{
    timeSimulation(state, sampleScenario("resnet50"), simulate);
}
BENCHMARK(BM_Simulate_ResNet50)->Unit(benchmark::kMicrosecond);

void BM_SimulateOnly_ResNet50(benchmark::State& state)
{
    timeSimulation(state, sampleScenario("resnet50"), simulateOnly);
}
BENCHMARK(BM_SimulateOnly_ResNet50)->Unit(benchmark::kMicrosecond);

// The window re-simulates on every control change: delta must cost no more than about twice the
// roofline per call (compare the two lines of one run).
void BM_Simulate_ResNet50_Roofline(benchmark::State& state)
{
    Scenario s = sampleScenario("resnet50");
    s.compute_model = ComputeModelKind::roofline;
    timeSimulation(state, s, simulate);
}
BENCHMARK(BM_Simulate_ResNet50_Roofline)->Unit(benchmark::kMicrosecond);

void BM_Simulate_ResNet50_Delta(benchmark::State& state)
{
    Scenario s = sampleScenario("resnet50");
    s.compute_model = ComputeModelKind::delta;
    timeSimulation(state, s, simulate);
}
BENCHMARK(BM_Simulate_ResNet50_Delta)->Unit(benchmark::kMicrosecond);

void BM_Simulate_VGG16(benchmark::State& state)
{
    timeSimulation(state, sampleScenario("vgg16"), simulate);
}
BENCHMARK(BM_Simulate_VGG16)->Unit(benchmark::kMicrosecond);

void BM_Simulate_Chain(benchmark::State& state)
{
    timeSimulation(state, chainScenario(static_cast<int>(state.range(0))), simulate);
    state.counters["layers"] = static_cast<double>(state.range(0));
    // Seconds per layer (the time per iteration divided by the layers): equal at both sizes
    // when the cost is linear.
    state.counters["per_layer"] = benchmark::Counter(static_cast<double>(state.range(0)),
                                                     benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
}
BENCHMARK(BM_Simulate_Chain)->Arg(1'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_Sweep_VGG16_10000(benchmark::State& state)
{
    const Scenario s = sampleScenario("vgg16");
    SweepSpec spec;
    spec.bandwidths_bytes_per_s = logRange(1e9, 100e9, 5'000);
    spec.codecs = {CodecId::none, CodecId::zvc};
    spec.threads = static_cast<int>(state.range(0));
    for (auto _ : state) {
        auto points = runSweep(s, spec);
        benchmark::DoNotOptimize(points.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 10'000);
}
BENCHMARK(BM_Sweep_VGG16_10000)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// --- teaching queries at a cursor ---

// One simulation of a generated residual network of 20,000 blocks (100,000 layers), shared by
// the teaching benchmarks, and 64 cursor times spread over its iteration (off the grid of event
// times, as a playing cursor is).
struct TeachingCase {
    Scenario scenario;
    Result result;
    std::vector<double> times;
};

const TeachingCase& generatedTeachingCase()
{
    static const TeachingCase c = [] {
        TeachingCase t;
        t.scenario = defaultScenarioFor(std::make_shared<const NetworkModel>(syntheticResidualNetwork(20'000), "generated"));
        t.scenario.codec = CodecId::zvc;
        t.result = simulate(t.scenario);
        for (int i = 0; i < 64; ++i)
            t.times.push_back(t.result.summary.iteration_s * (i + 0.37) / 64);
        return t;
    }();
    return c;
}

// What the caption bar and the memory view ask per cursor move, answered by `ask(t)`.
template <typename Ask>
void timeCursorQueries(benchmark::State& state, Ask ask)
{
    const TeachingCase& c = generatedTeachingCase();
    std::size_t k = 0, answers = 0;
    for (auto _ : state) {
        answers += ask(c.times[k++ % c.times.size()]);
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(answers);
    state.counters["layers"] = static_cast<double>(c.result.layers.size());
    state.counters["spans"] = static_cast<double>(c.result.residency.size());
    state.counters["events"] = static_cast<double>(c.result.events.size());
}

// Baseline: the free functions, a scan of every event and span per call.
void BM_TeachingCursor_Scan_100k(benchmark::State& state)
{
    const TeachingCase& c = generatedTeachingCase();
    const Network& net = c.scenario.network->network();
    timeCursorQueries(state, [&](double t) {
        return captionsAt(net, c.result, t).size() + residentAt(c.result, t).tensors.size();
    });
}
BENCHMARK(BM_TeachingCursor_Scan_100k)->Unit(benchmark::kMicrosecond);

// The same answers (the full residency list) from the index.
void BM_TeachingCursor_Index_100k(benchmark::State& state)
{
    const TeachingCase& c = generatedTeachingCase();
    const Network& net = c.scenario.network->network();
    const TeachingIndex index(c.result);
    timeCursorQueries(state, [&](double t) {
        return index.captionsAt(net, t).size() + index.residentAt(t).tensors.size();
    });
}
BENCHMARK(BM_TeachingCursor_Index_100k)->Unit(benchmark::kMicrosecond);

// What the window asks now: captions and the bounded residency (200 tensors a place).
void BM_TeachingCursor_IndexSummary_100k(benchmark::State& state)
{
    const TeachingCase& c = generatedTeachingCase();
    const Network& net = c.scenario.network->network();
    const TeachingIndex index(c.result);
    timeCursorQueries(state, [&](double t) {
        const auto step = index.computeAt(t);
        return index.captionsAt(net, t).size()
               + index.residencySummaryAt(t, step ? step->layer : -1, 200).of(TensorPlace::gpu).listed.size();
    });
}
BENCHMARK(BM_TeachingCursor_IndexSummary_100k)->Unit(benchmark::kMicrosecond);

// For scale: the simulation that the index is built beside.
void BM_Simulate_Generated_100k(benchmark::State& state)
{
    timeSimulation(state, generatedTeachingCase().scenario, simulate);
}
BENCHMARK(BM_Simulate_Generated_100k)->Unit(benchmark::kMillisecond);

// Building the index once per snapshot (on the model's worker thread, with the simulation).
void BM_TeachingIndex_Build_100k(benchmark::State& state)
{
    const TeachingCase& c = generatedTeachingCase();
    for (auto _ : state) {
        const TeachingIndex index(c.result);
        benchmark::DoNotOptimize(&index);
    }
    state.counters["spans"] = static_cast<double>(c.result.residency.size());
}
BENCHMARK(BM_TeachingIndex_Build_100k)->Unit(benchmark::kMillisecond);

} // namespace

// glibc returns the top of the heap to the kernel (brk) whenever more than 128 KiB is free
// there; one simulation's result (events, layers and two memory curves) is just above that, so
// with the default every iteration pays a brk syscall and fresh page faults, which is the
// allocator's policy and not the simulator's work (perf: > 50 % in systrim). Allocators such as
// jemalloc or tcmalloc keep the memory; raising the trim and mmap thresholds does the same here. Run with
// OFFLOAD_BENCH_DEFAULT_MALLOC=1 to measure glibc's default.
int main(int argc, char** argv)
{
    if (!std::getenv("OFFLOAD_BENCH_DEFAULT_MALLOC")) {
        // Both, because setting one turns off glibc's dynamic adjustment of the other.
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
