#include "zvc.h"

#include "codecs_internal.h"

#include <bit>
#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OFFLOAD_ZVC_X86 1
#endif

namespace offload::zvc {

namespace {

using detail::requireBytes;

// ---- portable path ----
// Works a group at a time through small local arrays so the compiler can vectorise the mask
// and the loads, and so that writes never go past what the group itself needs.

template <typename T>
std::size_t compressPortable(const std::uint8_t* src, std::uint64_t elements, std::span<std::uint8_t> dst)
{
    constexpr std::size_t E = sizeof(T);
    std::size_t pos = 0;
    T in[32];
    T packed[32];
    for (std::uint64_t first = 0; first < elements; first += 32) {
        const auto len = static_cast<unsigned>(elements - first < 32 ? elements - first : 32);
        std::memcpy(in, src + first * E, len * E);
        std::uint32_t mask = 0;
        for (unsigned i = 0; i < len; ++i) mask |= static_cast<std::uint32_t>(in[i] != 0) << i;
        // Gather by walking the set bits: popcount iterations instead of 32 per group.
        unsigned k = 0;
        for (std::uint32_t bits = mask; bits != 0; bits &= bits - 1) packed[k++] = in[std::countr_zero(bits)];
        const std::size_t need = 4 + std::size_t{k} * E;
        if (dst.size() - pos < need)
            throw CodecError("ZVC: output buffer too small");
        std::memcpy(dst.data() + pos, &mask, 4);
        std::memcpy(dst.data() + pos + 4, packed, k * E);
        pos += need;
    }
    return pos;
}

// Decodes `elements` elements; returns the bytes of src consumed.
template <typename T>
std::size_t decompressPortable(std::span<const std::uint8_t> src, std::uint64_t elements, std::uint8_t* dst)
{
    constexpr std::size_t E = sizeof(T);
    std::size_t pos = 0;
    T vals[32];
    T out[32];
    for (std::uint64_t first = 0; first < elements; first += 32) {
        const auto len = static_cast<unsigned>(elements - first < 32 ? elements - first : 32);
        requireBytes(src.size() - pos, 4, "ZVC group mask");
        std::uint32_t mask;
        std::memcpy(&mask, src.data() + pos, 4);
        pos += 4;
        if (len < 32 && (mask >> len) != 0)
            throw CodecError("ZVC: mask marks elements past the end of the tensor");
        const auto k = static_cast<unsigned>(std::popcount(mask));
        requireBytes(src.size() - pos, std::size_t{k} * E, "ZVC non-zero values");
        std::memcpy(vals, src.data() + pos, k * E);
        pos += k * E;
        // Scatter by walking the set bits: popcount iterations instead of 32 per group.
        unsigned storedZeros = 0;
        for (unsigned j = 0; j < k; ++j) storedZeros += vals[j] == 0;
        if (storedZeros != 0)
            throw CodecError("ZVC: a value marked non-zero is zero");
        std::memset(out, 0, sizeof out);
        std::uint32_t bits = mask;
        for (unsigned j = 0; bits != 0; ++j, bits &= bits - 1)
            out[std::countr_zero(bits)] = vals[j];
        std::memcpy(dst + first * E, out, len * E);
    }
    return pos;
}

#ifdef OFFLOAD_ZVC_X86
#define OFFLOAD_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi2")))

// Full 64-byte stores of the compressed registers need slack after the write position; the
// loop stops where the output could be too short for that and the portable code finishes.
OFFLOAD_AVX512 std::size_t compressAvx512_32(const std::uint8_t* src, std::uint64_t elements,
                                             std::span<std::uint8_t> dst)
{
    const std::uint64_t groups = elements / 32;
    std::uint8_t* out = dst.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups && dst.size() - pos >= 4 + 128; ++g) {
        const __m512i v0 = _mm512_loadu_si512(src + g * 128);
        const __m512i v1 = _mm512_loadu_si512(src + g * 128 + 64);
        const __mmask16 m0 = _mm512_test_epi32_mask(v0, v0);
        const __mmask16 m1 = _mm512_test_epi32_mask(v1, v1);
        const std::uint32_t mask = static_cast<std::uint32_t>(m0) | (static_cast<std::uint32_t>(m1) << 16);
        std::memcpy(out + pos, &mask, 4);
        pos += 4;
        // Compress in registers then store whole: VPCOMPRESSD straight to memory is slow on
        // several cores (microcoded on Zen 4).
        _mm512_storeu_si512(out + pos, _mm512_maskz_compress_epi32(m0, v0));
        pos += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(m0))) * 4;
        _mm512_storeu_si512(out + pos, _mm512_maskz_compress_epi32(m1, v1));
        pos += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(m1))) * 4;
    }
    return pos + compressPortable<std::uint32_t>(src + g * 128, elements - g * 32, dst.subspan(pos));
}

