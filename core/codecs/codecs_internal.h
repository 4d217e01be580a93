#pragma once
// Factories of the concrete codecs; makeCodec (codec_factory.cpp) is the public entry point.
#include "codec.h"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace offload::detail {

std::unique_ptr<Codec> makeZvcCodec();
// `vector`: the encoder finds zeros with AVX2 where the CPU has it (false: portable; same bytes).
std::unique_ptr<Codec> makeRleCodec(bool vector = true);
std::unique_ptr<Codec> makeZlibCodec(int level);
std::unique_ptr<Codec> makeLz4Codec(int acceleration);
std::unique_ptr<Codec> makeZstdCodec(int level);
std::unique_ptr<Codec> makeJpegActCodec(int quality, bool shiftTables);
// `vector`: the F16C / AVX2 conversions where the CPU has them; false forces the portable ones
// (benchmarks and tests compare the two; both give the same bytes).
std::unique_ptr<Codec> makeDprCodec(DprFormat format, bool vector = true);
std::unique_ptr<Codec> makeNoneCodec();

// fp32 <-> fp16 for DPR, `n` elements. With `vector` (and a CPU with F16C) 8 at a time in
// hardware; any group of 8 holding a NaN goes through the portable conversion, so both give
// the same bits for every input (the portable one fixes NaN payloads). Exposed for tests.
void floatsToHalves(const float* in, std::uint16_t* out, std::size_t n, bool vector);
void halvesToFloats(const std::uint16_t* in, float* out, std::size_t n, bool vector);
bool f16cAvailable();
// fp32 <-> bf16 and fp32 <-> fp8 E4M3 for DPR, the same way: with `vector` (and AVX2) 8 to 32
// at a time, bit for bit the portable conversions of float_formats.h, NaNs included.
void floatsToBf16(const float* in, std::uint16_t* out, std::size_t n, bool vector);
void bf16ToFloats(const std::uint16_t* in, float* out, std::size_t n, bool vector);
void floatsToFp8e4m3(const float* in, std::uint8_t* out, std::size_t n, bool vector);
void fp8e4m3ToFloats(const std::uint8_t* in, float* out, std::size_t n, bool vector);
bool dprAvx2Available();

// Throws CodecError when `available` < `needed`; `what` names the stream part being read.
void requireBytes(std::size_t available, std::size_t needed, const char* what);

} // namespace offload::detail
