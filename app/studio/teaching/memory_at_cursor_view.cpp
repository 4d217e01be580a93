#include "memory_at_cursor_view.h"

#include "app/plots/figure_style.h"
#include "app/plots/format.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cstdlib>

namespace offload::studio::teaching {

namespace palette = plots::palette;

namespace {
const QColor kCursorRow{0xF0, 0xE4, 0x42}; // the palette's yellow, as the diagram's running layer

QColor placeColor(sim::TensorPlace place)
{
    switch (place) {
    case sim::TensorPlace::gpu: return palette::blue; // the memory chart's curve
    case sim::TensorPlace::offloading: return palette::offload;
    case sim::TensorPlace::prefetching: return palette::prefetch;
    case sim::TensorPlace::host: return palette::grey;
    }
    return palette::grey;
}

// Three significant digits: "196 MiB", "98.0 MiB", "1.53 GiB" (columns are narrow in large type).
QString compactBytes(std::uint64_t bytes)
{
    const double b = static_cast<double>(bytes);
    const char* unit = "B";
    double v = b;
    if (b >= 1024.0 * 1024 * 1024) {
        v = b / (1024.0 * 1024 * 1024);
        unit = "GiB";
    } else if (b >= 1024.0 * 1024) {
        v = b / (1024.0 * 1024);
        unit = "MiB";
    } else if (b >= 1024.0) {
        v = b / 1024.0;
        unit = "KiB";
    }
    const int decimals = v >= 100 || *unit == 'B' ? 0 : (v >= 10 ? 1 : 2);
    return QStringLiteral("%1 %2").arg(v, 0, 'f', decimals).arg(QLatin1String(unit));
}

QString placeText(sim::TensorPlace place)
{
    switch (place) {
    case sim::TensorPlace::gpu: return QObject::tr("on the GPU");
    case sim::TensorPlace::offloading: return QObject::tr("being offloaded to the host");
    case sim::TensorPlace::prefetching: return QObject::tr("being prefetched to the GPU");
    case sim::TensorPlace::host: return QObject::tr("on the host only");
    }
    return {};
}
} // namespace

sim::MemoryPoint memoryAt(const sim::Result& result, double t_s)
{
    const auto& points = result.memory;
    auto after = std::upper_bound(points.begin(), points.end(), t_s,
                                  [](double t, const sim::MemoryPoint& p) { return t < p.time_s; });
    if (after == points.begin())
        return {};
    return *std::prev(after);
}

MemoryAtCursorView::MemoryAtCursorView(StudioModel& model, QWidget* parent) : QWidget(parent), model_(model)
{
    setToolTip(QString()); // per row (event())
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(&model_, &StudioModel::snapshotChanged, this, &MemoryAtCursorView::showSnapshot);
    connect(&model_, &StudioModel::cursorChanged, this, &MemoryAtCursorView::refresh);
    connect(&model_, &StudioModel::selectionChanged, this, [this](int layer) {
        selectedLayer_ = layer;
        update();
    });
    if (model_.snapshot())
        showSnapshot(model_.snapshot());
}

void MemoryAtCursorView::showSnapshot(SnapshotPtr snapshot)
{
    shown_ = std::move(snapshot);
    selectedLayer_ = model_.selectedLayer();
    refresh();
}

void MemoryAtCursorView::refresh()
{
    if (!shown_)
        return;
    cursorS_ = model_.cursorTime();
    cursorLayer_ = model_.cursorLayer();
    residency_ = shown_->teaching->residencySummaryAt(cursorS_, cursorLayer_, kListedPerPlace);
    memory_ = memoryAt(*shown_->result, cursorS_);
    update();
}

QString MemoryAtCursorView::headline() const
{
    return tr("GPU memory at %1: %2").arg(plots::formatMs(cursorS_), plots::formatBytes(memory_.bytes));
}

QSize MemoryAtCursorView::sizeHint() const
{
    const QFontMetrics fm(font());
    return {fm.horizontalAdvance(QLatin1Char('x')) * 90, fm.lineSpacing() * 14};
}

QSize MemoryAtCursorView::minimumSizeHint() const
{
    const QFontMetrics fm(font());
    return {fm.horizontalAdvance(QLatin1Char('x')) * 45, fm.lineSpacing() * 7};
}

void MemoryAtCursorView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange)
        updateGeometry();
    QWidget::changeEvent(event);
}

bool MemoryAtCursorView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        for (const auto& row : rows_) {
            if (row.rect.contains(help->pos())) {
                QToolTip::showText(help->globalPos(), row.tip, this);
                return true;
            }
        }
        QToolTip::showText(help->globalPos(),
                           tr("Where every stashed activation is at the cursor. The GPU total is the memory chart's "
                              "value at the cursor; activations and in-flight buffers are the tensors listed."),
                           this);
        return true;
    }
    return QWidget::event(event);
}

