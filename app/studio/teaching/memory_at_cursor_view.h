#pragma once
// Where every tensor is at the cursor: three columns, on the GPU, in flight (offloading to the
// host or prefetching back) and on the host only, each with its tensors' names and sizes and the
// column's sum; above them the GPU memory at the cursor, as the memory chart draws it, split by
// what it holds. The numbers are the result's (the snapshot's sim::TeachingIndex and the memory
// curve); nothing is recomputed. The layer running at the cursor is ringed, the selected layer's
// tensor bold. Sums are always exact; each place lists at most kListedPerPlace tensors (those
// nearest the cursor's layer when it holds more), so that a million-layer network's hundreds of
// thousands of resident tensors cost no more than a small network's.
#include "app/studio/studio_model.h"

#include "sim/teaching.h"

#include <QWidget>

namespace offload::studio::teaching {

// The memory curve's point in force at `t_s` (the last one at or before it); a zero point when
// the curve starts later or is empty.
sim::MemoryPoint memoryAt(const sim::Result& result, double t_s);

// The most tensors of one place the view asks for (more than any screen has rows for).
inline constexpr std::size_t kListedPerPlace = 200;

class MemoryAtCursorView : public QWidget {
    Q_OBJECT
public:
    explicit MemoryAtCursorView(StudioModel& model, QWidget* parent = nullptr);

    // What is shown, for tests: the residency (exact sums, bounded lists) and the memory point at
    // the cursor.
    const sim::ResidencySummary& residency() const { return residency_; }
    const sim::MemoryPoint& gpuMemory() const { return memory_; }
    std::uint64_t gpuTotalBytes() const { return memory_.bytes; }
    // The text of the header line (GPU total and its parts).
    QString headline() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void showSnapshot(SnapshotPtr snapshot);
    void refresh();
    struct Row {
        QRectF rect;
        int tensor = -2;
        QString tip;
    };

    StudioModel& model_;
    SnapshotPtr shown_;
    sim::ResidencySummary residency_;
    sim::MemoryPoint memory_;
    double cursorS_ = 0;
    int cursorLayer_ = -1;
    int selectedLayer_ = -1;
    std::vector<Row> rows_; // as last painted: the hover tooltips
};

} // namespace offload::studio::teaching
