// offload-sim compare-times PROFILE NETWORK: measured layer times (offload-probe calibrate)
// next to the delta and roofline estimates for the same GPU, per layer, with the mean error.
#include "command.h"

#include "core/device_profile.h"
#include "core/dtype.h"
#include "core/input_error.h"
#include "core/network_json.h"
#include "sim/model_validation.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

namespace offload::cli {

namespace {

struct CompareOptions {
    std::string profile;
    std::string network;
    std::string dtype = "fp32";
    std::string hierarchy_gpu; // preset whose hierarchy stands in
    std::string json;
};

void runCompare(const CompareOptions& o, int& exitCode)
{
    const DeviceProfile profile = loadDeviceProfileFile(o.profile);
    if (profile.layer_times.empty())
        throw InputError(o.profile, "/layers",
                         "the profile has no measured layer times (run offload-probe calibrate "
                         "with --network)");
    const NetworkModel model = loadNetworkFile(o.network);
    const GpuSpec* preset = nullptr;
    if (!o.hierarchy_gpu.empty()) {
        preset = findGpuPreset(o.hierarchy_gpu);
        if (!preset)
            throw InputError("", "--hierarchy-from", "unknown GPU preset \"" + o.hierarchy_gpu + "\"");
    }
    const sim::TimeValidation v = sim::validateLayerTimes(model, profile, *parseDType(o.dtype), preset);

    if (!o.json.empty()) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& c : v.layers)
            layers.push_back({{"layer", c.layer},
                              {"batch", c.batch},
                              {"measured_s", c.measured_s},
                              {"delta_s", c.delta_s},
                              {"roofline_s", c.roofline_s},
                              {"delta_forward_bound", std::string(sim::boundName(c.delta_bound))}});
        const nlohmann::json j = {{"format", "offload-studio/time-validation"},
                                  {"version", 1},
                                  {"device", profile.device_name},
                                  {"delta_has_hierarchy", v.delta_has_hierarchy},
                                  {"delta_mean_error", v.delta_error},
                                  {"roofline_mean_error", v.roofline_error},
                                  {"layers", layers},
                                  {"missing_layers", v.missing_layers}};
        writeOutput(o.json, j.dump(1) + "\n");
    }
    if (o.json != "-") {
        std::ostringstream out;
        out << "Measured on " << profile.device_name << " (" << o.profile << "), forward + backward per layer\n";
        if (!v.delta_has_hierarchy)
            out << "The profile has no memory hierarchy and no --hierarchy-from: delta falls back to the roofline.\n";
        char line[256];
        std::snprintf(line, sizeof line, "%-20s %6s %12s %12s %8s %12s %8s %8s\n", "layer", "batch", "measured ms",
                      "delta ms", "error", "roofline ms", "error", "bound");
        out << line;
        for (const auto& c : v.layers) {
            std::snprintf(line, sizeof line, "%-20s %6lld %12.3f %12.3f %7.1f%% %12.3f %7.1f%% %8s\n", c.layer.c_str(),
                          static_cast<long long>(c.batch), c.measured_s * 1e3, c.delta_s * 1e3,
                          100 * (c.delta_s / c.measured_s - 1), c.roofline_s * 1e3,
                          100 * (c.roofline_s / c.measured_s - 1), std::string(sim::boundName(c.delta_bound)).c_str());
            out << line;
        }
        out << "Mean |error|: delta " << formatFixed(100 * v.delta_error, 1) << " %, roofline "
            << formatFixed(100 * v.roofline_error, 1) << " %\n";
        for (const auto& name : v.missing_layers)
            out << "Not in the network: " << name << "\n";
        std::cout << out.str();
    }
    exitCode = kSuccess;
}

} // namespace

void addCompareTimesCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<CompareOptions>();
    auto* cmd = app.add_subcommand("compare-times", "Measured layer times of a device profile against the delta and "
                                                    "roofline compute models");
    cmd->add_option("profile", o->profile, "Device profile (offload-probe calibrate) with layer times")->required();
    cmd->add_option("network", o->network, "The network the times were measured for")->required();
    cmd->add_option("--dtype", o->dtype, "Element type the times were measured with")
        ->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
    cmd->add_option("--hierarchy-from", o->hierarchy_gpu,
                    "GPU preset whose memory hierarchy delta uses when the profile has none");
    cmd->add_option("--json", o->json, "Write JSON to FILE, or - for stdout");
    cmd->callback([o, &exitCode] { runCompare(*o, exitCode); });
}

} // namespace offload::cli
