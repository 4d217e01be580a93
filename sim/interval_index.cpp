#include "interval_index.h"

#include <algorithm>
#include <stdexcept>

namespace offload::sim {

namespace {
std::vector<IntervalIndex::Interval> intervalsOf(const std::vector<double>& starts, const std::vector<double>& ends)
{
    if (starts.size() != ends.size())
        throw std::invalid_argument("IntervalIndex: as many starts as ends");
    std::vector<IntervalIndex::Interval> items;
    for (std::size_t i = 0; i < starts.size(); ++i)
        items.push_back(IntervalIndex::Interval{starts[i], ends[i], static_cast<std::uint32_t>(i)});
    return items;
}
} // namespace

IntervalIndex::IntervalIndex(const std::vector<double>& starts, const std::vector<double>& ends)
    : IntervalIndex(intervalsOf(starts, ends))
{
}

IntervalIndex::IntervalIndex(std::vector<Interval> items)
{
    // Leave out what covers nothing (also NaN bounds).
    items.erase(std::remove_if(items.begin(), items.end(), [](const Interval& i) { return !(i.start < i.end); }),
                items.end());
    // Sorted by start once; every subtree's items stay a sorted range, so the median start is
    // the middle item and each node's intervals come out by start already.
    std::sort(items.begin(), items.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
    byStart_.reserve(items.size());
    byEnd_.reserve(items.size());
    nodes_.reserve(items.size()); // at most one node per interval; untouched pages cost nothing
    root_ = build(items, 0, items.size(), 1);
}

// The centre is the median start, so the node holds at least the median's interval, and each
// side gets at most half of the rest: the depth stays within log2 n + 1.
int IntervalIndex::build(std::vector<Interval>& items, std::size_t lo, std::size_t hi, std::size_t level)
{
    if (lo >= hi)
        return -1;
    depth_ = std::max(depth_, level);
    const double center = items[lo + (hi - lo) / 2].start;
    // Right: the suffix that starts after the centre. Of the rest, those that end at or before
    // it go left (compacted in place, in order), the others are the node's.
    const auto right = static_cast<std::size_t>(
        std::upper_bound(items.begin() + static_cast<std::ptrdiff_t>(lo), items.begin() + static_cast<std::ptrdiff_t>(hi),
                         center, [](double t, const Interval& item) { return t < item.start; })
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
