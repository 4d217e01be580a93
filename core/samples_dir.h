#pragma once
#include <filesystem>

namespace offload {

// The bundled samples (networks/, scenarios/, tensors/) for a program in `executableDir`: the
// installed layout <prefix>/bin/PROGRAM and <prefix>/share/offload-studio/samples, else the
// source tree the build came from. One rule for the window and the command line.
std::filesystem::path bundledSamplesDir(const std::filesystem::path& executableDir);

} // namespace offload
