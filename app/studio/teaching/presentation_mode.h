#pragma once
// Presentation mode's look and keys, for a lecture hall: the application's fonts enlarged, a
// high-contrast palette, and keys that drive the StudioModel's playback from anywhere in the
// window (Space play/pause, Left/Right step by event, Shift+Left/Right step by layer, +/-
// speed, Home to the start, Esc leaves). What the window hides and full screen are the window's.
#include "app/studio/studio_model.h"

#include <QFont>
#include <QObject>
#include <QPalette>

class QWidget;

namespace offload::studio::teaching {

inline constexpr double kPresentationFontScale = 1.6;

// Black on white, strong selection and frames: what a projector in a lit room still shows.
QPalette highContrastPalette();

class PresentationMode : public QObject {
    Q_OBJECT
public:
    PresentationMode(StudioModel& model, QWidget* window);
    ~PresentationMode() override;

    bool isOn() const { return on_; }
    // Applies (or restores) the application's font and palette and starts (stops) taking the
    // lecture keys in `window`.
    void setOn(bool on);

signals:
    void leaveRequested(); // Esc

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void notifyFontChange();
    bool handlesKey(int key) const;
    void handleKey(int key, Qt::KeyboardModifiers modifiers);

    StudioModel& model_;
    QWidget* window_;
    bool on_ = false;
    QFont savedFont_;
    QPalette savedPalette_;
};

} // namespace offload::studio::teaching
