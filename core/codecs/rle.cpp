// Run-length encoding of zero runs (cDMA's "RL"). Byte format, documented in docs/codecs.md:
// the stream is a sequence of records
//     [Z: u8] [L: u8] [L elements, little-endian, each non-zero]
// meaning Z zero elements followed by the L literal elements. The encoder is greedy: Z is the
// zero run (at most 255; a longer run continues in the next record with L = 0), L the run of
// non-zeros that follows (at most 255). The records cover exactly the tensor's elements.
// Canonical-form rules the decoder enforces, so every stream has one meaning and a corrupted
// one is caught early: no record is (0, 0); a record with L = 0 and Z < 255 is the last;
// literals are non-zero; a record with L < 255 that is not the last is followed by Z > 0.
//
// Both directions work on runs, not elements: the encoder first marks every zero element in a
// bit mask (64 elements per word, with AVX2 8 at a time) and finds each run with one count of
// trailing bits; copies of literals and zero fills up to 32 bytes are done with fixed-size moves
// wherever the buffers have room for them, so that the short runs of real activations (about
// five elements per record in ReLU outputs) cost a few instructions each.
#include "codecs_internal.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define OFFLOAD_RLE_X86 1
#endif

namespace offload::detail {

namespace {

constexpr std::size_t kFixedMove = 64; // bytes moved or checked at once when the buffers have room

template <typename T>
T loadElement(const std::uint8_t* p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

// Bit k of mask[w] is set when element 64 w + k of `src` is zero (bits past n are clear).
template <typename T>
void zeroMaskPortable(const std::uint8_t* src, std::uint64_t first, std::uint64_t n, std::uint64_t* mask)
{
    for (std::uint64_t w = first / 64; w * 64 < n; ++w) {
        const std::uint64_t base = w * 64;
        const std::uint64_t count = std::min<std::uint64_t>(64, n - base);
        std::uint64_t m = 0;
        for (std::uint64_t k = 0; k < count; ++k)
            m |= static_cast<std::uint64_t>(loadElement<T>(src + (base + k) * sizeof(T)) == 0) << k;
        mask[w] = m;
    }
}

#ifdef OFFLOAD_RLE_X86
bool rleAvx2Available()
{
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
    }();
    return available;
}

// 32-bit elements, 64 at a time; returns how many elements it covered (whole words only).
__attribute__((target("avx2"))) std::uint64_t zeroMaskAvx2(const std::uint8_t* src, std::uint64_t n, std::uint64_t* mask)
{
    const __m256i zero = _mm256_setzero_si256();
    std::uint64_t w = 0;
    for (; (w + 1) * 64 <= n; ++w) {
        std::uint64_t m = 0;
        for (int j = 0; j < 8; ++j) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + (w * 64 + j * 8) * 4));
            const int bits = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(v, zero)));
            m |= static_cast<std::uint64_t>(static_cast<unsigned>(bits)) << (8 * j);
        }
        mask[w] = m;
    }
    return w * 64;
}
#endif

template <typename T>
std::vector<std::uint64_t> zeroMask(const std::uint8_t* src, std::uint64_t n, bool vector)
{
    std::vector<std::uint64_t> mask((n + 63) / 64);
    std::uint64_t done = 0;
#ifdef OFFLOAD_RLE_X86
    if (vector && sizeof(T) == 4 && rleAvx2Available())
        done = zeroMaskAvx2(src, n, mask.data());
#else
    (void)vector;
#endif
    zeroMaskPortable<T>(src, done, n, mask.data());
    return mask;
}

