#include "network.h"

#include <algorithm>
#include <array>

namespace offload {

namespace {
struct KindName {
    LayerKind kind;
    std::string_view name;
};
constexpr std::array kKindNames{
    KindName{LayerKind::conv, "conv"},           KindName{LayerKind::fc, "fc"},
    KindName{LayerKind::relu, "relu"},           KindName{LayerKind::relu6, "relu6"},
    KindName{LayerKind::gelu, "gelu"},           KindName{LayerKind::maxpool, "maxpool"},
    KindName{LayerKind::avgpool, "avgpool"},     KindName{LayerKind::globalpool, "globalpool"},
    KindName{LayerKind::lrn, "lrn"},             KindName{LayerKind::batchnorm, "batchnorm"},
    KindName{LayerKind::layernorm, "layernorm"}, KindName{LayerKind::dropout, "dropout"},
    KindName{LayerKind::concat, "concat"},       KindName{LayerKind::add, "add"},
    KindName{LayerKind::softmax, "softmax"},     KindName{LayerKind::flatten, "flatten"},
    KindName{LayerKind::generic, "generic"},
};
} // namespace

std::string formatShape(const Shape& s)
{
    return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

std::string_view layerKindName(LayerKind k)
{
    for (const auto& kn : kKindNames)
        if (kn.kind == k)
            return kn.name;
    return "generic";
}

std::optional<LayerKind> parseLayerKind(std::string_view s)
{
    if (s == "linear")
        return LayerKind::fc;
    for (const auto& kn : kKindNames)
        if (kn.name == s)
            return kn.kind;
    return std::nullopt;
}

const std::vector<LayerKind>& allLayerKinds()
{
    static const std::vector<LayerKind> kinds = [] {
        std::vector<LayerKind> v;
        for (const auto& kn : kKindNames)
            v.push_back(kn.kind);
        return v;
    }();
    return kinds;
}

std::string_view sparsitySourceName(SparsitySource s)
{
    switch (s) {
    case SparsitySource::measured: return "measured";
    case SparsitySource::paper: return "paper";
    case SparsitySource::assumed: return "assumed";
    case SparsitySource::derived: return "derived";
    }
    return "assumed";
}

std::optional<SparsitySource> parseSparsitySource(std::string_view s)
{
    if (s == "measured") return SparsitySource::measured;
    if (s == "paper") return SparsitySource::paper;
    if (s == "assumed") return SparsitySource::assumed;
    return std::nullopt; // "derived" is computed, never written
}

double SparsitySpec::at(double progress) const
{
    if (points.empty())
        return 0.0;
    if (progress <= points.front().first)
        return points.front().second;
    if (progress >= points.back().first)
        return points.back().second;
    auto upper = std::upper_bound(points.begin(), points.end(), progress,
                                  [](double p, const auto& pt) { return p < pt.first; });
    auto lower = upper - 1;
    double span = upper->first - lower->first;
    if (span <= 0)
        return upper->second;
    double t = (progress - lower->first) / span;
    return lower->second + t * (upper->second - lower->second);
}

} // namespace offload
