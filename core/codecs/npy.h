#pragma once
// NumPy .npy reader (format versions 1.0, 2.0 and 3.0). Accepted element types: '<f4'
// (fp32), '<f2' (fp16), '<u2' read as bf16 bits when NpyOptions::u2_as_bf16 is set, and '|u1'
// (bytes). C and Fortran order; Fortran arrays are reordered to C order on reading.
// Everything is checked before memory is reserved for the data: magic, version, header length
// against the file, the header dictionary's syntax and keys, the dtype, and the shape's element
// count times the item size against the bytes that follow the header. Errors are InputError
// naming the file and the byte offset or header field.
#include "core/dtype.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace offload {

enum class NpyElement { f32, f16, bf16, u8 };

struct NpyOptions {
    bool u2_as_bf16 = false; // '<u2' arrays hold bfloat16 bits (NumPy has no bfloat16 dtype)
};

struct NpyArray {
    std::string file;
    int major_version = 1;
    std::string descr;               // as written in the header, e.g. "<f4"
    NpyElement element = NpyElement::f32;
    bool fortran_order = false;      // of the file; `data` is always in C order
    std::vector<std::uint64_t> shape;
    std::vector<std::uint8_t> data;  // little-endian elements, C order

    std::uint64_t elements() const;
    std::uint64_t itemBytes() const;
    // The DType a codec sees: u8 arrays have none (returns false); use toFloat32 for them.
    bool codecDType(DType& out) const;
    // Every element converted to fp32 (exact for all accepted types).
    std::vector<float> toFloat32() const;
};

NpyArray readNpyFile(const std::string& path, const NpyOptions& options = {});
// `name` is used in error messages only.
NpyArray parseNpy(std::span<const std::uint8_t> bytes, const std::string& name, const NpyOptions& options = {});

std::string_view npyElementName(NpyElement e);

} // namespace offload