OFFLOAD_AVX512 std::size_t compressAvx512_16(const std::uint8_t* src, std::uint64_t elements,
                                             std::span<std::uint8_t> dst)
{
    const std::uint64_t groups = elements / 32;
    std::uint8_t* out = dst.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups && dst.size() - pos >= 4 + 64; ++g) {
        const __m512i v = _mm512_loadu_si512(src + g * 64);
        const __mmask32 m = _mm512_test_epi16_mask(v, v);
        const auto mask = static_cast<std::uint32_t>(m);
        std::memcpy(out + pos, &mask, 4);
        pos += 4;
        _mm512_storeu_si512(out + pos, _mm512_maskz_compress_epi16(m, v));
        pos += static_cast<std::size_t>(std::popcount(mask)) * 2;
    }
    return pos + compressPortable<std::uint16_t>(src + g * 64, elements - g * 32, dst.subspan(pos));
}

// Loads use masks covering exactly the stored values, so nothing past the stream is read.
OFFLOAD_AVX512 std::size_t decompressAvx512_32(std::span<const std::uint8_t> src, std::uint64_t elements,
                                               std::uint8_t* dst)
{
    const std::uint64_t groups = elements / 32;
    const std::uint8_t* in = src.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups; ++g) {
        requireBytes(src.size() - pos, 4, "ZVC group mask");
        std::uint32_t mask;
        std::memcpy(&mask, in + pos, 4);
        pos += 4;
        const auto m0 = static_cast<__mmask16>(mask & 0xffffu);
        const auto m1 = static_cast<__mmask16>(mask >> 16);
        const auto k0 = static_cast<unsigned>(std::popcount(mask & 0xffffu));
        const auto k1 = static_cast<unsigned>(std::popcount(mask >> 16));
        requireBytes(src.size() - pos, std::size_t{k0 + k1} * 4, "ZVC non-zero values");
        const auto l0mask = static_cast<__mmask16>((1u << k0) - 1u);
        const auto l1mask = static_cast<__mmask16>((1u << k1) - 1u);
        const __m512i l0 = _mm512_maskz_loadu_epi32(l0mask, in + pos);
        const __m512i l1 = _mm512_maskz_loadu_epi32(l1mask, in + pos + k0 * 4);
        // One branch for both halves: XOR of the masks is zero only when every value is non-zero.
        const unsigned bad = (static_cast<unsigned>(_mm512_test_epi32_mask(l0, l0)) ^ l0mask) |
                             (static_cast<unsigned>(_mm512_test_epi32_mask(l1, l1)) ^ l1mask);
        if (bad != 0)
            throw CodecError("ZVC: a value marked non-zero is zero");
        _mm512_storeu_si512(dst + g * 128, _mm512_maskz_expand_epi32(m0, l0));
        _mm512_storeu_si512(dst + g * 128 + 64, _mm512_maskz_expand_epi32(m1, l1));
        pos += std::size_t{k0 + k1} * 4;
    }
    return pos + decompressPortable<std::uint32_t>(src.subspan(pos), elements - g * 32, dst + g * 128);
}

OFFLOAD_AVX512 std::size_t decompressAvx512_16(std::span<const std::uint8_t> src, std::uint64_t elements,
                                               std::uint8_t* dst)
{
    const std::uint64_t groups = elements / 32;
    const std::uint8_t* in = src.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups; ++g) {
        requireBytes(src.size() - pos, 4, "ZVC group mask");
        std::uint32_t mask;
        std::memcpy(&mask, in + pos, 4);
        pos += 4;
        const auto k = static_cast<unsigned>(std::popcount(mask));
        requireBytes(src.size() - pos, std::size_t{k} * 2, "ZVC non-zero values");
        const auto lmask = static_cast<__mmask32>((std::uint64_t{1} << k) - 1u);
        const __m512i l = _mm512_maskz_loadu_epi16(lmask, in + pos);
        if (_mm512_test_epi16_mask(l, l) != lmask)
            throw CodecError("ZVC: a value marked non-zero is zero");
        _mm512_storeu_si512(dst + g * 64, _mm512_maskz_expand_epi16(static_cast<__mmask32>(mask), l));
        pos += std::size_t{k} * 2;
    }
    return pos + decompressPortable<std::uint16_t>(src.subspan(pos), elements - g * 32, dst + g * 64);
}
#endif

