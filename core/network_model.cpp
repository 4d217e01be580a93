#include "network_model.h"

#include "input_error.h"
#include "join.h"
#include "pool_sparsity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace offload {

namespace {

// Limits that no real network reaches; beyond them a file is a mistake and we say so instead of
// overflowing 64-bit arithmetic later.
constexpr std::int64_t kMaxElementsPerSample = std::int64_t{1} << 36;
constexpr double kMaxWeightElements = 1e13;
constexpr double kMaxFlopsPerSample = 1e18;

std::string layerPointer(std::size_t i)
{
    return "/layers/" + std::to_string(i);
}

[[noreturn]] void fail(const std::string& file, const std::string& pointer, const std::string& message)
{
    throw InputError(file, pointer, message);
}

// Output length of a sliding window. Caffe-style ceil mode (GoogLeNet, SqueezeNet pools) also
// drops a last window that would start in the padding.
std::int64_t windowOutput(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t pad,
                          std::int64_t dilation, bool ceilMode)
{
    const std::int64_t span = dilation * (kernel - 1) + 1;
    const std::int64_t room = in + 2 * pad - span;
    if (room < 0)
        return 0;
    std::int64_t out = ceilMode ? (room + stride - 1) / stride + 1 : room / stride + 1;
    if (ceilMode && pad > 0 && (out - 1) * stride >= in + pad)
        --out;
    return out;
}

using NameIndex = std::unordered_map<std::string_view, int>; // layer name -> index, layers seen so far

void checkInputShape(const std::string& file, const Shape& in)
{
    if (in.c <= 0 || in.h <= 0 || in.w <= 0)
        fail(file, "/input/shape", "every dimension of the input shape must be positive, found " + formatShape(in));
    if (in.c > kMaxElementsPerSample / in.h / in.w)
        fail(file, "/input/shape", "the input shape " + formatShape(in) + " is absurdly large");
}

// A layer's name must be present, not the network input's, and not taken by an earlier layer.
void checkLayerName(const Network& net, std::size_t i, const NameIndex& byName, const std::string& file)
{
    const Layer& L = net.layers[i];
    const std::string at = layerPointer(i);
    if (L.name.empty())
        fail(file, at + "/name", "a layer needs a name");
    if (L.name == net.input_name)
        fail(file, at + "/name", "\"" + L.name + "\" is the name of the network input; choose another");
    if (const auto it = byName.find(L.name); it != byName.end())
        fail(file, at + "/name", "the name \"" + L.name + "\" is already used by layer " + std::to_string(it->second));
}

// The producers of layer i: its named inputs, which must be earlier layers or the network input
// (the file order is the execution order), or without names the previous layer.
std::vector<int> resolveInputs(const Network& net, std::size_t i, const NameIndex& byName, const std::string& file)
{
    const Layer& L = net.layers[i];
    if (L.inputs.empty())
        return {i == 0 ? kNetworkInput : static_cast<int>(i) - 1};
    std::vector<int> inputs;
    for (std::size_t j = 0; j < L.inputs.size(); ++j) {
        const std::string& ref = L.inputs[j];
        const std::string where = layerPointer(i) + "/inputs/" + std::to_string(j);
        if (ref == net.input_name) {
            inputs.push_back(kNetworkInput);
            continue;
        }
        if (const auto it = byName.find(ref); it != byName.end()) {
            inputs.push_back(it->second);
            continue;
        }
        if (ref == L.name)
            fail(file, where, "layer \"" + L.name + "\" names itself as its input (a cycle)");
        bool later = false;
        for (std::size_t k = i + 1; k < net.layers.size() && !later; ++k)
            later = net.layers[k].name == ref;
        if (later)
            fail(file, where,
                 "\"" + ref + "\" comes later in the file; layers must be listed in execution order "
                              "(a valid topological order), so an input must come before its consumer");
        fail(file, where, "no layer is named \"" + ref + "\" (and it is not the network input \"" +
                              net.input_name + "\")");
    }
    return inputs;
}

void checkInputCount(const Layer& L, std::size_t inputs, const std::string& file, const std::string& at)
{
    const bool multiInput = L.kind == LayerKind::concat || L.kind == LayerKind::add;
    // A generic layer may read several tensors (an attention matmul reads Q and K, or the
    // probabilities and V); its shape comes from output_shape, so any number of inputs works.
    const bool anyInputs = L.kind == LayerKind::generic;
    if (!multiInput && !anyInputs && inputs != 1)
        fail(file, at + "/inputs",
             std::string(layerKindName(L.kind)) + " takes exactly one input, found " + std::to_string(inputs));
    if (multiInput && inputs < 2 && !L.inputs.empty())
        fail(file, at + "/inputs", std::string(layerKindName(L.kind)) + " needs at least two inputs");
}

// What one sample costs a layer in its forward pass, and the output it makes.
struct LayerCost {
    Shape output;
    double flops = 0;
    std::int64_t weights = 0;
};

LayerCost convCost(const Layer& L, const Shape& x, const std::string& file, const std::string& at)
{
    if (L.out_channels <= 0)
        fail(file, at + "/out_channels", "a conv layer needs out_channels > 0");
    if (L.groups <= 0 || x.c % L.groups != 0)
        fail(file, at + "/groups",
             "groups (" + std::to_string(L.groups) + ") must divide the input channels (" + std::to_string(x.c) + ")");
    if (L.out_channels % L.groups != 0)
        fail(file, at + "/groups",
             "groups (" + std::to_string(L.groups) + ") must divide out_channels (" + std::to_string(L.out_channels) + ")");
    const std::int64_t oh = windowOutput(x.h, L.kernel_h, L.stride_h, L.pad_h, L.dilation, false);
    const std::int64_t ow = windowOutput(x.w, L.kernel_w, L.stride_w, L.pad_w, L.dilation, false);
    if (oh <= 0 || ow <= 0)
        fail(file, at + "/kernel",
             "the kernel " + std::to_string(L.kernel_h) + "x" + std::to_string(L.kernel_w) + " does not fit the input " +
                 formatShape(x) + " with the given padding");
    LayerCost cost;
    cost.output = Shape{L.out_channels, oh, ow};
    const Shape& y = cost.output;
    if (L.out_channels > kMaxElementsPerSample / oh / ow)
        fail(file, at + "/out_channels", "the output " + formatShape(y) + " is absurdly large");
    const double perOutput = static_cast<double>(x.c / L.groups) * static_cast<double>(L.kernel_h * L.kernel_w);
    cost.flops = 2.0 * perOutput * static_cast<double>(y.elements()) + (L.bias ? static_cast<double>(y.elements()) : 0);
    if (static_cast<double>(L.out_channels) * perOutput > kMaxWeightElements)
        fail(file, at + "/out_channels", "the layer would hold more than 1e13 weights");
    cost.weights = L.out_channels * (x.c / L.groups) * L.kernel_h * L.kernel_w + (L.bias ? L.out_channels : 0);
    return cost;
}

LayerCost fcCost(const Layer& L, const Shape& x, const std::string& file, const std::string& at)
{
    if (L.out_channels <= 0)
        fail(file, at + "/out_features", "an fc layer needs out_features > 0");
    const std::int64_t inFeatures = L.per_position ? x.c : x.elements();
    const std::int64_t positions = L.per_position ? x.h * x.w : 1;
    LayerCost cost;
    cost.output = L.per_position ? Shape{L.out_channels, x.h, x.w} : Shape{L.out_channels, 1, 1};
    const Shape& y = cost.output;
    if (y.c > kMaxElementsPerSample / y.h / y.w)
        fail(file, at + "/out_features", "the output " + formatShape(y) + " is absurdly large");
    cost.flops = 2.0 * static_cast<double>(inFeatures) * static_cast<double>(L.out_channels) * static_cast<double>(positions) +
                 (L.bias ? static_cast<double>(y.elements()) : 0);
    if (static_cast<double>(inFeatures) * static_cast<double>(L.out_channels) > kMaxWeightElements)
        fail(file, at + "/out_features", "the weight matrix would hold more than 1e13 values");
    cost.weights = inFeatures * L.out_channels + (L.bias ? L.out_channels : 0);
    return cost;
}

LayerCost poolCost(const Layer& L, const Shape& x, const std::string& file, const std::string& at)
{
    const std::int64_t oh = windowOutput(x.h, L.kernel_h, L.stride_h, L.pad_h, 1, L.ceil_mode);
    const std::int64_t ow = windowOutput(x.w, L.kernel_w, L.stride_w, L.pad_w, 1, L.ceil_mode);
    if (oh <= 0 || ow <= 0)
        fail(file, at + "/kernel",
             "the pool window " + std::to_string(L.kernel_h) + "x" + std::to_string(L.kernel_w) +
                 " does not fit the input " + formatShape(x));
    if (L.pad_h * 2 > L.kernel_h || L.pad_w * 2 > L.kernel_w)
        fail(file, at + "/pad", "pool padding must be at most half the window");
    LayerCost cost;
    cost.output = Shape{x.c, oh, ow};
    cost.flops = static_cast<double>(cost.output.elements()) * static_cast<double>(L.kernel_h * L.kernel_w);
    return cost;
}

// concat and add: every input is checked against the first.
LayerCost joinCost(const Layer& L, const std::vector<Shape>& inputs, const std::string& file, const std::string& at)
{
    const Shape& x = inputs.front();
    LayerCost cost;
    cost.output = x;
    if (L.kind == LayerKind::concat) {
        std::int64_t channels = 0;
        for (std::size_t j = 0; j < inputs.size(); ++j) {
            const Shape& s = inputs[j];
            if (s.h != x.h || s.w != x.w)
                fail(file, at + "/inputs/" + std::to_string(j),
                     "concat joins along channels, so every input needs the same height and width: " + formatShape(s) +
                         " does not fit " + formatShape(x));
            channels += s.c;
        }
        cost.output = Shape{channels, x.h, x.w};
        return cost;
    }
    for (std::size_t j = 0; j < inputs.size(); ++j) {
        const Shape& s = inputs[j];
        if (!(s == x))
            fail(file, at + "/inputs/" + std::to_string(j),
                 "add needs inputs of the same shape: " + formatShape(s) + " differs from " + formatShape(x));
    }
    cost.flops = static_cast<double>(x.elements()) * static_cast<double>(inputs.size() - 1);
    return cost;
}

// Layers that keep the shape of their input (or reshape it) and cost a few operations per element.
LayerCost elementwiseCost(const Layer& L, const Shape& x, const std::string& file, const std::string& at)
{
    const double xElems = static_cast<double>(x.elements());
    LayerCost cost;
    cost.output = x;
    switch (L.kind) {
    case LayerKind::globalpool:
        cost.output = Shape{x.c, 1, 1};
        cost.flops = xElems;
        break;
    case LayerKind::relu:
    case LayerKind::relu6:
    case LayerKind::dropout: cost.flops = xElems; break;
    case LayerKind::gelu: cost.flops = 8 * xElems; break; // tanh approximation: a handful of multiply-adds and a tanh
    case LayerKind::lrn:
        if (L.kernel_h <= 0 || L.kernel_h % 2 == 0)
            fail(file, at + "/size", "the LRN size must be a positive odd number");
        cost.flops = xElems * static_cast<double>(L.kernel_h + 3);
        break;
    case LayerKind::batchnorm:
    case LayerKind::layernorm:
        cost.flops = 5 * xElems;
        cost.weights = 2 * x.c;
        break;
    case LayerKind::softmax: cost.flops = 5 * xElems; break;
    case LayerKind::flatten: cost.output = Shape{x.elements(), 1, 1}; break;
    default: break;
    }
    return cost;
}

LayerCost forwardCost(const Layer& L, const std::vector<Shape>& inputs, const std::string& file, const std::string& at)
{
    const Shape& x = inputs.front();
    LayerCost cost;
    switch (L.kind) {
    case LayerKind::conv: cost = convCost(L, x, file, at); break;
    case LayerKind::fc: cost = fcCost(L, x, file, at); break;
    case LayerKind::maxpool:
    case LayerKind::avgpool: cost = poolCost(L, x, file, at); break;
    case LayerKind::concat:
    case LayerKind::add: cost = joinCost(L, inputs, file, at); break;
    case LayerKind::generic:
        if (L.generic_output.c <= 0 || L.generic_output.h <= 0 || L.generic_output.w <= 0)
            fail(file, at + "/output_shape", "a generic layer needs a positive output_shape");
        cost = LayerCost{L.generic_output, L.generic_flops, L.generic_weights};
        break;
    case LayerKind::globalpool:
    case LayerKind::relu:
    case LayerKind::relu6:
    case LayerKind::gelu:
    case LayerKind::lrn:
    case LayerKind::batchnorm:
    case LayerKind::layernorm:
    case LayerKind::dropout:
    case LayerKind::softmax:
    case LayerKind::flatten: cost = elementwiseCost(L, x, file, at); break;
    }
    const Shape& y = cost.output;
    if (y.c <= 0 || y.h <= 0 || y.w <= 0 || y.c > kMaxElementsPerSample / y.h / y.w)
        fail(file, at, "the output shape " + formatShape(y) + " is impossible or absurdly large");
    if (!(cost.flops >= 0) || cost.flops > kMaxFlopsPerSample)
        fail(file, at, "the layer's FLOPs are absurd");
    return cost;
}

// Backward: conv and fc compute both the input gradient and the weight gradient, each about as
// costly as the forward pass; elementwise layers cost about their forward. A generic layer
// reading two tensors (an attention matmul) needs a gradient for each, which costs the same as a
// weight gradient.
double backwardFlops(const Layer& L, double forwardFlops, std::size_t inputs)
{
    const bool twoGradients = L.kind == LayerKind::conv || L.kind == LayerKind::fc ||
                              (L.kind == LayerKind::generic && (L.generic_weights > 0 || inputs > 1));
    return twoGradients ? 2.0 * forwardFlops : forwardFlops;
}

// Consumers and last consumer of every producer, from the layers' inputs.
void linkConsumers(std::vector<LayerInfo>& info)
{
    for (std::size_t i = 0; i < info.size(); ++i) {
        for (int p : info[i].inputs) {
            if (p == kNetworkInput)
                continue;
            auto& producer = info[static_cast<std::size_t>(p)];
            if (producer.consumers.empty() || producer.consumers.back() != static_cast<int>(i))
                producer.consumers.push_back(static_cast<int>(i));
            producer.last_consumer = static_cast<int>(i);
        }
    }
}

} // namespace

