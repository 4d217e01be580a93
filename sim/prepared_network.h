#pragma once
// Everything the engine needs from a network at one batch, dtype and GPU, flattened into arrays
// once so that a simulation touches no strings, maps or NetworkModel lookups per event.
// Tensors are indexed by producer + 1: tensor 0 is the network input, tensor i + 1 the output
// of layer i.
#include "compute_model.h"
#include "conv_algorithms.h"
#include "core/devices.h"
#include "core/dtype.h"
#include "core/network_model.h"

#include <cstdint>
#include <vector>

namespace offload::sim {

// One way to run a conv layer: its algorithm, its compute times and the workspace it holds
// while its forward or backward pass runs.
struct ConvOption {
    ConvAlgorithm algorithm = ConvAlgorithm::implicit_gemm;
    double forward_s = 0;
    double backward_s = 0;
    std::uint64_t workspace_bytes = 0;
};

struct PreparedNetwork {
    int layers = 0;
    // Per layer, as the compute model gives them; for a conv layer that is precomputed implicit
    // GEMM, and the chosen algorithm's times come from `conv_options` (ComputePlan).
    std::vector<double> forward_s;
    std::vector<double> backward_s;
    // What limits each pass (the compute model's answer; compute for measured times).
    std::vector<Bound> forward_bound;
    std::vector<Bound> backward_bound;
    std::vector<std::uint8_t> is_conv;
    // Layer i is an in-place activation: its output shares its input's storage (vDNN: ReLU).
    std::vector<std::uint8_t> in_place;
    // Largest conv index <= i, or -1: bounds findPrefetchLayer's window in O(1).
    std::vector<int> conv_at_or_below;

    // Per conv layer, every algorithm it supports (CSR: options of layer i are
    // conv_options[conv_option_offsets[i] .. conv_option_offsets[i + 1])). Empty for other layers.
    std::vector<int> conv_option_offsets; // layers + 1
    std::vector<ConvOption> conv_options;

    // Per tensor (layers + 1 entries).
    std::vector<std::uint64_t> bytes;          // at the batch
    std::vector<int> last_consumer;            // -1: nothing reads it (a network output)
    std::vector<int> first_consumer;           // -1: nothing reads it
    // Layers whose backward pass reads the tensor's values (a consumer that needs its input, or
    // the producer when it needs its own output, as ReLU does): the first of them in backward
    // order (the highest index) needs the tensor back on the GPU, the last (lowest index) frees
    // it. -1 when no backward pass reads it: then it is never stashed.
    std::vector<int> first_backward_reader;
    std::vector<int> last_backward_reader;
    std::vector<std::uint8_t> read_by_conv;
    std::vector<std::uint8_t> absorbed;        // storage handed to an in-place consumer (not released itself)

    // Tensors whose last forward consumer is layer i (CSR): offloaded with layer i's forward;
    // their gradients are created by layer i's backward.
    std::vector<int> owned_offsets; // layers + 1
    std::vector<int> owned;
    // Tensors whose first backward reader is layer i (CSR): must be on the GPU when layer i's
    // backward starts.
    std::vector<int> needed_offsets; // layers + 1
    std::vector<int> needed;
    // Tensors whose values are freed when layer i's backward pass ends (CSR): a stashed tensor
    // after its last backward reader, a network output after its producer (the loss reads it).
    // Tensors no backward pass reads are freed after their last forward reader instead, and an
    // absorbed buffer goes with the in-place activation's output.
    std::vector<int> freed_offsets; // layers + 1
    std::vector<int> freed;

    std::uint64_t weight_bytes = 0; // weights of the whole network at the dtype
    // Mixed precision (fp16, bf16): the fp32 master copy of the weights the optimizer updates,
    // as frameworks keep it (0 for fp32 training).
    std::uint64_t master_weight_bytes = 0;
    std::int64_t batch = 0;
    DType dtype = DType::fp32;

    bool stashed(int tensor) const { return first_backward_reader[static_cast<std::size_t>(tensor)] >= 0; }
};

// Compute time of one layer: its measured times (scaled linearly from their batch) when it has
// them, else the compute model's estimate (compute_model.h).
struct LayerTimes {
    double forward_s = 0;
    double backward_s = 0;
    Bound forward_bound = Bound::compute;
    Bound backward_bound = Bound::compute;
};
LayerTimes layerTimes(const NetworkModel& model, int layer, std::int64_t batch, DType dtype, const GpuSpec& gpu,
                      ComputeModelKind computeModel);

PreparedNetwork prepareNetwork(const NetworkModel& model, std::int64_t batch, DType dtype, const GpuSpec& gpu,
                               ComputeModelKind computeModel);

// The per-layer costs of one run: times and workspace with an algorithm chosen for every conv
// layer. `conv_option[i]` indexes the layer's options (-1 for layers that are not convs).
struct ComputePlan {
    std::vector<double> forward_s;
    std::vector<double> backward_s;
    std::vector<std::uint64_t> workspace_bytes; // held while the layer's forward or backward runs
    std::vector<int> conv_option;
};

// Index (into the layer's options) of the fastest option, or of the memory-optimal one (the
// least workspace: implicit GEMM, none). -1 for a layer that is not a conv.
int fastestConvOption(const PreparedNetwork& net, int layer);
int memoryOptimalConvOption(const PreparedNetwork& net, int layer);
ComputePlan computePlan(const PreparedNetwork& net, AlgorithmPreference preference);
// Sets layer i's algorithm to option `option` (an index into its options).
void chooseConvOption(const PreparedNetwork& net, ComputePlan& plan, int layer, int option);
const ConvOption* chosenConvOption(const PreparedNetwork& net, const ComputePlan& plan, int layer);

} // namespace offload::sim
