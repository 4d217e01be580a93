#pragma once
// Base of every chart: a QCustomPlot with the figure style applied and replots that are skipped
// while the chart is hidden (done when it is shown), so that a control change only pays for
// the views on screen.
#include "figure_style.h"

#include <qcustomplot.h>

namespace offload::plots {

// A legend entry with no data: a filled swatch, optionally with the stall hatch drawn over it.
class LegendSwatch : public QCPAbstractPlottable {
    Q_OBJECT
public:
    LegendSwatch(QCPAxis* keyAxis, QCPAxis* valueAxis, const QString& name, const QBrush& fill,
                 bool stallHatch = false, const QPen& outline = Qt::NoPen);

    double selectTest(const QPointF&, bool, QVariant* = nullptr) const override { return -1; }
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain = QCP::sdBoth, const QCPRange& = QCPRange()) const override;

protected:
    void draw(QCPPainter*) override {}
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;

private:
    bool stallHatch_ = false;
};

// Bars with the stall hatch drawn over each bar as vector line segments.
class HatchedBars : public QCPBars {
    Q_OBJECT
public:
    using QCPBars::QCPBars;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;
};

class Chart : public QCustomPlot {
    Q_OBJECT
public:
    explicit Chart(const FigureStyle& style, QWidget* parent = nullptr);

    const FigureStyle& figureStyle() const { return style_; }
    // The numbers this chart draws, as CSV with a header row: the figure's data, for a reader
    // who wants to plot it again. Written from the plot's own data, so it is what is drawn.
    // By default: every visible graph's points (series, x, y); charts of other plottables
    // (bars, lanes) write their own.
    virtual QString drawnDataCsv() const;

    // Replots when visible (queued: once per pass of the event loop) or now when rendering a
    // figure; a hidden chart replots on its next show.
    void refresh();
    // Renders even when hidden (figure export draws charts that never appear on screen).
    void setAlwaysReplot(bool always) { alwaysReplot_ = always; }

protected:
    // The layer of items that move many times a second (the playback cursor), above the data and
    // buffered on its own: moving them repaints that layer only (refreshOverlay), not the data.
    QCPLayer* overlayLayer();
    void refreshOverlay();
    void styleAxisRect(QCPAxisRect* rect);
    void styleAxis(QCPAxis* axis);
    void styleLegend(QCPLegend* legend);
    // Puts the legend in a row of its own above the plot, entries side by side.
    void placeLegendOnTop();
    void showEvent(QShowEvent* event) override;
    // Runs after every layout (screen replot or figure rendering at another size) so that a
    // chart can adapt to its final size; returns true when the layout must be redone.
    virtual bool adaptToLayout() { return false; }
    void updateLayout() override;

private:
    // Wraps the legend row into as many rows as the width needs; true when it changed.
    bool fitLegendToWidth();

    FigureStyle style_;
    QCPLayer* overlay_ = nullptr;
    bool legendOnTop_ = false;
    bool alwaysReplot_ = false;
    bool pendingReplot_ = false;
};

} // namespace offload::plots
