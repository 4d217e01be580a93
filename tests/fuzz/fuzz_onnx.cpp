// ONNX models: any byte string either imports as a Network (whose derived numbers are then used
// as the simulator would use them) or throws InputError naming the file and node. Nothing else:
// no crash, no other exception (protobuf's or shape inference's), no hang on huge dimensions.
#include "core/input_error.h"
#include "core/network_model.h"
#include "core/onnx_import.h"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        offload::OnnxImportResult imported = offload::importOnnxBytes(bytes, "fuzz.onnx");
        const offload::NetworkModel model(std::move(imported.network), "fuzz.onnx");
        for (int i = 0; i < static_cast<int>(model.size()); ++i)
            (void)model.outputBytes(i, 64, offload::DType::fp32);
    } catch (const offload::InputError&) {
    }
    return 0;
}
