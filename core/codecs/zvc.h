#pragma once
// Zero-value compression (cDMA, Rhu et al., HPCA 2018): groups of 32 elements, each a little-endian
// 32-bit mask (bit i set = element i is non-zero) followed by the non-zero elements in order.
// A last partial group has mask bits only for the elements that exist. "Zero" means all bits
// zero, so the codec is bit-exact for every input (-0.0 and NaNs are stored as non-zeros).
//
// Three implementations produce identical streams: a portable one, an AVX2 one (table-driven
// permutes) and an AVX-512 one (VPCOMPRESS/VPEXPAND, AVX512-VBMI2 for 16-bit elements); the
// best the CPU has is chosen at run time.
#include <cstddef>
#include <cstdint>
#include <span>

namespace offload::zvc {

enum class Path { automatic, portable, avx2, avx512 };

// Whether this CPU can run the AVX-512 or the AVX2 path (checked once).
bool avx512Available();
bool avx2Available();

// Exact stream size: 4 bytes per started group of 32 plus elementBytes per non-zero.
constexpr std::uint64_t compressedBytes(std::uint64_t elements, std::uint64_t nonZeros, std::uint32_t elementBytes)
{
    return (elements + 31) / 32 * 4 + nonZeros * elementBytes;
}

// elementBytes is 2 or 4. compress returns the bytes written and throws CodecError if dst is
// too small; decompress throws CodecError unless src is exactly a stream compress could have
// written for `elements` elements (no trailing bytes, no mask bits past the end, no stored zero).
// Path::avx512 or Path::avx2 on a CPU without it throws CodecError.
std::size_t compress(const void* src, std::uint64_t elements, std::uint32_t elementBytes, std::span<std::uint8_t> dst,
                     Path path = Path::automatic);
void decompress(std::span<const std::uint8_t> src, std::uint64_t elements, std::uint32_t elementBytes, void* dst,
                Path path = Path::automatic);

} // namespace offload::zvc
