#include "figure_export.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QDateTime>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <cmath>

namespace offload::plots {

namespace {
// Charts are laid out in logical pixels of this density, whatever the output: a 3.5 in figure
// has the same layout in PDF, SVG and PNG, and point-sized fonts keep their size. It is 72 so
// that one layout pixel is one point: Qt rounds a font's size to whole pixels of the device, and
// at 72 dpi a whole number of points is a whole number of pixels, so 8 pt text is 8 pt in the
// PDF (at 96 dpi it would come out as 8.25 pt).
constexpr double kLayoutDpi = 72.0;

int layoutPx(double inches) { return std::max(16, static_cast<int>(std::lround(inches * kLayoutDpi))); }

void checkSize(const FigureSize& size)
{
    if (!(size.width_in >= 0.5 && size.width_in <= 100 && size.height_in >= 0.5 && size.height_in <= 100))
        throw ExportError("figure size must be between 0.5 and 100 inches per side");
    if (!(size.dpi >= 30 && size.dpi <= 2400))
        throw ExportError("DPI must be between 30 and 2400");
}

// Renders with the plot's viewport temporarily set to the layout size, then restores it so the
// on-screen widget is left as it was.
void renderTo(QCustomPlot& plot, QCPPainter& painter, int widthPx, int heightPx)
{
    plot.toPainter(&painter, widthPx, heightPx);
}

// The date a PDF records: SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else
// the Unix epoch, so that a figure rebuilt from the same inputs is the same file, byte for byte.
QDateTime pdfCreationDate()
{
    bool ok = false;
    const qint64 epoch = qEnvironmentVariable("SOURCE_DATE_EPOCH").toLongLong(&ok);
    return QDateTime::fromSecsSinceEpoch(ok && epoch >= 0 ? epoch : 0, Qt::UTC);
}
} // namespace

void makePdfDeterministic(QByteArray& pdf)
{
    // QPdfWriter stamps the current time; it is replaced in place by a string of the same
    // length (UTC as "Z" or as "+00'00'", whichever the writer used), so that every offset in
    // the cross-reference table stays right.
    static const QByteArray key("/CreationDate (D:");
    const qsizetype start = pdf.indexOf(key);
    if (start < 0)
        return;
    const qsizetype valueStart = start + key.size();
    const qsizetype end = pdf.indexOf(')', valueStart);
    if (end < 0)
        return;
    const qsizetype length = end - valueStart;
    const QByteArray stamp = pdfCreationDate().toString(QStringLiteral("yyyyMMddHHmmss")).toLatin1();
    QByteArray replacement;
    if (length == stamp.size() + 1)
        replacement = stamp + "Z";
    else if (length == stamp.size() + 7)
        replacement = stamp + "+00'00'";
    else
        return; // a format this code does not know: left as written
    pdf.replace(valueStart, length, replacement);
}

std::optional<FigureFormat> figureFormatForPath(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("pdf"))
        return FigureFormat::pdf;
    if (suffix == QLatin1String("svg"))
        return FigureFormat::svg;
    if (suffix == QLatin1String("png"))
        return FigureFormat::png;
    return std::nullopt;
}

QString figureFormatSuffix(FigureFormat format)
{
    switch (format) {
    case FigureFormat::pdf: return QStringLiteral("pdf");
    case FigureFormat::svg: return QStringLiteral("svg");
    case FigureFormat::png: return QStringLiteral("png");
    }
    return {};
}

int pngWidthPx(const FigureSize& size) { return static_cast<int>(std::lround(size.width_in * size.dpi)); }
int pngHeightPx(const FigureSize& size) { return static_cast<int>(std::lround(size.height_in * size.dpi)); }

void exportFigure(QCustomPlot& plot, const QString& path, const FigureSize& size)
{
    const auto format = figureFormatForPath(path);
    if (!format)
        throw ExportError(QStringLiteral("%1: unknown figure format (use .pdf, .svg or .png)").arg(path).toStdString());
    exportFigure(plot, path, *format, size);
}

void exportFigure(QCustomPlot& plot, const QString& path, FigureFormat format, const FigureSize& size)
{
    checkSize(size);
    const int widthPx = layoutPx(size.width_in);
    const int heightPx = layoutPx(size.height_in);
    const QString title = plot.windowTitle().isEmpty() ? QStringLiteral("Offload Studio figure") : plot.windowTitle();
    // Written next to the target and renamed at the end: a failed export never leaves half a file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw ExportError(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()).toStdString());

    switch (format) {
    case FigureFormat::pdf: {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        {
            QPdfWriter writer(&buffer);
            writer.setCreator(QStringLiteral("Offload Studio"));
            writer.setTitle(title);
            writer.setResolution(static_cast<int>(kLayoutDpi));
            writer.setPageMargins(QMarginsF(0, 0, 0, 0));
            writer.setPageSize(QPageSize(QSizeF(size.width_in, size.height_in), QPageSize::Inch, QString(),
                                         QPageSize::ExactMatch));
            QCPPainter painter;
            if (!painter.begin(&writer))
                throw ExportError(QStringLiteral("%1: cannot start the PDF").arg(path).toStdString());
            painter.setMode(QCPPainter::pmVectorized);
            painter.setMode(QCPPainter::pmNoCaching);
            // The PDF page holds round(in x 72) device units; map the layout onto it exactly.
            painter.setWindow(0, 0, widthPx, heightPx);
            renderTo(plot, painter, widthPx, heightPx);
            painter.end();
        }
        QByteArray pdf = buffer.data();
        makePdfDeterministic(pdf);
        if (file.write(pdf) != pdf.size())
            throw ExportError(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()).toStdString());
        break;
    }
    case FigureFormat::svg: {
        QSvgGenerator generator;
        generator.setOutputDevice(&file);
        generator.setTitle(title);
        generator.setDescription(QStringLiteral("Offload Studio figure"));
        generator.setResolution(static_cast<int>(kLayoutDpi));
        generator.setSize(QSize(widthPx, heightPx));
        generator.setViewBox(QRect(0, 0, widthPx, heightPx));
        QCPPainter painter;
        if (!painter.begin(&generator))
            throw ExportError(QStringLiteral("%1: cannot start the SVG").arg(path).toStdString());
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        renderTo(plot, painter, widthPx, heightPx);
        painter.end();
        break;
    }
    case FigureFormat::png: {
        QImage image(pngWidthPx(size), pngHeightPx(size), QImage::Format_ARGB32_Premultiplied);
        // Fonts in points resolve against the image's density: render at the layout density
        // and scale, then record the real DPI in the file.
        const int layoutDpm = static_cast<int>(std::lround(kLayoutDpi / 0.0254));
        image.setDotsPerMeterX(layoutDpm);
        image.setDotsPerMeterY(layoutDpm);
        image.fill(Qt::white);
        {
            QCPPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setRenderHint(QPainter::TextAntialiasing);
            painter.scale(static_cast<double>(image.width()) / widthPx, static_cast<double>(image.height()) / heightPx);
            renderTo(plot, painter, widthPx, heightPx);
        }
        const int dpm = static_cast<int>(std::lround(size.dpi / 0.0254));
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        QImageWriter writer(&file, "png");
        if (!writer.write(image))
            throw ExportError(QStringLiteral("%1: %2").arg(path, writer.errorString()).toStdString());
        break;
    }
    }
    if (!file.commit())
        throw ExportError(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()).toStdString());
}

} // namespace offload::plots
