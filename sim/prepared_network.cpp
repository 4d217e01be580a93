#include "prepared_network.h"

#include <algorithm>

namespace offload::sim {

LayerTimes layerTimes(const NetworkModel& model, int layer, std::int64_t batch, DType dtype, const GpuSpec& gpu,
                      ComputeModelKind computeModel)
{
    const Layer& L = model.network().layers[static_cast<std::size_t>(layer)];
    if (L.measured_times) {
        const double scale = static_cast<double>(batch) / static_cast<double>(L.measured_times->batch);
        return {L.measured_times->forward_s * scale, L.measured_times->backward_s * scale, Bound::compute,
                Bound::compute};
    }
    const LayerEstimate e = estimateLayer(computeModel, model, layer, batch, dtype, gpu);
    return {e.forward.seconds, e.backward.seconds, e.forward.bound, e.backward.bound};
}

namespace {

// Every algorithm a conv layer supports, with its times at the batch. The compute model's time
// is precomputed implicit GEMM's; the others scale from it (conv_algorithms.h) and pay for their
// workspace traffic. A layer with measured times (cuDNN's preferred algorithm, the fastest a
// framework would run) keeps the model's ratios between algorithms with the fastest pinned to
// the measurement.
std::vector<ConvOption> convOptions(const NetworkModel& model, int layer, std::int64_t batch, DType dtype,
                                    const GpuSpec& gpu, const LayerTimes& base)
{
    const Layer& L = model.network().layers[static_cast<std::size_t>(layer)];
    // Measured per algorithm (offload-probe calibrate): those, scaled linearly from their batch
    // like the layer's own time; a workspace grows with the batch too (every family's buffers
    // hold per-sample transforms or columns). Nothing of the model below is used then.
    if (L.measured_times && !L.measured_times->algorithms.empty()) {
        const double scale = static_cast<double>(batch) / static_cast<double>(L.measured_times->batch);
        std::vector<ConvOption> measured;
        for (const MeasuredAlgorithm& a : L.measured_times->algorithms)
            measured.push_back(ConvOption{a.algorithm, a.forward_s * scale, a.backward_s * scale,
                                          static_cast<std::uint64_t>(static_cast<double>(a.workspace_bytes) * scale)});
        return measured;
    }
    const ConvGeometry geometry = convGeometry(model, layer, batch);
    const double trafficRate = gpu.dram_bytes_per_s * gpu.dram_efficiency;
    std::vector<ConvOption> options;
    for (ConvAlgorithm algorithm : kConvAlgorithms) {
        const ConvAlgorithmCost cost = convAlgorithmCost(algorithm, geometry, dtype);
        if (!cost.supported)
            continue;
        const double trafficS = trafficRate > 0 ? static_cast<double>(cost.workspace_traffic_bytes) / trafficRate : 0;
        // Backward is two passes (data and filter gradients), each with the workspace traffic.
        options.push_back(ConvOption{algorithm, base.forward_s * cost.time_factor + trafficS,
                                     base.backward_s * cost.time_factor + 2 * trafficS, cost.workspace_bytes});
    }
    if (L.measured_times && !options.empty()) {
        auto fastest = std::min_element(options.begin(), options.end(), [](const ConvOption& a, const ConvOption& b) {
            return a.forward_s + a.backward_s < b.forward_s + b.backward_s;
        });
        const double forwardScale = fastest->forward_s > 0 ? base.forward_s / fastest->forward_s : 1;
        const double backwardScale = fastest->backward_s > 0 ? base.backward_s / fastest->backward_s : 1;
        for (auto& o : options) {
            o.forward_s *= forwardScale;
            o.backward_s *= backwardScale;
        }
    }
    return options;
}

// A CSR index over tensors by one layer per tensor (key[t], -1 for none): offsets per layer and
// the tensors of each layer in tensor order.
void indexTensorsByLayer(const std::vector<int>& key, int layers, std::vector<int>& offsets, std::vector<int>& items)
{
    offsets.assign(static_cast<std::size_t>(layers) + 1, 0);
    for (int k : key)
        if (k >= 0)
            ++offsets[static_cast<std::size_t>(k) + 1];
    for (int i = 0; i < layers; ++i)
        offsets[static_cast<std::size_t>(i) + 1] += offsets[static_cast<std::size_t>(i)];
    items.resize(static_cast<std::size_t>(offsets.back()));
    std::vector<int> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t t = 0; t < key.size(); ++t)
        if (key[t] >= 0)
            items[static_cast<std::size_t>(fill[static_cast<std::size_t>(key[t])]++)] = static_cast<int>(t);
}

} // namespace

