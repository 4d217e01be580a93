#include "glossary.h"

#include <QObject>

#include <algorithm>

namespace offload::studio::teaching {

namespace {
std::vector<GlossaryEntry> makeGlossary()
{
    std::vector<GlossaryEntry> entries{
        {QObject::tr("Activation"),
         QObject::tr("A layer's output feature map. Training keeps it from the forward pass until the same layer's "
                     "backward pass reads it; these stashed activations take most of a CNN's GPU memory.")},
        {QObject::tr("Backward pass"),
         QObject::tr("The second half of a training iteration: the layers run in reverse order and compute gradients, "
                     "reading the activations stashed in the forward pass.")},
        {QObject::tr("Bound (roofline)"),
         QObject::tr("What limits a layer's pass in the compute model: the arithmetic units (compute) or the bandwidth "
                     "of a memory level (L1, L2, DRAM). Time = max(FLOPs / peak FLOP/s, bytes / bandwidth), each with "
                     "an efficiency factor.")},
        {QObject::tr("cDMA"),
         QObject::tr("Compressing DMA (Rhu et al., HPCA 2018): a compression engine in the GPU's copy path that shrinks "
                     "activations on their way to the host and expands them on the way back, so fewer bytes cross "
                     "the link.")},
        {QObject::tr("Compression ratio"),
         QObject::tr("Uncompressed bytes divided by compressed bytes. A ratio of 4× means a quarter of the bytes cross "
                     "the link, so the transfer takes about a quarter of the time.")},
        {QObject::tr("Forward pass"),
         QObject::tr("The first half of a training iteration: the layers run in execution order, each producing its "
                     "output activation.")},
        {QObject::tr("In flight"),
         QObject::tr("A tensor being copied: its offload (GPU to host) or its prefetch (host to GPU) is under way, and "
                     "its GPU buffer is held until the copy ends.")},
        {QObject::tr("JPEG-ACT"),
         QObject::tr("Lossy activation compression (Evans et al., ISCA 2020): each channel is treated as an image, "
                     "turned into 8-bit fixed point, transformed with an 8×8 DCT, quantized and entropy-coded. Higher "
                     "ratios than lossless codecs, at the cost of a small error in the restored activations.")},
        {QObject::tr("Memory baseline"),
         QObject::tr("What memory savings are measured against. vDNN's baseline allocates every layer's feature maps, "
                     "their gradients, the weights and the convolution workspace for the whole iteration; the lean "
                     "baseline frees each tensor after its last use. Savings against the lean one are smaller.")},
        {QObject::tr("NVLink"),
         QObject::tr("NVIDIA's interconnect, between a GPU and a CPU that supports it: 75 GB/s per direction with "
                     "NVLink 2.0 on POWER9 + V100, 450 GB/s with NVLink-C2C on Grace Hopper, against PCIe's 16 to 63 "
                     "GB/s. Offloads finish sooner and stall less.")},
        {QObject::tr("Offload"),
         QObject::tr("Copying an activation from GPU memory to pinned host memory during the forward pass (device to "
                     "host), so that its GPU memory can be freed until the backward pass needs it.")},
        {QObject::tr("Oracle"),
         QObject::tr("The reference run: the same network on a GPU with enough memory, no offload and the fastest "
                     "convolution algorithms. Offload overhead is measured against its iteration time.")},
        {QObject::tr("PCIe"),
         QObject::tr("The link between GPU and host. A x16 link moves about 16 GB/s per direction in generation 3 "
                     "(12.8 GB/s measured by vDNN), about 32 GB/s in generation 4 and 63 GB/s in generation 5.")},
        {QObject::tr("Prefetch"),
         QObject::tr("Copying an offloaded activation back from the host to the GPU (host to device) during the "
                     "backward pass, early enough that the layer that reads it does not wait.")},
        {QObject::tr("RLE"),
         QObject::tr("Run-length encoding: runs of equal values (here, runs of zeros) are stored as a value and a "
                     "count. Good on long runs of zeros, poor on scattered ones.")},
        {QObject::tr("Sparsity"),
         QObject::tr("The fraction of exact zeros in a tensor. ReLU sets negative values to zero, so activations after "
                     "it are sparse; sparsity is low early in training and builds up, and differs by layer.")},
        {QObject::tr("Stall"),
         QObject::tr("Time the computation waits for a copy: in the forward pass for an offload to finish before the "
                     "next layer starts, in the backward pass for a prefetch to arrive. Stalls are the cost of "
                     "offloading.")},
        {QObject::tr("vDNN"),
         QObject::tr("Virtualized DNN (Rhu et al., MICRO 2016): offloads activations to host memory in the forward "
                     "pass and prefetches them back in the backward pass, so networks larger than GPU memory can "
                     "train.")},
        {QObject::tr("vDNN-all"),
         QObject::tr("vDNN's policy that offloads the input of every layer (except in-place activations such as ReLU): "
                     "the least memory, the most traffic.")},
        {QObject::tr("vDNN-conv"),
         QObject::tr("vDNN's policy that offloads only the inputs of convolution layers: convolutions take long enough "
                     "to hide their copies, so it stalls less than vDNN-all and saves less memory.")},
        {QObject::tr("vDNN-dyn"),
         QObject::tr("vDNN's dynamic policy: no offload if the network fits, else vDNN-conv, else vDNN-all, and then "
                     "slower convolution algorithms that need less workspace, until the memory budget is met.")},
        {QObject::tr("zlib"),
         QObject::tr("A general-purpose lossless compressor (LZ77 and Huffman coding). It finds more than zeros but "
                     "is far slower than ZVC or RLE in hardware.")},
        {QObject::tr("ZVC"),
         QObject::tr("Zero-value compression: each group of 32 values stores a 32-bit mask of which are non-zero, "
                     "then only the non-zero values. For 32-bit values and density d the ratio is 32 / (1 + 32 d).")},
    };
    std::sort(entries.begin(), entries.end(),
              [](const GlossaryEntry& a, const GlossaryEntry& b) { return a.term.compare(b.term, Qt::CaseInsensitive) < 0; });
    return entries;
}
} // namespace

const std::vector<GlossaryEntry>& glossary()
{
    static const std::vector<GlossaryEntry> entries = makeGlossary();
    return entries;
}

const GlossaryEntry* glossaryEntry(const QString& term)
{
    for (const auto& entry : glossary())
        if (entry.term.compare(term, Qt::CaseInsensitive) == 0)
            return &entry;
    return nullptr;
}

} // namespace offload::studio::teaching
