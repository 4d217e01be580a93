#include "interval_index.h"

#include <algorithm>
#include <stdexcept>

namespace offload::sim {

IntervalIndex::IntervalIndex(const std::vector<double>& starts, const std::vector<double>& ends)
{
    if (starts.size() != ends.size())
        throw std::invalid_argument("IntervalIndex: as many starts as ends");
    std::vector<Item> items;
    for (std::size_t i = 0; i < starts.size(); ++i)
        if (starts[i] < ends[i]) // also leaves out NaN bounds
            items.push_back(Item{starts[i], ends[i], static_cast<std::uint32_t>(i)});
    // Sorted by start once; every subtree's items stay a sorted range, so the median start is
    // the middle item and each node's intervals come out by start already.
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.start < b.start; });
    byStart_.reserve(items.size());
    byEnd_.reserve(items.size());
    root_ = build(items, 0, items.size(), 1);
}

// The centre is the median start, so the node holds at least the median's interval, and each
// side gets at most half of the rest: the depth stays within log2 n + 1.
int IntervalIndex::build(std::vector<Item>& items, std::size_t lo, std::size_t hi, std::size_t level)
{
    if (lo >= hi)
        return -1;
    depth_ = std::max(depth_, level);
    const double center = items[lo + (hi - lo) / 2].start;
    // Right: the suffix that starts after the centre. Of the rest, those that end at or before
    // it go left (compacted in place, in order), the others are the node's.
    const auto right = static_cast<std::size_t>(
        std::upper_bound(items.begin() + static_cast<std::ptrdiff_t>(lo), items.begin() + static_cast<std::ptrdiff_t>(hi),
                         center, [](double t, const Item& item) { return t < item.start; })
        - items.begin());
    const auto begin = static_cast<std::uint32_t>(byStart_.size());
    std::size_t left = lo;
    for (std::size_t i = lo; i < right; ++i) {
        if (items[i].end <= center) {
            items[left++] = items[i];
        } else {
            byStart_.push_back(Entry{items[i].start, items[i].id});
            byEnd_.push_back(Entry{items[i].end, items[i].id});
        }
    }
    const auto end = static_cast<std::uint32_t>(byStart_.size());
    std::stable_sort(byEnd_.begin() + begin, byEnd_.end(), [](const Entry& a, const Entry& b) { return a.key > b.key; });
    const int node = static_cast<int>(nodes_.size());
    nodes_.push_back(Node{center, -1, -1, begin, end});
    const int l = build(items, lo, left, level + 1);
    const int r = build(items, right, hi, level + 1);
    nodes_[static_cast<std::size_t>(node)].left = l;
    nodes_[static_cast<std::size_t>(node)].right = r;
    return node;
}

} // namespace offload::sim
