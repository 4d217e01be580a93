// Convolution algorithms: measured per-algorithm times and workspaces (a device profile from
// offload-probe calibrate) decide what performance- and memory-optimal runs do, a workspace is
// held only while its layer runs, vDNN-dyn downgrades algorithms to fit, and vDNN's baseline
// allocation adds up by hand.
#include "sim/simulator.h"
#include "sim_test_support.h"

#include <QtTest>

using namespace offload;
using namespace offload::sim;

namespace {

constexpr double ms = 1e-3;
constexpr std::uint64_t MB = 1'000'000;

// A conv layer on a 1 x 500 x 500 map (1 MB of fp32) with three measured algorithms at batch 1.
nlohmann::json convLayer(const std::string& name)
{
    return {
        {"name", name},
        {"kind", "conv"},
        {"out_channels", 1},
        {"kernel", 3},
        {"pad", 1},
        {"measured_times",
         {{"forward_s", 1e-3},
          {"backward_s", 2e-3},
          {"batch", 1},
          {"algorithms",
           {{{"algorithm", "implicit-gemm"}, {"forward_s", 4e-3}, {"backward_s", 8e-3}, {"workspace_bytes", 0}},
            {{"algorithm", "gemm"}, {"forward_s", 2e-3}, {"backward_s", 4e-3}, {"workspace_bytes", 1 * MB}},
            {{"algorithm", "winograd"}, {"forward_s", 1e-3}, {"backward_s", 2e-3}, {"workspace_bytes", 3 * MB}}}}}}};
}

Scenario twoConvs()
{
    nlohmann::json layers = nlohmann::json::array(
        {convLayer("c1"), {{"name", "r1"}, {"kind", "relu"}, {"sparsity", 0.5}}, convLayer("c2")});
    nlohmann::json doc = {{"format", "offload-studio/network"},
                          {"version", 1},
                          {"name", "two convs"},
                          {"input", {{"shape", {1, 500, 500}}}},
                          {"layers", layers}};
    return test::roundScenario(std::make_shared<const NetworkModel>(networkFromJson(doc, "two-convs"), "two-convs"));
}

std::uint64_t workspaceAt(const Result& r, double t)
{
    std::uint64_t bytes = 0;
    for (const auto& p : r.memory)
        if (p.time_s <= t)
            bytes = p.by_kind[static_cast<std::size_t>(MemoryKind::workspace)];
    return bytes;
}

} // namespace

class TestAlgorithms : public QObject {
    Q_OBJECT
private slots:
    void performanceOptimalRunsTheFastestMeasured()
    {
        Scenario s = twoConvs();
        s.policy = OffloadPolicy::none;
        const Result r = simulate(s);
        QCOMPARE(r.layers[0].algorithm, std::optional(ConvAlgorithm::winograd));
        QCOMPARE(r.layers[0].forward_s, 1 * ms);
        QCOMPARE(r.layers[0].workspace_bytes, 3 * MB);
        QCOMPARE(r.summary.workspace_peak_bytes, 3 * MB);
        // Held while c1's forward runs [0, 1 ms], gone before r1.
        QCOMPARE(workspaceAt(r, 0.5 * ms), 3 * MB);
        QCOMPARE(workspaceAt(r, 1.0005 * ms), std::uint64_t(0));
    }

    void memoryOptimalRunsTheLeastWorkspace()
    {
        Scenario s = twoConvs();
        s.policy = OffloadPolicy::none;
        s.conv_algorithms = AlgorithmPreference::memory;
        const Result r = simulate(s);
        QCOMPARE(r.layers[2].algorithm, std::optional(ConvAlgorithm::implicit_gemm));
        QCOMPARE(r.layers[2].forward_s, 4 * ms);
        QCOMPARE(r.summary.workspace_peak_bytes, std::uint64_t(0));
        // The oracle still runs the fastest: 1 + 1 ms forward and 2 + 2 ms backward of the convs.
        QVERIFY(r.summary.iteration_s > r.summary.oracle_s);
    }

