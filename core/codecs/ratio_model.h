#pragma once
// Analytical compression-ratio models: expected uncompressed/compressed size of a tensor from
// its density (fraction of non-zero elements) and element size. Exact for ZVC (DOMAIN.md
// section 2); documented approximations for the others (docs/model.md). The simulator uses
// these unless the network carries measured ratios.
#include "codec_id.h"

#include <cstdint>

namespace offload {

// density in [0, 1]; elementBytes 2 or 4. Returns a ratio >= some small positive value; 1 for none.
double modelRatio(CodecId codec, double density, std::uint32_t elementBytes, const CodecParams& params = {});

} // namespace offload
