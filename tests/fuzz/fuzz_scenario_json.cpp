// Scenario files with an embedded network: any byte string either loads into a scenario that
// simulates (summary fields finite, events in order) or throws InputError. The scenario
// reader resolves referenced files relative to the input; the fuzzer feeds embedded networks.
#include "core/input_error.h"
#include "core/json_reader.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const offload::sim::Scenario s =
            offload::sim::scenarioFromJson(offload::parseJsonText(text, "fuzz.json"), "/nonexistent/fuzz.json");
        // Keep one input cheap: huge batches or layer counts are valid but slow, not bugs.
        if (s.network->size() > 64 || s.batch > 4096)
            return 0;
        const offload::sim::Result r = offload::sim::simulate(s);
        if (!std::isfinite(r.summary.iteration_s) || r.summary.iteration_s < 0)
            std::abort();
        (void)offload::sim::scenarioToJson(s);
    } catch (const offload::InputError&) {
    }
    return 0;
}
