#pragma once
// Writes a chart as a figure: PDF (vector, fonts embedded), SVG (vector) or PNG (raster at a
// DPI), at a size in inches. Used by the window's export and by `offload-sim figure`.
#include <QByteArray>
#include <QString>

#include <optional>
#include <stdexcept>

class QCustomPlot;

namespace offload::plots {

enum class FigureFormat { pdf, svg, png };

std::optional<FigureFormat> figureFormatForPath(const QString& path); // by the file's suffix
QString figureFormatSuffix(FigureFormat format);

struct FigureSize {
    double width_in = 7;
    double height_in = 3;
    double dpi = 300; // PNG pixels per inch; vector formats record it only as metadata
};

class ExportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Lays the chart out at the figure size and writes it; throws ExportError naming the file.
void exportFigure(QCustomPlot& plot, const QString& path, FigureFormat format, const FigureSize& size);
void exportFigure(QCustomPlot& plot, const QString& path, const FigureSize& size);

// Replaces the creation date QPdfWriter writes with SOURCE_DATE_EPOCH (or the Unix epoch),
// keeping every byte offset: exported PDFs are deterministic.
void makePdfDeterministic(QByteArray& pdf);

// Pixel size of a PNG export of `size`.
int pngWidthPx(const FigureSize& size);
int pngHeightPx(const FigureSize& size);

} // namespace offload::plots
