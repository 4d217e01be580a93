#pragma once
// An array read from a .npy file as the codecs take it: what `offload-sim measure` compresses
// and what the window's sparsity explorer compresses, so that both report the same stream sizes
// for the same file (app/cli/measure_command.cpp, app/studio/captured_tensors.cpp).
#include "codec.h"
#include "npy.h"

#include <cstdint>
#include <string>
#include <vector>

namespace offload {

struct CodecTensor {
    TensorDesc desc;                 // element type and count; N, C, H, W in the array's layout
    std::vector<std::uint8_t> bytes; // desc.bytes() bytes: the array's elements as stored (C order)
};

// `layout` is "NHWC" or anything else for NCHW. Arrays of 4 dimensions are one batch, of 3 one
// sample (C, H, W or H, W, C), of 2 one H x W map; any other array, and an empty one, is flat.
// Byte arrays ('|u1') have no element type of the codecs: their values are stored as fp32.
CodecTensor codecTensor(NpyArray array, const std::string& layout);

} // namespace offload
