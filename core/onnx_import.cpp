#include "onnx_import.h"

#include "input_error.h"
#include "join.h"
#include "network_model.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace offload {

namespace {

constexpr std::int64_t kMaxDim = 1'000'000'000; // as in the network format
constexpr int kMaxFallbackRounds = 64;

using Dims = std::vector<std::int64_t>;

std::string nodePlace(const onnx::NodeProto& node, std::size_t index)
{
    const std::string name = node.name().empty() ? "#" + std::to_string(index) : "\"" + node.name() + "\"";
    return "node " + name + " (" + node.op_type() + ")";
}

std::string dimsText(const Dims& d)
{
    return d.empty() ? "scalar" : joined(d, "x", [](auto v) { return std::to_string(v); });
}

// --- attributes and constants ---

const onnx::AttributeProto* attribute(const onnx::NodeProto& node, std::string_view name)
{
    for (const auto& a : node.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

Dims intsOr(const onnx::NodeProto& node, std::string_view name, Dims fallback)
{
    const auto* a = attribute(node, name);
    if (!a)
        return fallback;
    return Dims(a->ints().begin(), a->ints().end());
}

std::int64_t intOr(const onnx::NodeProto& node, std::string_view name, std::int64_t fallback)
{
    const auto* a = attribute(node, name);
    return a && a->has_i() ? a->i() : fallback;
}

std::optional<double> floatAttr(const onnx::NodeProto& node, std::string_view name)
{
    const auto* a = attribute(node, name);
    if (a && a->has_f())
        return a->f();
    return std::nullopt;
}

std::string stringOr(const onnx::NodeProto& node, std::string_view name, std::string fallback)
{
    const auto* a = attribute(node, name);
    return a && a->has_s() ? a->s() : fallback;
}

// The first value of a small constant tensor (Clip bounds, Dropout ratio), if it has one.
std::optional<double> firstValue(const onnx::TensorProto& t)
{
    auto fromRaw = [&](std::size_t bytes, auto tag) -> std::optional<double> {
        using T = decltype(tag);
        if (t.raw_data().size() < bytes)
            return std::nullopt;
        T v;
        std::memcpy(&v, t.raw_data().data(), bytes);
        return static_cast<double>(v);
    };
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
        if (t.float_data_size() > 0)
            return t.float_data(0);
        return fromRaw(4, float{});
    case onnx::TensorProto::DOUBLE:
        if (t.double_data_size() > 0)
            return t.double_data(0);
        return fromRaw(8, double{});
    case onnx::TensorProto::INT64:
        if (t.int64_data_size() > 0)
            return static_cast<double>(t.int64_data(0));
        return fromRaw(8, std::int64_t{});
    case onnx::TensorProto::INT32:
        if (t.int32_data_size() > 0)
            return t.int32_data(0);
        return fromRaw(4, std::int32_t{});
    default: return std::nullopt;
    }
}

// --- the importer ---

struct LayerOrigin {
    std::size_t node = 0; // index into the sorted node list
    Shape onnx_shape;     // ONNX's inferred per-sample output shape
    double flops = 0;     // an independent estimate, used when the layer falls back to generic
    std::int64_t weights = 0;
};

class Importer {
public:
    Importer(onnx::ModelProto& model, const std::string& label, const OnnxImportOptions& options)
        : model_(model), label_(label), options_(options)
    {
    }

    OnnxImportResult run()
    {
        checkHeader();
        auto& graph = *model_.mutable_graph();
        for (const auto& init : graph.initializer())
            staticDims_[init.name()] = Dims(init.dims().begin(), init.dims().end());
        for (const auto& sparse : graph.sparse_initializer())
            staticDims_[sparse.values().name()] = Dims(sparse.dims().begin(), sparse.dims().end());
        for (const auto& init : graph.initializer())
            constants_[init.name()] = &init;
        findInput();
        sortNodes();
        checkConvAndPoolAttributes();
        inferShapes();
        collectShapes();
        buildLayers();
        settleLayers();
        result_.nodes = static_cast<std::int64_t>(model_.graph().node_size());
        return std::move(result_);
    }

private:
    [[noreturn]] void fail(const std::string& place, const std::string& message) const
    {
        throw InputError(label_, place, message);
    }
    [[noreturn]] void failAt(std::size_t node, const std::string& message) const
    {
        fail(nodePlace(model_.graph().node(static_cast<int>(node)), node), message);
    }

    void checkHeader()
    {
        if (model_.ir_version() <= 0)
            fail("ir_version", "not an ONNX model: no IR version (is the file a .onnx export?)");
        if (!model_.has_graph())
            fail("graph", "the model has no graph");
        if (model_.graph().node_size() == 0)
            fail("graph", "the graph has no nodes");
        bool haveDefault = false;
        const auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
        for (const auto& opset : model_.opset_import()) {
            const std::string domain = opset.domain() == "ai.onnx" ? std::string() : opset.domain();
            const auto range = ranges.find(domain);
            if (range == ranges.end())
                continue; // a custom domain: its nodes become generic layers, or fail inference
            if (opset.version() < range->second.first || opset.version() > range->second.second)
                fail("opset_import",
                     "opset " + std::to_string(opset.version()) + " of domain \"" +
                         (domain.empty() ? "ai.onnx" : domain) + "\" is not one this importer knows (" +
                         std::to_string(range->second.first) + " to " + std::to_string(range->second.second) + ")");
            if (domain.empty()) {
                haveDefault = true;
                opset_ = opset.version();
            }
        }
        if (!haveDefault)
            fail("opset_import", "the model imports no ai.onnx operator set");
    }

    // The one graph input that is not a weight: the network input. Its first dimension is the
    // batch; a symbolic one is bound to the requested batch before shape inference.
    void findInput()
    {
        auto& graph = *model_.mutable_graph();
        std::vector<int> candidates;
        for (int i = 0; i < graph.input_size(); ++i)
            if (!staticDims_.count(graph.input(i).name()))
                candidates.push_back(i);
        if (candidates.empty())
            fail("graph input", "the graph has no input besides its weights");
        if (candidates.size() > 1) {
            const std::string names = joined(candidates, ", ", [&](int i) { return graph.input(i).name(); });
            fail("graph input", "the graph has " + std::to_string(candidates.size()) + " inputs (" + names +
                                    "); only networks with one input are modelled");
        }
        auto& input = *graph.mutable_input(candidates.front());
        inputName_ = input.name();
        const std::string place = "graph input \"" + inputName_ + "\"";
        if (inputName_.empty())
            fail("graph input", "the network input has no name");
        if (!input.type().has_tensor_type())
            fail(place, "the input is not a tensor");
        if (!input.type().tensor_type().has_shape())
            fail(place, "the input has no shape (export it with a shape, e.g. torch.onnx.export with a sample input)");
        auto& shape = *input.mutable_type()->mutable_tensor_type()->mutable_shape();
        if (shape.dim_size() < 2 || shape.dim_size() > 4)
            fail(place, "the input has rank " + std::to_string(shape.dim_size()) +
                            "; modelled are [batch, features], [batch, channels, length] and [batch, C, H, W]");
        for (int d = 0; d < shape.dim_size(); ++d) {
            auto& dim = *shape.mutable_dim(d);
            const std::string where = place + ", dimension " + std::to_string(d);
            if (dim.has_dim_value()) {
                if (dim.dim_value() <= 0)
                    fail(where, "dimension " + std::to_string(dim.dim_value()) + " must be positive");
                if (dim.dim_value() > kMaxDim)
                    fail(where, "dimension " + std::to_string(dim.dim_value()) + " is absurdly large (limit 10^9)");
                if (d == 0)
                    result_.fixed_batch = dim.dim_value();
            } else if (d == 0) {
                dim.set_dim_value(options_.batch);
            } else {
                fail(where, "symbolic dimension \"" + dim.dim_param() +
                                "\": only the batch may be symbolic; fix the others at export");
            }
        }
        batch_ = shape.dim(0).dim_value();
    }

    // Kahn's algorithm: nodes in an order where every tensor is produced before it is read.
    // Names nobody produces are reported; what is left over is a cycle.
    void sortNodes()
    {
        auto& graph = *model_.mutable_graph();
        const int n = graph.node_size();
        std::unordered_map<std::string, int> producer;
        for (int i = 0; i < n; ++i) {
            const auto& node = graph.node(i);
            for (const auto& a : node.attribute())
                if (a.has_g() || a.graphs_size() > 0)
                    fail(nodePlace(node, static_cast<std::size_t>(i)),
                         "control flow with subgraphs (If, Loop, Scan) is not modelled");
            if (node.output_size() == 0)
                fail(nodePlace(node, static_cast<std::size_t>(i)), "the node has no output");
            for (const auto& out : node.output()) {
                if (out.empty())
                    continue;
                if (out == inputName_ || staticDims_.count(out))
                    fail(nodePlace(node, static_cast<std::size_t>(i)),
                         "output \"" + out + "\" overwrites a graph input or weight");
                if (!producer.emplace(out, i).second)
                    fail(nodePlace(node, static_cast<std::size_t>(i)),
                         "output \"" + out + "\" is also produced by " +
                             nodePlace(graph.node(producer[out]), static_cast<std::size_t>(producer[out])));
            }
        }
        std::vector<int> pending(static_cast<std::size_t>(n), 0);
        std::vector<std::vector<int>> readers(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            for (const auto& in : graph.node(i).input()) {
                if (in.empty() || in == inputName_ || staticDims_.count(in))
                    continue;
                const auto it = producer.find(in);
                if (it == producer.end())
                    fail(nodePlace(graph.node(i), static_cast<std::size_t>(i)),
                         "input \"" + in + "\" is produced by no node and is not a graph input or weight");
                ++pending[static_cast<std::size_t>(i)];
                readers[static_cast<std::size_t>(it->second)].push_back(i);
            }
        }
        std::vector<int> order, ready;
        for (int i = n - 1; i >= 0; --i)
            if (pending[static_cast<std::size_t>(i)] == 0)
                ready.push_back(i);
        while (!ready.empty()) {
            // Smallest index first keeps the file's order where it is already valid.
            std::sort(ready.begin(), ready.end(), std::greater<>());
            const int i = ready.back();
            ready.pop_back();
            order.push_back(i);
            for (int r : readers[static_cast<std::size_t>(i)])
                if (--pending[static_cast<std::size_t>(r)] == 0)
                    ready.push_back(r);
        }
        if (static_cast<int>(order.size()) != n) {
            for (int i = 0; i < n; ++i)
                if (pending[static_cast<std::size_t>(i)] > 0)
                    fail(nodePlace(graph.node(i), static_cast<std::size_t>(i)),
                         "the node is part of a cycle: it (indirectly) reads its own output");
        }
        google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
        for (int i : order)
            *sorted.Add() = graph.node(i);
        graph.mutable_node()->Swap(&sorted);
    }

    // ONNX 1.12's shape inference for convolutions and pooling trusts its attributes: a zero
    // stride divides by zero, and a Conv without kernel_shape takes the kernel from weights of
    // any rank and reads past its arrays (both crashes found by fuzz_onnx). Those attributes are
    // checked here first, and a missing Conv kernel is stated from the weights (as the operator
    // defines it) so that ONNX's own rank check applies.
    void checkConvAndPoolAttributes()
    {
        static const std::set<std::string> windowed{"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool"};
        auto& graph = *model_.mutable_graph();
        for (int i = 0; i < graph.node_size(); ++i) {
            auto& node = *graph.mutable_node(i);
            if (!windowed.count(node.op_type()))
                continue;
            const std::string place = nodePlace(node, static_cast<std::size_t>(i));
            bool kernelStated = false;
            for (const auto& attribute : node.attribute()) {
                const std::string& name = attribute.name();
                kernelStated = kernelStated || name == "kernel_shape";
                const bool positive = name == "kernel_shape" || name == "strides" || name == "dilations";
                if (positive || name == "pads" || name == "output_padding")
                    for (auto v : attribute.ints())
                        if (positive ? v < 1 : v < 0)
                            fail(place, "attribute \"" + name + "\" has " + std::to_string(v) + "; expected " +
                                            (positive ? "values of at least 1" : "values of at least 0"));
                if (name == "group" && attribute.i() < 1)
                    fail(place, "attribute \"group\" must be at least 1");
            }
            if (kernelStated || (node.op_type() != "Conv" && node.op_type() != "ConvTranspose"))
                continue;
            const auto weights = node.input_size() >= 2 ? staticDims_.find(node.input(1)) : staticDims_.end();
            if (weights == staticDims_.end())
                fail(place, "a convolution without \"kernel_shape\" needs its weights in the file (an initializer)");
            if (weights->second.size() < 3)
                fail(place, "the convolution's weights have " + std::to_string(weights->second.size()) +
                                " dimensions; expected (out channels, in channels, kernel...)");
            auto* kernel = node.add_attribute();
            kernel->set_name("kernel_shape");
            kernel->set_type(onnx::AttributeProto::INTS);
            for (std::size_t d = 2; d < weights->second.size(); ++d)
                kernel->add_ints(weights->second[d]);
        }
    }

    void inferShapes()
    {
        // Strict mode: a node whose shapes cannot be inferred is an error, not a silent gap.
        const onnx::ShapeInferenceOptions strict(/*check_type=*/false, /*error_mode=*/1, /*data_prop=*/true);
        try {
            onnx::shape_inference::InferShapes(model_, onnx::OpSchemaRegistry::Instance(), strict);
        } catch (const std::exception& e) {
            std::string what = e.what();
            while (!what.empty() && (what.back() == '\n' || what.back() == ' '))
                what.pop_back();
            fail(placeInMessage(what), "ONNX shape inference failed: " + what);
        }
    }

    // ONNX's messages name the node as "(op_type:Conv, node name: conv1)"; use it as the place.
    std::string placeInMessage(const std::string& what) const
    {
        const auto at = what.find("node name: ");
        if (at != std::string::npos) {
            const auto end = what.find(')', at);
            const std::string name = what.substr(at + 11, end == std::string::npos ? std::string::npos : end - at - 11);
            const auto& graph = model_.graph();
            for (int i = 0; i < graph.node_size(); ++i)
                if (graph.node(i).name() == name)
                    return nodePlace(graph.node(i), static_cast<std::size_t>(i));
            return "node \"" + name + "\"";
        }
        return "shape inference";
    }

    void collectShapes()
    {
        const auto& graph = model_.graph();
        auto take = [&](const onnx::ValueInfoProto& v) {
            if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape())
                return;
            const auto& shape = v.type().tensor_type().shape();
            Dims dims;
            for (const auto& d : shape.dim()) {
                if (!d.has_dim_value())
                    return; // unknown: reported where a layer needs it
                dims.push_back(d.dim_value());
            }
            shapes_[v.name()] = dims;
        };
        for (const auto& v : graph.input())
            take(v);
        for (const auto& v : graph.value_info())
            take(v);
        for (const auto& v : graph.output())
            take(v);
        for (const auto& node : graph.node())
            if (node.op_type() == "Constant" && node.output_size() == 1)
                if (const auto* value = attribute(node, "value"); value && value->has_t())
                    constants_[node.output(0)] = &value->t();
    }

    const Dims& dimsOf(std::size_t node, const std::string& tensor) const
    {
        if (const auto it = shapes_.find(tensor); it != shapes_.end())
            return it->second;
        if (const auto it = staticDims_.find(tensor); it != staticDims_.end())
            return it->second;
        failAt(node, "ONNX shape inference could not settle the shape of \"" + tensor + "\"");
    }

    std::optional<double> constantValue(const onnx::NodeProto& node, int input) const
    {
        if (input >= node.input_size() || node.input(input).empty())
            return std::nullopt;
        const auto it = constants_.find(node.input(input));
        return it == constants_.end() ? std::nullopt : firstValue(*it->second);
    }

    // Per-sample shape of an activation: [N, C, H, W] -> C x H x W, [N, C, L] -> C x L x 1,
    // [N, F] -> F x 1 x 1, higher ranks fold their tail into W. A tensor whose first
    // dimension is not the batch (a reshape that merged it) keeps its per-sample element count.
    Shape perSample(std::size_t node, const std::string& tensor, bool* batchLeading = nullptr) const
    {
        const Dims& d = dimsOf(node, tensor);
        for (auto v : d)
            if (v <= 0 || v > kMaxDim)
                failAt(node, "tensor \"" + tensor + "\" has shape " + dimsText(d) +
                                 " after shape inference: every dimension must be between 1 and 10^9");
        if (batchLeading)
            *batchLeading = !d.empty() && d[0] == batch_;
        if (!d.empty() && d[0] == batch_) {
            Shape s{1, 1, 1};
            if (d.size() > 1)
                s.c = d[1];
            if (d.size() > 2)
                s.h = d[2];
            for (std::size_t k = 3; k < d.size(); ++k) {
                if (s.w > kMaxDim / d[k])
                    failAt(node, "tensor \"" + tensor + "\" is absurdly large");
                s.w *= d[k];
            }
            return s;
        }
        double total = 1;
        for (auto v : d)
            total *= static_cast<double>(v);
        const double perSampleElements = total / static_cast<double>(batch_);
        if (perSampleElements < 1 || perSampleElements != std::floor(perSampleElements) ||
            perSampleElements > static_cast<double>(std::int64_t{1} << 36))
            failAt(node, "tensor \"" + tensor + "\" has shape " + dimsText(d) +
                             ", which does not split into " + std::to_string(batch_) + " samples");
        return Shape{static_cast<std::int64_t>(perSampleElements), 1, 1};
    }

    bool isActivation(const std::string& tensor) const { return producerOf_.count(tensor) > 0; }

    std::string uniqueName(const onnx::NodeProto& node, std::size_t index, const std::string& suffix = {})
    {
        std::string base = (node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name()) + suffix;
        std::string name = base;
        for (int k = 2; name == inputName_ || usedNames_.count(name); ++k)
            name = base + "_" + std::to_string(k);
        usedNames_.insert(name);
        return name;
    }

    void addLayer(Layer layer, LayerOrigin origin, const std::string& output)
    {
        producerOf_[output] = layer.name;
        layerIndexByName_[layer.name] = network_.layers.size();
        network_.layers.push_back(std::move(layer));
        origins_.push_back(origin);
    }

    void warn(Layer& layer, std::size_t node, const std::string& text)
    {
        const std::string message = nodePlace(model_.graph().node(static_cast<int>(node)), node) + ": " + text;
        result_.warnings.push_back(message);
        layer.comment += (layer.comment.empty() ? "" : "; ") + text;
    }

    void buildLayers()
    {
        const auto& graph = model_.graph();
        network_.input_name = inputName_;
        producerOf_[inputName_] = inputName_;
        {
            const Shape in = perSample(0, inputName_);
            network_.input = in;
        }
        // Readers per tensor: a bias Add folds into its MatMul only when it is the only reader.
        for (const auto& node : graph.node())
            for (const auto& in : node.input())
                ++readers_[in];
        for (std::size_t i = 0; i < static_cast<std::size_t>(graph.node_size()); ++i) {
            const auto& node = graph.node(static_cast<int>(i));
            std::vector<std::string> activationInputs;
            for (const auto& in : node.input())
                if (!in.empty() && isActivation(in))
                    activationInputs.push_back(in);
            // Shape arithmetic (Shape, Size) and nodes that read only weights or constants are no
            // layers: they run once on tiny tensors, not on the batch.
            if (activationInputs.empty() || node.op_type() == "Shape" || node.op_type() == "Size")
                continue;
            mapNode(node, i, activationInputs);
        }
        if (network_.layers.empty())
            fail("graph", "no node reads the network input \"" + inputName_ + "\": there is nothing to model");
    }

    // Layer inputs as names; omitted when the layer reads just the previous layer's output.
    std::vector<std::string> layerInputs(const std::vector<std::string>& tensors) const
    {
        std::vector<std::string> names;
        for (const auto& t : tensors)
            names.push_back(producerOf_.at(t));
        const std::string previous = network_.layers.empty() ? inputName_ : network_.layers.back().name;
        if (names.size() == 1 && names.front() == previous)
            return {};
        return names;
    }

    void mapNode(const onnx::NodeProto& node, std::size_t i, const std::vector<std::string>& act)
    {
        const std::string& op = node.op_type();
        const bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
        // Pure renames: no layer, the output is the input's producer.
        if (defaultDomain && (op == "Identity" || op == "Cast") && node.output_size() >= 1) {
            producerOf_[node.output(0)] = producerOf_.at(act.front());
            return;
        }
        if (defaultDomain && op == "Split") {
            mapSplit(node, i, act);
            return;
        }
        const std::string output = node.output(0);
        Layer L;
        L.name = uniqueName(node, i);
        L.inputs = layerInputs({act.front()});
        L.comment = "ONNX " + op;
        LayerOrigin origin;
        origin.node = i;
        bool leading = true;
        origin.onnx_shape = perSample(i, output, &leading);
        const double outElems = static_cast<double>(origin.onnx_shape.elements());
        origin.flops = outElems;
        const Shape x = perSample(i, act.front());
        const Dims& xd = dimsOf(i, act.front());

        auto generic = [&](double flops, std::int64_t weights, const std::string& warning) {
            L.kind = LayerKind::generic;
            L.inputs = layerInputs(act);
            L.generic_output = origin.onnx_shape;
            L.generic_flops = flops;
            L.generic_weights = weights;
            origin.flops = flops;
            origin.weights = weights;
            if (!warning.empty())
                warn(L, i, warning);
        };
        auto unmodelled = [&] {
            generic(outElems, 0,
                    "operator " + op + (defaultDomain ? "" : " of domain " + node.domain()) +
                        " is not modelled: imported as a generic layer (ONNX's output shape, one operation per "
                        "output value)");
        };

        if (!defaultDomain) {
            unmodelled();
        } else if (op == "Conv" || op == "ConvTranspose") {
            mapConv(node, i, L, origin, x, xd, op == "ConvTranspose");
            if (L.kind == LayerKind::generic)
                L.inputs = layerInputs(act);
        } else if (op == "Gemm" || op == "MatMul") {
            mapMatMul(node, i, L, origin, act, x, xd);
        } else if (op == "Relu") {
            L.kind = LayerKind::relu;
        } else if (op == "Clip") {
            const auto lo = opset_ < 11 ? floatAttr(node, "min") : constantValue(node, 1);
            const auto hi = opset_ < 11 ? floatAttr(node, "max") : constantValue(node, 2);
            if (lo && *lo == 0.0 && hi && *hi == 6.0)
                L.kind = LayerKind::relu6;
            else if (lo && *lo == 0.0 && !hi)
                L.kind = LayerKind::relu;
            else
                unmodelled();
        } else if (op == "MaxPool" || op == "AveragePool") {
            mapPool(node, i, L, origin, x, xd, op == "MaxPool");
        } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
            L.kind = LayerKind::globalpool;
        } else if (op == "ReduceMean" && xd.size() == 4 && isSpatialReduction(node, i)) {
            L.kind = LayerKind::globalpool;
        } else if (op == "BatchNormalization") {
            L.kind = LayerKind::batchnorm;
        } else if (op == "LayerNormalization") {
            L.kind = LayerKind::layernorm;
        } else if (op == "LRN") {
            L.kind = LayerKind::lrn;
            L.kernel_h = L.kernel_w = intOr(node, "size", 5);
        } else if (op == "Dropout") {
            L.kind = LayerKind::dropout;
            const auto ratio = opset_ < 12 ? floatAttr(node, "ratio") : constantValue(node, 1);
            L.dropout_rate = std::clamp(ratio.value_or(0.5), 0.0, 0.999);
        } else if (op == "Softmax" || op == "LogSoftmax") {
            L.kind = LayerKind::softmax;
        } else if ((op == "Flatten" || op == "Reshape") && leading && dimsOf(i, output).size() == 2 &&
                   checkSameElements(i, act.front(), output)) {
            L.kind = LayerKind::flatten;
        } else if (op == "Reshape" || op == "Flatten" || op == "Transpose" || op == "Squeeze" || op == "Unsqueeze") {
            checkSameElements(i, act.front(), output);
            generic(0, 0, ""); // moves values only
            L.comment += ": moves values only (no arithmetic)";
        } else if ((op == "Add" || op == "Sum") && act.size() == static_cast<std::size_t>(node.input_size()) &&
                   act.size() >= 2 && sameDims(i, act)) {
            L.kind = LayerKind::add;
            L.inputs = layerInputs(act);
        } else if (op == "Add" && act.size() == 1 && foldBias(node, i, act.front())) {
            return;
        } else if (op == "Concat" && act.size() == static_cast<std::size_t>(node.input_size()) && act.size() >= 2 &&
                   xd.size() >= 2 && normalisedAxis(intOr(node, "axis", 1), xd.size()) == 1) {
            L.kind = LayerKind::concat;
            L.inputs = layerInputs(act);
        } else if (op == "Concat") {
            generic(0, 0, act.size() == static_cast<std::size_t>(node.input_size())
                              ? ""
                              : "concat with a weight or constant: imported as a generic layer");
            L.comment += ": joins along a non-channel axis (no arithmetic)";
        } else {
            unmodelled();
        }
        addLayer(std::move(L), origin, output);
        // Extra outputs (MaxPool indices, BatchNorm statistics in training mode) come from the
        // same layer.
        for (int k = 1; k < node.output_size(); ++k)
            if (!node.output(k).empty())
                producerOf_[node.output(k)] = network_.layers.back().name;
    }

