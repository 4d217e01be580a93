#pragma once
// GPU memory over time, by kind. Allocations arrive in non-decreasing time order (they follow
// the compute stream); releases and changes of kind may be known before they happen (an
// offload's end) and wait in a min-heap until the clock passes them. The recorded points are
// therefore already in time order.
#include "result.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <queue>
#include <vector>

namespace offload::sim {

class MemoryLedger {
public:
    explicit MemoryLedger(std::size_t expectedPoints) { points_.reserve(expectedPoints); }
    // Keeps no points, only the peak they would have: for runs whose curve nobody reads (the
    // uncompressed twin, the dyn search), where storing it is most of the memory traffic.
    struct PeakOnly {};
    explicit MemoryLedger(PeakOnly) : keepPoints_(false) {}

    std::uint64_t current() const { return total_; }
    double now() const { return now_; }

    void allocate(double t, std::uint64_t bytes, MemoryKind kind)
    {
        advance(t);
        if (bytes == 0)
            return;
        apply(kind, static_cast<std::int64_t>(bytes));
        record();
    }

    // Allocates once the memory fits under `budget`, waiting for pending releases. Returns the
    // time of the allocation; sets `overBudget` when even all pending releases are not enough.
    double allocateWhenFits(double t, std::uint64_t bytes, MemoryKind kind, std::uint64_t budget, bool& overBudget)
    {
        advance(t);
        while (total_ + bytes > budget && !pending_.empty())
            advance(pending_.top().when);
        if (total_ + bytes > budget)
            overBudget = true;
        allocate(now_, bytes, kind);
        return now_;
    }

    // An allocation known in advance (it may lie after the current time): a release that is
    // undone at its own instant, when a buffer turns out to be needed after all.
    void allocateLater(double t, std::uint64_t bytes, MemoryKind kind)
    {
        if (bytes != 0)
            schedule(t, kind, kind, static_cast<std::int64_t>(bytes));
    }

    bool fitsNow(double t, std::uint64_t bytes, std::uint64_t budget)
    {
        advance(t);
        return total_ + bytes <= budget;
    }

    void release(double t, std::uint64_t bytes, MemoryKind kind)
    {
        if (bytes != 0)
            schedule(t, kind, kind, -static_cast<std::int64_t>(bytes));
    }

    // The same bytes change kind at time t (a copy starts or ends); the total does not move.
    void change(double t, std::uint64_t bytes, MemoryKind from, MemoryKind to)
    {
        if (bytes == 0)
            return;
        // One entry, not a release and an allocation: nothing can fall between the two (same
        // time, consecutive sequence), and the value recorded at that instant is the final one.
        schedule(t, from, to, static_cast<std::int64_t>(bytes));
    }

    // Applies every pending change; the ledger is then final.
    void finish()
    {
        while (!pending_.empty())
            advance(pending_.top().when);
    }

    std::vector<MemoryPoint>& points() { return points_; }

    // The largest `bytes` of the points (kept or not). Valid after finish().
    std::uint64_t peak() const
    {
        if (keepPoints_) {
            std::uint64_t peak = 0;
            for (const auto& p : points_)
                peak = std::max(peak, p.bytes);
            return peak;
        }
        return std::max(peak_, lastBytes_);
    }

private:
    // from == to: `delta` bytes of that kind (a release when negative); otherwise `delta` bytes
    // move from one kind to the other.
    void schedule(double t, MemoryKind from, MemoryKind to, std::int64_t delta)
    {
        // The sequence number keeps changes at one instant in the order they were made, so a
        // kind never goes below zero on the way.
        pending_.push(Pending{std::max(t, now_), sequence_++, delta, from, to});
    }

    void apply(MemoryKind kind, std::int64_t delta)
    {
        auto& k = byKind_[static_cast<std::size_t>(kind)];
        k = static_cast<std::uint64_t>(static_cast<std::int64_t>(k) + delta);
        total_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(total_) + delta);
    }

    void advance(double t)
    {
        while (!pending_.empty() && pending_.top().when <= t) {
            const Pending p = pending_.top();
            pending_.pop();
            now_ = std::max(now_, p.when);
            if (p.from == p.to) {
                apply(p.from, p.delta);
            } else {
                apply(p.from, -p.delta);
                apply(p.to, p.delta);
            }
            record();
        }
        now_ = std::max(now_, t);
    }

    void record()
    {
        if (!keepPoints_) {
            // Same collapsing as the points: only the last value at an instant counts, so a
            // value that lives for no time never becomes the peak.
            if (lastTime_ != now_) {
                peak_ = std::max(peak_, lastBytes_);
                lastTime_ = now_;
            }
            lastBytes_ = total_;
            return;
        }
        // Changes at one instant collapse into the last value: what is allocated from then on.
        if (!points_.empty() && points_.back().time_s == now_) {
            points_.back().bytes = total_;
            points_.back().by_kind = byKind_;
        } else {
            points_.push_back({now_, total_, byKind_});
        }
    }

    struct Pending {
        double when;
        std::uint64_t sequence; // unique: (when, sequence) orders every pair
        std::int64_t delta;
        MemoryKind from;
        MemoryKind to;
    };
    // Min-heap on (when, sequence). Comparing only those two (not a whole tuple) gives the same
    // order, since sequences never repeat, at a fraction of the cost.
    struct Later {
        bool operator()(const Pending& a, const Pending& b) const
        {
            return a.when > b.when || (a.when == b.when && a.sequence > b.sequence);
        }
    };
    std::priority_queue<Pending, std::vector<Pending>, Later> pending_;
    std::vector<MemoryPoint> points_;
    std::array<std::uint64_t, kMemoryKinds> byKind_{};
    std::uint64_t total_ = 0;
    std::uint64_t sequence_ = 0;
    double now_ = 0;
    bool keepPoints_ = true;
    // PeakOnly: the peak of the points before the last one, and the last one.
    std::uint64_t peak_ = 0;
    std::uint64_t lastBytes_ = 0;
    double lastTime_ = -std::numeric_limits<double>::infinity();
};

} // namespace offload::sim
