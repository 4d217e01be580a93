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

} // namespace offload
