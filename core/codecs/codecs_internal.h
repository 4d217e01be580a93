#pragma once
// Factories of the concrete codecs; makeCodec (codec_factory.cpp) is the public entry point.
#include "codec.h"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace offload::detail {

std::unique_ptr<Codec> makeZvcCodec();
std::unique_ptr<Codec> makeRleCodec();
std::unique_ptr<Codec> makeZlibCodec(int level);
std::unique_ptr<Codec> makeLz4Codec(int acceleration);
std::unique_ptr<Codec> makeZstdCodec(int level);
std::unique_ptr<Codec> makeJpegActCodec(int quality, bool shiftTables);
std::unique_ptr<Codec> makeDprCodec(DprFormat format);
std::unique_ptr<Codec> makeNoneCodec();

// fp32 <-> fp16 for DPR, `n` elements. With `vector` (and a CPU with F16C) 8 at a time in
// hardware; any group of 8 holding a NaN goes through the portable conversion, so both give
// the same bits for every input (the portable one fixes NaN payloads). Exposed for tests.
void floatsToHalves(const float* in, std::uint16_t* out, std::size_t n, bool vector);
void halvesToFloats(const std::uint16_t* in, float* out, std::size_t n, bool vector);
bool f16cAvailable();

// Throws CodecError when `available` < `needed`; `what` names the stream part being read.
void requireBytes(std::size_t available, std::size_t needed, const char* what);

} // namespace offload::detail
