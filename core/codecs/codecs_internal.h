#pragma once
// Factories of the concrete codecs; makeCodec (codec_factory.cpp) is the public entry point.
#include "codec.h"

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

// Throws CodecError when `available` < `needed`; `what` names the stream part being read.
void requireBytes(std::size_t available, std::size_t needed, const char* what);

} // namespace offload::detail
