#pragma once
// Everything the engine needs from a network at one batch, dtype and GPU, flattened into arrays
// once so that a simulation touches no strings, maps or NetworkModel lookups per event.
// Tensors are indexed by producer + 1: tensor 0 is the network input, tensor i + 1 the output
// of layer i.
#include "core/devices.h"
#include "core/dtype.h"
#include "core/network_model.h"

#include <cstdint>
#include <vector>

namespace offload::sim {

struct PreparedNetwork {
    int layers = 0;
    std::vector<double> forward_s;  // per layer
    std::vector<double> backward_s; // per layer
    std::vector<std::uint8_t> is_conv;
    // Layer i is an in-place activation: its output shares its input's storage (vDNN: ReLU).
    std::vector<std::uint8_t> in_place;
    // Largest conv index <= i, or -1: bounds findPrefetchLayer's window in O(1).
    std::vector<int> conv_at_or_below;

    // Per tensor (layers + 1 entries).
    std::vector<std::uint64_t> bytes;          // at the batch
    std::vector<int> last_consumer;            // -1: nothing reads it (a network output)
    std::vector<int> first_consumer;           // -1: nothing reads it
    std::vector<std::uint8_t> read_by_activation; // some consumer is an in-place activation kind: never offloaded
    std::vector<std::uint8_t> read_by_conv;
    std::vector<std::uint8_t> absorbed;        // storage handed to an in-place consumer (not released itself)

    // Tensors whose last forward consumer is layer i (CSR): offloaded with layer i's forward,
    // needed first by layer i's backward.
    std::vector<int> owned_offsets; // layers + 1
    std::vector<int> owned;

    std::uint64_t weight_bytes = 0; // weights of the whole network at the dtype
    std::int64_t batch = 0;
    DType dtype = DType::fp32;
};

// Compute time of one layer: roofline max(FLOPs / (peak x efficiency), bytes / (DRAM x efficiency))
// unless the layer carries measured times (scaled linearly from their batch).
struct LayerTimes {
    double forward_s = 0;
    double backward_s = 0;
};
LayerTimes layerTimes(const NetworkModel& model, int layer, std::int64_t batch, DType dtype, const GpuSpec& gpu);

PreparedNetwork prepareNetwork(const NetworkModel& model, std::int64_t batch, DType dtype, const GpuSpec& gpu);

} // namespace offload::sim
