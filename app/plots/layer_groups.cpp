#include "layer_groups.h"

#include <algorithm>
#include <cctype>

namespace offload::plots {

namespace {
std::string_view leadingSegment(std::string_view name, bool& hadPathSeparator)
{
    const auto path = name.find_first_of("/.");
    hadPathSeparator = path != std::string_view::npos && path > 0;
    if (hadPathSeparator)
        return name.substr(0, path);
    return name.substr(0, name.find('_'));
}
} // namespace

std::string layerBlockKey(std::string_view name)
{
    // ONNX exports start their names with '/' ("/layer1/layer1.0/conv1/Conv").
    while (!name.empty() && (name.front() == '/' || name.front() == '.'))
        name.remove_prefix(1);
    bool pathLike = false;
    const std::string_view segment = leadingSegment(name, pathLike);
    if (pathLike)
        return std::string(segment);
    const auto digit = std::find_if(segment.begin(), segment.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (digit == segment.end())
        return {};
    return std::string(digit, segment.end());
}

std::vector<LayerGroup> groupLayers(const std::vector<std::string>& names)
{
    std::vector<LayerGroup> groups;
    std::string currentKey;
    for (int i = 0; i < static_cast<int>(names.size()); ++i) {
        std::string key = layerBlockKey(names[static_cast<std::size_t>(i)]);
        // A layer without a block (a classifier head's "prob") joins the block before it.
        if (!groups.empty() && (key.empty() || key == currentKey || currentKey.empty())) {
            groups.back().last = i;
            if (currentKey.empty())
                currentKey = std::move(key); // a block-less first layer ("data") opens the block after it
            continue;
        }
        bool pathLike = false;
        std::string_view name = names[static_cast<std::size_t>(i)];
        while (!name.empty() && (name.front() == '/' || name.front() == '.'))
            name.remove_prefix(1);
        groups.push_back({i, i, std::string(leadingSegment(name, pathLike))});
        currentKey = std::move(key);
    }
    if (groups.size() < 2 || names.size() < 2 * groups.size())
        return {};
    return groups;
}

} // namespace offload::plots
