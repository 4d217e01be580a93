#pragma once
// Analytical compression-ratio models: expected uncompressed/compressed size of a tensor from
// its density (fraction of non-zero elements) and element size. Exact for none, ZVC (the format
// of docs/codecs.md) and DPR; documented approximations and fits for RLE, zlib, LZ4, zstd and
// JPEG-ACT (docs/codecs.md, "Analytical ratio models"; tests/codecs/tst_ratio_model.cpp compares
// them with measurements). The simulator uses these unless the network carries measured ratios.
#include "codec_id.h"

#include <cstdint>

namespace offload {

// density in [0, 1] (clamped; NaN counts as 0); elementBytes 2 or 4 (anything else is taken as
// 4). Uses params.jpeg_quality and params.dpr. Returns a ratio >= 0.05; exactly 1 for none.
double modelRatio(CodecId codec, double density, std::uint32_t elementBytes, const CodecParams& params = {});

} // namespace offload
