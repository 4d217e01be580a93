#pragma once
// Play, pause and step through the iteration: buttons for the start, the previous and next
// layer, the previous and next event, play/pause, the speed, and a slider that drags the
// cursor. Every control writes into the StudioModel (cursor and playback are model state) and
// shows what the model says, so keys, menus and these buttons never disagree.
#include "app/studio/studio_model.h"

#include <QStyle>
#include <QWidget>

class QLabel;
class QSlider;
class QToolButton;

namespace offload::studio::teaching {

// "1×", "0.25×": a speed as the controls show it.
QString speedText(double speed);

class PlaybackControls : public QWidget {
    Q_OBJECT
public:
    explicit PlaybackControls(StudioModel& model, QWidget* parent = nullptr);

    QToolButton* playButton() const { return play_; }
    QSlider* timeSlider() const { return slider_; }
    QString timeText() const;

protected:
    bool event(QEvent* event) override; // follows the application font (presentation mode)

private:
    void applyFonts();
    void showCursor();
    void showPlayback();
    // A button in the row; `icon` SP_CustomBase: text only.
    QToolButton* addButton(const QString& text, const QString& tip, QStyle::StandardPixmap icon);

    StudioModel& model_;
    QToolButton* play_ = nullptr;
    QToolButton* slower_ = nullptr;
    QToolButton* faster_ = nullptr;
    QLabel* speed_ = nullptr;
    QSlider* slider_ = nullptr;
    QLabel* time_ = nullptr;
    bool updating_ = false;
};

} // namespace offload::studio::teaching