    // Reshapes move values: the element count must survive (ONNX's inference does not check it).
    bool checkSameElements(std::size_t i, const std::string& in, const std::string& out) const
    {
        double a = 1, b = 1;
        for (auto v : dimsOf(i, in))
            a *= static_cast<double>(v);
        for (auto v : dimsOf(i, out))
            b *= static_cast<double>(v);
        if (a != b)
            failAt(i, "reshapes " + dimsText(dimsOf(i, in)) + " into " + dimsText(dimsOf(i, out)) +
                          ": the element counts differ");
        return true;
    }

    static std::size_t normalisedAxis(std::int64_t axis, std::size_t rank)
    {
        return static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis);
    }

    bool sameDims(std::size_t node, const std::vector<std::string>& tensors) const
    {
        for (const auto& t : tensors)
            if (dimsOf(node, t) != dimsOf(node, tensors.front()))
                return false;
        return true;
    }

    bool isSpatialReduction(const onnx::NodeProto& node, std::size_t) const
    {
        Dims axes = intsOr(node, "axes", {});
        for (auto& a : axes)
            a = static_cast<std::int64_t>(normalisedAxis(a, 4));
        std::sort(axes.begin(), axes.end());
        return axes == Dims{2, 3};
    }

    // x @ W + b exported as MatMul then Add: the Add is the fc layer's bias.
    bool foldBias(const onnx::NodeProto& node, std::size_t i, const std::string& activation)
    {
        const auto it = layerIndexByName_.find(producerOf_.at(activation));
        if (it == layerIndexByName_.end() || readers_[activation] != 1)
            return false;
        Layer& fc = network_.layers[it->second];
        if (fc.kind != LayerKind::fc || fc.bias)
            return false;
        const std::string other = node.input(0) == activation ? node.input(1) : node.input(0);
        const auto sd = staticDims_.find(other);
        if (sd == staticDims_.end())
            return false;
        std::int64_t elements = 1;
        for (auto v : sd->second)
            elements *= v;
        if (elements != fc.out_channels || dimsOf(i, node.output(0)) != dimsOf(i, activation))
            return false;
        fc.bias = true;
        fc.comment += " + Add (bias)";
        origins_[it->second].flops += static_cast<double>(fc.out_channels);
        origins_[it->second].weights += fc.out_channels;
        producerOf_[node.output(0)] = fc.name;
        return true;
    }

    // Spatial attributes of Conv and pools. Pads are symmetric in our model; asymmetric ones
    // (and SAME auto-padding that needs them) make the caller fall back to a generic layer.
    struct Window {
        Dims kernel, strides, dilations;
        std::int64_t pad_h = 0, pad_w = 0;
        bool symmetric = true;
    };

    // Kernel, strides and padding of a conv or pooling layer (a 1-D window is H x 1).
    static void setWindow(Layer& L, const Window& w)
    {
        L.kernel_h = w.kernel[0];
        L.kernel_w = w.kernel.size() > 1 ? w.kernel[1] : 1;
        L.stride_h = w.strides[0];
        L.stride_w = w.strides.size() > 1 ? w.strides[1] : 1;
        L.pad_h = w.pad_h;
        L.pad_w = w.pad_w;
    }

    Window window(const onnx::NodeProto& node, std::size_t i, const Dims& xd, const Dims& yd, Dims kernel) const
    {
        Window w;
        const std::size_t spatial = xd.size() - 2;
        w.kernel = intsOr(node, "kernel_shape", kernel);
        w.strides = intsOr(node, "strides", Dims(spatial, 1));
        w.dilations = intsOr(node, "dilations", Dims(spatial, 1));
        if (w.kernel.size() != spatial || w.strides.size() != spatial || w.dilations.size() != spatial)
            failAt(i, "kernel_shape, strides and dilations need one value per spatial dimension (" +
                          std::to_string(spatial) + ")");
        Dims pads = intsOr(node, "pads", Dims(2 * spatial, 0));
        const std::string autoPad = stringOr(node, "auto_pad", "NOTSET");
        if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
            pads.assign(2 * spatial, 0);
            for (std::size_t k = 0; k < spatial; ++k) {
                const std::int64_t total = std::max<std::int64_t>(
                    0, (yd[2 + k] - 1) * w.strides[k] + w.dilations[k] * (w.kernel[k] - 1) + 1 - xd[2 + k]);
                const std::int64_t small = total / 2, large = total - small;
                pads[k] = autoPad == "SAME_UPPER" ? small : large;
                pads[k + spatial] = autoPad == "SAME_UPPER" ? large : small;
            }
        } else if (autoPad == "VALID") {
            pads.assign(2 * spatial, 0);
        }
        if (pads.size() != 2 * spatial)
            failAt(i, "pads needs " + std::to_string(2 * spatial) + " values");
        for (std::size_t k = 0; k < spatial; ++k)
            if (pads[k] != pads[k + spatial])
                w.symmetric = false;
        w.pad_h = pads[0];
        w.pad_w = spatial > 1 ? pads[1] : 0;
        return w;
    }

    void mapConv(const onnx::NodeProto& node, std::size_t i, Layer& L, LayerOrigin& origin, const Shape& x,
                 const Dims& xd, bool transposed)
    {
        if (node.input_size() < 2)
            failAt(i, "a convolution needs a weight input");
        const Dims& wd = dimsOf(i, node.input(1));
        const Dims& yd = dimsOf(i, node.output(0));
        if (wd.size() != xd.size() || xd.size() < 3 || yd.size() != xd.size())
            failAt(i, "weight " + dimsText(wd) + " does not fit input " + dimsText(xd));
        const std::int64_t groups = intOr(node, "group", 1);
        if (groups < 1)
            failAt(i, "group must be at least 1, found " + std::to_string(groups));
        const std::int64_t weightInputChannels = transposed ? wd[0] : wd[1] * groups;
        if (weightInputChannels != xd[1])
            failAt(i, "the weight " + dimsText(wd) + " with group " + std::to_string(groups) + " expects " +
                          std::to_string(weightInputChannels) + " input channels, the input " + dimsText(xd) +
                          " has " + std::to_string(xd[1]));
        const bool bias = node.input_size() >= 3 && !node.input(2).empty();
        double kernelElements = 1;
        for (std::size_t k = 2; k < wd.size(); ++k)
            kernelElements *= static_cast<double>(wd[k]);
        // One multiply-add per weight and output position: in = C/groups per output for Conv;
        // ConvTranspose scatters each input over out/groups channels.
        const double outElems = static_cast<double>(origin.onnx_shape.elements());
        const double inElems = static_cast<double>(x.elements());
        const double weights = static_cast<double>(wd[0]) * static_cast<double>(wd[1]) * kernelElements;
        const std::int64_t outChannels = transposed ? wd[1] * groups : wd[0];
        origin.flops = transposed ? 2.0 * inElems * static_cast<double>(wd[1]) * kernelElements
                                  : 2.0 * static_cast<double>(wd[1]) * kernelElements * outElems;
        if (bias)
            origin.flops += outElems;
        origin.weights = static_cast<std::int64_t>(weights) + (bias ? outChannels : 0);
        if (transposed || xd.size() > 4) {
            L.kind = LayerKind::generic;
            L.generic_output = origin.onnx_shape;
            L.generic_flops = origin.flops;
            L.generic_weights = origin.weights;
            warn(L, i, std::string(transposed ? "transposed" : "3-D") +
                           " convolution: imported as a generic layer with its multiply-adds");
            return;
        }
        const Window w = window(node, i, xd, yd, Dims(wd.begin() + 2, wd.end()));
        const bool oneDilation = w.dilations.size() < 2 || w.dilations[0] == w.dilations[1];
        if (!w.symmetric || !oneDilation) {
            L.kind = LayerKind::generic;
            L.generic_output = origin.onnx_shape;
            L.generic_flops = origin.flops;
            L.generic_weights = origin.weights;
            warn(L, i, std::string(!w.symmetric ? "asymmetric padding" : "different dilations per axis") +
                           ": imported as a generic layer with the convolution's multiply-adds");
            return;
        }
        L.kind = LayerKind::conv;
        L.out_channels = outChannels;
        setWindow(L, w);
        L.dilation = w.dilations[0];
        L.groups = groups;
        L.bias = bias;
    }

    void mapPool(const onnx::NodeProto& node, std::size_t i, Layer& L, LayerOrigin& origin, const Shape&,
                 const Dims& xd, bool isMax)
    {
        const Dims& yd = dimsOf(i, node.output(0));
        if (xd.size() < 3 || xd.size() > 4 || yd.size() != xd.size())
            failAt(i, "pooling is modelled over 1 or 2 spatial dimensions, found input " + dimsText(xd));
        const Window w = window(node, i, xd, yd, {});
        double windowElements = 1;
        for (auto k : w.kernel)
            windowElements *= static_cast<double>(k);
        origin.flops = static_cast<double>(origin.onnx_shape.elements()) * windowElements;
        const bool dilated = std::any_of(w.dilations.begin(), w.dilations.end(), [](auto d) { return d != 1; });
        if (!w.symmetric || dilated) {
            L.kind = LayerKind::generic;
            L.generic_output = origin.onnx_shape;
            L.generic_flops = origin.flops;
            warn(L, i, std::string(!w.symmetric ? "asymmetric padding" : "dilated pooling") +
                           ": imported as a generic layer");
            return;
        }
        L.kind = isMax ? LayerKind::maxpool : LayerKind::avgpool;
        setWindow(L, w);
        L.ceil_mode = intOr(node, "ceil_mode", 0) != 0;
    }

    void mapMatMul(const onnx::NodeProto& node, std::size_t i, Layer& L, LayerOrigin& origin,
                   const std::vector<std::string>& act, const Shape&, const Dims& xd)
    {
        const bool gemm = node.op_type() == "Gemm";
        if (node.input_size() < 2)
            failAt(i, "a matrix product needs two inputs");
        const Dims& ad = dimsOf(i, node.input(0));
        const Dims& bd = dimsOf(i, node.input(1));
        const Dims& yd = dimsOf(i, node.output(0));
        if (ad.empty() || bd.empty() || yd.empty())
            failAt(i, "a matrix product of scalars is not modelled");
        const bool transA = gemm && intOr(node, "transA", 0) != 0;
        const bool transB = gemm && intOr(node, "transB", 0) != 0;
        const std::int64_t inner = transA ? ad.front() : ad.back();
        const bool weightB = !isActivation(node.input(1)) && isActivation(node.input(0));
        const bool bias = gemm && node.input_size() >= 3 && !node.input(2).empty();
        const double outElems = static_cast<double>(origin.onnx_shape.elements());
        origin.flops = 2.0 * static_cast<double>(inner) * outElems + (bias ? outElems : 0);
        if (weightB && bd.size() == 2 && ad.size() == 2 && !transA && xd == ad) {
            L.kind = LayerKind::fc;
            L.out_channels = transB ? bd[0] : bd[1];
            L.bias = bias;
            origin.weights = bd[0] * bd[1] + (bias ? L.out_channels : 0);
            return;
        }
        // A product over a sequence with a weight, or of two activations (attention's Q K^T and
        // P V): a generic layer with its multiply-adds, as docs/formats.md's bert-base does.
        L.kind = LayerKind::generic;
        L.inputs = layerInputs(act);
        L.generic_output = origin.onnx_shape;
        L.generic_flops = origin.flops;
        if (weightB) {
            std::int64_t w = 1;
            for (auto v : bd)
                w *= v;
            L.generic_weights = w;
            origin.weights = w;
        }
        L.comment += weightB ? ": product with a weight matrix" : ": product of two activations";
    }

    void mapSplit(const onnx::NodeProto& node, std::size_t i, const std::vector<std::string>& act)
    {
        int part = 0;
        for (int k = 0; k < node.output_size(); ++k) {
            const std::string& out = node.output(k);
            if (out.empty())
                continue;
            Layer L;
            L.name = uniqueName(node, i, part > 0 ? ":" + std::to_string(part) : std::string());
            L.kind = LayerKind::generic;
            L.inputs = layerInputs({act.front()});
            LayerOrigin origin;
            origin.node = i;
            origin.onnx_shape = perSample(i, out);
            origin.flops = 0;
            L.generic_output = origin.onnx_shape;
            L.comment = "ONNX Split, part " + std::to_string(part) + ": moves values only";
            addLayer(std::move(L), origin, out);
            ++part;
        }
    }

    Layer asGeneric(const Layer& from, const LayerOrigin& origin) const
    {
        Layer g;
        g.name = from.name;
        g.kind = LayerKind::generic;
        g.inputs = from.inputs;
        g.generic_output = origin.onnx_shape;
        g.generic_flops = origin.flops;
        g.generic_weights = origin.weights;
        g.comment = from.comment;
        return g;
    }

    // Builds the model and checks every layer's shape against ONNX's. A layer our model rejects
    // or shapes differently (a rounding rule we do not have) becomes a generic layer with ONNX's
    // shape and its own FLOPs, and says so; what a generic layer cannot fix is the file's fault.
    void settleLayers()
    {
        auto layerIndexOf = [](const std::string& pointer) -> std::optional<std::size_t> {
            static constexpr std::string_view prefix = "/layers/";
            if (pointer.rfind(prefix, 0) != 0)
                return std::nullopt;
            return static_cast<std::size_t>(std::stoull(pointer.substr(prefix.size())));
        };
        for (int round = 0; round < kMaxFallbackRounds; ++round) {
            std::optional<NetworkModel> model;
            try {
                model.emplace(network_, label_);
            } catch (const InputError& e) {
                const auto index = layerIndexOf(e.place());
                if (!index)
                    fail("graph input \"" + inputName_ + "\"", e.message());
                const LayerOrigin& origin = origins_[*index];
                Layer& L = network_.layers[*index];
                if (L.kind == LayerKind::generic)
                    failAt(origin.node, e.message());
                const std::string why = e.message();
                const std::string kind(layerKindName(L.kind));
                L = asGeneric(L, origin);
                warn(L, origin.node, "the " + kind + " model rejects it (" + why +
                                         "): imported as a generic layer");
                continue;
            }
            bool changed = false;
            for (std::size_t k = 0; k < network_.layers.size(); ++k) {
                const Shape ours = model->info(static_cast<int>(k)).output_shape;
                const LayerOrigin& origin = origins_[k];
                if (ours == origin.onnx_shape)
                    continue;
                Layer& L = network_.layers[k];
                if (L.kind == LayerKind::generic)
                    failAt(origin.node, "internal shape disagreement");
                const std::string kind(layerKindName(L.kind));
                L = asGeneric(L, origin);
                warn(L, origin.node,
                     "the " + kind + " model gives " + formatShape(ours) + " where ONNX infers " +
                         formatShape(origin.onnx_shape) + ": imported as a generic layer with ONNX's shape");
                changed = true;
                break; // later shapes depend on this one: rebuild before comparing them
            }
            if (!changed) {
                result_.network = std::move(network_);
                return;
            }
        }
        fail("graph", "too many layers needed a generic fallback; the model is not one this importer handles");
    }

    onnx::ModelProto& model_;
    const std::string& label_;
    const OnnxImportOptions& options_;
    OnnxImportResult result_;
    Network network_;
    std::vector<LayerOrigin> origins_;
    std::string inputName_;
    std::int64_t batch_ = 1;
    std::int64_t opset_ = 0;
    std::unordered_map<std::string, Dims> staticDims_; // weights (initializers)
    std::unordered_map<std::string, Dims> shapes_;     // every tensor ONNX inferred fully
    std::unordered_map<std::string, const onnx::TensorProto*> constants_;
    std::unordered_map<std::string, std::string> producerOf_; // activation tensor -> layer (or input)
    std::unordered_map<std::string, std::size_t> layerIndexByName_;
    std::unordered_map<std::string, int> readers_;
    std::unordered_set<std::string> usedNames_;
};

} // namespace

