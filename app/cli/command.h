#pragma once
// Shared pieces of the offload-sim subcommands. Each subcommand lives in its own file and
// registers itself on the CLI11 app; when it runs it stores its exit code in `exitCode`.
#include "core/byte_units.h" // formatMiB, formatGiB for the tables

#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>

namespace offload::cli {

enum ExitCode : int { kSuccess = 0, kFailure = 1, kBadInput = 2 };

// A failure that is not the user's input (exit code 1), e.g. a codec round-trip mismatch.
class Failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

void addInfoCommand(CLI::App& app, int& exitCode);
void addRunCommand(CLI::App& app, int& exitCode);
void addSweepCommand(CLI::App& app, int& exitCode);
void addMeasureCommand(CLI::App& app, int& exitCode);
void addReproduceCommand(CLI::App& app, int& exitCode);
void addCompareTimesCommand(CLI::App& app, int& exitCode);
void addImportCommand(CLI::App& app, int& exitCode);
void addGenerateCommand(CLI::App& app, int& exitCode);
#ifdef OFFLOAD_HAVE_FIGURE
void addFigureCommand(CLI::App& app, int& exitCode);
#endif

// Writes text to a file atomically, or to stdout for "-".
void writeOutput(const std::string& pathOrDash, const std::string& text);

// A number with a fixed count of decimals, for tables.
std::string formatFixed(double value, int decimals);

} // namespace offload::cli
