#pragma once
// Generated networks of any length, for what no sample is large enough to show: how the
// simulator and the views scale to a million layers. The architecture is a plain residual
// stage repeated (CIFAR ResNet's basic block at 16 x 32 x 32): each block is
//   conv 3x3 -> relu -> conv 3x3 -> add (with the block's input) -> relu,
// so the network is a DAG whose every fifth layer joins two branches. Sparsity is an explicit
// assumption (a flat 0.5 after every ReLU), not a measurement.
#include "network.h"

namespace offload {

inline constexpr int kSyntheticLayersPerBlock = 5;

// `blocks` residual blocks: 5 x blocks layers, named "block<k>/conv_a" ... "block<k>/relu_b".
// Throws std::invalid_argument when blocks < 1 or the network would exceed 10^8 layers.
Network syntheticResidualNetwork(int blocks);

} // namespace offload
