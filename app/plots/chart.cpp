#include "chart.h"

#include "format.h"

#include <algorithm>
#include <vector>

namespace offload::plots {

LegendSwatch::LegendSwatch(QCPAxis* keyAxis, QCPAxis* valueAxis, const QString& name, const QBrush& fill,
                           bool stallHatch, const QPen& outline)
    : QCPAbstractPlottable(keyAxis, valueAxis)
    , stallHatch_(stallHatch)
{
    setName(name);
    setBrush(fill);
    setPen(outline);
    setSelectable(QCP::stNone);
}

QCPRange LegendSwatch::getKeyRange(bool& foundRange, QCP::SignDomain) const
{
    foundRange = false;
    return {};
}

QCPRange LegendSwatch::getValueRange(bool& foundRange, QCP::SignDomain, const QCPRange&) const
{
    foundRange = false;
    return {};
}

void LegendSwatch::drawLegendIcon(QCPPainter* painter, const QRectF& rect) const
{
    painter->setPen(pen());
    painter->setBrush(brush());
    painter->drawRect(rect);
    if (stallHatch_)
        drawStallHatch(painter, rect, 3.0, 0.7);
}

void HatchedBars::draw(QCPPainter* painter)
{
    QCPBars::draw(painter);
    if (!keyAxis() || !valueAxis())
        return;
    const QCPRange keys = keyAxis()->range();
    for (auto it = mDataContainer->constBegin(); it != mDataContainer->constEnd(); ++it) {
        if (it->key + width() < keys.lower || it->key - width() > keys.upper || it->value == 0)
            continue;
        // The bar as QCPBars draws it, cut to the axis rect like the bar itself.
        const QRectF bar = getBarRect(it->key, it->value).intersected(QRectF(clipRect()));
        drawStallHatch(painter, bar, 3.0, 0.6);
    }
}

void HatchedBars::drawLegendIcon(QCPPainter* painter, const QRectF& rect) const
{
    QCPBars::drawLegendIcon(painter, rect);
    drawStallHatch(painter, rect, 3.0, 0.6);
}

Chart::Chart(const FigureStyle& style, QWidget* parent)
    : QCustomPlot(parent)
    , style_(style)
{
    setPlottingHints(QCP::phCacheLabels | QCP::phFastPolylines);
    setNoAntialiasingOnDrag(true);
    setBackground(Qt::white);
    styleAxisRect(axisRect());
    styleLegend(legend);
}

void Chart::refresh()
{
    if (alwaysReplot_) {
        pendingReplot_ = false;
        replot(QCustomPlot::rpImmediateRefresh);
    } else if (isVisible()) {
        // Queued: the changes of one event (a snapshot touches data, selection and ranges)
        // draw once, and each chart draws in its own event, so that the GUI thread is never
        // held by every chart's replot at once.
        pendingReplot_ = false;
        replot(QCustomPlot::rpQueuedReplot);
    } else {
        pendingReplot_ = true;
    }
}

void Chart::updateLayout()
{
    QCustomPlot::updateLayout();
    // A rewrapped legend changes the room left to the plots, and a chart's adaptation depends
    // on that room: repeated until both are settled (twice in practice).
    for (int pass = 0; pass < 4; ++pass) {
        const bool legendChanged = fitLegendToWidth();
        const bool adapted = adaptToLayout();
        if (!legendChanged && !adapted)
            break;
        QCustomPlot::updateLayout();
    }
}

bool Chart::fitLegendToWidth()
{
    if (!legendOnTop_ || !legend)
        return false;
    // The grid may hold empty cells after items come and go: count and measure real items.
    std::vector<QCPAbstractPlottable*> entries;
    int widest = 0, total = 0;
    const QMargins itemMargins = style_.isPaper() ? QMargins(2, 1, 2, 1) : QMargins(6, 2, 6, 2);
    for (int i = 0; i < legend->itemCount(); ++i) {
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(legend->item(i))) {
            item->setMargins(itemMargins);
            const int width = static_cast<QCPLayoutElement*>(item)->minimumOuterSizeHint().width();
            widest = std::max(widest, width);
            total += width + legend->columnSpacing();
            entries.push_back(item->plottable());
        }
    }
    if (entries.empty())
        return false;
    const int available = viewport().width() - legend->margins().left() - legend->margins().right();
    int columns = static_cast<int>(entries.size());
    if (total - legend->columnSpacing() > available) {
        while (columns > 1 && columns * widest + (columns - 1) * legend->columnSpacing() > available)
            --columns;
    }
    const int rows = (static_cast<int>(entries.size()) + columns - 1) / columns;
    bool holes = false;
    for (int i = 0; i < static_cast<int>(entries.size()); ++i)
        holes = holes || legend->item(i) == nullptr;
    if (!holes && columns == legend->wrap() && legend->columnCount() == columns && legend->rowCount() == rows)
        return false;
    // Rebuilt from scratch at explicit cells, in the original order: appending to a grid that
    // kept empty cells leaves holes in QCustomPlot 2.1.
    legend->clearItems();
    legend->setWrap(columns);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        auto* item = new QCPPlottableLegendItem(legend, entries[i]);
        item->setMargins(itemMargins);
        const int index = static_cast<int>(i);
        legend->addElement(index / columns, index % columns, item);
    }
    legend->simplify();
    return true;
}

