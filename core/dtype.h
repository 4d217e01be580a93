#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace offload {

// Element type of activations and weights during training.
enum class DType { fp32, fp16, bf16 };

constexpr std::uint64_t bytesPerElement(DType t)
{
    return t == DType::fp32 ? 4 : 2;
}

constexpr std::string_view dtypeName(DType t)
{
    switch (t) {
    case DType::fp32: return "fp32";
    case DType::fp16: return "fp16";
    case DType::bf16: return "bf16";
    }
    return "fp32";
}

inline std::optional<DType> parseDType(std::string_view s)
{
    if (s == "fp32") return DType::fp32;
    if (s == "fp16") return DType::fp16;
    if (s == "bf16") return DType::bf16;
    return std::nullopt;
}

} // namespace offload
