// DPR, GIST's delayed precision reduction: every element is stored in a narrower floating-point
// format (fp16, bf16 or fp8 E4M3), rounded to nearest even; fp8 saturates at +-448. The stream
// is the converted elements, little-endian, nothing else, so its size is exact and known.
#include "codecs_internal.h"
#include "float_formats.h"

#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define OFFLOAD_DPR_X86 1
#endif

namespace offload::detail {

namespace {

#ifdef OFFLOAD_DPR_X86
__attribute__((target("avx2,f16c"))) std::size_t floatsToHalvesF16c(const float* in, std::uint16_t* out,
                                                                    std::size_t n)
{
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(in + i);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)) != 0) {
            for (std::size_t j = i; j < i + 8; ++j) // a NaN: the portable bits
                out[j] = floatToHalf(in[j]);
            continue;
        }
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
    return i;
}

__attribute__((target("avx2,f16c"))) std::size_t halvesToFloatsF16c(const std::uint16_t* in, float* out,
                                                                    std::size_t n)
{
    const __m128i exponent = _mm_set1_epi16(0x7c00);
    const __m128i mantissa = _mm_set1_epi16(0x03ff);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
        const __m128i allOnes = _mm_cmpeq_epi16(_mm_and_si128(h, exponent), exponent);
        const __m128i nonZeroMantissa =
            _mm_xor_si128(_mm_cmpeq_epi16(_mm_and_si128(h, mantissa), _mm_setzero_si128()), _mm_set1_epi16(-1));
        if (_mm_movemask_epi8(_mm_and_si128(allOnes, nonZeroMantissa)) != 0) {
            for (std::size_t j = i; j < i + 8; ++j) // a NaN: the portable bits
                out[j] = halfToFloat(in[j]);
            continue;
        }
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    return i;
}

// bf16 of 8 floats, bit for bit floatToBf16: round to nearest even on the integer bits; a NaN
// keeps its top bits with the quiet bit set. The results (< 2^16) are left in 32-bit lanes.
__attribute__((target("avx2"))) inline __m256i bf16Lanes(__m256i x)
{
    const __m256i magnitude = _mm256_and_si256(x, _mm256_set1_epi32(0x7fffffff));
    const __m256i nan = _mm256_cmpgt_epi32(magnitude, _mm256_set1_epi32(0x7f800000));
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(1));
    const __m256i rounded =
        _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(x, _mm256_set1_epi32(0x7fff)), lsb), 16);
    const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(0x40));
    return _mm256_blendv_epi8(rounded, quiet, nan);
}

// The kernels below read and write bytes (fp32 little-endian in, the narrow format out, or the
// reverse) with unaligned vector moves, so the codec runs them on its buffers in place. Each
// returns how many elements it converted (whole vectors); the caller converts the rest.
__attribute__((target("avx2"))) std::size_t floatsToBf16Avx2(const std::uint8_t* in, std::uint8_t* out, std::size_t n)
{
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256i a = bf16Lanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4 * i)));
        const __m256i b = bf16Lanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4 * i + 32)));
        // packus works within 128-bit lanes: a0-3 b0-3 | a4-7 b4-7, then the quarters in order.
        const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xd8);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 2 * i), packed);
    }
    return i;
}

__attribute__((target("avx2"))) std::size_t bf16ToFloatsAvx2(const std::uint8_t* in, std::uint8_t* out, std::size_t n)
{
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 2 * i));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4 * i), _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    return i;
}

// fp8 E4M3 of 8 floats, bit for bit floatToFp8e4m3, in 32-bit lanes. Normal results round the
// fp32 bits to 3 mantissa bits (nearest even; a carry moves into the exponent) and rebias the
// exponent (127 - 7 = 120); below 2^-6 the value is a multiple of 2^-9, rounded in floating
// point exactly as the portable nearbyint does; 464 and above (infinity too) saturate to 448
// (0x7e); a NaN of either sign is 0x7f.
__attribute__((target("avx2"))) inline __m256i fp8Lanes(__m256i x)
{
    const __m256i magnitude = _mm256_and_si256(x, _mm256_set1_epi32(0x7fffffff));
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(magnitude, 20), _mm256_set1_epi32(1));
    const __m256i normal = _mm256_sub_epi32(
        _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(magnitude, _mm256_set1_epi32(0x7ffff)), lsb), 20),
        _mm256_set1_epi32(120 << 3));
    const __m256 scaled = _mm256_mul_ps(_mm256_castsi256_ps(magnitude), _mm256_set1_ps(512.0f));
    const __m256i subnormal = _mm256_cvtps_epi32(_mm256_round_ps(scaled, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i isSubnormal = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x3c800000), magnitude); // below 2^-6
    __m256i r = _mm256_blendv_epi8(normal, subnormal, isSubnormal);
    r = _mm256_min_epi32(r, _mm256_set1_epi32(0x7e));
    r = _mm256_or_si256(r, _mm256_and_si256(_mm256_srli_epi32(x, 24), _mm256_set1_epi32(0x80)));
    const __m256i nan = _mm256_cmpgt_epi32(magnitude, _mm256_set1_epi32(0x7f800000));
    return _mm256_blendv_epi8(r, _mm256_set1_epi32(0x7f), nan);
}