PreparedNetwork prepareNetwork(const NetworkModel& model, std::int64_t batch, DType dtype, const GpuSpec& gpu,
                               ComputeModelKind computeModel)
{
    PreparedNetwork p;
    const int n = static_cast<int>(model.size());
    const auto& layers = model.network().layers;
    p.layers = n;
    p.batch = batch;
    p.dtype = dtype;
    p.weight_bytes = model.weightBytes(dtype);
    p.master_weight_bytes = dtype == DType::fp32 ? 0 : model.weightBytes(DType::fp32);
    p.forward_s.resize(static_cast<std::size_t>(n));
    p.backward_s.resize(static_cast<std::size_t>(n));
    p.forward_bound.resize(static_cast<std::size_t>(n));
    p.backward_bound.resize(static_cast<std::size_t>(n));
    p.is_conv.assign(static_cast<std::size_t>(n), 0);
    p.in_place.assign(static_cast<std::size_t>(n), 0);
    p.conv_at_or_below.assign(static_cast<std::size_t>(n), -1);
    p.conv_option_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
    const std::size_t tensors = static_cast<std::size_t>(n) + 1;
    p.bytes.resize(tensors);
    p.last_consumer.assign(tensors, -1);
    p.first_consumer.assign(tensors, -1);
    p.first_backward_reader.assign(tensors, -1);
    p.last_backward_reader.assign(tensors, -1);
    p.read_by_conv.assign(tensors, 0);
    p.absorbed.assign(tensors, 0);

    auto readInBackward = [&](std::size_t t, int layer) {
        p.first_backward_reader[t] = std::max(p.first_backward_reader[t], layer);
        if (p.last_backward_reader[t] < 0 || layer < p.last_backward_reader[t])
            p.last_backward_reader[t] = layer;
    };
    std::vector<int> consumerCount(tensors, 0);
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const auto times = layerTimes(model, i, batch, dtype, gpu, computeModel);
        p.forward_s[ui] = times.forward_s;
        p.backward_s[ui] = times.backward_s;
        p.forward_bound[ui] = times.forward_bound;
        p.backward_bound[ui] = times.backward_bound;
        const LayerKind kind = layers[ui].kind;
        p.is_conv[ui] = kind == LayerKind::conv;
        p.conv_at_or_below[ui] = p.is_conv[ui] ? i : (i > 0 ? p.conv_at_or_below[ui - 1] : -1);
        if (p.is_conv[ui])
            for (const ConvOption& o : convOptions(model, i, batch, dtype, gpu, times))
                p.conv_options.push_back(o);
        p.conv_option_offsets[ui + 1] = static_cast<int>(p.conv_options.size());
        p.bytes[ui + 1] = model.outputBytes(i, batch, dtype);
        if (NetworkModel::backwardReadsOutput(kind))
            readInBackward(ui + 1, i);
        // Consumers are visited in execution order, so the last write is the last consumer.
        for (int producer : model.info(i).inputs) {
            const auto t = static_cast<std::size_t>(producer + 1);
            if (p.first_consumer[t] < 0)
                p.first_consumer[t] = i;
            p.last_consumer[t] = i;
            ++consumerCount[t];
            if (NetworkModel::backwardReadsInput(kind))
                readInBackward(t, i);
            if (kind == LayerKind::conv)
                p.read_by_conv[t] = 1;
        }
    }
    p.bytes[0] = model.outputBytes(kNetworkInput, batch, dtype);

    // A ReLU works in place when it is the only reader of its single input of the same size;
    // otherwise the input is still needed by someone else and the output gets its own buffer.
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const auto& inputs = model.info(i).inputs;
        if (!NetworkModel::isInPlaceActivation(layers[ui].kind) || inputs.size() != 1)
            continue;
        const auto t = static_cast<std::size_t>(inputs[0] + 1);
        if (consumerCount[t] == 1 && p.bytes[t] == p.bytes[ui + 1] && inputs[0] != kNetworkInput) {
            p.in_place[ui] = 1;
            p.absorbed[t] = 1;
        }
    }

    indexTensorsByLayer(p.last_consumer, n, p.owned_offsets, p.owned);
    indexTensorsByLayer(p.first_backward_reader, n, p.needed_offsets, p.needed);
    std::vector<int> freedBy(tensors, -1);
    for (std::size_t t = 0; t < tensors; ++t) {
        if (p.absorbed[t])
            continue;
        if (p.first_backward_reader[t] >= 0)
            freedBy[t] = p.last_backward_reader[t];
        else if (p.last_consumer[t] < 0 && t > 0)
            freedBy[t] = static_cast<int>(t) - 1;
    }
    indexTensorsByLayer(freedBy, n, p.freed_offsets, p.freed);
    return p;
}

