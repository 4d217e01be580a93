// The general-purpose peers of cDMA and of the GPU codecs: zlib, LZ4 and zstd through their
// real libraries, each in its plain one-shot format (zlib stream, LZ4 block, zstd frame). The
// decoders are the libraries' bounds-checked ones, writing into a buffer of the tensor's size.
#include "codecs_internal.h"

#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>
#include <string>

namespace offload::detail {

namespace {

// Empty tensors still get valid pointers: the libraries reject null buffers.
const std::uint8_t kEmpty[1] = {0};

const std::uint8_t* nonNull(const void* p)
{
    return p ? static_cast<const std::uint8_t*>(p) : kEmpty;
}

// zstd's one-shot calls create a context each time, which dominates on small tensors; one
// context per thread is reused instead (the codecs themselves are stateless and shareable).
struct ZstdContexts {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_DCtx* d = ZSTD_createDCtx();
    ZstdContexts() = default;
    ZstdContexts(const ZstdContexts&) = delete;
    ZstdContexts& operator=(const ZstdContexts&) = delete;
    ~ZstdContexts()
    {
        ZSTD_freeCCtx(c);
        ZSTD_freeDCtx(d);
    }
};

ZstdContexts& zstdContexts()
{
    thread_local ZstdContexts contexts;
    if (!contexts.c || !contexts.d) throw CodecError("zstd: cannot allocate a context");
    return contexts;
}

class ZlibCodec final : public Codec {
public:
    explicit ZlibCodec(int level) : level_(level) {}
    CodecId id() const override { return CodecId::zlib; }
    std::string label() const override { return "zlib-" + std::to_string(level_); }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        checkTensorDesc(d);
        return compressBound(static_cast<uLong>(d.bytes()));
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        checkTensorDesc(d);
        uLongf outLen = static_cast<uLongf>(dst.size());
        std::uint8_t scratch[1];
        Bytef* out = dst.empty() ? scratch : dst.data();
        const int rc = compress2(out, &outLen, nonNull(src), static_cast<uLong>(d.bytes()), level_);
        if (rc == Z_BUF_ERROR) throw CodecError("zlib: output buffer too small");
        if (rc != Z_OK) throw CodecError("zlib: compress2 failed with code " + std::to_string(rc));
        return static_cast<std::size_t>(outLen);
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        checkTensorDesc(d);
        std::uint8_t scratch[1];
        uLongf outLen = static_cast<uLongf>(d.bytes());
        uLong inLen = static_cast<uLong>(src.size());
        Bytef* out = d.bytes() == 0 ? scratch : static_cast<Bytef*>(dst);
        const int rc = uncompress2(out, &outLen, nonNull(src.data()), &inLen);
        if (rc != Z_OK)
            throw CodecError(std::string("zlib: corrupt or truncated stream (") + zError(rc) + ")");
        if (outLen != d.bytes())
            throw CodecError("zlib: stream holds " + std::to_string(outLen) + " bytes, expected " +
                             std::to_string(d.bytes()));
        if (inLen != src.size())
            throw CodecError("zlib: " + std::to_string(src.size() - inLen) + " bytes after the stream");
    }
    using Codec::compress;
    using Codec::decompress;

private:
    int level_;
};

void checkIntSize(std::uint64_t bytes, const char* codec)
{
    if (bytes > static_cast<std::uint64_t>(LZ4_MAX_INPUT_SIZE))
        throw CodecError(std::string(codec) + ": tensor larger than the format's 2 GB block limit");
}

class Lz4Codec final : public Codec {
public:
    explicit Lz4Codec(int acceleration) : acceleration_(acceleration) {}
    CodecId id() const override { return CodecId::lz4; }
    std::string label() const override { return "lz4-a" + std::to_string(acceleration_); }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        checkTensorDesc(d);
        checkIntSize(d.bytes(), "LZ4");
        return static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(d.bytes())));
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        checkTensorDesc(d);
        checkIntSize(d.bytes(), "LZ4");
        const int cap = dst.size() > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(dst.size());
        char scratch[1];
        char* out = dst.empty() ? scratch : reinterpret_cast<char*>(dst.data());
        const int n = LZ4_compress_fast(reinterpret_cast<const char*>(nonNull(src)), out, static_cast<int>(d.bytes()),
                                        cap, acceleration_);
        if (n <= 0) throw CodecError("LZ4: output buffer too small");
        return static_cast<std::size_t>(n);
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        checkTensorDesc(d);
        checkIntSize(d.bytes(), "LZ4");
        if (src.size() > static_cast<std::size_t>(INT_MAX)) throw CodecError("LZ4: stream too large");
        char scratch[1];
        char* out = d.bytes() == 0 ? scratch : static_cast<char*>(dst);
        const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(nonNull(src.data())), out,
                                          static_cast<int>(src.size()), static_cast<int>(d.bytes()));
        if (n < 0) throw CodecError("LZ4: corrupt or truncated block");
        if (static_cast<std::uint64_t>(n) != d.bytes())
            throw CodecError("LZ4: block holds " + std::to_string(n) + " bytes, expected " + std::to_string(d.bytes()));
    }
    using Codec::compress;
    using Codec::decompress;

