#include "interval_index.h"

#include <algorithm>
#include <stdexcept>

namespace offload::sim {

IntervalIndex::IntervalIndex(const std::vector<double>& starts, const std::vector<double>& ends)
{
    if (starts.size() != ends.size())
        throw std::invalid_argument("IntervalIndex: as many starts as ends");
    std::vector<std::uint32_t> ids;
    ids.reserve(starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i)
        if (starts[i] < ends[i]) // also leaves out NaN bounds
            ids.push_back(static_cast<std::uint32_t>(i));
    byStart_.reserve(ids.size());
    byEnd_.reserve(ids.size());
    root_ = build(ids, starts, ends, 1);
}

// The centre is the median start, so the node holds at least the median's interval, and each
// side gets at most half of the rest: the depth stays within log2 n + 1.
int IntervalIndex::build(std::vector<std::uint32_t>& ids, const std::vector<double>& starts,
                         const std::vector<double>& ends, std::size_t level)
{
    if (ids.empty())
        return -1;
    depth_ = std::max(depth_, level);
    const auto middle = ids.begin() + static_cast<std::ptrdiff_t>(ids.size() / 2);
    std::nth_element(ids.begin(), middle, ids.end(), [&](std::uint32_t a, std::uint32_t b) { return starts[a] < starts[b]; });
    const double center = starts[*middle];
    std::vector<std::uint32_t> left, right;
    const auto begin = static_cast<std::uint32_t>(byStart_.size());
    for (std::uint32_t id : ids) {
        if (ends[id] <= center)
            left.push_back(id);
        else if (starts[id] > center)
            right.push_back(id);
        else {
            byStart_.push_back(Entry{starts[id], id});
            byEnd_.push_back(Entry{ends[id], id});
        }
    }
    const auto end = static_cast<std::uint32_t>(byStart_.size());
    std::sort(byStart_.begin() + begin, byStart_.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    std::sort(byEnd_.begin() + begin, byEnd_.end(), [](const Entry& a, const Entry& b) { return a.key > b.key; });
    ids.clear();
    ids.shrink_to_fit();
    const int node = static_cast<int>(nodes_.size());
    nodes_.push_back(Node{center, -1, -1, begin, end});
    const int l = build(left, starts, ends, level + 1);
    const int r = build(right, starts, ends, level + 1);
    nodes_[static_cast<std::size_t>(node)].left = l;
    nodes_[static_cast<std::size_t>(node)].right = r;
    return node;
}

} // namespace offload::sim