__attribute__((target("avx2"))) std::size_t floatsToFp8Avx2(const std::uint8_t* in, std::uint8_t* out, std::size_t n)
{
    std::size_t i = 0;
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (; i + 32 <= n; i += 32) {
        const __m256i a = fp8Lanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4 * i)));
        const __m256i b = fp8Lanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4 * i + 32)));
        const __m256i c = fp8Lanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4 * i + 64)));
        const __m256i d = fp8Lanes(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 4 * i + 96)));
        const __m256i ab = _mm256_packus_epi32(a, b); // a0-3 b0-3 | a4-7 b4-7
        const __m256i cd = _mm256_packus_epi32(c, d); // c0-3 d0-3 | c4-7 d4-7
        // bytes a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7: dwords 0 4 1 5 2 6 3 7 in order.
        const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, cd), order);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), bytes);
    }
    return i;
}

// fp32 of 8 fp8 E4M3 values, bit for bit fp8e4m3ToFloat: normal values move their exponent and
// mantissa into place and rebias; subnormals are m * 2^-9 (exact in float); 0x7f and 0xff are
// the portable conversion's quiet NaN with the sign of the input.
__attribute__((target("avx2"))) std::size_t fp8ToFloatsAvx2(const std::uint8_t* in, std::uint8_t* out, std::size_t n)
{
    std::size_t i = 0;
    const float nanValue = std::nanf("");
    std::uint32_t nanBits;
    std::memcpy(&nanBits, &nanValue, 4);
    for (; i + 8 <= n; i += 8) {
        const __m256i b = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + i)));
        const __m256i low = _mm256_and_si256(b, _mm256_set1_epi32(0x7f));
        const __m256i normal = _mm256_add_epi32(_mm256_slli_epi32(low, 20), _mm256_set1_epi32(120 << 23));
        const __m256i mantissa = _mm256_and_si256(b, _mm256_set1_epi32(7));
        const __m256i subnormal =
            _mm256_castps_si256(_mm256_mul_ps(_mm256_cvtepi32_ps(mantissa), _mm256_set1_ps(1.0f / 512.0f)));
        const __m256i isSubnormal = _mm256_cmpgt_epi32(_mm256_set1_epi32(8), low); // exponent field 0
        __m256i r = _mm256_blendv_epi8(normal, subnormal, isSubnormal);
        r = _mm256_blendv_epi8(r, _mm256_set1_epi32(static_cast<int>(nanBits)),
                               _mm256_cmpeq_epi32(low, _mm256_set1_epi32(0x7f)));
        r = _mm256_or_si256(r, _mm256_slli_epi32(_mm256_and_si256(b, _mm256_set1_epi32(0x80)), 24));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4 * i), r);
    }
    return i;
}
#endif

float loadAsFloat(DType t, const std::uint8_t* p)
{
    if (t == DType::fp32) {
        float f;
        std::memcpy(&f, p, 4);
        return f;
    }
    std::uint16_t h;
    std::memcpy(&h, p, 2);
    return t == DType::fp16 ? halfToFloat(h) : bf16ToFloat(h);
}

void storeFromFloat(DType t, float f, std::uint8_t* p)
{
    if (t == DType::fp32) {
        std::memcpy(p, &f, 4);
        return;
    }
    const std::uint16_t h = t == DType::fp16 ? floatToHalf(f) : floatToBf16(f);
    std::memcpy(p, &h, 2);
}

// Buffers are bytes without alignment guarantees: convert through small aligned chunks.
template <typename From, typename To, typename Convert>
void convertInChunks(const std::uint8_t* in, std::uint8_t* out, std::uint64_t n, Convert convert)
{
    constexpr std::size_t kChunk = 1024;
    alignas(32) From a[kChunk];
    alignas(32) To b[kChunk];
    for (std::uint64_t first = 0; first < n; first += kChunk) {
        const auto len = static_cast<std::size_t>(n - first < kChunk ? n - first : kChunk);
        std::memcpy(a, in + first * sizeof(From), len * sizeof(From));
        convert(a, b, len);
        std::memcpy(out + first * sizeof(To), b, len * sizeof(To));
    }
}

enum class Conversion { toBf16, fromBf16, toFp8, fromFp8 };

