#pragma once
// JPEG-ACT's building blocks, exposed for tests and docs/codecs.md.
#include <array>
#include <cstdint>

namespace offload::jpeg_act {

// Row-major 8x8 quantization steps. quality 95/90/80/50 (others 1..100 work too) use the
// standard JPEG luminance table scaled as libjpeg does; shift = true rounds every step to the
// nearest power of two, so dividing by it is a shift in hardware ("SH" tables).
std::array<std::uint16_t, 64> quantTable(int quality, bool shift);

// Fixed point 3.5: x * 32 rounded to nearest, clipped to [-128, 127].
std::int8_t toFixed35(float x);

} // namespace offload::jpeg_act
