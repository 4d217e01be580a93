#pragma once
// Device profiles: what `offload-probe calibrate` measured on a real GPU, in the format
// "offload-studio/device" version 1 (docs/gpu.md). The simulator and the GUI load one as a GPU
// preset ("measured: <device name>"), as a host link, and as measured layer times.
#include "devices.h"
#include "network.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace offload {

inline constexpr std::string_view kDeviceProfileFormat = "offload-studio/device";
inline constexpr int kDeviceProfileVersion = 1;

// Bandwidth of one pinned-memory copy of `bytes` bytes (one call, including its fixed cost).
struct BandwidthPoint {
    std::uint64_t bytes = 0;
    double bytes_per_s = 0;
};

// GPU ZVC throughput on a synthetic fp32 tensor with a given fraction of zeros.
struct ZvcThroughput {
    double sparsity = 0;
    std::uint64_t tensor_bytes = 0;    // uncompressed size of the tensor
    double compress_bytes_per_s = 0;   // uncompressed bytes per second
    double decompress_bytes_per_s = 0; // uncompressed bytes per second
    double d2d_copy_bytes_per_s = 0;   // device-to-device cudaMemcpy of the same size, same run
};

struct DeviceProfile {
    std::string device_name;        // as the driver reports it ("NVIDIA H100 80GB HBM3")
    std::string compute_capability; // "9.0"
    int sm_count = 0;
    std::string measured_at; // ISO 8601, UTC
    std::string tool;        // program and version that measured ("offload-probe 0.1.0")

    // peak_flops, peak_flops_fp16, dram_bytes_per_s, memory_bytes, the efficiencies and a
    // citation saying what was measured and what is a data-sheet or derived number.
    GpuSpec gpu;

    std::vector<BandwidthPoint> h2d; // increasing bytes
    std::vector<BandwidthPoint> d2h;
    double link_latency_s = 0; // fixed cost per copy, fitted to the curves
    bool full_duplex = true;   // H2D and D2H measured running at once without slowing down

    std::vector<ZvcThroughput> zvc;

    // Forward and backward time of conv and fc layers at a batch, by layer name.
    std::string layer_times_network; // name of the network they were measured for
    std::string layer_times_method;  // how: "cudnn-conv+cublas-fc" or "cublas-gemm" (docs/gpu.md)
    std::map<std::string, MeasuredTimes> layer_times;
};

// Reading is strict (unknown keys, types and ranges are errors) and every error is an
// InputError naming `fileLabel` and the JSON pointer of the value.
DeviceProfile deviceProfileFromJson(const nlohmann::json& document, const std::string& fileLabel);
DeviceProfile loadDeviceProfileFile(const std::filesystem::path& path);
nlohmann::json deviceProfileToJson(const DeviceProfile& profile);
void saveDeviceProfileFile(const DeviceProfile& profile, const std::filesystem::path& path); // atomic

// The profile as a GPU preset: id "measured", name "measured: <device name>".
GpuSpec gpuSpecFromProfile(const DeviceProfile& profile);
// The profile as a host link: the bandwidth of the largest measured copy in each direction
// (what large activations see) and the fitted fixed cost per copy.
LinkSpec linkSpecFromProfile(const DeviceProfile& profile);
// Bandwidth for a copy of `bytes`: interpolated in log(size) between measured points, clamped
// at the ends. 0 when the curve is empty.
double bandwidthAt(const std::vector<BandwidthPoint>& curve, std::uint64_t bytes);
// A conservative GPU ZVC engine rate for the simulator (EngineKind::sm): the lowest of the
// measured compress and decompress rates. 0 when nothing was measured.
double zvcEngineBytesPerSecond(const DeviceProfile& profile);

struct AppliedLayerTimes {
    int applied = 0;
    std::vector<std::string> unknown_layers; // names in the profile that the network does not have
};
// Sets Layer::measured_times of every network layer the profile has a time for.
AppliedLayerTimes applyMeasuredLayerTimes(Network& network, const DeviceProfile& profile);

} // namespace offload
