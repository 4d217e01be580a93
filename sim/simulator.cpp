#include "simulator.h"

#include "simulation_steps.h"

#include "core/byte_units.h"
#include "core/input_error.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace offload::sim {

namespace {

EngineSettings settingsFor(const Scenario& s, const PreparedNetwork& net)
{
    EngineSettings e;
    e.sync = s.sync;
    e.prefetch = s.prefetch;
    e.eager_depth = s.eager_depth;
    e.budget_bytes = s.budgetBytes();
    e.weight_bytes = residentWeightBytes(net);
    e.workspace_bytes = s.workspace_bytes;
    e.half_duplex = !s.link.full_duplex;
    e.sm_engine = s.engine == EngineKind::sm;
    return e;
}

// What a policy decided: the tensors to offload and the algorithm of every conv layer.
struct Choice {
    std::vector<std::uint8_t> selection;
    ComputePlan compute;
};

struct Candidate {
    EngineOutput output;
    TransferPlan plan;
};

Candidate runChoice(const Scenario& s, const PreparedNetwork& net, const Choice& choice, const EngineSettings& settings)
{
    Candidate c;
    c.plan = planTransfers(net, *s.network, s, choice.selection, settings.collect_layers);
    c.output = runEngine(net, choice.compute, c.plan, settings);
    return c;
}

// Settings for the searches: they read only the iteration time and whether the budget held.
EngineSettings quietSettings(const EngineSettings& settings)
{
    EngineSettings quiet = settings;
    quiet.collect_events = false;
    quiet.collect_layers = false;
    quiet.collect_memory = false;
    return quiet;
}

std::uint64_t offloadedBytes(const PreparedNetwork& net, const std::vector<std::uint8_t>& selection)
{
    std::uint64_t total = 0;
    for (std::size_t t = 0; t < selection.size(); ++t)
        if (selection[t])
            total += net.bytes[t];
    return total;
}

// The smallest k in [0, count] for which fits(k) holds, given that it holds for `count` and
// that fitting is monotone in k.
template <class Fits>
std::size_t smallestFitting(std::size_t count, Fits fits)
{
    std::size_t lo = 0, hi = count;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (fits(mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

// vDNN-dyn's last step: every conv layer gets the fastest algorithm whose workspace fits beside
// what vDNN-all with memory-optimal algorithms holds while that layer runs (forward or
// backward). A workspace lives only while its layer runs, so the choices hardly interact; where
// they do (a prefetch in flight beside a large workspace) the largest workspaces go back to
// implicit GEMM, as few as make it fit.
ComputePlan greedyAlgorithms(const Scenario& s, const PreparedNetwork& net, const std::vector<std::uint8_t>& all,
                             const EngineSettings& quiet)
{
    const ComputePlan memoryOptimal = computePlan(net, AlgorithmPreference::memory);
    EngineSettings withSteps = quiet;
    withSteps.collect_memory = true;
    const auto feasibility = runChoice(s, net, Choice{all, memoryOptimal}, withSteps).output;
    const std::uint64_t budget = quiet.budget_bytes;
    const auto n = static_cast<std::size_t>(net.layers);

    ComputePlan greedy = memoryOptimal;
    std::vector<int> upgraded;
    for (int i = 0; i < net.layers; ++i) {
        if (!net.is_conv[static_cast<std::size_t>(i)])
            continue;
        const std::uint64_t held = std::max(feasibility.step_peak_bytes[static_cast<std::size_t>(i)],
                                            feasibility.step_peak_bytes[2 * n - 1 - static_cast<std::size_t>(i)]);
        const std::uint64_t headroom = budget > held ? budget - held : 0;
        const int o0 = net.conv_option_offsets[static_cast<std::size_t>(i)];
        const int o1 = net.conv_option_offsets[static_cast<std::size_t>(i) + 1];
        int best = greedy.conv_option[static_cast<std::size_t>(i)];
        for (int o = o0; o < o1; ++o) {
            const ConvOption& option = net.conv_options[static_cast<std::size_t>(o)];
            const ConvOption& current = net.conv_options[static_cast<std::size_t>(o0 + best)];
            if (option.workspace_bytes <= headroom &&
                option.forward_s + option.backward_s < current.forward_s + current.backward_s)
                best = o - o0;
        }
        if (best != greedy.conv_option[static_cast<std::size_t>(i)]) {
            chooseConvOption(net, greedy, i, best);
            upgraded.push_back(i);
        }
    }
    if (!runChoice(s, net, Choice{all, greedy}, quiet).output.over_budget)
        return greedy;

    std::stable_sort(upgraded.begin(), upgraded.end(), [&](int a, int b) {
        return greedy.workspace_bytes[static_cast<std::size_t>(a)] > greedy.workspace_bytes[static_cast<std::size_t>(b)];
    });
    auto reverted = [&](std::size_t k) {
        ComputePlan plan = greedy;
        for (std::size_t j = 0; j < k; ++j)
            chooseConvOption(net, plan, upgraded[j], memoryOptimalConvOption(net, upgraded[j]));
        return plan;
    };
    const std::size_t k = smallestFitting(upgraded.size(), [&](std::size_t k) {
        return !runChoice(s, net, Choice{all, reverted(k)}, quiet).output.over_budget;
    });
    return reverted(k);
}

// vDNN-dyn as published (Rhu et al., MICRO 2016, section III): if even vDNN-all with memory-optimal algorithms
// does not fit, the network cannot be trained (reported infeasible). Otherwise the first of no
// offload, vDNN-conv and vDNN-all that fits with the fastest algorithms, and failing those
// vDNN-all with each conv layer's algorithm chosen greedily.
Choice vdnnDynamic(const Scenario& s, const PreparedNetwork& net, const EngineSettings& settings)
{
    const NetworkModel& model = *s.network;
    const EngineSettings quiet = quietSettings(settings);
    const auto all = offloadSelection(net, model, OffloadPolicy::all, {});
    Choice feasibility{all, computePlan(net, AlgorithmPreference::memory)};
    if (runChoice(s, net, feasibility, quiet).output.over_budget)
        return feasibility;
    const ComputePlan fastest = computePlan(net, AlgorithmPreference::performance);
    for (auto policy : {OffloadPolicy::none, OffloadPolicy::conv, OffloadPolicy::all}) {
        Choice c{offloadSelection(net, model, policy, {}), fastest};
        if (!runChoice(s, net, c, quiet).output.over_budget)
            return c;
    }
    return Choice{all, greedyAlgorithms(s, net, all, quiet)};
}

// The fastest of no offload, vDNN-conv, vDNN-all and the k largest offloadable tensors (the
// smallest k that fits, by bisection: peak memory falls as k grows) that fits the budget, with
// the scenario's algorithm preference. Ties: fewer bytes moved. None fits: vDNN-all, reported
// infeasible. Cost: 4 + log2(tensors) engine runs.
Choice fastestFit(const Scenario& s, const PreparedNetwork& net, const EngineSettings& settings)
{
    const NetworkModel& model = *s.network;
    const EngineSettings quiet = quietSettings(settings);
    const ComputePlan compute = computePlan(net, s.conv_algorithms);

    std::vector<std::vector<std::uint8_t>> candidates;
    for (auto policy : {OffloadPolicy::none, OffloadPolicy::conv, OffloadPolicy::all})
        candidates.push_back(offloadSelection(net, model, policy, {}));

    std::vector<int> bySize;
    for (int t = 0; t <= net.layers; ++t)
        if (offloadable(net, t))
            bySize.push_back(t);
    std::stable_sort(bySize.begin(), bySize.end(), [&](int a, int b) {
        return net.bytes[static_cast<std::size_t>(a)] > net.bytes[static_cast<std::size_t>(b)];
    });
    auto largest = [&](std::size_t k) {
        std::vector<std::uint8_t> sel(static_cast<std::size_t>(net.layers) + 1, 0);
        for (std::size_t j = 0; j < k; ++j)
            sel[static_cast<std::size_t>(bySize[j])] = 1;
        return sel;
    };
    auto fits = [&](const std::vector<std::uint8_t>& sel) {
        return !runChoice(s, net, Choice{sel, compute}, quiet).output.over_budget;
    };
    if (fits(largest(bySize.size())))
        candidates.push_back(largest(smallestFitting(bySize.size(), [&](std::size_t k) { return fits(largest(k)); })));

    std::size_t best = candidates.size();
    double bestTime = std::numeric_limits<double>::infinity();
    std::uint64_t bestBytes = 0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        const auto run = runChoice(s, net, Choice{candidates[c], compute}, quiet);
        if (run.output.over_budget)
            continue;
        const std::uint64_t bytes = offloadedBytes(net, candidates[c]);
        if (run.output.iteration_s < bestTime || (run.output.iteration_s == bestTime && bytes < bestBytes)) {
            best = c;
            bestTime = run.output.iteration_s;
            bestBytes = bytes;
        }
    }
    return Choice{best < candidates.size() ? candidates[best] : candidates[2], compute};
}

Choice choose(const Scenario& s, const PreparedNetwork& net, const EngineSettings& settings)
{
    switch (s.policy) {
    case OffloadPolicy::dyn: return vdnnDynamic(s, net, settings);
    case OffloadPolicy::fastest_fit: return fastestFit(s, net, settings);
    default:
        return Choice{offloadSelection(net, *s.network, s.policy, s.manual_layers), computePlan(net, s.conv_algorithms)};
    }
}

void summarizeAlgorithms(Summary& sum, const PreparedNetwork& net, const ComputePlan& compute)
{
    for (int i = 0; i < net.layers; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        sum.workspace_peak_bytes = std::max(sum.workspace_peak_bytes, compute.workspace_bytes[ui]);
        if (net.is_conv[ui] && compute.conv_option[ui] != fastestConvOption(net, i))
            ++sum.downgraded_conv_layers;
    }
}

// The scenario as simulated: its GPU with the what-if scaling applied.
Scenario withScaledGpu(const Scenario& described)
{
    Scenario s = described;
    s.gpu = scaledGpu(described.gpu, described.gpu_scale);
    s.gpu_scale = {};
    return s;
}

} // namespace

std::uint64_t residentWeightBytes(const PreparedNetwork& net)
{
    // Weights and their gradients stay on the GPU for the whole iteration (vDNN offloads only
    // activations), and so does the fp32 master copy of mixed-precision training.
    return 2 * net.weight_bytes + net.master_weight_bytes;
}

std::uint64_t vdnnAllocationBytes(const PreparedNetwork& net, const ComputePlan& compute, std::uint64_t residentBytes)
{
    // Every tensor and its gradient (an in-place activation shares both with its input; the
    // network input has no gradient), the resident part, and one workspace buffer that every
    // conv layer and pass reuses, sized for the largest (frameworks share one: a layer's
    // workspace is dead once its kernel returns). docs/model.md compares this with a buffer per
    // layer, which overshoots the paper's VGG-16 figure several times over.
    std::uint64_t bytes = residentBytes;
    for (std::size_t t = 0; t < net.bytes.size(); ++t)
        if (!net.absorbed[t])
            bytes += (t == 0 ? 1 : 2) * net.bytes[t];
    std::uint64_t largest = 0;
    for (std::uint64_t w : compute.workspace_bytes)
        largest = std::max(largest, w);
    return bytes + largest;
}

Result runScenario(const Scenario& s, const PreparedNetwork& net, bool events)
{
    return runScenarioWith(s, net, RunOutputs{events, true, true});
}

double runIterationTime(const Scenario& s, const PreparedNetwork& net)
{
    return runScenarioWith(s, net, RunOutputs{false, false, false}).summary.iteration_s;
}

Result runScenarioWith(const Scenario& s, const PreparedNetwork& net, RunOutputs outputs)
{
    EngineSettings settings = settingsFor(s, net);
    settings.collect_events = outputs.events;
    settings.collect_layers = outputs.layers;
    settings.collect_memory = outputs.memory;
    const Choice choice = choose(s, net, settings);
    Candidate run = runChoice(s, net, choice, settings);

    Result r;
    r.layers = std::move(run.output.layers);
    r.events = std::move(run.output.events);
    r.memory = std::move(run.output.memory);
    r.residency = std::move(run.output.residency);
    Summary& sum = r.summary;
    sum.iteration_s = run.output.iteration_s;
    sum.weight_bytes = net.weight_bytes;
    sum.peak_gpu_bytes = run.output.peak_bytes;
    sum.avg_gpu_bytes = run.output.avg_step_bytes;
    sum.d2h_raw_bytes = run.output.d2h_raw_bytes;
    sum.d2h_wire_bytes = run.output.d2h_wire_bytes;
    sum.h2d_raw_bytes = run.output.h2d_raw_bytes;
    sum.h2d_wire_bytes = run.output.h2d_wire_bytes;
    sum.offloaded_layers = run.output.offloaded_tensors;
    if (sum.iteration_s > 0) {
        sum.d2h_utilization = run.output.d2h_busy_s / sum.iteration_s;
        sum.h2d_utilization = run.output.h2d_busy_s / sum.iteration_s;
    }
    for (const auto& L : r.layers) {
        sum.forward_stall_s += L.forward_stall_s;
        sum.backward_stall_s += L.backward_stall_s;
    }
    summarizeAlgorithms(sum, net, choice.compute);
    sum.baseline = s.baseline;
    sum.vdnn_allocation_bytes = vdnnAllocationBytes(net, computePlan(net, AlgorithmPreference::performance),
                                                    settings.weight_bytes + settings.workspace_bytes);
    if (run.output.over_budget) {
        sum.feasible = false;
        sum.infeasible_reason = "peak GPU memory " + formatGiB(static_cast<double>(run.output.peak_bytes)) +
                                " GiB exceeds the budget of " + formatGiB(static_cast<double>(s.budgetBytes())) +
                                " GiB with policy " + std::string(policyName(s.policy));
    }
    return r;
}

Result runOracle(const Scenario& s, const PreparedNetwork& net)
{
    Scenario oracle = s;
    oracle.policy = OffloadPolicy::none;
    oracle.codec = CodecId::none;
    oracle.conv_algorithms = AlgorithmPreference::performance;
    oracle.memory_budget_bytes = std::numeric_limits<std::uint64_t>::max();
    return runScenarioWith(oracle, net, RunOutputs{false, false, true});
}

void compareWithOracle(Result& result, const Result& oracle)
{
    Summary& sum = result.summary;
    sum.oracle_s = oracle.summary.iteration_s;
    sum.overhead = sum.oracle_s > 0 ? sum.iteration_s / sum.oracle_s - 1 : 0;
    sum.oracle_peak_gpu_bytes = oracle.summary.peak_gpu_bytes;
    sum.oracle_avg_gpu_bytes = oracle.summary.avg_gpu_bytes;
    if (sum.baseline == BaselineKind::vdnn) {
        sum.baseline_peak_gpu_bytes = sum.vdnn_allocation_bytes;
        sum.baseline_avg_gpu_bytes = sum.vdnn_allocation_bytes;
    } else {
        sum.baseline_peak_gpu_bytes = sum.oracle_peak_gpu_bytes;
        sum.baseline_avg_gpu_bytes = sum.oracle_avg_gpu_bytes;
    }
    if (sum.baseline_peak_gpu_bytes > 0)
        sum.peak_reduction =
            1.0 - static_cast<double>(sum.peak_gpu_bytes) / static_cast<double>(sum.baseline_peak_gpu_bytes);
    if (sum.baseline_avg_gpu_bytes > 0)
        sum.avg_reduction =
            1.0 - static_cast<double>(sum.avg_gpu_bytes) / static_cast<double>(sum.baseline_avg_gpu_bytes);
}

void compareWithUncompressed(Result& result, double uncompressedIterationS)
{
    result.summary.uncompressed_s = uncompressedIterationS;
    result.summary.speedup_vs_uncompressed =
        result.summary.iteration_s > 0 ? uncompressedIterationS / result.summary.iteration_s : 1;
}

Result simulate(const Scenario& described)
{
    if (!described.network)
        throw InputError("", "", "the scenario has no network");
    const Scenario scenario = withScaledGpu(described);
    const PreparedNetwork net = prepareNetwork(*scenario.network, scenario.batch, scenario.dtype, scenario.gpu, scenario.compute_model);
    Result result = runScenario(scenario, net, true);
    Result oracle = runOracle(scenario, net);
    compareWithOracle(result, oracle);
    result.oracle_memory = std::move(oracle.memory);
    if (scenario.codec == CodecId::none) {
        compareWithUncompressed(result, result.summary.iteration_s);
    } else {
        Scenario plain = scenario;
        plain.codec = CodecId::none;
        compareWithUncompressed(result, runIterationTime(plain, net));
    }
    return result;
}

Result simulateOnly(const Scenario& described)
{
    if (!described.network)
        throw InputError("", "", "the scenario has no network");
    const Scenario scenario = withScaledGpu(described);
    const PreparedNetwork net = prepareNetwork(*scenario.network, scenario.batch, scenario.dtype, scenario.gpu, scenario.compute_model);
    return runScenario(scenario, net, true);
}

} // namespace offload::sim
