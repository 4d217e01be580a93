#pragma once
// Blocks of a network for views with too many layers to name one by one: consecutive layers
// whose names share a block name ("inception_3a/1x1" and "inception_3a/relu_1x1" belong to
// "inception_3a"; "res2a_branch2a" and "bn2a_branch2a" to block "2a", shown as "res2a"). The
// per-layer chart names the blocks above its panels and shades every other one.
#include <string>
#include <string_view>
#include <vector>

namespace offload::plots {

struct LayerGroup {
    int first = 0; // layer indices, inclusive
    int last = 0;
    std::string label; // the block as its first layer names it
};

// The block key of one layer name: the part before the first '/' or '.', else the first
// '_'-separated word with its letters before the first digit dropped (so that "res2a", "bn2a"
// and "scale2a" share "2a"). Empty when the name carries no block (no digit, no separator).
std::string layerBlockKey(std::string_view name);

// Runs of consecutive layers with the same block key. Empty when the names do not group
// usefully: fewer than two blocks, or so many that a block averages fewer than two layers.
std::vector<LayerGroup> groupLayers(const std::vector<std::string>& names);

} // namespace offload::plots
