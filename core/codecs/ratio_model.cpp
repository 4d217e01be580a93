#include "ratio_model.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace offload {

namespace {

// Ratios are floored so that a density outside [0, 1] or an odd parameter can never produce a
// zero or negative ratio, which the simulator would divide by.
constexpr double kMinRatio = 0.05;

double clampDensity(double d)
{
    if (!(d >= 0.0)) return 0.0; // also maps NaN to 0
    return std::min(d, 1.0);
}

// Binary entropy in bits: the information in the zero/non-zero pattern per element.
double entropyBits(double d)
{
    if (d <= 0.0 || d >= 1.0) return 0.0;
    return -(d * std::log2(d) + (1.0 - d) * std::log2(1.0 - d));
}

// Exact: each group of 32 elements is a 4-byte mask plus elementBytes per non-zero
// (cDMA, Rhu et al., HPCA 2018). Per element: 1/8 byte of mask plus d * e.
double zvcBytesPerElement(double d, double e)
{
    return 0.125 + d * e;
}

// RLE (rle.cpp): 2 bytes per record plus e per non-zero. With zeros independent at density d,
// runs alternate d (1 - d) times per element; a zero run of geometric length needs
// 1 + q / (1 - q) records on average with q = (1 - d)^255 (its 255-element caps), and a literal
// run likewise with p = d^255. All-zero and all-non-zero tensors need one record per 255
// elements. Within 3 % of measurements on independent zeros (tst_ratio_model.cpp).
double rleBytesPerElement(double d, double e)
{
    double records = 1.0 / 255.0;
    if (d > 0.0 && d < 1.0) {
        const double q = std::exp(255.0 * std::log1p(-d));
        const double p = std::exp(255.0 * std::log(d));
        const double zeroCaps = q / -std::expm1(255.0 * std::log1p(-d));
        const double literalCaps = p / (1.0 - p);
        records = d * (1.0 - d) * (1.0 + zeroCaps + literalCaps);
    }
    return 2.0 * records + d * e;
}

// General-purpose codecs: bytes per element = a * H(d) + k * e * d + e / maxRatio, fitted by
// least squares to measurements on fp32 and fp16 tensors with independent zeros and values
// uniform in [-6, 6]
// (tests/codecs/tst_ratio_model.cpp re-measures them; fit within 7 % over d = 0.05..1). a is
// the cost of the zero pattern in bytes per bit of entropy, k the fraction of a non-zero
// value's bytes that remain, maxRatio the format's ceiling on all-zero input. Real activations
// have spatial structure and narrow exponents, so they compress better than this (up to ~1.8x
// for zlib/zstd on the MobileNetV1 tensors), and bf16 values, with 8 fewer significant
// bits, compress about 12 % better: the model is a conservative estimate for them.
struct GeneralFit {
    double a32, k32, a16, k16, maxRatio;
};
constexpr GeneralFit kZlibFit{0.3753, 0.8971, 0.3225, 0.8881, 1000.0};  // level 6
constexpr GeneralFit kLz4Fit{0.6885, 0.9957, 0.6305, 0.9742, 250.0};    // acceleration 1
constexpr GeneralFit kZstdFit{0.4034, 0.8912, 0.3178, 0.8828, 10000.0}; // level 3

double generalBytesPerElement(const GeneralFit& f, double d, double e)
{
    const bool wide = e > 2.0;
    const double a = wide ? f.a32 : f.a16;
    const double k = wide ? f.k32 : f.k16;
    return a * entropyBits(d) + k * e * d + e / f.maxRatio;
}

// JPEG-ACT: 1/8 byte of block mask per element plus one byte per non-zero quantized DCT
// coefficient (rare escapes ignored). The fraction F of non-zero coefficients depends on the
// maps' smoothness, not much on the activation density: medians over the 15 largest
// MobileNetV1 tensors of ../shared/data at each standard quality (power-of-two "SH" tables
// measured within 2 % of these). Other qualities interpolate linearly. The factor
// 1 - (1 - d)^64, the chance that a block holds a non-zero, makes all-zero maps exact (8 e).
struct JpegPoint {
    int quality;
    double coefFraction;
};
constexpr std::array<JpegPoint, 4> kJpegFit{{{50, 0.160}, {80, 0.268}, {90, 0.385}, {95, 0.518}}};

double jpegCoefFraction(int quality)
{
    if (quality <= kJpegFit.front().quality) return kJpegFit.front().coefFraction;
    if (quality >= kJpegFit.back().quality) return kJpegFit.back().coefFraction;
    for (std::size_t i = 1; i < kJpegFit.size(); ++i)
        if (quality <= kJpegFit[i].quality) {
            const auto& lo = kJpegFit[i - 1];
            const auto& hi = kJpegFit[i];
            const double t = static_cast<double>(quality - lo.quality) / (hi.quality - lo.quality);
            return lo.coefFraction + t * (hi.coefFraction - lo.coefFraction);
        }
    return kJpegFit.back().coefFraction;
}

double jpegBytesPerElement(double d, int quality)
{
    return 0.125 + jpegCoefFraction(quality) * (1.0 - std::pow(1.0 - d, 64.0));
}

double dprTargetBytes(DprFormat f)
{
    return f == DprFormat::fp8_e4m3 ? 1.0 : 2.0;
}

} // namespace

double modelRatio(CodecId codec, double density, std::uint32_t elementBytes, const CodecParams& params)
{
    const double d = clampDensity(density);
    const double e = elementBytes == 2 ? 2.0 : 4.0;
    double bytes = e;
    switch (codec) {
    case CodecId::none: return 1.0;
    case CodecId::zvc: bytes = zvcBytesPerElement(d, e); break;
    case CodecId::rle: bytes = rleBytesPerElement(d, e); break;
    case CodecId::zlib: bytes = generalBytesPerElement(kZlibFit, d, e); break;
    case CodecId::lz4: bytes = generalBytesPerElement(kLz4Fit, d, e); break;
    case CodecId::zstd: bytes = generalBytesPerElement(kZstdFit, d, e); break;
    case CodecId::jpeg_act: bytes = jpegBytesPerElement(d, params.jpeg_quality); break;
    case CodecId::dpr: bytes = dprTargetBytes(params.dpr); break; // exact: no header
    }
    return std::max(e / bytes, kMinRatio);
}

} // namespace offload