#ifdef OFFLOAD_ZVC_X86
#define OFFLOAD_AVX2 __attribute__((target("avx2")))

// AVX2 has no compress or expand instruction: 8 lanes are packed or spread with a permutation
// chosen by their 8-bit non-zero mask from a 256-entry table (VPERMD for 32-bit lanes, PSHUFB
// on 128-bit halves for 16-bit lanes).
struct Avx2Tables {
    // compress32[m]: for packing, lane j of the result takes source lane compress32[m][j]
    // (the j-th set bit of m). expand32[m]: lane i takes packed value expand32[m][i] (the
    // number of set bits of m below i). The 16-bit tables are the same as byte shuffles.
    alignas(32) std::uint32_t compress32[256][8];
    alignas(32) std::uint32_t expand32[256][8];
    alignas(16) std::uint8_t compress16[256][16];
    alignas(16) std::uint8_t expand16[256][16];
    Avx2Tables()
    {
        for (unsigned m = 0; m < 256; ++m) {
            unsigned j = 0;
            for (unsigned i = 0; i < 8; ++i) {
                compress32[m][i] = 0;
                expand32[m][i] = static_cast<std::uint32_t>(std::popcount(m & ((1u << i) - 1u)));
                compress16[m][2 * i] = compress16[m][2 * i + 1] = 0x80;
                expand16[m][2 * i] = static_cast<std::uint8_t>(2 * expand32[m][i]);
                expand16[m][2 * i + 1] = static_cast<std::uint8_t>(2 * expand32[m][i] + 1);
            }
            for (unsigned i = 0; i < 8; ++i)
                if (m & (1u << i)) {
                    compress32[m][j] = i;
                    compress16[m][2 * j] = static_cast<std::uint8_t>(2 * i);
                    compress16[m][2 * j + 1] = static_cast<std::uint8_t>(2 * i + 1);
                    ++j;
                }
        }
    }
};

const Avx2Tables& avx2Tables()
{
    static const Avx2Tables tables;
    return tables;
}

// The non-zero mask of 8 32-bit lanes.
OFFLOAD_AVX2 inline unsigned nonZero8x32(__m256i v)
{
    const __m256i zero = _mm256_cmpeq_epi32(v, _mm256_setzero_si256());
    return ~static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(zero))) & 0xffu;
}

// The non-zero mask of 8 16-bit lanes (packed to bytes first: movemask has no 16-bit form).
OFFLOAD_AVX2 inline unsigned nonZero8x16(__m128i v)
{
    const __m128i zero = _mm_cmpeq_epi16(v, _mm_setzero_si128());
    return ~static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(zero, zero))) & 0xffu;
}

// Full 32-byte stores need slack after the write position, as in the AVX-512 code.
OFFLOAD_AVX2 std::size_t compressAvx2_32(const std::uint8_t* src, std::uint64_t elements, std::span<std::uint8_t> dst)
{
    const Avx2Tables& t = avx2Tables();
    const std::uint64_t groups = elements / 32;
    std::uint8_t* out = dst.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups && dst.size() - pos >= 4 + 128 + 32; ++g) {
        __m256i v[4];
        unsigned m[4];
        for (int q = 0; q < 4; ++q) {
            v[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + g * 128 + q * 32));
            m[q] = nonZero8x32(v[q]);
        }
        const std::uint32_t mask = m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24);
        std::memcpy(out + pos, &mask, 4);
        pos += 4;
        for (int q = 0; q < 4; ++q) {
            const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.compress32[m[q]]));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + pos), _mm256_permutevar8x32_epi32(v[q], idx));
            pos += static_cast<std::size_t>(std::popcount(m[q])) * 4;
        }
    }
    return pos + compressPortable<std::uint32_t>(src + g * 128, elements - g * 32, dst.subspan(pos));
}

