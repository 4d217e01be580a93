#pragma once
// A scenario: everything the simulator needs besides the network's own description. Read from
// and written to "offload-studio/scenario" v1 files (docs/formats.md).
#include "conv_algorithms.h"
#include "result.h"
#include "core/codecs/codec_id.h"
#include "core/device_profile.h"
#include "core/devices.h"
#include "core/dtype.h"
#include "core/network_model.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace offload::sim {

// Where compression happens. dma: cDMA's engine in the copy path (free for the compute stream,
// capped at engine_bytes_per_s of uncompressed data and by the DRAM read rate). sm: software
// kernels on the GPU that take compute-stream time at engine_bytes_per_s.
enum class EngineKind { dma, sm };
// dyn is vDNN-dyn as published; fastest_fit is the fastest of no offload, vDNN-conv, vDNN-all
// and the k largest tensors that fits the budget (simulator.cpp).
enum class OffloadPolicy { none, all, conv, dyn, manual, fastest_fit };
enum class PrefetchPolicy { vdnn, eager };
enum class SyncPolicy { vdnn, relaxed };

std::string_view engineName(EngineKind);
std::string_view policyName(OffloadPolicy);
std::string_view prefetchName(PrefetchPolicy);
std::string_view syncName(SyncPolicy);
std::optional<EngineKind> parseEngine(std::string_view);
std::optional<OffloadPolicy> parsePolicy(std::string_view);
std::optional<PrefetchPolicy> parsePrefetch(std::string_view);
std::optional<SyncPolicy> parseSync(std::string_view);

// What-if scaling of one GPU's resources (DeLTA's question: which resource to grow).
// compute scales the FP32/FP16 peaks and the L1 bandwidth (more or faster SMs); l2 and dram
// scale those bandwidths.
struct ResourceScale {
    double compute = 1, l2 = 1, dram = 1;
    bool isIdentity() const { return compute == 1 && l2 == 1 && dram == 1; }
};
GpuSpec scaledGpu(const GpuSpec& gpu, const ResourceScale& scale);

struct Scenario {
    std::string name;
    std::string description;

    std::shared_ptr<const NetworkModel> network;
    // The network reference as written in the scenario file (relative to it); empty if embedded.
    std::string network_ref;

    std::int64_t batch = 64;
    DType dtype = DType::fp32;
    double progress = 1.0; // training progress 0..1: selects sparsity on curves

    GpuSpec gpu;
    // A what-if on the GPU above, applied when it is simulated (and to every GPU of a sweep):
    // the scenario keeps the described GPU and says how it was scaled.
    ResourceScale gpu_scale;
    LinkSpec link;

    CodecId codec = CodecId::none;
    CodecParams codec_params;
    EngineKind engine = EngineKind::dma;
    double engine_bytes_per_s = 0; // uncompressed bytes per second; 0 = unlimited (dma) / required > 0 (sm)

    OffloadPolicy policy = OffloadPolicy::all;
    std::vector<std::string> manual_layers; // for `manual`: names of layers whose input is offloaded
    PrefetchPolicy prefetch = PrefetchPolicy::vdnn;
    int eager_depth = 2; // for `eager`: tensors in flight ahead of the backward pass
    SyncPolicy sync = SyncPolicy::vdnn;

    // A device profile measured by `offload-probe calibrate` (path as written in the scenario
    // file, relative to it); empty when none. Its GPU and link are used where the scenario gives
    // none, and its measured layer times are attached to the network.
    std::string device_profile_ref;

    // Memory the training may use. Absent: the GPU's memory less its CUDA context
    // (GpuSpec::context_bytes); given, it is taken as that allowance already.
    std::optional<std::uint64_t> memory_budget_bytes;
    std::uint64_t workspace_bytes = 0; // extra workspace kept resident (besides the algorithms')
    // How conv layers pick their algorithm (vDNN-dyn decides per layer instead).
    AlgorithmPreference conv_algorithms = AlgorithmPreference::performance;
    BaselineKind baseline = BaselineKind::vdnn; // what memory reductions are measured against
    // How layers without measured times get theirs (compute_model.h).
    ComputeModelKind compute_model = ComputeModelKind::roofline;

    std::uint64_t budgetBytes() const
    {
        if (memory_budget_bytes)
            return *memory_budget_bytes;
        return gpu.memory_bytes > gpu.context_bytes ? gpu.memory_bytes - gpu.context_bytes : 0;
    }
};

inline constexpr std::string_view kScenarioFormat = "offload-studio/scenario";
inline constexpr int kScenarioFormatVersion = 1;

// Reads a scenario document; `path` is the file it came from (errors name it, a network path
// inside is resolved relative to its folder).
Scenario scenarioFromJson(const nlohmann::json& document, const std::filesystem::path& path);
nlohmann::json scenarioToJson(const Scenario& scenario);

// Reads a scenario file; the network path inside is resolved relative to the scenario file.
// Errors are InputError with the file and JSON pointer.
Scenario loadScenarioFile(const std::filesystem::path& path);
// Writes atomically; the network is referenced by `network_ref` (or embedded when it is empty).
void saveScenarioFile(const Scenario& scenario, const std::filesystem::path& path);

// Command-line style overrides of a loaded scenario (offload-sim run, the GUI's controls).
// Names are parsed here; a bad one is an InputError whose place is the option ("--codec").
struct ScenarioOverrides {
    std::optional<std::string> codec;
    std::optional<double> bandwidth_gbps; // both directions
    std::optional<std::string> policy;
    std::optional<std::string> gpu;       // preset id
    std::optional<std::int64_t> batch;
    std::optional<double> progress;
    std::optional<std::string> baseline;        // vdnn, lean
    std::optional<std::string> conv_algorithms; // performance-optimal, memory-optimal
    std::optional<std::string> compute_model;   // roofline, delta
    std::vector<std::string> gpu_scale;         // "compute=2", "l2=1.5", "dram=0.5" (what-if)
};
void applyOverrides(Scenario& scenario, const ScenarioOverrides& overrides);

// Uses a measured device (offload-probe calibrate): its GPU and link replace the scenario's,
// and its conv/fc times are attached to the scenario's network.
AppliedLayerTimes applyDeviceProfile(Scenario& scenario, const DeviceProfile& profile);

// A scenario around a network file with the defaults of the bundled example (vDNN-all, PCIe
// gen3 at 12.8 GB/s, Titan X Maxwell, ZVC off): what `offload-studio NET.json` opens.
Scenario defaultScenarioFor(std::shared_ptr<const NetworkModel> network);

} // namespace offload::sim
