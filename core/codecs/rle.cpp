// Run-length encoding of zero runs (cDMA's "RL"). Byte format, documented in docs/codecs.md:
// the stream is a sequence of records
//     [Z: u8] [L: u8] [L elements, little-endian, each non-zero]
// meaning Z zero elements followed by the L literal elements. The encoder is greedy: Z is the
// zero run (at most 255; a longer run continues in the next record with L = 0), L the run of
// non-zeros that follows (at most 255). The records cover exactly the tensor's elements.
// Canonical-form rules the decoder enforces, so every stream has one meaning and a corrupted
// one is caught early: no record is (0, 0); a record with L = 0 and Z < 255 is the last;
// literals are non-zero; a record with L < 255 that is not the last is followed by Z > 0.
#include "codecs_internal.h"

#include <cstring>
#include <string>

namespace offload::detail {

namespace {

template <typename T>
std::size_t rleCompress(const std::uint8_t* src, std::uint64_t n, std::span<std::uint8_t> dst)
{
    constexpr std::size_t E = sizeof(T);
    std::size_t pos = 0;
    std::uint64_t i = 0;
    auto load = [&](std::uint64_t k) {
        T v;
        std::memcpy(&v, src + k * E, E);
        return v;
    };
    while (i < n) {
        unsigned zeros = 0;
        while (i < n && zeros < 255 && load(i) == 0) {
            ++zeros;
            ++i;
        }
        unsigned lits = 0;
        // A zero run capped at 255 continues as the next record, so no literals here then.
        if (zeros < 255)
            while (i + lits < n && lits < 255 && load(i + lits) != 0) ++lits;
        const std::size_t need = 2 + std::size_t{lits} * E;
        if (dst.size() - pos < need)
            throw CodecError("RLE: output buffer too small");
        dst[pos] = static_cast<std::uint8_t>(zeros);
        dst[pos + 1] = static_cast<std::uint8_t>(lits);
        std::memcpy(dst.data() + pos + 2, src + i * E, lits * E);
        pos += need;
        i += lits;
    }
    return pos;
}

template <typename T>
void rleDecompress(std::span<const std::uint8_t> src, std::uint64_t n, std::uint8_t* dst)
{
    constexpr std::size_t E = sizeof(T);
    std::size_t pos = 0;
    std::uint64_t i = 0;
    bool mustEnd = false;      // the previous record can only be the last one
    bool needZeroRun = false;  // the previous record stopped literals early: a zero must follow
    while (pos < src.size()) {
        if (mustEnd)
            throw CodecError("RLE: record at byte " + std::to_string(pos) + " after a final record");
        requireBytes(src.size() - pos, 2, "RLE record header");
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
        requireBytes(src.size() - pos, std::size_t{lits} * E, "RLE literals");
        std::memset(dst + i * E, 0, zeros * E);
        i += zeros;
        for (unsigned k = 0; k < lits; ++k) {
            T v;
            std::memcpy(&v, src.data() + pos + k * E, E);
            if (v == 0)
                throw CodecError("RLE: zero literal at byte " + std::to_string(pos + k * E));
        }
        std::memcpy(dst + i * E, src.data() + pos, lits * E);
        pos += lits * E;
        i += lits;
        mustEnd = lits == 0 && zeros < 255;
        needZeroRun = lits > 0 && lits < 255;
    }
    if (i != n)
        throw CodecError("RLE: stream ends after " + std::to_string(i) + " of " + std::to_string(n) + " elements");
}

class RleCodec final : public Codec {
public:
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
        return bytesPerElement(d.dtype) == 4 ? rleCompress<std::uint32_t>(in, d.elements, dst)
                                             : rleCompress<std::uint16_t>(in, d.elements, dst);
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
};

} // namespace

std::unique_ptr<Codec> makeRleCodec()
{
    return std::make_unique<RleCodec>();
}

} // namespace offload::detail