OFFLOAD_AVX2 std::size_t compressAvx2_16(const std::uint8_t* src, std::uint64_t elements, std::span<std::uint8_t> dst)
{
    const Avx2Tables& t = avx2Tables();
    const std::uint64_t groups = elements / 32;
    std::uint8_t* out = dst.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups && dst.size() - pos >= 4 + 64 + 16; ++g) {
        __m128i v[4];
        unsigned m[4];
        for (int q = 0; q < 4; ++q) {
            v[q] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + g * 64 + q * 16));
            m[q] = nonZero8x16(v[q]);
        }
        const std::uint32_t mask = m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24);
        std::memcpy(out + pos, &mask, 4);
        pos += 4;
        for (int q = 0; q < 4; ++q) {
            const __m128i shuffle = _mm_load_si128(reinterpret_cast<const __m128i*>(t.compress16[m[q]]));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + pos), _mm_shuffle_epi8(v[q], shuffle));
            pos += static_cast<std::size_t>(std::popcount(m[q])) * 2;
        }
    }
    return pos + compressPortable<std::uint16_t>(src + g * 64, elements - g * 32, dst.subspan(pos));
}

// Full 32-byte loads of packed values need the stream to go on for 32 bytes past them; the
// vector loop stops where it does not, and the portable code finishes (it also checks).
OFFLOAD_AVX2 std::size_t decompressAvx2_32(std::span<const std::uint8_t> src, std::uint64_t elements, std::uint8_t* dst)
{
    const Avx2Tables& t = avx2Tables();
    const std::uint64_t groups = elements / 32;
    const std::uint8_t* in = src.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups && src.size() - pos >= 4 + 128 + 32; ++g) {
        std::uint32_t mask;
        std::memcpy(&mask, in + pos, 4);
        pos += 4;
        unsigned bad = 0;
        for (int q = 0; q < 4; ++q) {
            const unsigned m = (mask >> (8 * q)) & 0xffu;
            const unsigned k = static_cast<unsigned>(std::popcount(m));
            const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + pos));
            // The k packed values must all be non-zero (a canonical stream stores no zeros).
            bad |= (nonZero8x32(packed) ^ 0xffu) & ((1u << k) - 1u);
            const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(t.expand32[m]));
            const __m256i lanes = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
            const __m256i keep = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(static_cast<int>(m)), lanes), lanes);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + g * 128 + q * 32),
                                _mm256_and_si256(_mm256_permutevar8x32_epi32(packed, idx), keep));
            pos += std::size_t{k} * 4;
        }
        if (bad != 0)
            throw CodecError("ZVC: a value marked non-zero is zero");
    }
    return pos + decompressPortable<std::uint32_t>(src.subspan(pos), elements - g * 32, dst + g * 128);
}

OFFLOAD_AVX2 std::size_t decompressAvx2_16(std::span<const std::uint8_t> src, std::uint64_t elements, std::uint8_t* dst)
{
    const Avx2Tables& t = avx2Tables();
    const std::uint64_t groups = elements / 32;
    const std::uint8_t* in = src.data();
    std::size_t pos = 0;
    std::uint64_t g = 0;
    for (; g < groups && src.size() - pos >= 4 + 64 + 16; ++g) {
        std::uint32_t mask;
        std::memcpy(&mask, in + pos, 4);
        pos += 4;
        unsigned bad = 0;
        for (int q = 0; q < 4; ++q) {
            const unsigned m = (mask >> (8 * q)) & 0xffu;
            const unsigned k = static_cast<unsigned>(std::popcount(m));
            const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + pos));
            bad |= (nonZero8x16(packed) ^ 0xffu) & ((1u << k) - 1u);
            const __m128i spread = _mm_shuffle_epi8(packed, _mm_load_si128(reinterpret_cast<const __m128i*>(t.expand16[m])));
            const __m128i lanes = _mm_set_epi16(128, 64, 32, 16, 8, 4, 2, 1);
            const __m128i keep = _mm_cmpeq_epi16(_mm_and_si128(_mm_set1_epi16(static_cast<short>(m)), lanes), lanes);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + g * 64 + q * 16), _mm_and_si128(spread, keep));
            pos += std::size_t{k} * 2;
        }
        if (bad != 0)
            throw CodecError("ZVC: a value marked non-zero is zero");
    }
    return pos + decompressPortable<std::uint16_t>(src.subspan(pos), elements - g * 32, dst + g * 64);
}
#endif