bool isOnnxPath(const std::filesystem::path& path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".onnx";
}

OnnxImportResult importOnnxBytes(std::string_view bytes, const std::string& fileLabel, const OnnxImportOptions& options)
{
    if (options.batch < 1 || options.batch > (std::int64_t{1} << 24))
        throw InputError("", "--batch", "the batch must be between 1 and 16777216");
    if (bytes.empty())
        throw InputError(fileLabel, "byte 0", "the file is empty, not an ONNX model");
    if (bytes.size() > kMaxOnnxFileBytes)
        throw InputError(fileLabel, "", "the file is larger than protobuf's 2 GiB limit for an ONNX model");
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw InputError(fileLabel, "",
                         "not an ONNX model: the protobuf message does not parse (truncated, or another format)");
    Importer importer(model, fileLabel, options);
    OnnxImportResult result = importer.run();
    Network& net = result.network;
    // Exporters name graphs generically ("torch_jit", "main_graph"): the file name says more.
    net.name = options.name.empty() ? std::filesystem::path(fileLabel).stem().string() : options.name;
    std::string producer = model.producer_name();
    if (!model.producer_version().empty())
        producer += " " + model.producer_version();
    net.description = "Imported from ONNX (IR version " + std::to_string(model.ir_version()) +
                      (producer.empty() ? std::string() : ", written by " + producer) + "), " +
                      std::to_string(result.nodes) + " nodes";
    net.default_provenance = Provenance{SparsitySource::assumed,
                                        "imported from ONNX: no activations measured yet (offload-sim measure "
                                        "--profile adds measured numbers)"};
    return result;
}

OnnxImportResult importOnnxFile(const std::filesystem::path& path, const OnnxImportOptions& options)
{
    const std::string label = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw InputError(label, "", "no such file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec)
        throw InputError(label, "", "cannot read the file size: " + ec.message());
    if (size > kMaxOnnxFileBytes)
        throw InputError(label, "", "the file is larger than protobuf's 2 GiB limit for an ONNX model");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(label, "", "cannot open the file");
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (size > 0)
        in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!in)
        throw InputError(label, "", "read error");
    return importOnnxBytes(bytes, label, options);
}

} // namespace offload
