#pragma once
// Colours, fonts and line widths of every chart. One palette for screen and print: Okabe-Ito
// colours chosen so that the lanes also differ in lightness (they stay apart in grayscale and
// for colour-blind viewers); stalls carry a hatch pattern on top of their colour.
#include <QBrush>
#include <QLineF>
#include <QColor>
#include <QFont>
#include <QPen>
#include <QString>

#include <optional>
#include <string_view>
#include <vector>

class QPainter;

namespace offload::plots {

enum class FigurePreset {
    screen,        // the window: large fonts, readable when projected
    singleColumn,  // paper, 3.5 in wide
    doubleColumn,  // paper, 7 in wide
};

std::string_view figurePresetName(FigurePreset preset);
std::optional<FigurePreset> parseFigurePreset(std::string_view name);

struct FigureStyle {
    FigurePreset preset = FigurePreset::screen;
    QString fontFamily = QStringLiteral("DejaVu Sans");
    double tickFontPt = 10;
    double labelFontPt = 11;
    double legendFontPt = 10;
    double lineWidth = 2;      // data lines
    double axisLineWidth = 1;
    double defaultWidthIn = 7; // export size proposed for this preset
    double defaultHeightIn = 3;

    QFont tickFont() const;
    QFont labelFont() const;
    QFont legendFont() const;
    bool isPaper() const { return preset != FigurePreset::screen; }

    static FigureStyle forPreset(FigurePreset preset);
    // The same style in another font family and, when given, with every text at `pt` points
    // (ticks, labels, legend and annotations alike: a paper asks for one size).
    FigureStyle withFont(const QString& family, std::optional<double> pt) const;
};

namespace palette {
// Okabe & Ito (2008), "Color Universal Design"; lightness noted for grayscale reading.
inline const QColor blue{0x00, 0x72, 0xB2};          // dark
inline const QColor skyBlue{0x56, 0xB4, 0xE9};       // light
inline const QColor orange{0xE6, 0x9F, 0x00};        // light-mid
inline const QColor bluishGreen{0x00, 0x9E, 0x73};   // mid
inline const QColor vermillion{0xD5, 0x5E, 0x00};    // mid-dark
inline const QColor reddishPurple{0xCC, 0x79, 0xA7}; // light-mid
inline const QColor yellow{0xF0, 0xE4, 0x42};        // very light
inline const QColor black{0x00, 0x00, 0x00};
inline const QColor grey{0x88, 0x88, 0x88};
inline const QColor selection{0x00, 0x00, 0x00};
// The playback cursor and the layer running at it (teaching mode): a black line over a band of
// translucent yellow, distinct from the selection's solid outline.
inline const QColor cursor{0x00, 0x00, 0x00};
inline const QColor cursorBand{0xF0, 0xE4, 0x42, 120};

inline const QColor& forward = blue;
inline const QColor& backward = skyBlue;
inline const QColor& offload = orange;
inline const QColor& prefetch = bluishGreen;
inline const QColor& codec = reddishPurple;
inline const QColor& stall = vermillion;

// The n-th series colour for line charts (sweep lines): cycles through the palette.
QColor series(int index);
// A dash pattern per series so that lines also differ without colour.
Qt::PenStyle seriesDash(int index);
} // namespace palette

// The stall fill: its colour with a dense hatch, unmistakable in colour and in grayscale. The
// hatch is drawn as explicit line segments cut at the rectangle's edges (not a brush pattern),
// so that PDF, SVG and every SVG renderer show the same vector lines.
inline const QColor stallHatchColor{0x40, 0x10, 0x00};
void drawStallHatch(QPainter* painter, const QRectF& rect, double spacingPx = 4.0, double lineWidthPx = 0.8);
// The segments of that hatch: 45-degree lines (rising to the right) every `spacingPx`
// horizontally, clipped to `rect`; empty for an empty rectangle.
std::vector<QLineF> stallHatchLines(const QRectF& rect, double spacingPx = 4.0);

} // namespace offload::plots