void MemoryAtCursorView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    rows_.clear();
    if (!shown_)
        return;
    p.setRenderHint(QPainter::Antialiasing);
    const QColor ink = palette().color(QPalette::Text);
    QFont bold = font();
    bold.setBold(true);
    const QFontMetrics fm(font());
    const int line = fm.lineSpacing();
    const int pad = line / 3;
    const auto& scenario = shown_->scenario;
    const auto kind = [&](sim::MemoryKind k) { return memory_.by_kind[static_cast<std::size_t>(k)]; };

    // The headline: the memory chart's value at the cursor and what it holds.
    int y = pad;
    p.setPen(ink);
    p.setFont(bold);
    p.drawText(QRect(pad, y, width() - 2 * pad, line), Qt::AlignLeft | Qt::AlignVCenter, headline());
    y += line;
    p.setFont(font());
    const QString parts = tr("activations %1 · in flight %2 · weights %3 · workspace %4 · gradients %5")
                              .arg(compactBytes(kind(sim::MemoryKind::activations)),
                                   compactBytes(kind(sim::MemoryKind::in_flight)),
                                   compactBytes(kind(sim::MemoryKind::weights)),
                                   compactBytes(kind(sim::MemoryKind::workspace)),
                                   compactBytes(kind(sim::MemoryKind::gradients)));
    const QRect partsRect = fm.boundingRect(QRect(pad, y, width() - 2 * pad, 2 * line), Qt::TextWordWrap, parts);
    p.drawText(QRect(pad, y, width() - 2 * pad, 2 * line), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, parts);
    y += std::min(partsRect.height(), 2 * line) + pad;

    // Three columns of tensors. `count` and `bytes` are the place's (exact); `tensors` the ones
    // listed, all of them unless the place holds more than kListedPerPlace.
    struct Column {
        QString title;
        std::vector<const sim::ResidentTensor*> tensors;
        std::uint64_t bytes = 0;
        std::size_t count = 0;
    };
    std::array<Column, 3> columns{Column{tr("On the GPU"), {}, residency_.gpu_bytes, 0},
                                  Column{tr("In flight"), {}, residency_.in_flight_bytes, 0},
                                  Column{tr("On the host"), {}, residency_.host_bytes, 0}};
    std::uint64_t largest = 1; // of the tensors listed
    for (sim::TensorPlace place : {sim::TensorPlace::gpu, sim::TensorPlace::offloading, sim::TensorPlace::host,
                                   sim::TensorPlace::prefetching}) {
        const sim::PlaceSummary& summary = residency_.of(place);
        Column& column = columns[place == sim::TensorPlace::gpu ? 0 : (place == sim::TensorPlace::host ? 2 : 1)];
        column.count += summary.count;
        for (const auto& t : summary.listed) {
            column.tensors.push_back(&t);
            largest = std::max(largest, t.bytes);
        }
    }
    const int columnW = (width() - 4 * pad) / 3;
    // Title and sum on one line when every column has the width, else the sum below its title.
    const QFontMetrics boldMetrics(bold);
    const bool oneLine = std::all_of(columns.begin(), columns.end(), [&](const Column& c) {
        return line + boldMetrics.horizontalAdvance(c.title) + pad + fm.horizontalAdvance(compactBytes(c.bytes)) <= columnW;
    });
    const int rowsTop = y + (oneLine ? 1 : 2) * line + pad;
    const int rowH = line + 2;
    const int fitRows = std::max(1, (height() - rowsTop - pad) / rowH);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const Column& column = columns[c];
        const int x = pad + static_cast<int>(c) * (columnW + pad);
        // Title with a swatch, then the column's sum.
        const QColor swatch = c == 0 ? placeColor(sim::TensorPlace::gpu) : (c == 2 ? placeColor(sim::TensorPlace::host) : palette::offload);
        p.setPen(Qt::NoPen);
        p.setBrush(swatch);
        p.drawRect(QRectF(x, y + line * 0.2, line * 0.6, line * 0.6));
        if (c == 1) {
            p.setBrush(palette::prefetch);
            p.drawRect(QRectF(x + line * 0.3, y + line * 0.2, line * 0.3, line * 0.6));
        }
        p.setPen(ink);
        p.setFont(bold);
        p.drawText(QRect(x + line, y, columnW - line, line), Qt::AlignLeft | Qt::AlignVCenter, column.title);
        p.setFont(font());
        QString sum = column.count == 0 ? tr("nothing")
                      : column.count == 1
                          ? tr("%1 in 1 tensor").arg(compactBytes(column.bytes))
                          : tr("%1 in %2 tensors").arg(compactBytes(column.bytes)).arg(column.count);
        const int sumW = oneLine ? columnW - line - boldMetrics.horizontalAdvance(column.title) - pad : columnW;
        if (fm.horizontalAdvance(sum) > sumW)
            sum = column.count == 0 ? QString() : compactBytes(column.bytes); // the count is in the rows below
        if (oneLine)
            p.drawText(QRect(x, y, columnW, line), Qt::AlignRight | Qt::AlignVCenter, sum);
        else
            p.drawText(QRect(x, y + line, columnW, line), Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(sum, Qt::ElideRight, columnW));
        p.setPen(QPen(palette().color(QPalette::Mid), 1));
        p.drawLine(x, rowsTop - pad / 2, x + columnW, rowsTop - pad / 2);

        // Rows: a bar as long as the tensor's share of the largest, its name and size. Rows that
        // do not fit end in one "and n more" row with their sum. When the place holds more than
        // were listed, the rows are the listed ones nearest the cursor's layer, in layer order.
        const std::size_t n = column.count;
        const std::size_t shown = n <= static_cast<std::size_t>(fitRows)
                                      ? column.tensors.size()
                                      : std::min(column.tensors.size(), static_cast<std::size_t>(fitRows - 1));
        std::vector<const sim::ResidentTensor*> rows = column.tensors;
        if (column.tensors.size() < n && shown < rows.size()) {
            const auto distance = [&](const sim::ResidentTensor* t) {
                return std::abs(static_cast<long long>(t->tensor) - cursorLayer_);
            };
            std::stable_sort(rows.begin(), rows.end(), [&](auto* a, auto* b) { return distance(a) < distance(b); });
            rows.resize(shown);
            std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->tensor < b->tensor; });
        }
        std::uint64_t shownBytes = 0;
        for (std::size_t i = 0; i < shown; ++i) {
            const sim::ResidentTensor& t = *rows[i];
            shownBytes += t.bytes;
            const QRectF r(x, rowsTop + static_cast<int>(i) * rowH, columnW, rowH - 2);
            const int layer = t.tensor;
            const double share = static_cast<double>(t.bytes) / static_cast<double>(largest);
            p.setPen(Qt::NoPen);
            QColor bar = placeColor(t.place);
            bar.setAlpha(110);
            p.setBrush(bar);
            p.drawRect(QRectF(r.left(), r.top() + 1, std::max(2.0, r.width() * share), r.height() - 2));
            p.setBrush(placeColor(t.place));
            p.drawRect(QRectF(r.left(), r.top() + 1, 4, r.height() - 2));
            if (layer >= 0 && layer == cursorLayer_) {
                // The running layer's output: ringed in the diagram's yellow.
                p.setPen(QPen(kCursorRow.darker(115), 3));
                p.setBrush(Qt::NoBrush);
                p.drawRect(r.adjusted(1.5, 1.5, -1.5, -1.5));
            }
            QString name = plots::layerName(scenario, t.tensor);
            if (t.place == sim::TensorPlace::offloading)
                name += QStringLiteral(" → host");
            else if (t.place == sim::TensorPlace::prefetching)
                name += QStringLiteral(" → GPU");
            const QString size = compactBytes(t.bytes);
            p.setPen(ink);
            p.setFont(layer >= 0 && layer == selectedLayer_ ? bold : font());
            const int sizeW = fm.horizontalAdvance(size) + pad / 2;
            const QRectF text = r.adjusted(7, 0, -2, 0);
            p.drawText(text.adjusted(0, 0, -sizeW, 0), Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(name, Qt::ElideRight, static_cast<int>(text.width()) - sizeW));
            p.drawText(text, Qt::AlignRight | Qt::AlignVCenter, size);
            rows_.push_back({r, t.tensor,
                             tr("<b>%1</b>: %2, %3<br>from %4 to %5")
                                 .arg(QString::fromStdString(sim::tensorLabel(scenario.network->network(), t.tensor)).toHtmlEscaped(),
                                      plots::formatBytes(t.bytes), placeText(t.place), plots::formatMs(t.since_s),
                                      plots::formatMs(t.until_s))});
        }
        p.setFont(font());
        if (shown < n) {
            const std::uint64_t rest = column.bytes - shownBytes;
            const QRectF r(x + 8, rowsTop + static_cast<int>(shown) * rowH, columnW - 10, rowH - 2);
            p.setPen(ink);
            p.drawText(r, Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(tr("+ %1 more, %2").arg(n - shown).arg(compactBytes(rest)), Qt::ElideRight,
                                     static_cast<int>(r.width())));
        }
    }
}

} // namespace offload::studio::teaching
