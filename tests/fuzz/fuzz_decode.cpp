// One codec's decoder on arbitrary bytes. The first 8 bytes choose the tensor the stream claims
// to hold (element type and a bounded shape); the rest is the stream. Decoding must either
// throw CodecError or fill exactly the tensor. For ZVC the portable and AVX-512 decoders must
// agree, and for every lossless codec a stream that decodes re-encodes to the same tensor.
#include "core/codecs/codec.h"
#include "core/codecs/zvc.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#define OFFLOAD_STR2(x) #x
#define OFFLOAD_STR(x) OFFLOAD_STR2(x)

namespace {

offload::CodecId fuzzedCodec()
{
    std::string name = OFFLOAD_STR(OFFLOAD_FUZZ_CODEC);
    if (name == "jpeg_act") name = "jpeg-act";
    const auto id = offload::parseCodecId(name);
    if (!id) std::abort();
    return *id;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace offload;
    static const CodecId id = fuzzedCodec();
    if (size < 8) return 0;
    TensorDesc d;
    d.dtype = data[0] % 3 == 0 ? DType::fp32 : data[0] % 3 == 1 ? DType::fp16 : DType::bf16;
    CodecParams p;
    p.jpeg_quality = (data[1] % 4 == 0) ? 95 : (data[1] % 4 == 1) ? 90 : (data[1] % 4 == 2) ? 80 : 50;
    p.jpeg_shift_tables = (data[1] & 4) != 0;
    p.dpr = data[1] % 3 == 0 ? DprFormat::fp16 : data[1] % 3 == 1 ? DprFormat::bf16 : DprFormat::fp8_e4m3;
    if (id == CodecId::jpeg_act && (data[2] & 1)) {
        d.n = 1 + data[3] % 2;
        d.c = 1 + data[4] % 4;
        d.h = 1 + data[5] % 24;
        d.w = 1 + data[6] % 24;
        d.layout = (data[2] & 2) ? TensorLayout::nhwc : TensorLayout::nchw;
        d.elements = static_cast<std::uint64_t>(d.n * d.c * d.h * d.w);
    } else {
        std::uint16_t count;
        std::memcpy(&count, data + 3, 2);
        d.elements = count % 4096;
    }
    const std::span<const std::uint8_t> stream(data + 8, size - 8);
    const auto codec = makeCodec(id, p);
    std::vector<std::uint8_t> out(d.bytes());
    try {
        codec->decompress(d, stream, out.data());
    } catch (const CodecError&) {
        return 0;
    }
    if (id == CodecId::zvc) {
        // Every path this CPU has must decode the same stream to the same tensor.
        std::vector<std::uint8_t> other(d.bytes());
        const auto e = static_cast<std::uint32_t>(bytesPerElement(d.dtype));
        std::vector<zvc::Path> paths{zvc::Path::portable};
        if (zvc::avx2Available()) paths.push_back(zvc::Path::avx2);
        if (zvc::avx512Available()) paths.push_back(zvc::Path::avx512);
        for (zvc::Path path : paths) {
            std::fill(other.begin(), other.end(), std::uint8_t{0x5a});
            zvc::decompress(stream, d.elements, e, other.data(), path);
            if (other != out) std::abort();
        }
    }
    if (codec->lossless()) {
        // The decoded tensor must survive a round trip of its own.
        const auto again = codec->decompress(d, codec->compress(d, out.data()));
        if (again != out) std::abort();
        // ZVC and RLE streams are canonical: a stream that decodes is the one compress writes.
        if ((id == CodecId::zvc || id == CodecId::rle) &&
            codec->compress(d, out.data()) != std::vector<std::uint8_t>(stream.begin(), stream.end()))
            std::abort();
    }
    return 0;
}
