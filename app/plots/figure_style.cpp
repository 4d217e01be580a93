#include "figure_style.h"

#include <array>

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

QBrush stallHatchBrush()
{
    return QBrush(QColor(0x40, 0x10, 0x00), Qt::BDiagPattern);
}

} // namespace offload::plots