// The vector path a call runs: AVX-512 where the CPU has it, else AVX2, else portable; a
// forced path the CPU lacks is an error.
enum class Vector { none, avx2, avx512 };

Vector vectorPath(Path path)
{
    switch (path) {
    case Path::portable: return Vector::none;
    case Path::avx512:
        if (!avx512Available()) throw CodecError("ZVC: this CPU has no AVX-512 VBMI2");
        return Vector::avx512;
    case Path::avx2:
        if (!avx2Available()) throw CodecError("ZVC: this CPU has no AVX2");
        return Vector::avx2;
    case Path::automatic: break;
    }
    return avx512Available() ? Vector::avx512 : (avx2Available() ? Vector::avx2 : Vector::none);
}

void checkElementBytes(std::uint32_t elementBytes)
{
    if (elementBytes != 2 && elementBytes != 4)
        throw CodecError("ZVC: element size must be 2 or 4 bytes, not " + std::to_string(elementBytes));
}

} // namespace

bool avx512Available()
{
#ifdef OFFLOAD_ZVC_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi2");
    }();
    return available;
#else
    return false;
#endif
}

bool avx2Available()
{
#ifdef OFFLOAD_ZVC_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
    }();
    return available;
#else
    return false;
#endif
}

std::size_t compress(const void* src, std::uint64_t elements, std::uint32_t elementBytes, std::span<std::uint8_t> dst,
                     Path path)
{
    checkElementBytes(elementBytes);
    const auto* in = static_cast<const std::uint8_t*>(src);
    const Vector vector = vectorPath(path);
#ifdef OFFLOAD_ZVC_X86
    if (vector == Vector::avx512)
        return elementBytes == 4 ? compressAvx512_32(in, elements, dst) : compressAvx512_16(in, elements, dst);
    if (vector == Vector::avx2)
        return elementBytes == 4 ? compressAvx2_32(in, elements, dst) : compressAvx2_16(in, elements, dst);
#else
    (void)vector;
#endif
    return elementBytes == 4 ? compressPortable<std::uint32_t>(in, elements, dst)
                             : compressPortable<std::uint16_t>(in, elements, dst);
}

void decompress(std::span<const std::uint8_t> src, std::uint64_t elements, std::uint32_t elementBytes, void* dst,
                Path path)
{
    checkElementBytes(elementBytes);
    auto* out = static_cast<std::uint8_t*>(dst);
    std::size_t used = 0;
    const Vector vector = vectorPath(path);
#ifdef OFFLOAD_ZVC_X86
    if (vector == Vector::avx512)
        used = elementBytes == 4 ? decompressAvx512_32(src, elements, out) : decompressAvx512_16(src, elements, out);
    else if (vector == Vector::avx2)
        used = elementBytes == 4 ? decompressAvx2_32(src, elements, out) : decompressAvx2_16(src, elements, out);
    else
#else
    (void)vector;
#endif
        used = elementBytes == 4 ? decompressPortable<std::uint32_t>(src, elements, out)
                                 : decompressPortable<std::uint16_t>(src, elements, out);
    if (used != src.size())
        throw CodecError("ZVC: " + std::to_string(src.size() - used) + " bytes after the last group");
}

} // namespace offload::zvc

namespace offload::detail {

namespace {

class ZvcCodec final : public Codec {
public:
    CodecId id() const override { return CodecId::zvc; }
    std::string label() const override { return "zvc"; }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        checkTensorDesc(d);
        return static_cast<std::size_t>(zvc::compressedBytes(d.elements, d.elements, static_cast<std::uint32_t>(bytesPerElement(d.dtype))));
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        checkTensorDesc(d);
        return zvc::compress(src, d.elements, static_cast<std::uint32_t>(bytesPerElement(d.dtype)), dst);
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        checkTensorDesc(d);
        zvc::decompress(src, d.elements, static_cast<std::uint32_t>(bytesPerElement(d.dtype)), dst);
    }
    using Codec::compress;
    using Codec::decompress;
};

} // namespace

std::unique_ptr<Codec> makeZvcCodec()
{
    return std::make_unique<ZvcCodec>();
}

} // namespace offload::detail
