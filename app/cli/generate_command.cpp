// offload-sim generate --blocks N -o NETWORK.json: a generated residual network of 5 x N layers
// (core/synthetic_network.h), for trying the simulator and the window at sizes no real network
// has (a million layers: --blocks 200000).
#include "command.h"

#include "core/network_json.h"
#include "core/synthetic_network.h"

#include <iostream>
#include <memory>

namespace offload::cli {

void addGenerateCommand(CLI::App& app, int& exitCode)
{
    struct Options {
        int blocks = 0;
        std::string out;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("generate", "Write a generated residual network of any size (scale tests)");
    cmd->add_option("--blocks", o->blocks, "Residual blocks of 5 layers each (200000: a million layers)")
        ->required()
        ->check(CLI::Range(1, 20'000'000));
    cmd->add_option("-o,--output", o->out, "Network file to write, or - for stdout")->required();
    cmd->callback([o, &exitCode] {
        const Network network = syntheticResidualNetwork(o->blocks);
        writeOutput(o->out, networkToJson(network).dump(1) + "\n");
        if (o->out != "-")
            std::cout << "Generated " << network.name << ": " << network.layers.size() << " layers in " << o->out << "\n";
        exitCode = kSuccess;
    });
}

} // namespace offload::cli