NetworkModel::NetworkModel(Network network, std::string fileLabel)
    : network_(std::move(network)), fileLabel_(std::move(fileLabel))
{
    derive();
}

int NetworkModel::indexOf(std::string_view name) const
{
    if (name == network_.input_name)
        return kNetworkInput;
    for (std::size_t i = 0; i < network_.layers.size(); ++i)
        if (network_.layers[i].name == name)
            return static_cast<int>(i);
    return -2;
}

Shape NetworkModel::outputShape(int producer) const
{
    return producer == kNetworkInput ? network_.input : info_[static_cast<std::size_t>(producer)].output_shape;
}

std::uint64_t NetworkModel::outputBytes(int producer, std::int64_t batch, DType dtype) const
{
    return static_cast<std::uint64_t>(outputElements(producer)) * static_cast<std::uint64_t>(batch) *
           bytesPerElement(dtype);
}

std::uint64_t NetworkModel::weightBytes(DType dtype) const
{
    std::uint64_t total = 0;
    for (const auto& li : info_)
        total += static_cast<std::uint64_t>(li.weight_elements) * bytesPerElement(dtype);
    return total;
}

double NetworkModel::totalForwardFlops() const
{
    double total = 0;
    for (const auto& li : info_)
        total += li.forward_flops;
    return total;
}

