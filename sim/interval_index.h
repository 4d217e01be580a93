#pragma once
// Which of a fixed set of half-open intervals [start, end) cover a time: a static centred
// interval tree. Built once in O(n log n); a query walks one root-to-leaf path (depth at most
// log2 n + 1) and reports the k covering intervals in O(log n + k), however long the intervals
// are (a stashed tensor's span can cover most of an iteration, so "sorted by start with a
// running maximum of end" would visit nearly every span late in the iteration). Plain data:
// copyable, no references to the input.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace offload::sim {

class IntervalIndex {
public:
    struct Interval {
        double start = 0, end = 0;
        std::uint32_t id = 0; // what forEachCovering reports
    };

    IntervalIndex() = default;
    // Empty or reversed intervals (end <= start) cover nothing and are never reported.
    explicit IntervalIndex(std::vector<Interval> intervals);
    // Interval i is [starts[i], ends[i]) (seconds, or any unit); the two vectors have the same
    // size. Empty or reversed intervals (end <= start) cover nothing and are never reported.
    IntervalIndex(const std::vector<double>& starts, const std::vector<double>& ends);

    // Calls f(i) for every interval i with starts[i] <= t < ends[i], in no particular order.
    template <class F>
    void forEachCovering(double t, F&& f) const
    {
        for (int n = root_; n >= 0;) {
            const Node& node = nodes_[static_cast<std::size_t>(n)];
            if (t < node.center) {
                // Every interval of the node ends after the centre, so after t: it covers t when
                // it has started.
                for (std::uint32_t i = node.begin; i < node.end && byStart_[i].key <= t; ++i)
                    f(byStart_[i].id);
                n = node.left;
            } else {
                // Every interval of the node starts at or before the centre, so at or before t.
                for (std::uint32_t i = node.begin; i < node.end && byEnd_[i].key > t; ++i)
                    f(byEnd_[i].id);
                n = node.right;
            }
        }
    }

    std::size_t depth() const { return depth_; } // for tests: at most log2(intervals) + 1

private:
    struct Entry {
        double key = 0; // the start (byStart_) or the end (byEnd_)
        std::uint32_t id = 0;
    };
    struct Node {
        double center = 0;
        int left = -1;  // intervals ending at or before the centre
        int right = -1; // intervals starting after it
        std::uint32_t begin = 0, end = 0; // the node's own intervals in byStart_ and byEnd_
    };
    // The tree of items[lo, hi), sorted by start; reorders that range.
    int build(std::vector<Interval>& items, std::size_t lo, std::size_t hi, std::size_t level);

    std::vector<Node> nodes_;
    std::vector<Entry> byStart_; // per node: by start, ascending
    std::vector<Entry> byEnd_;   // per node: by end, descending
    int root_ = -1;
    std::size_t depth_ = 0;
};

} // namespace offload::sim
