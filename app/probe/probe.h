#pragma once
// Shared pieces of the offload-probe subcommands.
#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>

namespace offload::probe {

// 77 is CTest's skip code: smoke tests of offload-probe report "skipped", not "failed", on
// machines without a GPU.
enum ExitCode : int { kSuccess = 0, kFailure = 1, kBadInput = 2, kNoDevice = 77 };

void addCalibrateCommand(CLI::App& app, int& exitCode);
void addReplayCommand(CLI::App& app, int& exitCode);

// Current UTC time as ISO 8601 ("2026-01-01T12:00:00Z").
std::string utcNow();
std::string formatRate(double bytesPerSecond); // "12.34 GB/s"

} // namespace offload::probe
