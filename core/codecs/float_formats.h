#pragma once
// Conversions between fp32 and the narrow formats the codecs store: IEEE binary16 (fp16),
// bfloat16 and OCP fp8 E4M3 ("FN": bias 7, no infinities, max 448, NaN = S.1111.111).
// Narrowing rounds to nearest, ties to even, as GPUs do.
#include <bit>
#include <cmath>
#include <cstdint>

namespace offload {

inline float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t e = (h >> 10) & 0x1fu;
    const std::uint32_t m = h & 0x3ffu;
    if (e == 0) {
        const float v = std::ldexp(static_cast<float>(m), -24);
        return sign ? -v : v;
    }
    if (e == 31)
        return std::bit_cast<float>(sign | 0x7f800000u | (m << 13));
    return std::bit_cast<float>(sign | ((e - 15 + 127) << 23) | (m << 13));
}

inline std::uint16_t floatToHalf(float f)
{
    std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    x &= 0x7fffffffu;
    if (x >= 0x7f800000u) // inf or NaN (NaN keeps a quiet payload bit)
        return static_cast<std::uint16_t>(sign | 0x7c00u | (x > 0x7f800000u ? 0x200u : 0u));
    if (x >= 0x477ff000u) // >= 65520 rounds to infinity
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (x < 0x38800000u) { // below the smallest normal half, 2^-14: subnormal steps of 2^-24
        // Scaling by 2^24 is exact; nearbyint rounds ties to even. q == 1024 is the smallest
        // normal, whose encoding is exactly 0x400.
        const float scaled = std::bit_cast<float>(x) * 16777216.0f;
        return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(std::nearbyint(scaled)));
    }
    const std::uint32_t mant = x & 0x7fffffu;
    const std::uint32_t exp = (x >> 23) - 127 + 15;
    std::uint32_t h = (exp << 10) | (mant >> 13);
    const std::uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
        ++h; // a carry into the exponent is the correct rounding up
    return static_cast<std::uint16_t>(sign | h);
}

inline float bf16ToFloat(std::uint16_t b)
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

inline std::uint16_t floatToBf16(float f)
{
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return static_cast<std::uint16_t>((x >> 16) | 0x40u); // keep NaN a NaN
    return static_cast<std::uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

inline float fp8e4m3ToFloat(std::uint8_t b)
{
    const bool neg = (b & 0x80u) != 0;
    const std::uint32_t e = (b >> 3) & 0xfu;
    const std::uint32_t m = b & 0x7u;
    float v;
    if ((b & 0x7fu) == 0x7fu)
        v = std::nanf("");
    else if (e == 0)
        v = std::ldexp(static_cast<float>(m), -9);
    else
        v = std::ldexp(1.0f + static_cast<float>(m) / 8.0f, static_cast<int>(e) - 7);
    return neg ? -v : v;
}

// Saturates out-of-range values to +-448 (the "satfinite" conversion of CUDA's fp8 types).
inline std::uint8_t floatToFp8e4m3(float f)
{
    if (std::isnan(f)) return 0x7f;
    const std::uint8_t sign = std::signbit(f) ? 0x80 : 0x00;
    const float a = std::fabs(f);
    if (a >= 464.0f) return static_cast<std::uint8_t>(sign | 0x7e); // midpoint of 448 and 480
    if (a < 0.015625f) { // below 2^-6: subnormal steps of 2^-9; q == 8 is the smallest normal
        const auto q = static_cast<std::uint32_t>(std::nearbyint(a * 512.0f));
        return static_cast<std::uint8_t>(sign | q);
    }
    int e = 0;
    const float frac = std::frexp(a, &e); // a = frac * 2^e, frac in [0.5, 1)
    e -= 1;                               // a = (2 * frac) * 2^e, 2 * frac in [1, 2)
    auto q = static_cast<std::uint32_t>(std::nearbyint((2.0f * frac - 1.0f) * 8.0f));
    if (q == 8) {
        q = 0;
        ++e;
    }
    std::uint32_t biased = static_cast<std::uint32_t>(e + 7);
    if (biased > 15 || (biased == 15 && q == 7)) { // would be NaN's encoding: saturate
        biased = 15;
        q = 6;
    }
    return static_cast<std::uint8_t>(sign | (biased << 3) | q);
}

} // namespace offload
