#pragma once
// NumPy .npz archives (numpy.savez, numpy.savez_compressed): a ZIP file of .npy members, stored
// or deflated. Only what NumPy writes is read: one disk, members stored (method 0) or deflated
// (method 8), sizes from the central directory (NumPy's zip64 local headers are skipped by their
// lengths). Every offset and length is checked against the file before it is used, a deflated
// member may not inflate beyond its stated size (nor that size beyond deflate's 1032:1 limit),
// and every member's CRC-32 is verified. Errors are InputError naming the archive, the member
// and the byte offset.
#include "npy.h"

#include <string>
#include <vector>

namespace offload {

// Names of the .npy members, in archive order.
std::vector<std::string> listNpzMembers(const std::string& path);
// One member as an array; its name in errors is "<archive>:<member>".
NpyArray readNpzMember(const std::string& path, const std::string& member, const NpyOptions& options = {});

} // namespace offload
