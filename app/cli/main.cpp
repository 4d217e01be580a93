// offload-sim: the command-line front end. Exit codes: 0 success, 2 bad usage or bad input
// file, 1 any other failure; errors go to stderr.
#include "command.h"

#include "core/input_error.h"
#include "core/version.h"
#include "core/json_reader.h"

#include <cstdio>
#include <iostream>

namespace offload::cli {

void writeOutput(const std::string& pathOrDash, const std::string& text)
{
    if (pathOrDash == "-") {
        std::cout << text;
        std::cout.flush();
        return;
    }
    writeFileAtomically(pathOrDash, text);
}

std::string formatFixed(double value, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

} // namespace offload::cli

int main(int argc, char** argv)
{
    using namespace offload::cli;
    CLI::App app{"offload-sim: simulate activation offloading (vDNN, cDMA, JPEG-ACT) from the command line"};
    app.set_version_flag("--version", std::string("offload-sim ") + offload::kVersion);
    app.require_subcommand(1);
    app.failure_message(CLI::FailureMessage::help);

    int exitCode = kSuccess;
    addInfoCommand(app, exitCode);
    addRunCommand(app, exitCode);
    addSweepCommand(app, exitCode);
    addMeasureCommand(app, exitCode);
    addReproduceCommand(app, exitCode);
    addCompareTimesCommand(app, exitCode);
    addImportCommand(app, exitCode);
    addGenerateCommand(app, exitCode);
#ifdef OFFLOAD_HAVE_FIGURE
    addFigureCommand(app, exitCode);
#endif

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" with exit code 0 in CLI11.
        int code = app.exit(e);
        return code == 0 ? kSuccess : kBadInput;
    } catch (const offload::InputError& e) {
        std::cerr << "offload-sim: " << e.what() << "\n";
        return kBadInput;
    } catch (const Failure& e) {
        std::cerr << "offload-sim: " << e.what() << "\n";
        return kFailure;
    } catch (const std::exception& e) {
        std::cerr << "offload-sim: " << e.what() << "\n";
        return kFailure;
    }
    return exitCode;
}