private:
    int acceleration_;
};

class ZstdCodec final : public Codec {
public:
    explicit ZstdCodec(int level) : level_(level) {}
    CodecId id() const override { return CodecId::zstd; }
    std::string label() const override { return "zstd-" + std::to_string(level_); }
    std::size_t maxCompressedBytes(const TensorDesc& d) const override
    {
        checkTensorDesc(d);
        return ZSTD_compressBound(static_cast<std::size_t>(d.bytes()));
    }
    std::size_t compress(const TensorDesc& d, const void* src, std::span<std::uint8_t> dst) const override
    {
        checkTensorDesc(d);
        const std::size_t n = ZSTD_compressCCtx(zstdContexts().c, dst.data(), dst.size(), nonNull(src),
                                                static_cast<std::size_t>(d.bytes()), level_);
        if (ZSTD_isError(n)) throw CodecError(std::string("zstd: ") + ZSTD_getErrorName(n));
        return n;
    }
    void decompress(const TensorDesc& d, std::span<const std::uint8_t> src, void* dst) const override
    {
        checkTensorDesc(d);
        // The frame header's content size must agree before anything is decoded.
        const unsigned long long declared = ZSTD_getFrameContentSize(nonNull(src.data()), src.size());
        if (declared == ZSTD_CONTENTSIZE_ERROR)
            throw CodecError("zstd: not a zstd frame");
        if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != d.bytes())
            throw CodecError("zstd: frame declares " + std::to_string(declared) + " bytes, expected " +
                             std::to_string(d.bytes()));
        std::uint8_t scratch[1];
        void* out = d.bytes() == 0 ? scratch : dst;
        const std::size_t n = ZSTD_decompressDCtx(zstdContexts().d, out, static_cast<std::size_t>(d.bytes()),
                                                  nonNull(src.data()), src.size());
        if (ZSTD_isError(n)) throw CodecError(std::string("zstd: ") + ZSTD_getErrorName(n));
        if (n != d.bytes())
            throw CodecError("zstd: frame holds " + std::to_string(n) + " bytes, expected " + std::to_string(d.bytes()));
    }
    using Codec::compress;
    using Codec::decompress;

private:
    int level_;
};

} // namespace

std::unique_ptr<Codec> makeZlibCodec(int level)
{
    return std::make_unique<ZlibCodec>(level);
}
std::unique_ptr<Codec> makeLz4Codec(int acceleration)
{
    return std::make_unique<Lz4Codec>(acceleration);
}
std::unique_ptr<Codec> makeZstdCodec(int level)
{
    return std::make_unique<ZstdCodec>(level);
}

} // namespace offload::detail