class DprCodec final : public Codec {
public:
    DprCodec(DprFormat f, bool vector) : format_(f), vector_(vector) {}
    CodecId id() const override { return CodecId::dpr; }
    std::string label() const override { return "dpr-" + std::string(dprFormatName(format_)); }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        checkTensorDesc(d);
        return static_cast<std::size_t>(d.elements * storedBytes());
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        const std::size_t need = maxCompressedBytes(d);
        if (dst.size() < need) throw CodecError("DPR: output buffer too small");
        const auto* in = static_cast<const std::uint8_t*>(src);
        const std::uint64_t e = bytesPerElement(d.dtype);
        // The common case, fp32 activations stored as fp16, in chunks through F16C; the rest
        // one loop per format so that the compiler sees a plain element-wise loop.
        if (d.dtype == DType::fp32) {
            switch (format_) {
            case DprFormat::fp16:
                convertInChunks<float, std::uint16_t>(in, dst.data(), d.elements, [this](const float* a, std::uint16_t* b,
                                                                                         std::size_t n) {
                    floatsToHalves(a, b, n, vector_);
                });
                break;
            case DprFormat::bf16: {
                const std::uint64_t done = vectorConvert(Conversion::toBf16, in, dst.data(), d.elements);
                for (std::uint64_t i = done; i < d.elements; ++i) {
                    const std::uint16_t b = floatToBf16(loadAsFloat(DType::fp32, in + i * 4));
                    std::memcpy(dst.data() + i * 2, &b, 2);
                }
                break;
            }
            case DprFormat::fp8_e4m3: {
                const std::uint64_t done = vectorConvert(Conversion::toFp8, in, dst.data(), d.elements);
                for (std::uint64_t i = done; i < d.elements; ++i)
                    dst[i] = floatToFp8e4m3(loadAsFloat(DType::fp32, in + i * 4));
                break;
            }
            }
            return need;
        }
        switch (format_) {
        case DprFormat::fp16:
            for (std::uint64_t i = 0; i < d.elements; ++i) {
                const std::uint16_t h = floatToHalf(loadAsFloat(d.dtype, in + i * e));
                std::memcpy(dst.data() + i * 2, &h, 2);
            }
            break;
        case DprFormat::bf16:
            for (std::uint64_t i = 0; i < d.elements; ++i) {
                const std::uint16_t b = floatToBf16(loadAsFloat(d.dtype, in + i * e));
                std::memcpy(dst.data() + i * 2, &b, 2);
            }
            break;
        case DprFormat::fp8_e4m3:
            for (std::uint64_t i = 0; i < d.elements; ++i)
                dst[i] = floatToFp8e4m3(loadAsFloat(d.dtype, in + i * e));
            break;
        }
        return need;
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        const std::size_t need = maxCompressedBytes(d);
        if (src.size() != need)
            throw CodecError("DPR: stream has " + std::to_string(src.size()) + " bytes, expected " + std::to_string(need));
        auto* out = static_cast<std::uint8_t*>(dst);
        const std::uint64_t e = bytesPerElement(d.dtype);
        if (d.dtype == DType::fp32) {
            switch (format_) {
            case DprFormat::fp16:
                convertInChunks<std::uint16_t, float>(src.data(), out, d.elements, [this](const std::uint16_t* a, float* b,
                                                                                          std::size_t n) {
                    halvesToFloats(a, b, n, vector_);
                });
                break;
            case DprFormat::bf16: {
                const std::uint64_t done = vectorConvert(Conversion::fromBf16, src.data(), out, d.elements);
                for (std::uint64_t i = done; i < d.elements; ++i) {
                    std::uint16_t b;
                    std::memcpy(&b, src.data() + i * 2, 2);
                    storeFromFloat(DType::fp32, bf16ToFloat(b), out + i * 4);
                }
                break;
            }
            case DprFormat::fp8_e4m3: {
                const std::uint64_t done = vectorConvert(Conversion::fromFp8, src.data(), out, d.elements);
                for (std::uint64_t i = done; i < d.elements; ++i)
                    storeFromFloat(DType::fp32, fp8e4m3ToFloat(src[i]), out + i * 4);
                break;
            }
            }
            return;
        }
        switch (format_) {
        case DprFormat::fp16:
            for (std::uint64_t i = 0; i < d.elements; ++i) {
                std::uint16_t h;
                std::memcpy(&h, src.data() + i * 2, 2);
                storeFromFloat(d.dtype, halfToFloat(h), out + i * e);
            }
            break;
        case DprFormat::bf16:
            for (std::uint64_t i = 0; i < d.elements; ++i) {
                std::uint16_t b;
                std::memcpy(&b, src.data() + i * 2, 2);
                storeFromFloat(d.dtype, bf16ToFloat(b), out + i * e);
            }
            break;
        case DprFormat::fp8_e4m3:
            for (std::uint64_t i = 0; i < d.elements; ++i)
                storeFromFloat(d.dtype, fp8e4m3ToFloat(src[i]), out + i * e);
            break;
        }
    }
    using Codec::compress;
    using Codec::decompress;

