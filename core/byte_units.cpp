#include "byte_units.h"

#include <cstdio>

namespace offload {

namespace {
std::string twoDecimals(double value)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", value);
    return buf;
}
} // namespace

std::string formatMiB(double bytes) { return twoDecimals(bytesToMiB(bytes)); }

std::string formatGiB(double bytes) { return twoDecimals(bytesToGiB(bytes)); }

std::string formatBytes(std::uint64_t bytes)
{
    const double b = static_cast<double>(bytes);
    char buf[64];
    if (b >= kBytesPerGiB)
        std::snprintf(buf, sizeof buf, "%.2f GiB", bytesToGiB(b));
    else if (b >= kBytesPerMiB)
        std::snprintf(buf, sizeof buf, "%.1f MiB", bytesToMiB(b));
    else if (b >= kBytesPerKiB)
        std::snprintf(buf, sizeof buf, "%.1f KiB", b / kBytesPerKiB);
    else
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    return buf;
}

} // namespace offload
