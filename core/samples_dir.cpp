#include "samples_dir.h"

#include "core/version.h"

namespace offload {

std::filesystem::path bundledSamplesDir(const std::filesystem::path& executableDir)
{
    std::error_code ec;
    const auto installed = executableDir / ".." / "share" / "offload-studio" / "samples";
    if (std::filesystem::exists(installed / "networks", ec) && std::filesystem::exists(installed / "scenarios", ec))
        return std::filesystem::weakly_canonical(installed, ec);
    return kSamplesDir;
}

} // namespace offload
