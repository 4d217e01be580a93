#pragma once
// Small builders shared by the simulator tests: networks and scenarios written in code, with
// round numbers.
#include "core/network_json.h"
#include "sim/scenario.h"

#include <memory>
#include <nlohmann/json.hpp>

namespace offload::sim::test {

// A layer of kind "generic" with an explicit output of `elements` values and measured times
// (batch 1), so that sizes and durations are exactly what the test says.
inline nlohmann::json genericLayer(const std::string& name, std::int64_t elements, double forwardS, double backwardS,
                                   const std::string& kind = "generic")
{
    nlohmann::json layer = {{"name", name},
                            {"kind", kind},
                            {"measured_times", {{"forward_s", forwardS}, {"backward_s", backwardS}, {"batch", 1}}}};
    if (kind == "generic") {
        layer["output_shape"] = {elements};
        layer["flops"] = 0;
    }
    return layer;
}

inline std::shared_ptr<const NetworkModel> networkFrom(const nlohmann::json& layers, std::int64_t inputElements)
{
    nlohmann::json doc = {{"format", "offload-studio/network"},
                          {"version", 1},
                          {"name", "test chain"},
                          {"input", {{"shape", {inputElements}}}},
                          {"layers", layers}};
    return std::make_shared<const NetworkModel>(networkFromJson(doc, "test-network"), "test-network");
}

// Titan X numbers do not matter with measured times; the link is 1 GB/s, no latency, so that
// 1 MB takes exactly 1 ms.
inline Scenario roundScenario(std::shared_ptr<const NetworkModel> network)
{
    Scenario s;
    s.name = "round numbers";
    s.network = std::move(network);
    s.batch = 1;
    s.gpu = *findGpuPreset("titan-x-maxwell");
    s.link.id = "custom";
    s.link.name = "1 GB/s";
    s.link.d2h_bytes_per_s = s.link.h2d_bytes_per_s = 1e9;
    s.link.latency_s = 0;
    s.policy = OffloadPolicy::all;
    return s;
}

} // namespace offload::sim::test
