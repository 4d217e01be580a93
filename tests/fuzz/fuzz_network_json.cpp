// Network files: any byte string either becomes a validated NetworkModel (whose derived
// numbers are then used as the simulator would use them) or throws InputError. Nothing else:
// no crash, no other exception, no hang on huge shapes.
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const offload::NetworkModel model(
            offload::networkFromJson(offload::parseJsonText(text, "fuzz.json"), "fuzz.json"), "fuzz.json");
        for (int i = 0; i < static_cast<int>(model.size()); ++i) {
            (void)model.outputBytes(i, 64, offload::DType::fp32);
            (void)model.provenance(i);
        }
        const auto sparsity = model.sparsityAt(0.5);
        for (double s : sparsity)
            if (!(s >= 0 && s <= 1))
                std::abort();
        (void)offload::networkToJson(model.network());
    } catch (const offload::InputError&) {
    }
    return 0;
}
