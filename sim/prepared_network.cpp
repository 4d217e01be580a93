#include "prepared_network.h"

#include <algorithm>

namespace offload::sim {

LayerTimes layerTimes(const NetworkModel& model, int layer, std::int64_t batch, DType dtype, const GpuSpec& gpu)
{
    const Layer& L = model.network().layers[static_cast<std::size_t>(layer)];
    if (L.measured_times) {
        const double scale = static_cast<double>(batch) / static_cast<double>(L.measured_times->batch);
        return {L.measured_times->forward_s * scale, L.measured_times->backward_s * scale};
    }
    const LayerInfo& info = model.info(layer);
    const double elementBytes = static_cast<double>(bytesPerElement(dtype));
    const double b = static_cast<double>(batch);
    const double peak = (dtype != DType::fp32 && gpu.peak_flops_fp16 > 0) ? gpu.peak_flops_fp16 : gpu.peak_flops;
    const double flopRate = peak * gpu.compute_efficiency;
    const double byteRate = gpu.dram_bytes_per_s * gpu.dram_efficiency;
    const double inBytes = static_cast<double>(info.input_elements) * b * elementBytes;
    const double outBytes = static_cast<double>(info.output_shape.elements()) * b * elementBytes;
    const double weightBytes = static_cast<double>(info.weight_elements) * elementBytes;
    // Forward reads X and W and writes Y; backward reads X, W and dY and writes dX and dW.
    const double forwardBytes = inBytes + outBytes + weightBytes;
    const double backwardBytes = 2 * inBytes + outBytes + 2 * weightBytes;
    LayerTimes t;
    t.forward_s = std::max(info.forward_flops * b / flopRate, forwardBytes / byteRate);
    t.backward_s = std::max(info.backward_flops * b / flopRate, backwardBytes / byteRate);
    return t;
}

PreparedNetwork prepareNetwork(const NetworkModel& model, std::int64_t batch, DType dtype, const GpuSpec& gpu)
{
    PreparedNetwork p;
    const int n = static_cast<int>(model.size());
    const auto& layers = model.network().layers;
    p.layers = n;
    p.batch = batch;
    p.dtype = dtype;
    p.weight_bytes = model.weightBytes(dtype);
    p.forward_s.resize(static_cast<std::size_t>(n));
    p.backward_s.resize(static_cast<std::size_t>(n));
    p.is_conv.assign(static_cast<std::size_t>(n), 0);
    p.in_place.assign(static_cast<std::size_t>(n), 0);
    p.conv_at_or_below.assign(static_cast<std::size_t>(n), -1);
    const std::size_t tensors = static_cast<std::size_t>(n) + 1;
    p.bytes.resize(tensors);
    p.last_consumer.assign(tensors, -1);
    p.first_consumer.assign(tensors, -1);
    p.read_by_activation.assign(tensors, 0);
    p.read_by_conv.assign(tensors, 0);
    p.absorbed.assign(tensors, 0);

    std::vector<int> consumerCount(tensors, 0);
    for (int i = 0; i < n; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const auto times = layerTimes(model, i, batch, dtype, gpu);
        p.forward_s[ui] = times.forward_s;
        p.backward_s[ui] = times.backward_s;
        const LayerKind kind = layers[ui].kind;
        p.is_conv[ui] = kind == LayerKind::conv;
        p.conv_at_or_below[ui] = p.is_conv[ui] ? i : (i > 0 ? p.conv_at_or_below[ui - 1] : -1);
        p.bytes[ui + 1] = model.outputBytes(i, batch, dtype);
        // Consumers are visited in execution order, so the last write is the last consumer.
        for (int producer : model.info(i).inputs) {
            const auto t = static_cast<std::size_t>(producer + 1);
            if (p.first_consumer[t] < 0)
                p.first_consumer[t] = i;
            p.last_consumer[t] = i;
            ++consumerCount[t];
            if (NetworkModel::isInPlaceActivation(kind))
                p.read_by_activation[t] = 1;
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

    p.owned_offsets.assign(static_cast<std::size_t>(n) + 1, 0);
    for (std::size_t t = 0; t < tensors; ++t)
        if (p.last_consumer[t] >= 0)
            ++p.owned_offsets[static_cast<std::size_t>(p.last_consumer[t]) + 1];
    for (int i = 0; i < n; ++i)
        p.owned_offsets[static_cast<std::size_t>(i) + 1] += p.owned_offsets[static_cast<std::size_t>(i)];
    p.owned.resize(static_cast<std::size_t>(p.owned_offsets.back()));
    std::vector<int> fill(p.owned_offsets.begin(), p.owned_offsets.end() - 1);
    for (std::size_t t = 0; t < tensors; ++t)
        if (p.last_consumer[t] >= 0)
            p.owned[static_cast<std::size_t>(fill[static_cast<std::size_t>(p.last_consumer[t])]++)] = static_cast<int>(t);
    return p;
}

} // namespace offload::sim