// Length of the run of elements starting at i whose mask bit is `zeros`, at most `cap`: the
// general case, for runs that reach the end of their mask word.
std::uint64_t runLengthAcrossWords(const std::uint64_t* mask, std::uint64_t i, std::uint64_t n, bool zeros, std::uint64_t cap)
{
    cap = std::min(cap, n - i);
    std::uint64_t len = 0;
    while (len < cap) {
        const std::uint64_t at = i + len;
        const unsigned shift = static_cast<unsigned>(at % 64);
        const std::uint64_t word = zeros ? mask[at / 64] >> shift : ~mask[at / 64] >> shift;
        const std::uint64_t inWord = 64 - shift;
        const std::uint64_t run = std::min<std::uint64_t>(static_cast<std::uint64_t>(std::countr_one(word)), inWord);
        len += run;
        if (run < inWord) break;
    }
    return std::min(len, cap);
}

// The same, with the common case (the run ends inside its mask word: one count of bits) inline.
inline std::uint64_t runLength(const std::uint64_t* mask, std::uint64_t i, std::uint64_t n, bool zeros,
                               std::uint64_t cap)
{
    // A tensor that ends in zeros asks for the literals after its end: there are none, and its
    // mask has no word there when n is a multiple of 64 (a heap overflow found by fuzz_decode_rle).
    if (i >= n)
        return 0;
    const unsigned shift = static_cast<unsigned>(i % 64);
    const std::uint64_t word = mask[i / 64] >> shift; // bits past the word's end read as non-zero
    if (zeros) {
        const auto run = static_cast<std::uint64_t>(std::countr_one(word));
        if (run < 64 - shift) return std::min({run, cap, n - i});
    } else if (word != 0) {
        return std::min({static_cast<std::uint64_t>(std::countr_zero(word)), cap, n - i});
    }
    return runLengthAcrossWords(mask, i, n, zeros, cap);
}

template <typename T>
std::size_t rleCompress(const std::uint8_t* src, std::uint64_t n, std::span<std::uint8_t> dst, bool vector)
{
    constexpr std::size_t E = sizeof(T);
    const std::vector<std::uint64_t> mask = zeroMask<T>(src, n, vector);
    std::size_t pos = 0;
    std::uint64_t i = 0;
    while (i < n) {
        const auto zeros = static_cast<unsigned>(runLength(mask.data(), i, n, true, 255));
        i += zeros;
        // A zero run capped at 255 continues as the next record, so no literals here then.
        const auto lits = zeros < 255 ? static_cast<unsigned>(runLength(mask.data(), i, n, false, 255)) : 0u;
        const std::size_t litBytes = std::size_t{lits} * E;
        if (dst.size() - pos < 2 + litBytes)
            throw CodecError("RLE: output buffer too small");
        dst[pos] = static_cast<std::uint8_t>(zeros);
        dst[pos + 1] = static_cast<std::uint8_t>(lits);
        if (litBytes <= kFixedMove && dst.size() - pos - 2 >= kFixedMove && (n - i) * E >= kFixedMove)
            std::memcpy(dst.data() + pos + 2, src + i * E, kFixedMove); // the excess is overwritten or unused
        else
            std::memcpy(dst.data() + pos + 2, src + i * E, litBytes);
        pos += 2 + litBytes;
        i += lits;
    }
    return pos;
}

// Whether any of the `count` elements at p is zero. With `room` >= kFixedMove readable bytes, a
// short run is checked as a fixed block (no loop whose length varies from record to record, so
// no mispredicted exit), keeping only the bits of the run's own elements.
template <typename T>
bool hasZeroElement(const std::uint8_t* p, unsigned count, std::size_t room)
{
    constexpr unsigned kBlock = kFixedMove / sizeof(T);
    if (count <= kBlock && room >= kFixedMove) {
        std::uint64_t zeros = 0;
        for (unsigned k = 0; k < kBlock; ++k)
            zeros |= static_cast<std::uint64_t>(loadElement<T>(p + k * sizeof(T)) == 0) << k;
        return (zeros & ((std::uint64_t{1} << count) - 1)) != 0; // count < 64: kBlock <= 32
    }
    bool zero = false;
    for (unsigned k = 0; k < count; ++k)
        zero |= loadElement<T>(p + k * sizeof(T)) == 0;
    return zero;
}

