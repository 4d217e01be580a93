#pragma once
// Codecs for whole activation tensors (docs/codecs.md). A compressed stream carries no header:
// the caller knows the tensor it stored (element type, count, and for JPEG-ACT the shape), as
// an offload engine does, so stream sizes are exactly what the papers' formats predict.
// Every decoder checks everything it reads against that description and throws CodecError on
// a stream that is truncated, too long or inconsistent; none reads or writes out of bounds.
#include "codec_id.h"
#include "core/dtype.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace offload {

class CodecError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class TensorLayout { nchw, nhwc };

// What a codec needs to know about the tensor. n/c/h/w matter to JPEG-ACT only (its DCT runs
// over each channel's H x W map); when they are all 0 a tensor is treated as one 1 x elements
// channel. When given, n*c*h*w must equal `elements`.
struct TensorDesc {
    DType dtype = DType::fp32;
    std::uint64_t elements = 0;
    std::int64_t n = 0, c = 0, h = 0, w = 0;
    TensorLayout layout = TensorLayout::nchw;

    std::uint64_t bytes() const { return elements * bytesPerElement(dtype); }
    static TensorDesc flat(DType t, std::uint64_t count);
};

// Error of a lossy reconstruction against the original, over all elements, in the tensor's own
// units. PSNR uses the original's peak-to-peak range as the signal peak (infinite when exact).
struct ErrorMetrics {
    double rmse = 0;
    double max_abs_error = 0;
    double psnr_db = 0;
};

class Codec {
public:
    virtual ~Codec() = default;

    virtual CodecId id() const = 0;
    // Name with parameters where they change the stream, e.g. "zvc", "jpeg-act-q90", "dpr-fp8".
    virtual std::string label() const = 0;
    bool lossless() const { return isLossless(id()); }
    // Which element types the codec accepts (all three unless it says otherwise).
    virtual bool supports(DType) const { return true; }

    // Largest stream compress() can write for this tensor; a buffer this large always suffices.
    virtual std::size_t maxCompressedBytes(const TensorDesc& desc) const = 0;
    // Compresses desc.bytes() at `src` into `dst`; returns the bytes written. Throws CodecError
    // if `dst` is too small or the description is invalid for this codec.
    virtual std::size_t compress(const TensorDesc& desc, const void* src, std::span<std::uint8_t> dst) const = 0;
    // Reconstructs the tensor into `dst` (desc.bytes() bytes). Throws CodecError on any stream
    // that compress() could not have produced for this description.
    virtual void decompress(const TensorDesc& desc, std::span<const std::uint8_t> src, void* dst) const = 0;

    std::vector<std::uint8_t> compress(const TensorDesc& desc, const void* src) const;
    std::vector<std::uint8_t> decompress(const TensorDesc& desc, std::span<const std::uint8_t> src) const;
};

std::unique_ptr<Codec> makeCodec(CodecId id, const CodecParams& params = {});

// Throws CodecError unless desc is well-formed (shape product equals elements, bytes fit size_t).
void checkTensorDesc(const TensorDesc& desc);

// Element access in double precision, for metrics and tests.
double elementAsDouble(DType t, const void* data, std::uint64_t index);
ErrorMetrics measureError(const TensorDesc& desc, const void* original, const void* reconstructed);

// Elements whose bits are all zero (+0.0; -0.0 is not zero to ZVC and is counted as non-zero).
std::uint64_t countZeros(DType t, const void* data, std::uint64_t elements);

} // namespace offload
