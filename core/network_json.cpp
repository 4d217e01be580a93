#include "network_json.h"

#include "join.h"
#include "onnx_import.h"

#include <cmath>

namespace offload {

namespace {

constexpr std::int64_t kMaxDim = 1'000'000'000;
constexpr std::int64_t kMaxKernel = 100'000;

// "kernel": 3 or [3, 5] (height, width).
std::pair<std::int64_t, std::int64_t> pairOf(const JsonCursor& c, std::int64_t min, std::int64_t max)
{
    if (c.value().is_array()) {
        auto e = c.elements(2, 2);
        return {e[0].integer(min, max), e[1].integer(min, max)};
    }
    auto v = c.integer(min, max);
    return {v, v};
}

nlohmann::json pairToJson(std::int64_t a, std::int64_t b)
{
    if (a == b)
        return a;
    return nlohmann::json::array({a, b});
}

Shape shapeFromCursor(const JsonCursor& c)
{
    auto e = c.elements(1, 3);
    std::int64_t dims[3] = {1, 1, 1};
    for (std::size_t i = 0; i < e.size(); ++i)
        dims[i] = e[i].integer(1, kMaxDim);
    return Shape{dims[0], dims[1], dims[2]};
}

nlohmann::json shapeToJson(const Shape& s)
{
    return nlohmann::json::array({s.c, s.h, s.w});
}

const char* noteKeyFor(SparsitySource s)
{
    switch (s) {
    case SparsitySource::paper: return "citation";
    case SparsitySource::measured: return "data";
    default: return "reasoning";
    }
}

void readLayerParameters(const JsonCursor& c, Layer& L)
{
    auto kernel = [&](bool required) {
        if (auto k = c.member("kernel")) {
            auto [h, w] = pairOf(*k, 1, kMaxKernel);
            L.kernel_h = h;
            L.kernel_w = w;
        } else if (required) {
            c.fail("a " + std::string(layerKindName(L.kind)) + " layer needs \"kernel\"");
        }
    };
    auto strideAndPad = [&] {
        if (auto s = c.member("stride")) {
            auto [h, w] = pairOf(*s, 1, kMaxKernel);
            L.stride_h = h;
            L.stride_w = w;
        }
        if (auto p = c.member("pad")) {
            auto [h, w] = pairOf(*p, 0, kMaxKernel);
            L.pad_h = h;
            L.pad_w = w;
        }
    };
    switch (L.kind) {
    case LayerKind::conv:
        L.out_channels = c.required("out_channels").integer(1, kMaxDim);
        kernel(true);
        strideAndPad();
        L.dilation = c.integerOr("dilation", 1, 1, kMaxKernel);
        L.groups = c.integerOr("groups", 1, 1, kMaxDim);
        L.bias = c.booleanOr("bias", true);
        break;
    case LayerKind::fc:
        L.out_channels = c.required("out_features").integer(1, kMaxDim);
        L.bias = c.booleanOr("bias", true);
        L.per_position = c.booleanOr("per_position", false);
        break;
    case LayerKind::maxpool:
    case LayerKind::avgpool:
        kernel(true);
        L.stride_h = L.kernel_h;
        L.stride_w = L.kernel_w;
        strideAndPad();
        L.ceil_mode = c.booleanOr("ceil_mode", false);
        break;
    case LayerKind::lrn:
        L.kernel_h = L.kernel_w = c.integerOr("size", 5, 1, 1001);
        break;
    case LayerKind::dropout:
        L.dropout_rate = c.numberOr("rate", 0.5, 0.0, 0.999);
        break;
    case LayerKind::generic:
        L.generic_output = shapeFromCursor(c.required("output_shape"));
        L.generic_flops = c.required("flops").number(0, 1e18);
        L.generic_weights = c.integerOr("weights", 0, 0, std::int64_t{1} << 44);
        break;
    default:
        break;
    }
}

std::vector<std::string_view> keysFor(LayerKind k)
{
    std::vector<std::string_view> keys{"name",     "kind",           "inputs",         "sparsity",
                                       "comment", "measured_times", "measured_ratios"};
    auto add = [&](std::initializer_list<std::string_view> more) { keys.insert(keys.end(), more); };
    switch (k) {
    case LayerKind::conv: add({"out_channels", "kernel", "stride", "pad", "dilation", "groups", "bias"}); break;
    case LayerKind::fc: add({"out_features", "bias", "per_position"}); break;
    case LayerKind::maxpool:
    case LayerKind::avgpool: add({"kernel", "stride", "pad", "ceil_mode"}); break;
    case LayerKind::lrn: add({"size"}); break;
    case LayerKind::dropout: add({"rate"}); break;
    case LayerKind::generic: add({"output_shape", "flops", "weights"}); break;
    default: break;
    }
    return keys;
}

Layer layerFromCursor(const JsonCursor& c)
{
    c.requireObject();
    Layer L;
    L.name = c.required("name").nonEmptyString();
    auto kindCursor = c.required("kind");
    auto kindName = kindCursor.string();
    auto kind = parseLayerKind(kindName);
    if (!kind) {
        kindCursor.fail("unknown layer kind \"" + kindName + "\" (known: " + joined(allLayerKinds(), ", ", layerKindName) +
                        ", linear)");
    }
    L.kind = *kind;
    c.checkKeys(keysFor(L.kind));
    if (auto inputs = c.member("inputs")) {
        if (inputs->value().is_string()) {
            L.inputs.push_back(inputs->nonEmptyString());
        } else {
            for (const auto& e : inputs->elements(1, 1024))
                L.inputs.push_back(e.nonEmptyString());
        }
    }
    readLayerParameters(c, L);
    if (auto s = c.member("sparsity"))
        L.sparsity = sparsityFromCursor(*s);
    if (auto t = c.member("measured_times"))
        L.measured_times = measuredTimesFromCursor(*t);
    if (auto r = c.member("measured_ratios")) {
        r->requireObject();
        for (const auto& item : r->value().items()) {
            JsonCursor v(item.value(), r->pointer() + "/" + jsonPointerToken(item.key()), r->file());
            L.measured_ratios[item.key()] = v.number(0.001, 1e6);
        }
    }
    L.comment = c.stringOr("comment", "");
    return L;
}

nlohmann::json layerToJson(const Layer& L)
{
    nlohmann::json j;
    j["name"] = L.name;
    j["kind"] = std::string(layerKindName(L.kind));
    if (!L.inputs.empty())
        j["inputs"] = L.inputs;
    switch (L.kind) {
    case LayerKind::conv:
        j["out_channels"] = L.out_channels;
        j["kernel"] = pairToJson(L.kernel_h, L.kernel_w);
        j["stride"] = pairToJson(L.stride_h, L.stride_w);
        j["pad"] = pairToJson(L.pad_h, L.pad_w);
        if (L.dilation != 1)
            j["dilation"] = L.dilation;
        if (L.groups != 1)
            j["groups"] = L.groups;
        if (!L.bias)
            j["bias"] = false;
        break;
    case LayerKind::fc:
        j["out_features"] = L.out_channels;
        if (!L.bias)
            j["bias"] = false;
        if (L.per_position)
            j["per_position"] = true;
        break;
    case LayerKind::maxpool:
    case LayerKind::avgpool:
        j["kernel"] = pairToJson(L.kernel_h, L.kernel_w);
        j["stride"] = pairToJson(L.stride_h, L.stride_w);
        if (L.pad_h || L.pad_w)
            j["pad"] = pairToJson(L.pad_h, L.pad_w);
        if (L.ceil_mode)
            j["ceil_mode"] = true;
        break;
    case LayerKind::lrn: j["size"] = L.kernel_h; break;
    case LayerKind::dropout: j["rate"] = L.dropout_rate; break;
    case LayerKind::generic:
        j["output_shape"] = shapeToJson(L.generic_output);
        j["flops"] = L.generic_flops;
        if (L.generic_weights)
            j["weights"] = L.generic_weights;
        break;
    default: break;
    }
    if (L.sparsity)
        j["sparsity"] = sparsityToJson(*L.sparsity);
    if (L.measured_times)
        j["measured_times"] = measuredTimesToJson(*L.measured_times);
    if (!L.measured_ratios.empty())
        j["measured_ratios"] = L.measured_ratios;
    if (!L.comment.empty())
        j["comment"] = L.comment;
    return j;
}

} // namespace

Provenance provenanceFromCursor(const JsonCursor& object)
{
    auto sourceCursor = object.required("source");
    auto name = sourceCursor.string();
    auto source = parseSparsitySource(name);
    if (!source)
        sourceCursor.fail("source must be \"measured\", \"paper\" or \"assumed\", found \"" + name + "\"");
    Provenance p;
    p.source = *source;
    const char* noteKey = noteKeyFor(p.source);
    auto note = object.member(noteKey);
    if (!note)
        object.fail(std::string("a \"") + name + "\" source needs \"" + noteKey + "\" (" +
                    (p.source == SparsitySource::paper      ? "which paper, figure or table"
                     : p.source == SparsitySource::measured ? "which data it was measured on"
                                                            : "why the number is reasonable") +
                    ")");
    p.note = note->nonEmptyString();
    for (const char* other : {"citation", "data", "reasoning"})
        if (std::string_view(other) != noteKey && object.has(other))
            object.required(other).fail(std::string("\"") + other + "\" does not go with source \"" + name +
                                        "\" (use \"" + noteKey + "\")");
    return p;
}

void provenanceToJson(const Provenance& p, nlohmann::json& object)
{
    object["source"] = std::string(sparsitySourceName(p.source));
    object[noteKeyFor(p.source)] = p.note;
}

SparsitySpec sparsityFromCursor(const JsonCursor& c)
{
    SparsitySpec spec;
    if (c.value().is_number()) {
        spec.points.emplace_back(0.0, c.number(0.0, 1.0));
        return spec;
    }
    c.checkKeys({"value", "curve", "source", "citation", "data", "reasoning"});
    auto value = c.member("value");
    auto curve = c.member("curve");
    if (value && curve)
        c.fail("give either \"value\" or \"curve\", not both");
    if (!value && !curve)
        c.fail("sparsity needs \"value\" (a number) or \"curve\" ([[progress, sparsity], ...])");
    if (value) {
        spec.points.emplace_back(0.0, value->number(0.0, 1.0));
    } else {
        double last = -1;
        for (const auto& point : curve->elements(1, 10'000)) {
            auto pair = point.elements(2, 2);
            double p = pair[0].number(0.0, 1.0);
            double s = pair[1].number(0.0, 1.0);
            if (p <= last)
                pair[0].fail("curve points must be in increasing order of training progress");
            last = p;
            spec.points.emplace_back(p, s);
        }
    }
    if (c.has("source"))
        spec.provenance = provenanceFromCursor(c);
    else if (c.has("citation") || c.has("data") || c.has("reasoning"))
        c.fail("a citation, data or reasoning needs \"source\" beside it");
    return spec;
}

nlohmann::json sparsityToJson(const SparsitySpec& spec)
{
    const bool constant = spec.points.size() == 1 && spec.points.front().first == 0.0;
    if (constant && !spec.provenance)
        return spec.points.front().second;
    nlohmann::json j = nlohmann::json::object();
    if (constant) {
        j["value"] = spec.points.front().second;
    } else {
        nlohmann::json curve = nlohmann::json::array();
        for (auto [p, s] : spec.points)
            curve.push_back({p, s});
        j["curve"] = curve;
    }
    if (spec.provenance)
        provenanceToJson(*spec.provenance, j);
    return j;
}

Network networkFromCursor(const JsonCursor& root)
{
    root.checkKeys({"format", "version", "name", "description", "citation", "input", "sparsity_source", "layers"});
    Network net;
    net.name = root.required("name").nonEmptyString();
    net.description = root.stringOr("description", "");
    net.citation = root.stringOr("citation", "");
    auto input = root.required("input");
    input.checkKeys({"name", "shape"});
    net.input = shapeFromCursor(input.required("shape"));
    net.input_name = input.member("name") ? input.required("name").nonEmptyString() : std::string("input");
    if (auto src = root.member("sparsity_source")) {
        src->checkKeys({"source", "citation", "data", "reasoning"});
        net.default_provenance = provenanceFromCursor(*src);
    } else {
        net.default_provenance = Provenance{SparsitySource::assumed, "no source given in the network file"};
    }
    auto layers = root.required("layers").elements(1, 2'000'000);
    net.layers.reserve(layers.size());
    for (const auto& lc : layers)
        net.layers.push_back(layerFromCursor(lc));
    return net;
}

Network networkFromJson(const nlohmann::json& document, const std::string& fileLabel)
{
    JsonCursor root(document, "", fileLabel);
    checkFormatHeader(root, kNetworkFormat, kNetworkFormatVersion);
    return networkFromCursor(root);
}

nlohmann::json networkToJson(const Network& net)
{
    nlohmann::json j;
    j["format"] = std::string(kNetworkFormat);
    j["version"] = kNetworkFormatVersion;
    j["name"] = net.name;
    if (!net.description.empty())
        j["description"] = net.description;
    if (!net.citation.empty())
        j["citation"] = net.citation;
    j["input"] = {{"shape", shapeToJson(net.input)}};
    if (net.input_name != "input")
        j["input"]["name"] = net.input_name;
    nlohmann::json src = nlohmann::json::object();
    provenanceToJson(net.default_provenance, src);
    j["sparsity_source"] = src;
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& L : net.layers)
        layers.push_back(layerToJson(L));
    j["layers"] = std::move(layers);
    return j;
}

NetworkModel loadNetworkFile(const std::filesystem::path& path)
{
    const std::string label = path.string();
    if (isOnnxPath(path))
        return NetworkModel(importOnnxFile(path).network, label);
    auto doc = parseJsonFile(path);
    return NetworkModel(networkFromJson(doc, label), label);
}

void saveNetworkFile(const Network& network, const std::filesystem::path& path)
{
    writeFileAtomically(path, networkToJson(network).dump(2) + "\n");
}

MeasuredTimes measuredTimesFromCursor(const JsonCursor& t)
{
    t.requireObject();
    t.checkKeys({"forward_s", "backward_s", "batch", "algorithms"});
    MeasuredTimes m;
    m.forward_s = t.required("forward_s").number(0, 1e6);
    m.backward_s = t.required("backward_s").number(0, 1e6);
    m.batch = t.required("batch").integer(1, 1'000'000);
    if (auto list = t.member("algorithms")) {
        for (const JsonCursor& a : list->elements(1, kConvAlgorithms.size())) {
            a.requireObject();
            a.checkKeys({"algorithm", "forward_s", "backward_s", "workspace_bytes"});
            MeasuredAlgorithm measured;
            const JsonCursor name = a.required("algorithm");
            const auto algorithm = parseConvAlgorithm(name.string());
            if (!algorithm)
                name.fail("unknown convolution algorithm \"" + name.string() +
                          "\" (implicit-gemm, implicit-precomp-gemm, gemm, fft, fft-tiling, winograd)");
            for (const auto& earlier : m.algorithms)
                if (earlier.algorithm == *algorithm)
                    name.fail("convolution algorithm \"" + name.string() + "\" is listed twice");
            measured.algorithm = *algorithm;
            measured.forward_s = a.required("forward_s").number(0, 1e6);
            measured.backward_s = a.required("backward_s").number(0, 1e6);
            measured.workspace_bytes =
                static_cast<std::uint64_t>(a.required("workspace_bytes").number(0, 1e15));
            m.algorithms.push_back(measured);
        }
    }
    return m;
}

nlohmann::json measuredTimesToJson(const MeasuredTimes& m)
{
    nlohmann::json j = {{"forward_s", m.forward_s}, {"backward_s", m.backward_s}, {"batch", m.batch}};
    if (!m.algorithms.empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& a : m.algorithms)
            list.push_back({{"algorithm", std::string(convAlgorithmName(a.algorithm))},
                            {"forward_s", a.forward_s},
                            {"backward_s", a.backward_s},
                            {"workspace_bytes", a.workspace_bytes}});
        j["algorithms"] = std::move(list);
    }
    return j;
}

} // namespace offload