void NetworkModel::derive()
{
    const std::string& file = fileLabel_;
    checkInputShape(file, network_.input);
    if (network_.layers.empty())
        fail(file, "/layers", "a network needs at least one layer");

    NameIndex byName;
    byName.reserve(network_.layers.size() * 2);
    info_.assign(network_.layers.size(), LayerInfo{});
    for (std::size_t i = 0; i < network_.layers.size(); ++i) {
        const Layer& L = network_.layers[i];
        LayerInfo& li = info_[i];
        const std::string at = layerPointer(i);
        checkLayerName(network_, i, byName, file);
        li.inputs = resolveInputs(network_, i, byName, file);
        byName.emplace(L.name, static_cast<int>(i));
        checkInputCount(L, li.inputs.size(), file, at);

        std::vector<Shape> inputShapes;
        for (int p : li.inputs)
            inputShapes.push_back(outputShape(p));
        li.input_shape = inputShapes.front();
        li.input_elements = 0;
        for (const Shape& x : inputShapes)
            li.input_elements += x.elements();

        const LayerCost cost = forwardCost(L, inputShapes, file, at);
        li.output_shape = cost.output;
        li.forward_flops = cost.flops;
        li.backward_flops = backwardFlops(L, cost.flops, li.inputs.size());
        li.weight_elements = cost.weights;
    }
    linkConsumers(info_);
}

