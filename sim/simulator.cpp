#include "simulator.h"

#include "simulation_steps.h"

#include "core/input_error.h"

#include <algorithm>
#include <cstdio>
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
    // Weights and their gradients stay on the GPU for the whole iteration (vDNN offloads only
    // activations), and so does the convolution workspace.
    e.weight_bytes = 2 * net.weight_bytes;
    e.workspace_bytes = s.workspace_bytes;
    e.half_duplex = !s.link.full_duplex;
    e.sm_engine = s.engine == EngineKind::sm;
    return e;
}

struct Candidate {
    EngineOutput output;
    TransferPlan plan;
};

Candidate runSelection(const Scenario& s, const PreparedNetwork& net, std::vector<std::uint8_t> selection,
                       const EngineSettings& settings)
{
    Candidate c;
    c.plan = planTransfers(net, *s.network, s, std::move(selection), settings.collect_layers);
    c.output = runEngine(net, c.plan, settings);
    return c;
}

std::uint64_t offloadedBytes(const PreparedNetwork& net, const std::vector<std::uint8_t>& selection)
{
    std::uint64_t total = 0;
    for (std::size_t t = 0; t < selection.size(); ++t)
        if (selection[t])
            total += net.bytes[t];
    return total;
}

// vDNN-dyn (paper: no offload, then vDNN-conv, then vDNN-all) extended with a greedy candidate:
// the k largest offloadable tensors, with the smallest k that fits found by bisection. Among the
// candidates that fit, the fastest wins (ties: fewer bytes moved). None fits: vDNN-all, reported
// infeasible. Cost: 3 + log2(tensors) engine runs without events.
std::vector<std::uint8_t> dynamicSelection(const Scenario& s, const PreparedNetwork& net, const EngineSettings& settings)
{
    const NetworkModel& model = *s.network;
    EngineSettings quiet = settings;
    quiet.collect_events = false;
    // The search reads only the iteration time and whether the budget held.
    quiet.collect_layers = false;
    quiet.collect_memory = false;

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
    std::size_t lo = 0, hi = bySize.size();
    if (!runSelection(s, net, largest(hi), quiet).output.over_budget) {
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (runSelection(s, net, largest(mid), quiet).output.over_budget)
                lo = mid + 1;
            else
                hi = mid;
        }
        candidates.push_back(largest(lo));
    }

    std::size_t best = candidates.size();
    double bestTime = std::numeric_limits<double>::infinity();
    std::uint64_t bestBytes = 0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        const auto run = runSelection(s, net, candidates[c], quiet);
        if (run.output.over_budget)
            continue;
        const std::uint64_t bytes = offloadedBytes(net, candidates[c]);
        if (run.output.iteration_s < bestTime || (run.output.iteration_s == bestTime && bytes < bestBytes)) {
            best = c;
            bestTime = run.output.iteration_s;
            bestBytes = bytes;
        }
    }
    return best < candidates.size() ? candidates[best] : candidates[2];
}

std::string formatGiB(std::uint64_t bytes)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

} // namespace

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
    std::vector<std::uint8_t> selection = s.policy == OffloadPolicy::dyn
                                              ? dynamicSelection(s, net, settings)
                                              : offloadSelection(net, *s.network, s.policy, s.manual_layers);
    Candidate run = runSelection(s, net, std::move(selection), settings);

    Result r;
    r.layers = std::move(run.output.layers);
    r.events = std::move(run.output.events);
    r.memory = std::move(run.output.memory);
    Summary& sum = r.summary;
    sum.iteration_s = run.output.iteration_s;
    sum.weight_bytes = net.weight_bytes;
    sum.peak_gpu_bytes = run.output.peak_bytes;
    sum.avg_gpu_bytes = run.output.avg_step_bytes;
    double d2hBusy = 0, h2dBusy = 0;
    for (std::size_t t = 0; t < run.plan.offloaded.size(); ++t) {
        if (!run.plan.offloaded[t])
            continue;
        // Every offloaded tensor comes back exactly once, before its backward reader.
        sum.d2h_raw_bytes += net.bytes[t];
        sum.h2d_raw_bytes += net.bytes[t];
        sum.d2h_wire_bytes += run.plan.wire_bytes[t];
        sum.h2d_wire_bytes += run.plan.wire_bytes[t];
        d2hBusy += run.plan.d2h_s[t];
        h2dBusy += run.plan.h2d_s[t];
        ++sum.offloaded_layers;
    }
    if (sum.iteration_s > 0) {
        sum.d2h_utilization = d2hBusy / sum.iteration_s;
        sum.h2d_utilization = h2dBusy / sum.iteration_s;
    }
    for (const auto& L : r.layers) {
        sum.forward_stall_s += L.forward_stall_s;
        sum.backward_stall_s += L.backward_stall_s;
    }
    if (run.output.over_budget) {
        sum.feasible = false;
        sum.infeasible_reason = "peak GPU memory " + formatGiB(run.output.peak_bytes) + " exceeds the budget of " +
                                formatGiB(s.budgetBytes()) + " with policy " + std::string(policyName(s.policy));
    }
    return r;
}

Result runOracle(const Scenario& s, const PreparedNetwork& net)
{
    Scenario oracle = s;
    oracle.policy = OffloadPolicy::none;
    oracle.codec = CodecId::none;
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
    if (sum.oracle_peak_gpu_bytes > 0)
        sum.peak_reduction = 1.0 - static_cast<double>(sum.peak_gpu_bytes) / static_cast<double>(sum.oracle_peak_gpu_bytes);
    if (sum.oracle_avg_gpu_bytes > 0)
        sum.avg_reduction = 1.0 - static_cast<double>(sum.avg_gpu_bytes) / static_cast<double>(sum.oracle_avg_gpu_bytes);
}

void compareWithUncompressed(Result& result, double uncompressedIterationS)
{
    result.summary.uncompressed_s = uncompressedIterationS;
    result.summary.speedup_vs_uncompressed =
        result.summary.iteration_s > 0 ? uncompressedIterationS / result.summary.iteration_s : 1;
}

Result simulate(const Scenario& scenario)
{
    if (!scenario.network)
        throw InputError("", "", "the scenario has no network");
    const PreparedNetwork net = prepareNetwork(*scenario.network, scenario.batch, scenario.dtype, scenario.gpu);
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

Result simulateOnly(const Scenario& scenario)
{
    if (!scenario.network)
        throw InputError("", "", "the scenario has no network");
    const PreparedNetwork net = prepareNetwork(*scenario.network, scenario.batch, scenario.dtype, scenario.gpu);
    return runScenario(scenario, net, true);
}

} // namespace offload::sim
