#pragma once
// Where every tensor is at the cursor: three columns, on the GPU, in flight (offloading to the
// host or prefetching back) and on the host only, each with its tensors' names and sizes and the
// column's sum; above them the GPU memory at the cursor, as the memory chart draws it, split by
// what it holds. The numbers are the result's (sim::residentAt and the memory curve); nothing is
// recomputed. The layer running at the cursor is ringed, the selected layer's tensor bold.
#include "app/studio/studio_model.h"

#include "sim/teaching.h"

#include <QWidget>

namespace offload::studio::teaching {

// The memory curve's point in force at `t_s` (the last one at or before it); a zero point when
// the curve starts later or is empty.
sim::MemoryPoint memoryAt(const sim::Result& result, double t_s);

class MemoryAtCursorView : public QWidget {
    Q_OBJECT
public:
    explicit MemoryAtCursorView(StudioModel& model, QWidget* parent = nullptr);

    // What is shown, for tests: the residency and the memory point at the cursor.
    const sim::Residency& residency() const { return residency_; }
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
    sim::Residency residency_;
    sim::MemoryPoint memory_;
    double cursorS_ = 0;
    int cursorLayer_ = -1;
    int selectedLayer_ = -1;
    std::vector<Row> rows_; // as last painted: the hover tooltips
};

} // namespace offload::studio::teaching
