#include "codec.h"

#include "float_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace offload {

TensorDesc TensorDesc::flat(DType t, std::uint64_t count)
{
    TensorDesc d;
    d.dtype = t;
    d.elements = count;
    return d;
}

void checkTensorDesc(const TensorDesc& desc)
{
    // 2^48 elements (1 PiB of fp32) is far beyond any tensor, and keeps every size a codec
    // computes from the count (at most a few hundred bytes per element) far from wrapping.
    constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 48;
    if (desc.elements > kMaxElements)
        throw CodecError("tensor too large: " + std::to_string(desc.elements) + " elements");
    const bool anyDim = desc.n != 0 || desc.c != 0 || desc.h != 0 || desc.w != 0;
    if (anyDim) {
        if (desc.n <= 0 || desc.c <= 0 || desc.h <= 0 || desc.w <= 0)
            throw CodecError("tensor shape must have positive n, c, h, w");
        // Divide instead of multiplying so an absurd shape cannot overflow.
        std::uint64_t rest = desc.elements;
        for (std::int64_t dim : {desc.n, desc.c, desc.h, desc.w}) {
            const auto u = static_cast<std::uint64_t>(dim);
            if (rest % u != 0)
                throw CodecError("tensor shape does not match its element count");
            rest /= u;
        }
        if (rest != 1)
            throw CodecError("tensor shape does not match its element count");
    }
}

std::vector<std::uint8_t> Codec::compress(const TensorDesc& desc, const void* src) const
{
    std::vector<std::uint8_t> out(maxCompressedBytes(desc));
    out.resize(compress(desc, src, std::span<std::uint8_t>(out)));
    return out;
}

std::vector<std::uint8_t> Codec::decompress(const TensorDesc& desc, std::span<const std::uint8_t> src) const
{
    checkTensorDesc(desc);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(desc.bytes()));
    decompress(desc, src, out.data());
    return out;
}

double elementAsDouble(DType t, const void* data, std::uint64_t index)
{
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    switch (t) {
    case DType::fp32: {
        float f;
        std::memcpy(&f, bytes + index * 4, 4);
        return f;
    }
    case DType::fp16: {
        std::uint16_t h;
        std::memcpy(&h, bytes + index * 2, 2);
        return halfToFloat(h);
    }
    case DType::bf16: {
        std::uint16_t b;
        std::memcpy(&b, bytes + index * 2, 2);
        return bf16ToFloat(b);
    }
    }
    return 0;
}

ErrorMetrics measureError(const TensorDesc& desc, const void* original, const void* reconstructed)
{
    ErrorMetrics m;
    if (desc.elements == 0) {
        m.psnr_db = std::numeric_limits<double>::infinity();
        return m;
    }
    double sumSq = 0, maxAbs = 0;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::uint64_t i = 0; i < desc.elements; ++i) {
        const double a = elementAsDouble(desc.dtype, original, i);
        const double b = elementAsDouble(desc.dtype, reconstructed, i);
        const double e = a - b;
        sumSq += e * e;
        maxAbs = std::max(maxAbs, std::abs(e));
        lo = std::min(lo, a);
        hi = std::max(hi, a);
    }
    m.rmse = std::sqrt(sumSq / static_cast<double>(desc.elements));
    m.max_abs_error = maxAbs;
    // A constant tensor has no range; use its magnitude (or 1) so PSNR stays defined.
    double peak = hi - lo;
    if (!(peak > 0)) peak = std::max(std::abs(hi), 1.0);
    m.psnr_db = m.rmse > 0 ? 20.0 * std::log10(peak / m.rmse) : std::numeric_limits<double>::infinity();
    return m;
}

std::uint64_t countZeros(DType t, const void* data, std::uint64_t elements)
{
    std::uint64_t zeros = 0;
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    if (bytesPerElement(t) == 4) {
        for (std::uint64_t i = 0; i < elements; ++i) {
            std::uint32_t v;
            std::memcpy(&v, bytes + i * 4, 4);
            zeros += v == 0;
        }
    } else {
        for (std::uint64_t i = 0; i < elements; ++i) {
            std::uint16_t v;
            std::memcpy(&v, bytes + i * 2, 2);
            zeros += v == 0;
        }
    }
    return zeros;
}

} // namespace offload
