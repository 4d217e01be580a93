#include "caption_bar.h"

#include "app/plots/figure_style.h"
#include "app/plots/format.h"

#include <QApplication>
#include <QEvent>

namespace offload::studio::teaching {

QColor captionColor(sim::CaptionKind kind, bool forward)
{
    namespace palette = plots::palette;
    switch (kind) {
    case sim::CaptionKind::compute: return forward ? palette::forward : palette::backward;
    case sim::CaptionKind::forward_stall:
    case sim::CaptionKind::backward_stall: return palette::stall;
    case sim::CaptionKind::offload: return palette::offload;
    case sim::CaptionKind::prefetch: return palette::prefetch;
    case sim::CaptionKind::compress:
    case sim::CaptionKind::decompress: return palette::codec;
    }
    return palette::grey;
}

CaptionBar::CaptionBar(StudioModel& model, QWidget* parent) : QLabel(parent), model_(model)
{
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setMargin(6);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    applyFont();
    setToolTip(tr("What happens at the cursor: the compute stream first, then every copy under way. The colours are "
                  "the timeline's."));
    connect(&model_, &StudioModel::snapshotChanged, this, &CaptionBar::showSnapshot);
    connect(&model_, &StudioModel::cursorChanged, this, &CaptionBar::refresh);
    if (model_.snapshot())
        showSnapshot(model_.snapshot());
}

void CaptionBar::applyFont()
{
    QFont large = QApplication::font();
    large.setPointSizeF(large.pointSizeF() * 1.2);
    setFont(large);
    // Room for three captions, so that the views below do not jump as their number changes.
    setMinimumHeight(QFontMetrics(large).lineSpacing() * 3 + 2 * margin() + 4);
}

bool CaptionBar::event(QEvent* event)
{
    const bool handled = QLabel::event(event);
    if (event->type() == QEvent::ApplicationFontChange)
        applyFont();
    return handled;
}

void CaptionBar::showSnapshot(SnapshotPtr snapshot)
{
    shown_ = std::move(snapshot);
    refresh();
}

void CaptionBar::refresh()
{
    if (!shown_)
        return;
    const double t = model_.cursorTime();
    const auto& result = *shown_->result;
    const sim::TeachingIndex& index = *shown_->teaching;
    captions_ = index.captionsAt(shown_->scenario.network->network(), t);
    const auto step = index.computeAt(t);
    const bool forward = step ? step->forward : t < result.summary.iteration_s / 2;
    QString html; // the time is the playback controls' (beside them)
    if (captions_.empty()) {
        html += (t <= 0 ? tr("Press Play (Space in presentation mode) or step with the arrows to follow one training "
                               "iteration.")
                          : tr("The iteration is over."));
    }
    for (const auto& caption : captions_) {
        html += QStringLiteral("%1<span style=\"color:%2\">&#9632;</span>&nbsp;%3")
                    .arg(html.isEmpty() ? QString() : QStringLiteral("<br>"))
                    .arg(captionColor(caption.kind, forward).name(), QString::fromStdString(caption.text).toHtmlEscaped());
    }
    setText(html);
}

} // namespace offload::studio::teaching