    void measuredTimesScaleWithTheBatch()
    {
        Scenario s = twoConvs();
        s.policy = OffloadPolicy::none;
        s.batch = 2;
        const Result r = simulate(s);
        QCOMPARE(r.layers[0].forward_s, 2 * ms);
        QCOMPARE(r.layers[0].workspace_bytes, 6 * MB);
    }

    // vDNN-dyn: with a budget that vDNN-all fits only with smaller workspaces, some layers leave
    // Winograd, the run fits, and it is faster than all-implicit-GEMM.
    void dynDowngradesToFit()
    {
        Scenario s = twoConvs();
        s.memory_budget_bytes = std::numeric_limits<std::uint64_t>::max();
        auto peakOf = [&](OffloadPolicy policy, AlgorithmPreference algorithms) {
            Scenario v = s;
            v.policy = policy;
            v.conv_algorithms = algorithms;
            return simulate(v).summary.peak_gpu_bytes;
        };
        const std::uint64_t allMemory = peakOf(OffloadPolicy::all, AlgorithmPreference::memory);
        const std::uint64_t budget = allMemory + 3 * MB / 2; // room for gemm's 1 MB, not Winograd's 3
        for (auto policy : {OffloadPolicy::none, OffloadPolicy::conv, OffloadPolicy::all})
            QVERIFY2(peakOf(policy, AlgorithmPreference::performance) > budget, "the fastest must not fit");

        s.memory_budget_bytes = budget;
        s.policy = OffloadPolicy::dyn;
        const Result r = simulate(s);
        QVERIFY(r.summary.feasible);
        QVERIFY(r.summary.peak_gpu_bytes <= budget);
        QVERIFY(r.summary.downgraded_conv_layers >= 1);
        QVERIFY(r.layers[0].algorithm != std::optional(ConvAlgorithm::winograd) ||
                r.layers[2].algorithm != std::optional(ConvAlgorithm::winograd));
        Scenario slow = s;
        slow.policy = OffloadPolicy::all;
        slow.conv_algorithms = AlgorithmPreference::memory;
        QVERIFY(r.summary.iteration_s < simulate(slow).summary.iteration_s);

        // Below what vDNN-all with memory-optimal algorithms needs: infeasible, and said so.
        s.memory_budget_bytes = allMemory - 1;
        const Result tooSmall = simulate(s);
        QVERIFY(!tooSmall.summary.feasible);
        QVERIFY(!tooSmall.summary.infeasible_reason.empty());
    }

    // vDNN's network-wide allocation, by hand: the input (no gradient), r1's output (c1's buffer,
    // taken over in place) and c2's output with their gradients, 1 MB each; weights and their
    // gradients; one workspace buffer for the largest performance-optimal layer (3 MB).
    void vdnnBaselineByHand()
    {
        Scenario s = twoConvs();
        s.baseline = BaselineKind::vdnn;
        const Result r = simulate(s);
        const std::uint64_t expected = 1 * MB + 2 * MB + 2 * MB + 2 * r.summary.weight_bytes + 3 * MB;
        QCOMPARE(r.summary.vdnn_allocation_bytes, expected);
        QCOMPARE(r.summary.baseline_avg_gpu_bytes, expected);
        QCOMPARE(r.summary.avg_reduction,
                 1 - static_cast<double>(r.summary.avg_gpu_bytes) / static_cast<double>(expected));
        s.baseline = BaselineKind::lean;
        const Result lean = simulate(s);
        QCOMPARE(lean.summary.baseline_avg_gpu_bytes, lean.summary.oracle_avg_gpu_bytes);
        QCOMPARE(lean.summary.avg_reduction, 1 - static_cast<double>(lean.summary.avg_gpu_bytes) /
                                                     static_cast<double>(lean.summary.oracle_avg_gpu_bytes));
    }
};

QTEST_GUILESS_MAIN(TestAlgorithms)
#include "tst_sim_algorithms.moc"