bool NetworkModel::backwardReadsInput(LayerKind k)
{
    switch (k) {
    case LayerKind::conv:      // dW = X^T dY
    case LayerKind::fc:
    case LayerKind::gelu:      // the derivative depends on x
    case LayerKind::maxpool:   // the arg max of each window (cuDNN compares x with y)
    case LayerKind::lrn:       // cuDNN's LRN backward reads x and y
    case LayerKind::batchnorm: // x with the saved mean and inverse variance
    case LayerKind::layernorm:
    case LayerKind::generic:   // unknown: assume it needs its inputs (an attention matmul does)
        return true;
    case LayerKind::relu:      // in place: the mask comes from y
    case LayerKind::relu6:
    case LayerKind::avgpool:   // spreads dY evenly over each window
    case LayerKind::globalpool:
    case LayerKind::dropout:   // needs its mask, not x
    case LayerKind::concat:    // splits dY
    case LayerKind::add:       // passes dY on
    case LayerKind::softmax:   // reads y
    case LayerKind::flatten:   // reshapes dY
        return false;
    }
    return true;
}

bool NetworkModel::backwardReadsOutput(LayerKind k)
{
    return k == LayerKind::relu || k == LayerKind::relu6 || k == LayerKind::softmax || k == LayerKind::maxpool ||
           k == LayerKind::lrn;
}

