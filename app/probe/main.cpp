// offload-probe: measure a real NVIDIA GPU and replay simulated iterations on it. Exit codes:
// 0 success, 2 bad usage or input file, 77 no usable GPU, 1 any other failure.
#include "probe.h"

#include "core/version.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace offload::probe {

std::string utcNow()
{
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string formatRate(double bytesPerSecond)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f GB/s", bytesPerSecond / 1e9);
    return buf;
}

} // namespace offload::probe

int main(int argc, char** argv)
{
    using namespace offload::probe;
    CLI::App app{"offload-probe: measure this machine's GPU and check the simulator against it"};
    app.set_version_flag("--version", std::string("offload-probe ") + offload::kVersion);
    app.require_subcommand(1);
    app.failure_message(CLI::FailureMessage::help);
    int exitCode = kSuccess;
    addCalibrateCommand(app, exitCode);
    addReplayCommand(app, exitCode);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : kBadInput;
    }
    return exitCode;
}
