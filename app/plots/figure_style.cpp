#include "figure_style.h"

#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace offload::plots {

std::string_view figurePresetName(FigurePreset preset)
{
    switch (preset) {
    case FigurePreset::screen: return "screen";
    case FigurePreset::singleColumn: return "single-column";
    case FigurePreset::doubleColumn: return "double-column";
    }
    return "screen";
}

std::optional<FigurePreset> parseFigurePreset(std::string_view name)
{
    for (auto p : {FigurePreset::screen, FigurePreset::singleColumn, FigurePreset::doubleColumn})
        if (figurePresetName(p) == name)
            return p;
    return std::nullopt;
}

static QFont makeFont(const QString& family, double pt)
{
    QFont font(family);
    font.setPointSizeF(pt);
    // Hinting changes glyph widths between screen and PDF; without it a figure lays out the same.
    font.setHintingPreference(QFont::PreferNoHinting);
    return font;
}

QFont FigureStyle::tickFont() const { return makeFont(fontFamily, tickFontPt); }
QFont FigureStyle::labelFont() const { return makeFont(fontFamily, labelFontPt); }
QFont FigureStyle::legendFont() const { return makeFont(fontFamily, legendFontPt); }

FigureStyle FigureStyle::withFont(const QString& family, std::optional<double> pt) const
{
    FigureStyle style = *this;
    if (!family.isEmpty())
        style.fontFamily = family;
    if (pt) {
        style.tickFontPt = *pt;
        style.labelFontPt = *pt;
        style.legendFontPt = *pt;
    }
    return style;
}

FigureStyle FigureStyle::forPreset(FigurePreset preset)
{
    FigureStyle style;
    style.preset = preset;
    switch (preset) {
    case FigurePreset::screen:
        break;
    case FigurePreset::singleColumn:
        // 3.5 in column: 7-8 pt text matches a typical 9-10 pt body after no scaling.
        style.tickFontPt = 7;
        style.labelFontPt = 8;
        style.legendFontPt = 7;
        style.lineWidth = 1.2;
        style.axisLineWidth = 0.6;
        style.defaultWidthIn = 3.5;
        style.defaultHeightIn = 2.2;
        break;
    case FigurePreset::doubleColumn:
        style.tickFontPt = 8;
        style.labelFontPt = 9;
        style.legendFontPt = 8;
        style.lineWidth = 1.4;
        style.axisLineWidth = 0.7;
        style.defaultWidthIn = 7;
        style.defaultHeightIn = 2.6;
        break;
    }
    return style;
}

namespace palette {
QColor series(int index)
{
    static const std::array<QColor, 7> colours{black, orange, skyBlue, bluishGreen, vermillion, blue, reddishPurple};
    return colours[static_cast<std::size_t>(index) % colours.size()];
}

Qt::PenStyle seriesDash(int index)
{
    static const std::array<Qt::PenStyle, 4> dashes{Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    return dashes[static_cast<std::size_t>(index) % dashes.size()];
}
} // namespace palette

std::vector<QLineF> stallHatchLines(const QRectF& rect, double spacingPx)
{
    std::vector<QLineF> lines;
    const QRectF r = rect.normalized();
    if (r.width() <= 0 || r.height() <= 0 || !(spacingPx > 0))
        return lines;
    // Lines x + y = c (screen y grows downwards, so they rise to the right). Each is cut where
    // it enters and leaves the rectangle: c runs over [left + top, right + bottom]. The phase
    // is anchored at the origin so that neighbouring rectangles continue the same pattern.
    const double cMin = r.left() + r.top(), cMax = r.right() + r.bottom();
    for (double c = std::ceil(cMin / spacingPx) * spacingPx; c < cMax; c += spacingPx) {
        // Start: the lowest point on the left edge or the bottom edge; end: top or right edge.
        const double x1 = std::max(r.left(), c - r.bottom());
        const double y1 = c - x1;
        const double x2 = std::min(r.right(), c - r.top());
        const double y2 = c - x2;
        if (x2 > x1)
            lines.emplace_back(QPointF(x1, y1), QPointF(x2, y2));
    }
    return lines;
}

void drawStallHatch(QPainter* painter, const QRectF& rect, double spacingPx, double lineWidthPx)
{
    const auto lines = stallHatchLines(rect, spacingPx);
    if (lines.empty())
        return;
    painter->save();
    QPen pen(stallHatchColor, lineWidthPx);
    pen.setCapStyle(Qt::FlatCap);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawLines(lines.data(), static_cast<int>(lines.size()));
    painter->restore();
}

} // namespace offload::plots
