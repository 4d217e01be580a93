// DPR, GIST's delayed precision reduction: every element is stored in a narrower floating-point
// format (fp16, bf16 or fp8 E4M3), rounded to nearest even; fp8 saturates at +-448. The stream
// is the converted elements, little-endian, nothing else, so its size is exact and known.
#include "codecs_internal.h"
#include "float_formats.h"

#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
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

class DprCodec final : public Codec {
public:
    explicit DprCodec(DprFormat f) : format_(f) {}
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
        if (format_ == DprFormat::fp16 && d.dtype == DType::fp32) {
            convertInChunks<float, std::uint16_t>(in, dst.data(), d.elements,
                                                  [](const float* a, std::uint16_t* b, std::size_t n) {
                                                      floatsToHalves(a, b, n, true);
                                                  });
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
        if (format_ == DprFormat::fp16 && d.dtype == DType::fp32) {
            convertInChunks<std::uint16_t, float>(src.data(), out, d.elements,
                                                  [](const std::uint16_t* a, float* b, std::size_t n) {
                                                      halvesToFloats(a, b, n, true);
                                                  });
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
    DprFormat format_;
};

} // namespace

bool f16cAvailable()
{
#ifdef OFFLOAD_DPR_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
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

std::unique_ptr<Codec> makeDprCodec(DprFormat format)
{
    return std::make_unique<DprCodec>(format);
}

} // namespace offload::detail
