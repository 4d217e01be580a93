#pragma once
// NetworkModel: a validated network with everything derived from it — the DAG (inputs,
// consumers, last consumer), shapes, FLOPs, weights and the sparsity of every layer output.
// Construction validates; a NetworkModel that exists is consistent.
#include "dtype.h"
#include "network.h"

#include <cstdint>
#include <string>
#include <vector>

namespace offload {

inline constexpr int kNetworkInput = -1; // producer index of the network's input tensor

struct LayerInfo {
    std::vector<int> inputs;    // producer indices (kNetworkInput for the network input)
    std::vector<int> consumers; // layers reading this layer's output, in execution order
    int last_consumer = -1;     // last layer reading the output; -1 when nothing does (network output)
    Shape input_shape;          // shape of the first input
    Shape output_shape;
    std::int64_t input_elements = 0; // all inputs together, per sample
    double forward_flops = 0;        // per sample
    double backward_flops = 0;       // per sample (see docs/model.md for the estimate)
    std::int64_t weight_elements = 0;
};

class NetworkModel {
public:
    // Validates and derives. Errors are InputError naming `fileLabel` and the JSON pointer of
    // the offending value ("/layers/7/kernel").
    explicit NetworkModel(Network network, std::string fileLabel = {});

    const Network& network() const { return network_; }
    const std::string& fileLabel() const { return fileLabel_; }
    const std::vector<LayerInfo>& layers() const { return info_; }
    const LayerInfo& info(int layer) const { return info_[static_cast<std::size_t>(layer)]; }
    std::size_t size() const { return info_.size(); }
    // The index of the layer of that name; kNetworkInput (-1) for the network input's name
    // (network().input_name); -2 when neither has it. So `indexOf(name) >= 0` means "a layer".
    int indexOf(std::string_view name) const;

    // Shape and elements of a producer's output (kNetworkInput allowed).
    Shape outputShape(int producer) const;
    std::int64_t outputElements(int producer) const { return outputShape(producer).elements(); }
    std::uint64_t outputBytes(int producer, std::int64_t batch, DType dtype) const;
    std::uint64_t weightBytes(DType dtype) const;
    double totalForwardFlops() const;

    // Fraction of exact zeros of a producer's output at a training progress (0..1). Layers
    // without their own number derive it from their inputs (docs/model.md lists the rules).
    double outputSparsity(int producer, double progress) const;
    std::vector<double> sparsityAt(double progress) const; // one per layer, in one pass
    // Where a layer's sparsity comes from, resolved: its own, the network default, or derived.
    Provenance provenance(int producer) const;
    // True when the layer has its own sparsity or it is an activation layer (the numbers a user
    // typed or measured), false when the value is derived from inputs.
    bool hasOwnSparsity(int layer) const;

    // Elementwise layers that run in place in vDNN (their input is not stashed separately).
    static bool isInPlaceActivation(LayerKind k) { return k == LayerKind::relu || k == LayerKind::relu6; }
    // What a layer's backward pass reads besides dY (cuDNN's and the frameworks' backward
    // kernels; docs/model.md lists every kind). Only tensors some backward pass reads are
    // stashed for the backward pass; the others are freed after their last forward reader.
    static bool backwardReadsInput(LayerKind k);  // X: conv, fc, gelu, max pool, LRN, norms, generic
    static bool backwardReadsOutput(LayerKind k); // Y: ReLU, ReLU6, softmax, max pool, LRN

private:
    void derive();
    double ownOrDerived(int layer, double progress, const std::vector<double>& done) const;

    Network network_;
    std::string fileLabel_;
    std::vector<LayerInfo> info_;
};

} // namespace offload