template <typename T>
void rleDecompress(std::span<const std::uint8_t> src, std::uint64_t n, std::uint8_t* dst)
{
    constexpr std::size_t E = sizeof(T);
    const std::uint64_t total = n * E;
    std::size_t pos = 0;
    std::uint64_t i = 0;
    bool mustEnd = false;      // the previous record can only be the last one
    bool needZeroRun = false;  // the previous record stopped literals early: a zero must follow
    while (pos < src.size()) {
        if (mustEnd)
            throw CodecError("RLE: record at byte " + std::to_string(pos) + " after a final record");
        if (src.size() - pos < 2) requireBytes(src.size() - pos, 2, "RLE record header");
        const unsigned zeros = src[pos];
        const unsigned lits = src[pos + 1];
        if (zeros == 0 && lits == 0)
            throw CodecError("RLE: empty record at byte " + std::to_string(pos));
        if (needZeroRun && zeros == 0)
            throw CodecError("RLE: literal run split without a zero at byte " + std::to_string(pos));
        if (zeros == 255 && lits != 0)
            throw CodecError("RLE: literals after a capped zero run at byte " + std::to_string(pos));
        if (zeros + lits > n - i)
            throw CodecError("RLE: record at byte " + std::to_string(pos) + " runs past the tensor's end");
        pos += 2;
        const std::size_t litBytes = std::size_t{lits} * E;
        if (src.size() - pos < litBytes) requireBytes(src.size() - pos, litBytes, "RLE literals");
        if (hasZeroElement<T>(src.data() + pos, lits, src.size() - pos)) {
            unsigned k = 0;
            while (loadElement<T>(src.data() + pos + k * E) != 0) ++k;
            throw CodecError("RLE: zero literal at byte " + std::to_string(pos + k * E));
        }
        // Fixed-size moves may write past this record's elements, never past the tensor; the
        // records that follow overwrite what they wrote there.
        std::uint8_t* out = dst + i * E;
        const std::uint64_t room = total - i * E;
        if (zeros * E <= kFixedMove && room >= kFixedMove)
            std::memset(out, 0, kFixedMove);
        else
            std::memset(out, 0, zeros * E);
        i += zeros;
        out += zeros * E;
        if (litBytes <= kFixedMove && total - i * E >= kFixedMove && src.size() - pos >= kFixedMove)
            std::memcpy(out, src.data() + pos, kFixedMove);
        else
            std::memcpy(out, src.data() + pos, litBytes);
        pos += litBytes;
        i += lits;
        mustEnd = lits == 0 && zeros < 255;
        needZeroRun = lits > 0 && lits < 255;
    }
    if (i != n)
        throw CodecError("RLE: stream ends after " + std::to_string(i) + " of " + std::to_string(n) + " elements");
}

class RleCodec final : public Codec {
public:
    explicit RleCodec(bool vector) : vector_(vector) {}
    CodecId id() const override { return CodecId::rle; }
    std::string label() const override { return "rle"; }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        checkTensorDesc(d);
        // Every record covers at least one element, so there are at most n records.
        return static_cast<std::size_t>(2 * d.elements + d.bytes());
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        checkTensorDesc(d);
        const auto* in = static_cast<const std::uint8_t*>(src);
        return bytesPerElement(d.dtype) == 4 ? rleCompress<std::uint32_t>(in, d.elements, dst, vector_)
                                             : rleCompress<std::uint16_t>(in, d.elements, dst, vector_);
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        checkTensorDesc(d);
        auto* out = static_cast<std::uint8_t*>(dst);
        if (bytesPerElement(d.dtype) == 4)
            rleDecompress<std::uint32_t>(src, d.elements, out);
        else
            rleDecompress<std::uint16_t>(src, d.elements, out);
    }
    using Codec::compress;
    using Codec::decompress;

private:
    bool vector_; // the encoder's zero mask with AVX2 where the CPU has it
};

} // namespace

std::unique_ptr<Codec> makeRleCodec(bool vector)
{
    return std::make_unique<RleCodec>(vector);
}

} // namespace offload::detail
