#include "codec_tensor.h"

#include <cstring>
#include <utility>

namespace offload {

CodecTensor codecTensor(NpyArray array, const std::string& layout)
{
    CodecTensor t;
    DType dtype = DType::fp32;
    if (array.codecDType(dtype)) {
        t.bytes = std::move(array.data);
    } else {
        const auto f = array.toFloat32();
        t.bytes.resize(f.size() * sizeof(float));
        if (!f.empty()) std::memcpy(t.bytes.data(), f.data(), t.bytes.size());
        dtype = DType::fp32;
    }
    TensorDesc& d = t.desc;
    d.dtype = dtype;
    d.elements = array.elements();
    const auto& s = array.shape;
    const bool nhwc = layout == "NHWC";
    d.layout = nhwc ? TensorLayout::nhwc : TensorLayout::nchw;
    auto dim = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
    if (d.elements == 0) return t;
    if (s.size() == 4) {
        d.n = dim(s[0]);
        d.c = dim(nhwc ? s[3] : s[1]);
        d.h = dim(nhwc ? s[1] : s[2]);
        d.w = dim(nhwc ? s[2] : s[3]);
    } else if (s.size() == 3) { // one sample: CHW or HWC
        d.n = 1;
        d.c = dim(nhwc ? s[2] : s[0]);
        d.h = dim(nhwc ? s[0] : s[1]);
        d.w = dim(nhwc ? s[1] : s[2]);
    } else if (s.size() == 2) {
        d.n = d.c = 1;
        d.h = dim(s[0]);
        d.w = dim(s[1]);
    }
    return t;
}

} // namespace offload
