#include "replay_plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace offload::probe {

ReplayPlan buildReplayPlan(const sim::Scenario& scenario, const sim::Result& result)
{
    const NetworkModel& model = *scenario.network;
    const int n = static_cast<int>(model.size());
    // Last reader of every producer (index 0 = the network input).
    std::vector<int> lastConsumer(static_cast<std::size_t>(n) + 1, -1);
    for (int i = 0; i < n; ++i)
        for (int p : model.info(i).inputs)
            lastConsumer[static_cast<std::size_t>(p + 1)] = std::max(lastConsumer[static_cast<std::size_t>(p + 1)], i);

    std::vector<const sim::Event*> compute;
    for (const sim::Event& e : result.events)
        if (e.lane == sim::Lane::compute && (e.kind == sim::EventKind::forward || e.kind == sim::EventKind::backward))
            compute.push_back(&e);
    std::stable_sort(compute.begin(), compute.end(), [](const sim::Event* a, const sim::Event* b) {
        if (a->kind != b->kind)
            return a->kind == sim::EventKind::forward; // the whole forward pass first
        return a->start_s < b->start_s;
    });
    if (compute.size() != 2 * static_cast<std::size_t>(n))
        throw std::invalid_argument("the simulated schedule has " + std::to_string(compute.size()) +
                                    " compute steps, expected a forward and a backward step per layer (" +
                                    std::to_string(2 * n) + ")");

    ReplayPlan plan;
    std::map<std::pair<bool, int>, std::size_t> stepOf;
    for (const sim::Event* e : compute) {
        ReplayStep s;
        s.forward = e->kind == sim::EventKind::forward;
        s.layer = e->layer;
        s.compute_s = e->end_s - e->start_s;
        stepOf[{s.forward, s.layer}] = plan.steps.size();
        plan.steps.push_back(std::move(s));
    }

    for (const sim::Event& e : result.events) {
        if (e.kind != sim::EventKind::offload && e.kind != sim::EventKind::prefetch)
            continue;
        const bool forward = e.kind == sim::EventKind::offload;
        auto it = stepOf.find({forward, e.layer});
        if (it == stepOf.end() || e.tensor < -1 || e.tensor >= n)
            throw std::invalid_argument("a transfer in the simulated schedule names no compute step");
        ReplayStep& step = plan.steps[it->second];
        (forward ? step.offloads : step.prefetches).push_back(e.tensor);
        ReplayTensor& t = plan.tensors[e.tensor];
        t.producer = e.tensor;
        t.raw_bytes = e.raw_bytes;
        t.sim_wire_bytes = e.wire_bytes;
        t.sparsity = e.tensor >= 0 && static_cast<std::size_t>(e.tensor) < result.layers.size()
                         ? result.layers[static_cast<std::size_t>(e.tensor)].sparsity
                         : 0.0;
        t.last_consumer = lastConsumer[static_cast<std::size_t>(e.tensor + 1)];
    }
    for (const auto& [producer, t] : plan.tensors) {
        if (t.last_consumer < 0)
            throw std::invalid_argument("an offloaded tensor has no reader");
        plan.steps[stepOf.at({false, t.last_consumer})].needs.push_back(producer);
    }
    return plan;
}

} // namespace offload::probe