bool NetworkModel::hasOwnSparsity(int layer) const
{
    const Layer& L = network_.layers[static_cast<std::size_t>(layer)];
    return L.sparsity.has_value();
}

double pooledSparsity(double inputSparsity, std::int64_t windowElements)
{
    const double s = std::clamp(inputSparsity, 0.0, 1.0);
    const double n = static_cast<double>(std::max<std::int64_t>(windowElements, 1));
    // Independent zeros would give s^n; real ReLU zeros cluster (dead channels, dark regions), so
    // far more windows stay zero. The power law was fitted on 33 pooled real tensors (11
    // MobileNetV1-SSD ReLU6 outputs of 16x16 to 128x128, pooled 2x2/2, 3x3/2 and 3x3/1):
    // exponent 0.162, RMSE 0.037, worst error 0.082, where the old bound P = s had RMSE 0.135.
    // On maps of 8x8 or smaller it overestimates (up to 0.21): border windows dominate there.
    constexpr double kClusterExponent = 0.162;
    return std::max(std::pow(s, n), s * std::pow(n, -kClusterExponent));
}

double NetworkModel::ownOrDerived(int layer, double progress, const std::vector<double>& done) const
{
    const Layer& L = network_.layers[static_cast<std::size_t>(layer)];
    if (L.sparsity)
        return std::clamp(L.sparsity->at(progress), 0.0, 1.0);
    const LayerInfo& li = info_[static_cast<std::size_t>(layer)];
    auto inputSparsity = [&](int p) { return p == kNetworkInput ? 0.0 : done[static_cast<std::size_t>(p)]; };
    switch (L.kind) {
    case LayerKind::relu:
    case LayerKind::relu6:
        // No number given: a ReLU of a roughly zero-centred pre-activation zeroes about half.
        return 0.5;
    case LayerKind::maxpool:
    case LayerKind::avgpool:
        return pooledSparsity(inputSparsity(li.inputs.front()), L.kernel_h * L.kernel_w);
    case LayerKind::lrn:
    case LayerKind::flatten:
        return inputSparsity(li.inputs.front()); // values move or scale; zeros stay zero
    case LayerKind::dropout:
        return 1.0 - (1.0 - inputSparsity(li.inputs.front())) * (1.0 - L.dropout_rate);
    case LayerKind::concat: {
        double zeros = 0, total = 0;
        for (int p : li.inputs) {
            double n = static_cast<double>(outputElements(p));
            zeros += n * inputSparsity(p);
            total += n;
        }
        return total > 0 ? zeros / total : 0.0;
    }
    case LayerKind::add: {
        // A sum is zero where all terms are (independence assumed).
        double s = 1.0;
        for (int p : li.inputs)
            s *= inputSparsity(p);
        return s;
    }
    default:
        return 0.0; // conv, fc, norms, gelu, softmax, global pool, generic: dense outputs
    }
}