int fastestConvOption(const PreparedNetwork& net, int layer)
{
    const int o0 = net.conv_option_offsets[static_cast<std::size_t>(layer)];
    const int o1 = net.conv_option_offsets[static_cast<std::size_t>(layer) + 1];
    int best = -1;
    double bestS = 0;
    for (int o = o0; o < o1; ++o) {
        const ConvOption& option = net.conv_options[static_cast<std::size_t>(o)];
        const double s = option.forward_s + option.backward_s;
        // Ties go to the smaller workspace (the earlier family: implicit GEMM first).
        if (best < 0 || s < bestS) {
            best = o - o0;
            bestS = s;
        }
    }
    return best;
}

int memoryOptimalConvOption(const PreparedNetwork& net, int layer)
{
    const int o0 = net.conv_option_offsets[static_cast<std::size_t>(layer)];
    const int o1 = net.conv_option_offsets[static_cast<std::size_t>(layer) + 1];
    // The least workspace (implicit GEMM needs none), the faster of equals: with measured
    // algorithms the list is whatever cuDNN ran.
    int best = -1;
    for (int o = o0; o < o1; ++o) {
        const ConvOption& c = net.conv_options[static_cast<std::size_t>(o)];
        if (best < 0) {
            best = o;
            continue;
        }
        const ConvOption& b = net.conv_options[static_cast<std::size_t>(best)];
        if (c.workspace_bytes < b.workspace_bytes ||
            (c.workspace_bytes == b.workspace_bytes && c.forward_s + c.backward_s < b.forward_s + b.backward_s))
            best = o;
    }
    return best < 0 ? -1 : best - o0;
}

void chooseConvOption(const PreparedNetwork& net, ComputePlan& plan, int layer, int option)
{
    const auto ui = static_cast<std::size_t>(layer);
    plan.conv_option[ui] = option;
    if (option < 0) {
        plan.forward_s[ui] = net.forward_s[ui];
        plan.backward_s[ui] = net.backward_s[ui];
        plan.workspace_bytes[ui] = 0;
        return;
    }
    const ConvOption& o = net.conv_options[static_cast<std::size_t>(net.conv_option_offsets[ui] + option)];
    plan.forward_s[ui] = o.forward_s;
    plan.backward_s[ui] = o.backward_s;
    plan.workspace_bytes[ui] = o.workspace_bytes;
}

const ConvOption* chosenConvOption(const PreparedNetwork& net, const ComputePlan& plan, int layer)
{
    const auto ui = static_cast<std::size_t>(layer);
    const int option = plan.conv_option[ui];
    return option < 0 ? nullptr : &net.conv_options[static_cast<std::size_t>(net.conv_option_offsets[ui] + option)];
}

ComputePlan computePlan(const PreparedNetwork& net, AlgorithmPreference preference)
{
    const auto n = static_cast<std::size_t>(net.layers);
    ComputePlan plan;
    plan.forward_s.resize(n);
    plan.backward_s.resize(n);
    plan.workspace_bytes.resize(n);
    plan.conv_option.resize(n);
    for (int i = 0; i < net.layers; ++i)
        chooseConvOption(net, plan, i,
                         preference == AlgorithmPreference::performance ? fastestConvOption(net, i)
                                                                        : memoryOptimalConvOption(net, i));
    return plan;
}

} // namespace offload::sim
