#pragma once
// The network description: what the user writes in a network file. Shapes, FLOPs and sparsity
// per layer are derived from it by NetworkModel (network_model.h).
#include "conv_algorithm.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload {

// Per-sample activation shape: channels x height x width (no batch). Fully connected outputs
// are C x 1 x 1; a transformer's token sequence is hidden x tokens x 1.
struct Shape {
    std::int64_t c = 0, h = 0, w = 0;
    std::int64_t elements() const { return c * h * w; }
    friend bool operator==(const Shape&, const Shape&) = default;
};
std::string formatShape(const Shape& s); // "CxHxW": "3x224x224"

enum class LayerKind {
    conv,
    fc,
    relu,
    relu6,
    gelu,
    maxpool,
    avgpool,
    globalpool,
    lrn,
    batchnorm,
    layernorm,
    dropout,
    concat,
    add,
    softmax,
    flatten,
    generic,
};

std::string_view layerKindName(LayerKind k);
std::optional<LayerKind> parseLayerKind(std::string_view s); // accepts "linear" for fc
const std::vector<LayerKind>& allLayerKinds();

// Where a sparsity number comes from. Every number shown to a user carries one.
enum class SparsitySource { measured, paper, assumed, derived };
std::string_view sparsitySourceName(SparsitySource s);
std::optional<SparsitySource> parseSparsitySource(std::string_view s);

struct Provenance {
    SparsitySource source = SparsitySource::assumed;
    // For `paper`: the citation; for `assumed`: the reasoning; for `measured`: the data named.
    std::string note;
};

// Fraction of exact zeros in a layer's output, constant or as a curve over training progress
// (points sorted by progress, linearly interpolated, clamped at the ends).
struct SparsitySpec {
    std::vector<std::pair<double, double>> points; // (progress 0..1, sparsity 0..1)
    std::optional<Provenance> provenance;          // absent: the network's default
    double at(double progress) const;
};

// Per-layer measurements attached to a network (from offload-sim measure or offload-probe).
// One cuDNN convolution algorithm family timed on a real GPU (offload-probe calibrate).
struct MeasuredAlgorithm {
    ConvAlgorithm algorithm = ConvAlgorithm::implicit_gemm;
    double forward_s = 0;
    double backward_s = 0;             // data and filter gradients
    std::uint64_t workspace_bytes = 0; // the largest of its three passes
};

struct MeasuredTimes {
    double forward_s = 0;
    double backward_s = 0;
    std::int64_t batch = 0; // the batch the times were measured at; scaled linearly to others
    // Conv layers: every algorithm family cuDNN ran for this layer, at the same batch (times and
    // workspaces scale linearly with it). Empty: the simulator's algorithm model is used.
    std::vector<MeasuredAlgorithm> algorithms;
};

struct Layer {
    std::string name;
    LayerKind kind = LayerKind::generic;
    std::vector<std::string> inputs; // empty in the file: the previous layer (or the network input)

    // conv: out_channels, kernel, stride, pad, dilation, groups, bias
    // fc: out_channels (= out features), bias, per_position (apply over channels at each HxW position)
    // pools / lrn: kernel (pool window / lrn local size), stride, pad, ceil_mode
    std::int64_t out_channels = 0;
    std::int64_t kernel_h = 1, kernel_w = 1;
    std::int64_t stride_h = 1, stride_w = 1;
    std::int64_t pad_h = 0, pad_w = 0;
    std::int64_t dilation = 1;
    std::int64_t groups = 1;
    bool bias = true;
    bool ceil_mode = false;
    bool per_position = false;
    double dropout_rate = 0.5;

    // generic: explicit output shape, forward FLOPs per sample, weight elements.
    Shape generic_output;
    double generic_flops = 0;
    std::int64_t generic_weights = 0;

    std::optional<SparsitySpec> sparsity; // explicit sparsity of this layer's output
    std::optional<MeasuredTimes> measured_times;
    std::map<std::string, double> measured_ratios; // codec name -> measured compression ratio of the output
    std::string comment;                           // free text kept through load/save
};

struct Network {
    std::string name;
    std::string description;
    std::string citation;  // where the architecture comes from
    Shape input;           // per-sample input shape
    std::string input_name = "input";
    Provenance default_provenance; // applies to layer sparsity without its own provenance
    std::vector<Layer> layers;     // execution order: a valid topological order
};

} // namespace offload