double NetworkModel::outputSparsity(int producer, double progress) const
{
    if (producer == kNetworkInput)
        return 0.0;
    const Layer& L = network_.layers[static_cast<std::size_t>(producer)];
    if (L.sparsity)
        return std::clamp(L.sparsity->at(progress), 0.0, 1.0);
    return sparsityAt(progress)[static_cast<std::size_t>(producer)];
}

std::vector<double> NetworkModel::sparsityAt(double progress) const
{
    std::vector<double> out(info_.size(), 0.0);
    for (std::size_t i = 0; i < info_.size(); ++i)
        out[i] = ownOrDerived(static_cast<int>(i), progress, out);
    return out;
}

Provenance NetworkModel::provenance(int producer) const
{
    if (producer == kNetworkInput)
        return Provenance{SparsitySource::derived, "network input: dense"};
    const Layer& L = network_.layers[static_cast<std::size_t>(producer)];
    if (L.sparsity)
        return L.sparsity->provenance.value_or(network_.default_provenance);
    const LayerInfo& li = info_[static_cast<std::size_t>(producer)];
    auto from = [&](const std::string& rule) {
        const std::string names = joined(li.inputs, ", ", [&](int p) -> const std::string& {
            return p == kNetworkInput ? network_.input_name : network_.layers[static_cast<std::size_t>(p)].name;
        });
        return Provenance{SparsitySource::derived, rule + " (from " + names + ")"};
    };
    switch (L.kind) {
    case LayerKind::relu:
    case LayerKind::relu6:
        return Provenance{SparsitySource::assumed,
                          "no sparsity given for this activation; a ReLU of a roughly zero-centred input zeroes "
                          "about half of it"};
    case LayerKind::maxpool:
    case LayerKind::avgpool:
        return from("pool of non-negative values: a window is zero only if all its values are; s * n^-0.162 "
                    "(n window elements), fitted on pooled MobileNetV1-SSD ReLU6 outputs, RMSE 0.037 "
                    "(core/tools/fit_pool_sparsity.py)");
    case LayerKind::lrn: return from("LRN scales values, zeros stay zero");
    case LayerKind::flatten: return from("flatten moves values only");
    case LayerKind::dropout: return from("dropout adds its rate of zeros");
    case LayerKind::concat: return from("concat: size-weighted mean of its inputs");
    case LayerKind::add: return from("add: zero only where all inputs are zero");
    default:
        return Provenance{SparsitySource::derived, std::string(layerKindName(L.kind)) + " output is dense"};
    }
}

} // namespace offload
