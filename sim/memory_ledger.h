#pragma once
// GPU memory over time, by kind. Allocations arrive in non-decreasing time order (they follow
// the compute stream); releases and changes of kind may be known before they happen (an
// offload's end) and wait in a min-heap until the clock passes them. The recorded points are
// therefore already in time order.
#include "result.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <tuple>
#include <vector>

namespace offload::sim {

class MemoryLedger {
public:
    explicit MemoryLedger(std::size_t expectedPoints) { points_.reserve(expectedPoints); }

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
            advance(std::get<0>(pending_.top()));
        if (total_ + bytes > budget)
            overBudget = true;
        allocate(now_, bytes, kind);
        return now_;
    }

    bool fitsNow(double t, std::uint64_t bytes, std::uint64_t budget)
    {
        advance(t);
        return total_ + bytes <= budget;
    }

    void release(double t, std::uint64_t bytes, MemoryKind kind)
    {
        if (bytes != 0)
            schedule(t, kind, -static_cast<std::int64_t>(bytes));
    }

    // The same bytes change kind at time t (a copy starts or ends); the total does not move.
    void change(double t, std::uint64_t bytes, MemoryKind from, MemoryKind to)
    {
        if (bytes == 0)
            return;
        schedule(t, from, -static_cast<std::int64_t>(bytes));
        schedule(t, to, static_cast<std::int64_t>(bytes));
    }

    // Applies every pending change; the ledger is then final.
    void finish()
    {
        while (!pending_.empty())
            advance(std::get<0>(pending_.top()));
    }

    std::vector<MemoryPoint>& points() { return points_; }

private:
    void schedule(double t, MemoryKind kind, std::int64_t delta)
    {
        // The sequence number keeps changes at one instant in the order they were made, so a
        // kind never goes below zero on the way.
        pending_.emplace(std::max(t, now_), sequence_++, kind, delta);
    }

    void apply(MemoryKind kind, std::int64_t delta)
    {
        auto& k = byKind_[static_cast<std::size_t>(kind)];
        k = static_cast<std::uint64_t>(static_cast<std::int64_t>(k) + delta);
        total_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(total_) + delta);
    }

    void advance(double t)
    {
        while (!pending_.empty() && std::get<0>(pending_.top()) <= t) {
            const auto [when, sequence, kind, delta] = pending_.top();
            pending_.pop();
            now_ = std::max(now_, when);
            apply(kind, delta);
            record();
        }
        now_ = std::max(now_, t);
    }

    void record()
    {
        // Changes at one instant collapse into the last value: what is allocated from then on.
        if (!points_.empty() && points_.back().time_s == now_) {
            points_.back().bytes = total_;
            points_.back().by_kind = byKind_;
        } else {
            points_.push_back({now_, total_, byKind_});
        }
    }

    using Pending = std::tuple<double, std::uint64_t, MemoryKind, std::int64_t>;
    std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
    std::vector<MemoryPoint> points_;
    std::array<std::uint64_t, kMemoryKinds> byKind_{};
    std::uint64_t total_ = 0;
    std::uint64_t sequence_ = 0;
    double now_ = 0;
};

} // namespace offload::sim
