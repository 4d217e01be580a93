#include "codecs_internal.h"

#include <cstring>
#include <string>

namespace offload::detail {

void requireBytes(std::size_t available, std::size_t needed, const char* what)
{
    if (available < needed)
        throw CodecError(std::string("truncated stream: ") + what + " needs " + std::to_string(needed) +
                         " bytes, " + std::to_string(available) + " left");
}

namespace {

// Stores the tensor as it is: the baseline every ratio is measured against.
class NoneCodec final : public Codec {
public:
    CodecId id() const override { return CodecId::none; }
    std::string label() const override { return "none"; }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        checkTensorDesc(d);
        return static_cast<std::size_t>(d.bytes());
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        checkTensorDesc(d);
        if (dst.size() < d.bytes()) throw CodecError("none: output buffer too small");
        if (d.bytes() != 0) std::memcpy(dst.data(), src, static_cast<std::size_t>(d.bytes()));
        return static_cast<std::size_t>(d.bytes());
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        checkTensorDesc(d);
        if (src.size() != d.bytes())
            throw CodecError("none: stream has " + std::to_string(src.size()) + " bytes, expected " +
                             std::to_string(d.bytes()));
        if (d.bytes() != 0) std::memcpy(dst, src.data(), static_cast<std::size_t>(d.bytes()));
    }
    using Codec::compress;
    using Codec::decompress;
};

} // namespace

std::unique_ptr<Codec> makeNoneCodec()
{
    return std::make_unique<NoneCodec>();
}

} // namespace offload::detail

namespace offload {

std::unique_ptr<Codec> makeCodec(CodecId id, const CodecParams& p)
{
    switch (id) {
    case CodecId::none: return detail::makeNoneCodec();
    case CodecId::zvc: return detail::makeZvcCodec();
    case CodecId::rle: return detail::makeRleCodec();
    case CodecId::zlib: return detail::makeZlibCodec(p.zlib_level);
    case CodecId::lz4: return detail::makeLz4Codec(p.lz4_acceleration);
    case CodecId::zstd: return detail::makeZstdCodec(p.zstd_level);
    case CodecId::jpeg_act: return detail::makeJpegActCodec(p.jpeg_quality, p.jpeg_shift_tables);
    case CodecId::dpr: return detail::makeDprCodec(p.dpr);
    }
    throw CodecError("unknown codec");
}

} // namespace offload
