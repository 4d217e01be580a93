#pragma once
// Binary byte units (KiB, MiB, GiB: 2^10, 2^20, 2^30 bytes), the units of GPU memory sizes and
// of every memory figure the project prints. Bandwidths stay decimal (GB/s = 10^9 bytes per
// second), as link and DRAM data sheets quote them.
#include <cstdint>
#include <string>

namespace offload {

inline constexpr double kBytesPerKiB = 1024.0;
inline constexpr double kBytesPerMiB = 1024.0 * 1024.0;
inline constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;

constexpr double bytesToMiB(double bytes) { return bytes / kBytesPerMiB; }
constexpr double bytesToGiB(double bytes) { return bytes / kBytesPerGiB; }

// The number alone, with two decimals, for tables and messages that name the unit themselves:
// formatMiB(3 << 20) == "3.00", formatGiB(1.5 * 2^30) == "1.50".
std::string formatMiB(double bytes);
std::string formatGiB(double bytes);
// With the unit that suits the size: "1.23 GiB", "456.0 MiB", "12.0 KiB", "512 B".
std::string formatBytes(std::uint64_t bytes);

} // namespace offload
