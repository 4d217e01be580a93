#include "synthetic_network.h"

#include <stdexcept>
#include <string>

namespace offload {

Network syntheticResidualNetwork(int blocks)
{
    if (blocks < 1 || blocks > 100'000'000 / kSyntheticLayersPerBlock)
        throw std::invalid_argument("a generated network has 1 to 20,000,000 blocks");
    Network net;
    net.name = "residual-" + std::to_string(blocks * kSyntheticLayersPerBlock);
    net.description = "Generated: " + std::to_string(blocks)
                      + " residual blocks (conv 3x3, relu, conv 3x3, add, relu) at 16x32x32, for scale tests.";
    net.input = Shape{16, 32, 32};
    net.default_provenance = {SparsitySource::assumed,
                              "generated network: every ReLU output is assumed half zeros (no measurement exists)"};
    net.layers.reserve(static_cast<std::size_t>(blocks) * kSyntheticLayersPerBlock);
    const SparsitySpec half{{{0.0, 0.5}}, std::nullopt};
    std::string blockInput = net.input_name;
    for (int b = 0; b < blocks; ++b) {
        const std::string prefix = "block" + std::to_string(b) + "/";
        auto conv = [&](const char* name) {
            Layer L;
            L.name = prefix + name;
            L.kind = LayerKind::conv;
            L.out_channels = 16;
            L.kernel_h = L.kernel_w = 3;
            L.pad_h = L.pad_w = 1;
            L.bias = false;
            return L;
        };
        auto relu = [&](const char* name) {
            Layer L;
            L.name = prefix + name;
            L.kind = LayerKind::relu;
            L.sparsity = half;
            return L;
        };
        net.layers.push_back(conv("conv_a")); // reads the previous layer: the block's input
        net.layers.push_back(relu("relu_a"));
        net.layers.push_back(conv("conv_b"));
        Layer add;
        add.name = prefix + "add";
        add.kind = LayerKind::add;
        add.inputs = {prefix + "conv_b", blockInput};
        net.layers.push_back(std::move(add));
        net.layers.push_back(relu("relu_b"));
        blockInput = prefix + "relu_b";
    }
    return net;
}

} // namespace offload