QString Chart::drawnDataCsv() const
{
    QString csv = QStringLiteral("series,x,y\n");
    for (int i = 0; i < graphCount(); ++i) {
        const QCPGraph* graph = this->graph(i);
        if (!graph->visible())
            continue;
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
            csv += csvField(graph->name()) + QLatin1Char(',') + QString::number(it->key, 'g', 12) + QLatin1Char(',')
                   + QString::number(it->value, 'g', 12) + QLatin1Char('\n');
    }
    return csv;
}

QCPLayer* Chart::overlayLayer()
{
    if (!overlay_) {
        // QCustomPlot's own top layer (its selection rectangle lives there), already buffered
        // on its own.
        overlay_ = layer(QStringLiteral("overlay"));
        overlay_->setMode(QCPLayer::lmBuffered);
    }
    return overlay_;
}

void Chart::refreshOverlay()
{
    if (pendingReplot_ || !overlay_)
        return; // the full replot on show draws the overlay too
    if (alwaysReplot_ || isVisible())
        overlay_->replot();
    else
        pendingReplot_ = true;
}

void Chart::showEvent(QShowEvent* event)
{
    QCustomPlot::showEvent(event);
    if (pendingReplot_) {
        pendingReplot_ = false;
        replot(QCustomPlot::rpQueuedReplot);
    }
}

void Chart::styleAxis(QCPAxis* axis)
{
    const QPen axisPen(Qt::black, style_.axisLineWidth);
    axis->setBasePen(axisPen);
    axis->setTickPen(axisPen);
    axis->setSubTickPen(axisPen);
    axis->setTickLabelFont(style_.tickFont());
    axis->setLabelFont(style_.labelFont());
    axis->setSelectedTickLabelFont(style_.tickFont());
    axis->setSelectedLabelFont(style_.labelFont());
    axis->setTickLengthOut(style_.isPaper() ? 2 : 4);
    axis->setTickLengthIn(0);
    axis->setSubTickLengthIn(0);
    axis->setSubTickLengthOut(style_.isPaper() ? 1 : 2);
    axis->setLabelPadding(style_.isPaper() ? 2 : 5);
    axis->setTickLabelPadding(style_.isPaper() ? 2 : 4);
    axis->grid()->setPen(QPen(QColor(0xDD, 0xDD, 0xDD), 0, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
}

void Chart::styleAxisRect(QCPAxisRect* rect)
{
    for (auto* axis : rect->axes())
        styleAxis(axis);
    if (style_.isPaper())
        rect->setMinimumMargins(QMargins(2, 2, 2, 2));
}

void Chart::styleLegend(QCPLegend* legendElement)
{
    legendElement->setFont(style_.legendFont());
    legendElement->setSelectedFont(style_.legendFont());
    legendElement->setBorderPen(Qt::NoPen);
    legendElement->setBrush(QColor(255, 255, 255, 220));
    const int pad = style_.isPaper() ? 1 : 3;
    legendElement->setMargins(QMargins(pad, pad, pad, pad));
    legendElement->setIconSize(style_.isPaper() ? QSize(14, 7) : QSize(22, 12));
    legendElement->setIconTextPadding(style_.isPaper() ? 3 : 6);
}

void Chart::placeLegendOnTop()
{
    legend->setVisible(true);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(legend->itemCount() > 0 ? legend->itemCount() : 1);
    legendOnTop_ = true;
    plotLayout()->insertRow(0);
    plotLayout()->addElement(0, 0, legend);
    plotLayout()->setRowStretchFactor(0, 0.001);
    legend->setMargins(QMargins(2, style_.isPaper() ? 1 : 2, 2, 0));
    legend->setRowSpacing(0);
    legend->setColumnSpacing(style_.isPaper() ? 6 : 12);
}

} // namespace offload::plots
