// DPR, GIST's delayed precision reduction: every element is stored in a narrower floating-point
// format (fp16, bf16 or fp8 E4M3), rounded to nearest even; fp8 saturates at +-448. The stream
// is the converted elements, little-endian, nothing else, so its size is exact and known.
#include "codecs_internal.h"
#include "float_formats.h"

#include <cstring>
#include <string>

namespace offload::detail {

namespace {

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
        for (std::uint64_t i = 0; i < d.elements; ++i) {
            const float f = loadAsFloat(d.dtype, in + i * e);
            switch (format_) {
            case DprFormat::fp16: {
                const std::uint16_t h = floatToHalf(f);
                std::memcpy(dst.data() + i * 2, &h, 2);
                break;
            }
            case DprFormat::bf16: {
                const std::uint16_t b = floatToBf16(f);
                std::memcpy(dst.data() + i * 2, &b, 2);
                break;
            }
            case DprFormat::fp8_e4m3: dst[i] = floatToFp8e4m3(f); break;
            }
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
        for (std::uint64_t i = 0; i < d.elements; ++i) {
            float f = 0;
            switch (format_) {
            case DprFormat::fp16: {
                std::uint16_t h;
                std::memcpy(&h, src.data() + i * 2, 2);
                f = halfToFloat(h);
                break;
            }
            case DprFormat::bf16: {
                std::uint16_t b;
                std::memcpy(&b, src.data() + i * 2, 2);
                f = bf16ToFloat(b);
                break;
            }
            case DprFormat::fp8_e4m3: f = fp8e4m3ToFloat(src[i]); break;
            }
            storeFromFloat(d.dtype, f, out + i * e);
        }
    }
    using Codec::compress;
    using Codec::decompress;

private:
    std::uint64_t storedBytes() const { return format_ == DprFormat::fp8_e4m3 ? 1 : 2; }
    DprFormat format_;
};

} // namespace

std::unique_ptr<Codec> makeDprCodec(DprFormat format)
{
    return std::make_unique<DprCodec>(format);
}

} // namespace offload::detail