private:
    std::uint64_t storedBytes() const { return format_ == DprFormat::fp8_e4m3 ? 1 : 2; }
    // Elements converted by the AVX2 kernel on the codec's buffers in place (0: none; the
    // caller converts the rest one at a time).
    std::uint64_t vectorConvert(Conversion c, const std::uint8_t* in, std::uint8_t* out, std::uint64_t n) const
    {
#ifdef OFFLOAD_DPR_X86
        if (vector_ && dprAvx2Available()) {
            const auto count = static_cast<std::size_t>(n);
            switch (c) {
            case Conversion::toBf16: return floatsToBf16Avx2(in, out, count);
            case Conversion::fromBf16: return bf16ToFloatsAvx2(in, out, count);
            case Conversion::toFp8: return floatsToFp8Avx2(in, out, count);
            case Conversion::fromFp8: return fp8ToFloatsAvx2(in, out, count);
            }
        }
#else
        (void)c, (void)in, (void)out, (void)n;
#endif
        return 0;
    }
    DprFormat format_;
    bool vector_; // the AVX2 / F16C conversions where the CPU has them (false: portable only)
};

} // namespace

bool f16cAvailable()
{
#ifdef OFFLOAD_DPR_X86
    static const bool available = [] {
        __builtin_cpu_init();
        // F16C from CPUID leaf 1 (ECX bit 29): clang's __builtin_cpu_supports has no "f16c".
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
        return __builtin_cpu_supports("avx2") && f16c;
    }();
    return available;
#else
    return false;
#endif
}

void floatsToHalves(const float* in, std::uint16_t* out, std::size_t n, bool vector)
{
    std::size_t i = 0;
#ifdef OFFLOAD_DPR_X86
    if (vector && f16cAvailable())
        i = floatsToHalvesF16c(in, out, n);
#else
    (void)vector;
#endif
    for (; i < n; ++i)
        out[i] = floatToHalf(in[i]);
}

void halvesToFloats(const std::uint16_t* in, float* out, std::size_t n, bool vector)
{
    std::size_t i = 0;
#ifdef OFFLOAD_DPR_X86
    if (vector && f16cAvailable())
        i = halvesToFloatsF16c(in, out, n);
#else
    (void)vector;
#endif
    for (; i < n; ++i)
        out[i] = halfToFloat(in[i]);
}

void floatsToBf16(const float* in, std::uint16_t* out, std::size_t n, bool vector)
{
    std::size_t i = 0;
#ifdef OFFLOAD_DPR_X86
    if (vector && dprAvx2Available())
        i = floatsToBf16Avx2(reinterpret_cast<const std::uint8_t*>(in), reinterpret_cast<std::uint8_t*>(out), n);
#else
    (void)vector;
#endif
    for (; i < n; ++i)
        out[i] = floatToBf16(in[i]);
}

void bf16ToFloats(const std::uint16_t* in, float* out, std::size_t n, bool vector)
{
    std::size_t i = 0;
#ifdef OFFLOAD_DPR_X86
    if (vector && dprAvx2Available())
        i = bf16ToFloatsAvx2(reinterpret_cast<const std::uint8_t*>(in), reinterpret_cast<std::uint8_t*>(out), n);
#else
    (void)vector;
#endif
    for (; i < n; ++i)
        out[i] = bf16ToFloat(in[i]);
}

void floatsToFp8e4m3(const float* in, std::uint8_t* out, std::size_t n, bool vector)
{
    std::size_t i = 0;
#ifdef OFFLOAD_DPR_X86
    if (vector && dprAvx2Available())
        i = floatsToFp8Avx2(reinterpret_cast<const std::uint8_t*>(in), reinterpret_cast<std::uint8_t*>(out), n);
#else
    (void)vector;
#endif
    for (; i < n; ++i)
        out[i] = floatToFp8e4m3(in[i]);
}

void fp8e4m3ToFloats(const std::uint8_t* in, float* out, std::size_t n, bool vector)
{
    std::size_t i = 0;
#ifdef OFFLOAD_DPR_X86
    if (vector && dprAvx2Available())
        i = fp8ToFloatsAvx2(reinterpret_cast<const std::uint8_t*>(in), reinterpret_cast<std::uint8_t*>(out), n);
#else
    (void)vector;
#endif
    for (; i < n; ++i)
        out[i] = fp8e4m3ToFloat(in[i]);
}

bool dprAvx2Available()
{
#ifdef OFFLOAD_DPR_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
    }();
    return available;
#else
    return false;
#endif
}

std::unique_ptr<Codec> makeDprCodec(DprFormat format, bool vector)
{
    return std::make_unique<DprCodec>(format, vector);
}

} // namespace offload::detail
