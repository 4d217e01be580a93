#pragma once
// Random tensors for the codec tests: a chosen fraction of exact zeros, the rest non-zero values
// of the element type, from a fixed seed so failures reproduce.
#include "core/codecs/codec.h"
#include "core/codecs/float_formats.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace offload::test {

// density: probability that an element is non-zero. `range` bounds the magnitude of values
// (used by the lossy codecs, whose error depends on it); 0 means any finite bit pattern.
inline std::vector<std::uint8_t> randomTensor(DType t, std::uint64_t n, double density, std::uint32_t seed,
                                              float range = 0)
{
    std::mt19937 rng(seed);
    std::bernoulli_distribution nz(density);
    std::uniform_real_distribution<float> value(-range, range);
    std::uniform_int_distribution<std::uint32_t> bits;
    const std::uint64_t e = bytesPerElement(t);
    std::vector<std::uint8_t> out(n * e, 0);
    for (std::uint64_t i = 0; i < n; ++i) {
        if (!nz(rng)) continue;
        std::uint32_t v = 0;
        do {
            if (range > 0) {
                const float f = value(rng);
                v = t == DType::fp32 ? std::bit_cast<std::uint32_t>(f)
                    : t == DType::fp16 ? floatToHalf(f)
                                       : floatToBf16(f);
            } else {
                v = bits(rng);
                if (e == 2) v &= 0xffffu;
                // Keep values finite so lossless tests also cover ordinary numbers' bit patterns.
                if (t == DType::fp32 && ((v >> 23) & 0xffu) == 0xffu) v &= ~(1u << 30);
            }
        } while (v == 0);
        std::memcpy(out.data() + i * e, &v, e);
    }
    return out;
}

} // namespace offload::test
