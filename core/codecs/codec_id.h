#pragma once
// Names and parameters of the codecs, shared by the real codecs (codec.h), their analytical
// ratio models (ratio_model.h), the simulator and the front ends.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace offload {

enum class CodecId { none, zvc, rle, zlib, lz4, zstd, jpeg_act, dpr };

// Command-line and file names: none, zvc, rle, zlib, lz4, zstd, jpeg-act, dpr.
std::string_view codecName(CodecId id);
std::optional<CodecId> parseCodecId(std::string_view name);
const std::vector<CodecId>& allCodecIds();
bool isLossless(CodecId id);

// DPR (GIST's delayed precision reduction) storage formats.
enum class DprFormat { fp16, bf16, fp8_e4m3 };
std::string_view dprFormatName(DprFormat f);
std::optional<DprFormat> parseDprFormat(std::string_view name);

struct CodecParams {
    int jpeg_quality = 90;          // JPEG-ACT: 95, 90, 80 or 50 (standard JPEG tables)
    bool jpeg_shift_tables = false; // JPEG-ACT: power-of-two "SH" tables instead of JPEG's
    DprFormat dpr = DprFormat::fp16;
    int zlib_level = 6;
    int zstd_level = 3;
    int lz4_acceleration = 1;
};

} // namespace offload
