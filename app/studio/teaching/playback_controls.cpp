#include "playback_controls.h"

#include "app/plots/format.h"

#include <QApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

#include <cmath>

namespace offload::studio::teaching {

namespace {
constexpr int kSliderSteps = 2000; // slider positions over the iteration
}

QString speedText(double speed)
{
    return QStringLiteral("%1×").arg(speed, 0, 'g', 3);
}

QToolButton* PlaybackControls::addButton(const QString& text, const QString& tip, QStyle::StandardPixmap icon)
{
    auto* button = new QToolButton;
    button->setText(text);
    button->setToolTip(tip);
    if (icon != QStyle::SP_CustomBase) {
        button->setIcon(style()->standardIcon(icon));
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    }
    button->setAutoRaise(false);
    layout()->addWidget(button);
    return button;
}

PlaybackControls::PlaybackControls(StudioModel& model, QWidget* parent) : QWidget(parent), model_(model)
{
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(4, 2, 4, 2);
    auto* start = addButton(QString(), tr("Back to the start of the iteration (Home in presentation mode)."),
                            QStyle::SP_MediaSkipBackward);
    start->setToolButtonStyle(Qt::ToolButtonIconOnly);
    auto* previousLayer = addButton(tr("Layer"), tr("Back to the start of the previous layer's pass (Shift+Left in presentation mode)."),
                                    QStyle::SP_MediaSeekBackward);
    auto* previousEvent = addButton(tr("Event"), tr("Back to the previous moment something starts or ends on any stream "
                                                    "(Left in presentation mode)."),
                                    QStyle::SP_ArrowLeft);
    play_ = addButton(tr("Play"), tr("Play the iteration; the cursor moves through the timeline (Space in presentation mode)."),
                      QStyle::SP_MediaPlay);
    auto* nextEvent = addButton(tr("Event"), tr("On to the next moment something starts or ends on any stream (Right in "
                                                "presentation mode)."),
                                QStyle::SP_ArrowRight);
    auto* nextLayer = addButton(tr("Layer"), tr("On to the start of the next layer's pass (Shift+Right in presentation mode)."),
                                QStyle::SP_MediaSeekForward);
    nextEvent->setLayoutDirection(Qt::RightToLeft); // the arrow after the word
    nextLayer->setLayoutDirection(Qt::RightToLeft);
    row->addSpacing(6);
    auto* speedLabel = new QLabel(tr("Speed"));
    speedLabel->setToolTip(tr("At 1× one iteration plays in %1 s, whatever its simulated length.").arg(kIterationPlaySeconds));
    row->addWidget(speedLabel);
    slower_ = addButton(QStringLiteral("−"), tr("Slower (- in presentation mode)."), QStyle::SP_CustomBase);
    speed_ = new QLabel;
    speed_->setAlignment(Qt::AlignCenter);
    row->addWidget(speed_);
    faster_ = addButton(QStringLiteral("+"), tr("Faster (+ in presentation mode)."), QStyle::SP_CustomBase);
    row->addSpacing(6);
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setRange(0, kSliderSteps);
    slider_->setToolTip(tr("The cursor's place in the iteration: drag to move it."));
    slider_->setMinimumWidth(60);
    row->addWidget(slider_, 1);
    time_ = new QLabel;
    time_->setToolTip(tr("The cursor's time and the iteration's length (simulated)."));
    row->addWidget(time_);

    connect(start, &QToolButton::clicked, &model_, [this] {
        model_.pause();
        model_.setCursorTime(0);
    });
    connect(previousLayer, &QToolButton::clicked, &model_, [this] { model_.stepLayer(-1); });
    connect(previousEvent, &QToolButton::clicked, &model_, [this] { model_.stepEvent(-1); });
    connect(play_, &QToolButton::clicked, &model_, &StudioModel::togglePlayback);
    connect(nextEvent, &QToolButton::clicked, &model_, [this] { model_.stepEvent(+1); });
    connect(nextLayer, &QToolButton::clicked, &model_, [this] { model_.stepLayer(+1); });
    connect(slower_, &QToolButton::clicked, &model_, &StudioModel::slower);
    connect(faster_, &QToolButton::clicked, &model_, &StudioModel::faster);
    connect(slider_, &QSlider::valueChanged, this, [this](int value) {
        if (updating_ || !model_.snapshot())
            return;
        model_.setCursorTime(model_.snapshot()->result->summary.iteration_s * value / kSliderSteps);
    });
    connect(&model_, &StudioModel::cursorChanged, this, &PlaybackControls::showCursor);
    connect(&model_, &StudioModel::snapshotChanged, this, [this] {
        showCursor();
        showPlayback(); // the pace against the GPU depends on the iteration's length
    });
    connect(&model_, &StudioModel::playbackChanged, this, &PlaybackControls::showPlayback);
    applyFonts();
    showCursor();
    showPlayback();
}

void PlaybackControls::applyFonts()
{
    QFont bold = QApplication::font();
    bold.setBold(true);
    play_->setFont(bold);
    const QFontMetrics fm(QApplication::font());
    speed_->setMinimumWidth(fm.horizontalAdvance(QStringLiteral("0.125×")) + 6);
    time_->setMinimumWidth(fm.horizontalAdvance(QStringLiteral("0000.0 / 0000.0 ms")) + 6);
    const int icon = fm.height();
    for (auto* button : findChildren<QToolButton*>())
        button->setIconSize(QSize(icon, icon));
}

bool PlaybackControls::event(QEvent* event)
{
    const bool handled = QWidget::event(event);
    if (event->type() == QEvent::ApplicationFontChange)
        applyFonts();
    return handled;
}

QString PlaybackControls::timeText() const { return time_->text(); }

void PlaybackControls::showCursor()
{
    const auto snapshot = model_.snapshot();
    const double end = snapshot ? snapshot->result->summary.iteration_s : 0.0;
    updating_ = true;
    slider_->setValue(end > 0 ? static_cast<int>(std::lround(model_.cursorTime() / end * kSliderSteps)) : 0);
    updating_ = false;
    // "701.2 / 1993.1 ms": the unit once, so the row fits a projector's width.
    const QString now = plots::formatMs(model_.cursorTime());
    const QString total = plots::formatMs(end);
    const bool sameUnit = now.right(3) == total.right(3);
    time_->setText(QStringLiteral("%1 / %2").arg(sameUnit ? now.left(now.size() - 3) : now, total));
}

void PlaybackControls::showPlayback()
{
    const bool playing = model_.isPlaying();
    play_->setText(playing ? tr("Pause") : tr("Play"));
    play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    const double speed = model_.playbackSpeed();
    speed_->setText(speedText(speed));
    slower_->setEnabled(speed > kPlaybackSpeeds.front());
    faster_->setEnabled(speed < kPlaybackSpeeds.back());
    // How much slower than the GPU: what the lecturer can say about the pace.
    const auto snapshot = model_.snapshot();
    const double rate = model_.simulatedSecondsPerSecond();
    speed_->setToolTip(snapshot && rate > 0 ? tr("One iteration in %1 s: %2 times slower than the simulated GPU.")
                                                  .arg(kIterationPlaySeconds / speed, 0, 'g', 3)
                                                  .arg(1.0 / rate, 0, 'f', 0)
                                            : QString());
}

} // namespace offload::studio::teaching
