// .npy reader: any byte string either parses into an array whose data size matches its shape,
// or throws InputError. Nothing else (no crash, no other exception, no huge allocation).
#include "core/codecs/npy.h"
#include "core/input_error.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    for (bool bf16 : {false, true}) {
        offload::NpyOptions o;
        o.u2_as_bf16 = bf16;
        try {
            const auto a = offload::parseNpy(std::span<const std::uint8_t>(data, size), "fuzz.npy", o);
            if (a.data.size() != a.elements() * a.itemBytes()) std::abort();
            (void)a.toFloat32();
        } catch (const offload::InputError&) {
        }
    }
    return 0;
}
