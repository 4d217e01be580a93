// JPEG-ACT (Evans et al., ISCA 2020; docs/codecs.md). Per channel of each image in the
// batch, the H x W map is converted to fixed point 3.5, cut into 8x8 blocks (edges padded by
// repeating the last row/column), transformed by an orthonormal 8x8 DCT-II, divided by the
// quantization table and rounded. Entropy stage, ZVC over each block: an 8-byte little-endian
// mask (bit i = coefficient i in row-major order is non-zero) then one signed byte per non-zero
// coefficient; a coefficient outside [-127, 127] is the escape byte 0x80 followed by its
// int16 value (little-endian). Blocks follow in order n, c, block row, block column. The
// decoder rejects non-canonical streams (a zero byte, an escape holding a small value).
#include "jpeg_act.h"

#include "codecs_internal.h"
#include "float_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>

namespace offload::jpeg_act {

namespace {

// ITU T.81 Annex K, table K.1 (luminance), row-major.
constexpr std::array<std::uint16_t, 64> kLuminance{
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
    14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
    18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

} // namespace

std::array<std::uint16_t, 64> quantTable(int quality, bool shift)
{
    quality = std::clamp(quality, 1, 100);
    const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    std::array<std::uint16_t, 64> q{};
    for (std::size_t i = 0; i < 64; ++i) {
        int v = std::clamp((kLuminance[i] * scale + 50) / 100, 1, 255);
        if (shift) v = 1 << static_cast<int>(std::lround(std::log2(static_cast<double>(v))));
        q[i] = static_cast<std::uint16_t>(v);
    }
    return q;
}

std::int8_t toFixed35(float x)
{
    const float s = std::nearbyint(x * 32.0f);
    if (!(s >= -128.0f)) return -128; // also NaN: the format has no NaN, pick an end
    if (s > 127.0f) return 127;
    return static_cast<std::int8_t>(s);
}

} // namespace offload::jpeg_act

namespace offload::detail {

namespace {

using jpeg_act::quantTable;
using jpeg_act::toFixed35;

struct Dct {
    float c[8][8]; // c[u][x] = alpha(u) cos((2x + 1) u pi / 16)
    Dct()
    {
        for (int u = 0; u < 8; ++u)
            for (int x = 0; x < 8; ++x)
                c[u][x] = static_cast<float>((u == 0 ? std::sqrt(1.0 / 8) : 0.5) *
                                             std::cos((2 * x + 1) * u * std::numbers::pi / 16));
    }
    void forward(const float in[64], float out[64]) const
    {
        float t[64];
        for (int u = 0; u < 8; ++u) // rows: t[y][u]
            for (int y = 0; y < 8; ++y) {
                float s = 0;
                for (int x = 0; x < 8; ++x) s += c[u][x] * in[y * 8 + x];
                t[y * 8 + u] = s;
            }
        for (int v = 0; v < 8; ++v)
            for (int u = 0; u < 8; ++u) {
                float s = 0;
                for (int y = 0; y < 8; ++y) s += c[v][y] * t[y * 8 + u];
                out[v * 8 + u] = s;
            }
    }
    void inverse(const float in[64], float out[64]) const
    {
        float t[64];
        for (int y = 0; y < 8; ++y)
            for (int u = 0; u < 8; ++u) {
                float s = 0;
                for (int v = 0; v < 8; ++v) s += c[v][y] * in[v * 8 + u];
                t[y * 8 + u] = s;
            }
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 8; ++x) {
                float s = 0;
                for (int u = 0; u < 8; ++u) s += c[u][x] * t[y * 8 + u];
                out[y * 8 + x] = s;
            }
    }
};

const Dct& dct()
{
    static const Dct d;
    return d;
}

struct Geometry {
    std::uint64_t n, c, h, w;
    bool nhwc;
    std::uint64_t blocksY() const { return (h + 7) / 8; }
    std::uint64_t blocksX() const { return (w + 7) / 8; }
    std::uint64_t blocks() const { return n * c * blocksY() * blocksX(); }
    std::uint64_t index(std::uint64_t in, std::uint64_t ic, std::uint64_t y, std::uint64_t x) const
    {
        return nhwc ? ((in * h + y) * w + x) * c + ic : ((in * c + ic) * h + y) * w + x;
    }
};

Geometry geometryOf(const TensorDesc& d)
{
    checkTensorDesc(d);
    if (d.n == 0) // no shape given: one channel, a single row
        return {1, 1, 1, d.elements, false};
    return {static_cast<std::uint64_t>(d.n), static_cast<std::uint64_t>(d.c), static_cast<std::uint64_t>(d.h),
            static_cast<std::uint64_t>(d.w), d.layout == TensorLayout::nhwc};
}

float loadFloat(DType t, const std::uint8_t* base, std::uint64_t i)
{
    if (t == DType::fp32) {
        float f;
        std::memcpy(&f, base + i * 4, 4);
        return f;
    }
    std::uint16_t h;
    std::memcpy(&h, base + i * 2, 2);
    return t == DType::fp16 ? halfToFloat(h) : bf16ToFloat(h);
}

void storeFloat(DType t, std::uint8_t* base, std::uint64_t i, float f)
{
    if (t == DType::fp32) {
        std::memcpy(base + i * 4, &f, 4);
        return;
    }
    const std::uint16_t h = t == DType::fp16 ? floatToHalf(f) : floatToBf16(f);
    std::memcpy(base + i * 2, &h, 2);
}

constexpr std::uint8_t kEscape = 0x80;

class JpegActCodec final : public Codec {
public:
    JpegActCodec(int quality, bool shift) : quality_(quality), shift_(shift), q_(quantTable(quality, shift)) {}
    CodecId id() const override { return CodecId::jpeg_act; }
    std::string label() const override
    {
        return "jpeg-act-" + std::string(shift_ ? "sh" : "q") + std::to_string(quality_);
    }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        return static_cast<std::size_t>(geometryOf(d).blocks() * (8 + 64 * 3));
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        const Geometry g = geometryOf(d);
        const auto* in = static_cast<const std::uint8_t*>(src);
        std::size_t pos = 0;
        float block[64], coef[64];
        std::uint8_t payload[64 * 3];
        for (std::uint64_t in_ = 0; in_ < g.n; ++in_)
            for (std::uint64_t ic = 0; ic < g.c; ++ic)
                for (std::uint64_t by = 0; by < g.blocksY(); ++by)
                    for (std::uint64_t bx = 0; bx < g.blocksX(); ++bx) {
                        for (std::uint64_t y = 0; y < 8; ++y)
                            for (std::uint64_t x = 0; x < 8; ++x) {
                                const std::uint64_t sy = std::min(by * 8 + y, g.h - 1);
                                const std::uint64_t sx = std::min(bx * 8 + x, g.w - 1);
                                block[y * 8 + x] = toFixed35(loadFloat(d.dtype, in, g.index(in_, ic, sy, sx)));
                            }
                        dct().forward(block, coef);
                        std::uint64_t mask = 0;
                        std::size_t len = 0;
                        for (int i = 0; i < 64; ++i) {
                            const long v = std::lround(coef[i] / q_[static_cast<std::size_t>(i)]);
                            if (v == 0) continue;
                            mask |= std::uint64_t{1} << i;
                            if (v >= -127 && v <= 127) {
                                payload[len++] = static_cast<std::uint8_t>(static_cast<std::int8_t>(v));
                            } else {
                                const auto wide = static_cast<std::int16_t>(std::clamp(v, -32768L, 32767L));
                                payload[len++] = kEscape;
                                std::memcpy(payload + len, &wide, 2);
                                len += 2;
                            }
                        }
                        if (dst.size() - pos < 8 + len) throw CodecError("JPEG-ACT: output buffer too small");
                        std::memcpy(dst.data() + pos, &mask, 8);
                        std::memcpy(dst.data() + pos + 8, payload, len);
                        pos += 8 + len;
                    }
        return pos;
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        const Geometry g = geometryOf(d);
        auto* out = static_cast<std::uint8_t*>(dst);
        std::size_t pos = 0;
        float coef[64], block[64];
        for (std::uint64_t in_ = 0; in_ < g.n; ++in_)
            for (std::uint64_t ic = 0; ic < g.c; ++ic)
                for (std::uint64_t by = 0; by < g.blocksY(); ++by)
                    for (std::uint64_t bx = 0; bx < g.blocksX(); ++bx) {
                        requireBytes(src.size() - pos, 8, "JPEG-ACT block mask");
                        std::uint64_t mask;
                        std::memcpy(&mask, src.data() + pos, 8);
                        pos += 8;
                        for (int i = 0; i < 64; ++i) {
                            coef[i] = 0;
                            if (!((mask >> i) & 1u)) continue;
                            requireBytes(src.size() - pos, 1, "JPEG-ACT coefficient");
                            const std::uint8_t b = src[pos++];
                            int v;
                            if (b == 0) throw CodecError("JPEG-ACT: zero coefficient marked non-zero");
                            if (b == kEscape) {
                                requireBytes(src.size() - pos, 2, "JPEG-ACT escaped coefficient");
                                std::int16_t wide;
                                std::memcpy(&wide, src.data() + pos, 2);
                                pos += 2;
                                if (wide >= -127 && wide <= 127)
                                    throw CodecError("JPEG-ACT: escape holds a value that fits a byte");
                                v = wide;
                            } else {
                                v = static_cast<std::int8_t>(b);
                            }
                            coef[i] = static_cast<float>(v) * q_[static_cast<std::size_t>(i)];
                        }
                        dct().inverse(coef, block);
                        for (std::uint64_t y = 0; y < 8 && by * 8 + y < g.h; ++y)
                            for (std::uint64_t x = 0; x < 8 && bx * 8 + x < g.w; ++x) {
                                // Back to the 3.5 grid, as the hardware's fixed-point output.
                                const float fx = std::clamp(std::nearbyint(block[y * 8 + x]), -128.0f, 127.0f);
                                storeFloat(d.dtype, out, g.index(in_, ic, by * 8 + y, bx * 8 + x), fx / 32.0f);
                            }
                    }
        if (pos != src.size())
            throw CodecError("JPEG-ACT: " + std::to_string(src.size() - pos) + " bytes after the last block");
    }
    using Codec::compress;
    using Codec::decompress;

private:
    int quality_;
    bool shift_;
    std::array<std::uint16_t, 64> q_;
};

} // namespace

std::unique_ptr<Codec> makeJpegActCodec(int quality, bool shiftTables)
{
    return std::make_unique<JpegActCodec>(quality, shiftTables);
}

} // namespace offload::detail
