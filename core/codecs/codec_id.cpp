#include "codec_id.h"

#include <array>
#include <utility>

namespace offload {

namespace {
constexpr std::array<std::pair<CodecId, std::string_view>, 8> kCodecNames{{
    {CodecId::none, "none"},
    {CodecId::zvc, "zvc"},
    {CodecId::rle, "rle"},
    {CodecId::zlib, "zlib"},
    {CodecId::lz4, "lz4"},
    {CodecId::zstd, "zstd"},
    {CodecId::jpeg_act, "jpeg-act"},
    {CodecId::dpr, "dpr"},
}};

constexpr std::array<std::pair<DprFormat, std::string_view>, 3> kDprNames{{
    {DprFormat::fp16, "fp16"},
    {DprFormat::bf16, "bf16"},
    {DprFormat::fp8_e4m3, "fp8"},
}};
} // namespace

std::string_view codecName(CodecId id)
{
    for (const auto& [c, n] : kCodecNames)
        if (c == id) return n;
    return "none";
}

std::optional<CodecId> parseCodecId(std::string_view name)
{
    for (const auto& [c, n] : kCodecNames)
        if (n == name) return c;
    // "jpeg_act" is accepted too: it is the enumerator's spelling and easy to type by mistake.
    if (name == "jpeg_act") return CodecId::jpeg_act;
    return std::nullopt;
}

const std::vector<CodecId>& allCodecIds()
{
    static const std::vector<CodecId> ids = [] {
        std::vector<CodecId> v;
        for (const auto& entry : kCodecNames) v.push_back(entry.first);
        return v;
    }();
    return ids;
}

bool isLossless(CodecId id)
{
    return id != CodecId::jpeg_act && id != CodecId::dpr;
}

std::string_view dprFormatName(DprFormat f)
{
    for (const auto& [d, n] : kDprNames)
        if (d == f) return n;
    return "fp16";
}

std::optional<DprFormat> parseDprFormat(std::string_view name)
{
    for (const auto& [d, n] : kDprNames)
        if (n == name) return d;
    if (name == "fp8_e4m3" || name == "e4m3") return DprFormat::fp8_e4m3;
    return std::nullopt;
}

} // namespace offload
