#pragma once
// What happens at the cursor, in words: the sentences of sim::captionsAt (the compute stream
// first, then every copy in force), in large type, each marked with its timeline colour.
#include "app/studio/studio_model.h"

#include "sim/teaching.h"

#include <QLabel>

namespace offload::studio::teaching {

class CaptionBar : public QLabel {
    Q_OBJECT
public:
    explicit CaptionBar(StudioModel& model, QWidget* parent = nullptr);

    // The captions shown (those of the cursor's time in the shown result).
    const std::vector<sim::Caption>& captions() const { return captions_; }

protected:
    bool event(QEvent* event) override; // follows the application font (presentation mode)

private:
    void applyFont(); // 1.2 x the application's (presentation mode enlarges that)
    void showSnapshot(SnapshotPtr snapshot);
    void refresh();

    StudioModel& model_;
    SnapshotPtr shown_;
    std::vector<sim::Caption> captions_;
};

// The timeline colour of what a caption is about.
QColor captionColor(sim::CaptionKind kind, bool forward);

} // namespace offload::studio::teaching
