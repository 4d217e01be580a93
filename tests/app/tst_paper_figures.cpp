// Paper figures: a time range clips exactly (nothing outside it is drawn, what crosses an edge is
// cut there), stacked timelines share one time axis, PDF text is the size asked for, the stall
// hatch is vector lines that every SVG renderer draws, and the CSV beside a figure is what it draws.
#include "test_support.h"

#include "app/plots/figure_builder.h"
#include "app/plots/figure_job.h"
#include "app/studio/export_dialog.h"
#include "app/plots/figure_export.h"
#include "app/plots/layer_bars_plot.h"
#include "app/plots/memory_plot.h"
#include "app/plots/stacked_timeline_plot.h"
#include "app/plots/timeline_plot.h"
#include "sim/simulator.h"

#include <QFile>
#include <QImage>
#include <QPushButton>
#include <QStandardPaths>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <cmath>
#include <map>
#include <set>

using namespace offload;
using offload::studio::test::samplePath;

namespace {

sim::Scenario loadSample(const char* relative)
{
    return sim::loadScenarioFile(samplePath(QString::fromLatin1(relative)).toStdString());
}

// The decompressed content streams of a PDF (FlateDecode, as QPdfWriter writes them).
std::vector<QByteArray> pdfStreams(const QByteArray& pdf)
{
    std::vector<QByteArray> streams;
    qsizetype at = 0;
    while ((at = pdf.indexOf("stream\n", at)) >= 0) {
        const qsizetype start = at + 7;
        const qsizetype end = pdf.indexOf("endstream", start);
        if (end < 0)
            break;
        at = end + 9; // past "endstream"
        const QByteArray data = pdf.mid(start, end - start);
        // Only zlib streams (FlateDecode): a zlib header is 0x78 and a check over two bytes.
        if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x78
            || ((static_cast<unsigned char>(data[0]) << 8) | static_cast<unsigned char>(data[1])) % 31 != 0)
            continue;
        // qUncompress wants the expected length first; it grows the buffer when it is short.
        QByteArray framed(4, '\0');
        qToBigEndian<quint32>(1u << 20, framed.data());
        framed += data;
        const QByteArray inflated = qUncompress(framed);
        if (!inflated.isEmpty())
            streams.push_back(inflated);
    }
    return streams;
}

// Every text size of a PDF page in points: the size of each Tf scaled by the text matrix and
// the current transformation (cm, with q/Q), as a PDF viewer shows it.
std::vector<double> pdfTextSizesPt(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    std::vector<double> sizes;
    for (const QByteArray& stream : pdfStreams(file.readAll())) {
        if (!stream.contains(" Tf"))
            continue;
        // Scale factors only: the figure never rotates text that matters here.
        std::vector<double> scaleStack{1.0};
        double tf = 0;
        std::vector<double> operands;
        const QList<QByteArray> tokens = stream.simplified().split(' ');
        for (const QByteArray& token : tokens) {
            bool isNumber = false;
            const double value = token.toDouble(&isNumber);
            if (isNumber) {
                operands.push_back(value);
                continue;
            }
            if (token == "q") {
                scaleStack.push_back(scaleStack.back());
            } else if (token == "Q") {
                if (scaleStack.size() > 1)
                    scaleStack.pop_back();
            } else if (token == "cm" && operands.size() >= 6) {
                const double* m = &operands[operands.size() - 6];
                scaleStack.back() *= std::sqrt(std::abs(m[0] * m[3] - m[1] * m[2]));
            } else if (token == "Tf" && !operands.empty()) {
                tf = operands.back();
            } else if (token == "Tm" && operands.size() >= 6) {
                const double* m = &operands[operands.size() - 6];
                sizes.push_back(tf * std::sqrt(std::abs(m[0] * m[3] - m[1] * m[2])) * scaleStack.back());
            }
            operands.clear();
        }
    }
    return sizes;
}

} // namespace

class TestPaperFigures : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        vdnn_ = loadSample("scenarios/vgg16-titanx-pcie3-none.json");
        cdma_ = loadSample("scenarios/vgg16-titanx-pcie3-zvc.json");
        vdnnResult_ = sim::simulate(vdnn_);
        cdmaResult_ = sim::simulate(cdma_);
    }

    void timelineRangeClipsExactly_data()
    {
        QTest::addColumn<double>("fromMs");
        QTest::addColumn<double>("toMs");
        // Edges inside events (the first stall starts near 115 ms), and one range inside a
        // single long event.
        QTest::newRow("first stall") << 60.0 << 130.0;
        QTest::newRow("forward and backward") << 500.0 << 1400.0;
        QTest::newRow("inside one event") << 120.0 << 121.0;
    }

    void timelineRangeClipsExactly()
    {
        QFETCH(double, fromMs);
        QFETCH(double, toMs);
        plots::TimelinePlot plot(plots::FigureStyle::forPreset(plots::FigurePreset::singleColumn));
        plot.setData(vdnn_, vdnnResult_, std::make_pair(fromMs, toMs));
        QCOMPARE(plot.xAxis->range().lower, fromMs);
        QCOMPARE(plot.xAxis->range().upper, toMs);

        // What the lanes hold (and draw) is exactly the overlap of every event with the range.
        std::multiset<std::pair<double, double>> expected, drawn;
        int cutAtAnEdge = 0;
        for (const auto& e : vdnnResult_.events) {
            if (e.end_s * 1e3 <= fromMs || e.start_s * 1e3 >= toMs || e.end_s <= e.start_s)
                continue;
            expected.insert({std::max(e.start_s * 1e3, fromMs), std::min(e.end_s * 1e3, toMs)});
            cutAtAnEdge += e.start_s * 1e3 < fromMs || e.end_s * 1e3 > toMs;
        }
        QVERIFY(cutAtAnEdge > 0); // the ranges are chosen to cut events
        for (int row = 0; row < plot.lanes().rowCount(); ++row) {
            for (const auto& e : plot.lanes().rowEvents(row)) {
                QVERIFY2(e.start_s * 1e3 >= fromMs - 1e-9 && e.end_s * 1e3 <= toMs + 1e-9,
                         qPrintable(QStringLiteral("event %1..%2 ms outside the range").arg(e.start_s * 1e3).arg(e.end_s * 1e3)));
                drawn.insert({e.start_s * 1e3, e.end_s * 1e3});
            }
        }
        QCOMPARE(drawn.size(), expected.size());
        auto d = drawn.begin();
        for (auto x = expected.begin(); x != expected.end(); ++x, ++d) {
            QVERIFY(std::abs(d->first - x->first) < 1e-9);
            QVERIFY(std::abs(d->second - x->second) < 1e-9);
        }

        // The CSV beside the figure lists the same events, cut the same way.
        const QStringList lines = plot.drawnDataCsv().trimmed().split(QLatin1Char('\n'));
        QCOMPARE(static_cast<std::size_t>(lines.size() - 1), expected.size());
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList fields = lines[i].split(QLatin1Char(','));
            const double start = fields[fields.size() - 2].toDouble(), end = fields.back().toDouble();
            QVERIFY(start >= fromMs - 1e-6 && end <= toMs + 1e-6 && end >= start);
        }
    }

    void memoryRangeClipsExactly()
    {
        const double fromMs = 100, toMs = 700;
        plots::MemoryPlot plot(plots::FigureStyle::forPreset(plots::FigurePreset::doubleColumn));
        plot.setTimeRange(std::make_pair(fromMs, toMs));
        plot.setData(vdnn_, vdnnResult_);
        QCOMPARE(plot.xAxis->range().lower, fromMs);
        QCOMPARE(plot.xAxis->range().upper, toMs);
        for (auto* graph : {plot.memoryGraph(), plot.oracleGraph(), plot.budgetGraph()}) {
            QVERIFY(!graph->data()->isEmpty());
            QCOMPARE(graph->data()->constBegin()->key, fromMs);
            QCOMPARE((graph->data()->constEnd() - 1)->key, toMs);
            for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
                QVERIFY(it->key >= fromMs && it->key <= toMs);
        }
        // The level at the cut is the one in force at that time.
        std::uint64_t bytesAtFrom = 0;
        for (const auto& p : vdnnResult_.memory)
            if (p.time_s * 1e3 <= fromMs)
                bytesAtFrom = p.bytes;
        QCOMPARE(plot.memoryGraph()->data()->constBegin()->value, static_cast<double>(bytesAtFrom) / (1024.0 * 1024.0 * 1024.0));
    }

    void layerRangeKeepsOnlyThoseLayers()
    {
        const int first = vdnn_.network->indexOf("conv2_1");
        const int last = vdnn_.network->indexOf("pool3");
        QVERIFY(first >= 0 && last > first);
        plots::FigureInput input;
        input.scenario = &vdnn_;
        input.result = &vdnnResult_;
        input.layerRange = std::make_pair(first, last);
        auto chart = plots::buildFigureChart(plots::ChartKind::layers, plots::FigureStyle::forPreset(plots::FigurePreset::doubleColumn), input);
        auto* bars = static_cast<plots::LayerBarsPlot*>(chart.get());
        for (int panel = 0; panel < static_cast<int>(bars->metrics().size()); ++panel) {
            QCOMPARE(bars->bars(panel)->data()->size(), last - first + 1);
            QCOMPARE(bars->bars(panel)->data()->constBegin()->key, double(first));
        }
        // The time charts show those layers' forward pass.
        const auto span = plots::forwardSpanOfLayersMs(vdnnResult_, first, last);
        QVERIFY(span);
        for (const auto& e : vdnnResult_.events)
            if (e.lane == sim::Lane::compute && e.kind == sim::EventKind::forward && e.layer >= first && e.layer <= last)
                QVERIFY(e.start_s * 1e3 >= span->first && e.end_s * 1e3 <= span->second);
    }

    void comparisonsShareOneTimeAxis()
    {
        const std::vector<plots::TimelineEntry> entries{{QStringLiteral("vDNN"), &vdnn_, &vdnnResult_},
                                                        {QStringLiteral("cDMA"), &cdma_, &cdmaResult_}};
        plots::StackedTimelinePlot plot(plots::FigureStyle::forPreset(plots::FigurePreset::doubleColumn), entries, std::nullopt);
        QCOMPARE(plot.panelCount(), 2);
        // Rendered at a paper size, then compared: same range, same pixel for the same time,
        // same lanes at the same heights.
        const QString path = dir_.filePath(QStringLiteral("stacked.png"));
        plots::exportFigure(plot, path, plots::FigureSize{7, 4, 100});
        const double longest = std::max(vdnnResult_.summary.iteration_s, cdmaResult_.summary.iteration_s) * 1e3;
        QVERIFY(plot.timeAxis(0)->range().upper >= longest);
        QCOMPARE(plot.timeAxis(0)->range(), plot.timeAxis(1)->range());
        for (double t : {0.0, longest * 0.3, longest})
            QCOMPARE(plot.timeAxis(0)->coordToPixel(t), plot.timeAxis(1)->coordToPixel(t));
        QCOMPARE(plot.lanes(0).rowCount(), plot.lanes(1).rowCount());
        for (int row = 0; row < plot.lanes(0).rowCount(); ++row)
            QCOMPARE(plot.lanes(0).rowLane(row), plot.lanes(1).rowLane(row));
        QCOMPARE(plot.panelRect(0)->height(), plot.panelRect(1)->height());
        // The CSV has both scenarios' events under their labels.
        const QString csv = plot.drawnDataCsv();
        QVERIFY(csv.contains(QStringLiteral("\nvDNN,")) && csv.contains(QStringLiteral("\ncDMA,")));
    }

    void pdfTextIsTheSizeAsked_data()
    {
        QTest::addColumn<int>("chart");
        QTest::addColumn<double>("widthIn");
        QTest::addColumn<double>("fontPt");
        QTest::newRow("timeline 8 pt at 3.5 in") << int(plots::ChartKind::timeline) << 3.5 << 8.0;
        QTest::newRow("timeline 10 pt at 7 in") << int(plots::ChartKind::timeline) << 7.0 << 10.0;
        QTest::newRow("memory 7 pt at 3.5 in") << int(plots::ChartKind::memory) << 3.5 << 7.0;
        QTest::newRow("layers 9 pt at 7 in") << int(plots::ChartKind::layers) << 7.0 << 9.0;
    }

    void pdfTextIsTheSizeAsked()
    {
        QFETCH(int, chart);
        QFETCH(double, widthIn);
        QFETCH(double, fontPt);
        plots::FigureInput input;
        input.scenario = &vdnn_;
        input.result = &vdnnResult_;
        const auto style = plots::FigureStyle::forPreset(plots::FigurePreset::singleColumn).withFont(QStringLiteral("DejaVu Serif"), fontPt);
        auto figure = plots::buildFigureChart(static_cast<plots::ChartKind>(chart), style, input);
        const QString path = dir_.filePath(QStringLiteral("text-%1.pdf").arg(QTest::currentDataTag()).replace(' ', '-'));
        plots::exportFigure(*figure, path, plots::FigureSize{widthIn, widthIn * 0.6, 300});
        const auto sizes = pdfTextSizesPt(path);
        QVERIFY2(sizes.size() > 5, "no text found in the PDF");
        for (double size : sizes)
            QVERIFY2(std::abs(size - fontPt) < 0.01, qPrintable(QStringLiteral("text of %1 pt, asked %2 pt").arg(size).arg(fontPt)));
        // The family asked for is the one embedded.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.contains("DejaVuSerif"));
        QVERIFY(bytes.contains("/FontFile2"));
    }

    void presetSizesReachThePdf()
    {
        // The single-column preset: 7 pt ticks and legend, 8 pt axis labels, at 3.5 in.
        plots::FigureInput input;
        input.scenario = &vdnn_;
        input.result = &vdnnResult_;
        auto figure = plots::buildFigureChart(plots::ChartKind::memory, plots::FigureStyle::forPreset(plots::FigurePreset::singleColumn), input);
        const QString path = dir_.filePath(QStringLiteral("preset.pdf"));
        plots::exportFigure(*figure, path, plots::FigureSize{3.5, 2.2, 300});
        std::set<long> tenthsOfPt;
        for (double size : pdfTextSizesPt(path))
            tenthsOfPt.insert(std::lround(size * 10));
        QCOMPARE(tenthsOfPt, (std::set<long>{70, 80}));
    }

    void pdfIsDeterministic()
    {
        QByteArray pdf("%PDF-1.4\n1 0 obj\n<<\n/CreationDate (D:20261202013000Z)\n>>\nendobj\n");
        const qsizetype size = pdf.size();
        plots::makePdfDeterministic(pdf);
        QCOMPARE(pdf.size(), size);
        QVERIFY(pdf.contains("/CreationDate (D:19700101000000Z)"));
        QByteArray withOffset("/CreationDate (D:20261202023000+01'00')");
        plots::makePdfDeterministic(withOffset);
        QCOMPARE(withOffset, QByteArray("/CreationDate (D:19700101000000+00'00')"));
    }

    void stallHatchIsClippedLines_data()
    {
        QTest::addColumn<QRectF>("rect");
        QTest::newRow("wide") << QRectF(10.5, 20, 80, 12);
        QTest::newRow("tall") << QRectF(0, 0, 3, 40);
        QTest::newRow("square") << QRectF(-7, 3, 25, 25);
    }

    void stallHatchIsClippedLines()
    {
        QFETCH(QRectF, rect);
        const double spacing = 4;
        const auto lines = plots::stallHatchLines(rect, spacing);
        QVERIFY(!lines.empty());
        // Every line lies in the rectangle, goes up to the right at 45 degrees, ends on its
        // edges, and neighbours are one spacing apart.
        const QRectF grown = rect.adjusted(-1e-9, -1e-9, 1e-9, 1e-9);
        double previous = -1e300;
        for (const auto& line : lines) {
            QVERIFY(grown.contains(line.p1()) && grown.contains(line.p2()));
            QVERIFY(std::abs((line.p2().x() - line.p1().x()) + (line.p2().y() - line.p1().y())) < 1e-9);
            QVERIFY(line.p2().x() > line.p1().x());
            const double c = line.p1().x() + line.p1().y();
            if (previous > -1e300)
                QVERIFY(std::abs(c - previous - spacing) < 1e-9);
            previous = c;
            auto onEdge = [&rect](QPointF p) {
                return std::abs(p.x() - rect.left()) < 1e-9 || std::abs(p.x() - rect.right()) < 1e-9
                       || std::abs(p.y() - rect.top()) < 1e-9 || std::abs(p.y() - rect.bottom()) < 1e-9;
            };
            QVERIFY(onEdge(line.p1()) && onEdge(line.p2()));
        }
        // Lines cover the rectangle: about (width + height) / spacing of them.
        QVERIFY(std::abs(static_cast<double>(lines.size()) - (rect.width() + rect.height()) / spacing) <= 1.0);
        QVERIFY(plots::stallHatchLines(QRectF(0, 0, 0, 10), spacing).empty());
    }

    void svgStallsAreVectorLinesWithoutPatterns()
    {
        // A pattern brush became an unresolved fill reference in SVG (drawn solid by QtSvg);
        // the hatch is now plain line segments, and the file has no fill reference at all.
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*")));
        for (auto chart : {plots::ChartKind::timeline, plots::ChartKind::layers}) {
            plots::FigureInput input;
            input.scenario = &vdnn_;
            input.result = &vdnnResult_;
            auto figure = plots::buildFigureChart(chart, plots::FigureStyle::forPreset(plots::FigurePreset::doubleColumn), input);
            const QString path = dir_.filePath(QStringLiteral("hatch-%1.svg").arg(int(chart)));
            plots::exportFigure(*figure, path, plots::FigureSize{7, 3, 300});
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray svg = file.readAll();
            QVERIFY(!svg.contains("url(#"));
            QVERIFY(!svg.contains("<pattern"));
            // The hatch colour is drawn as strokes.
            QVERIFY(svg.contains("stroke=\"#401000\""));
            QSvgRenderer renderer(path);
            QVERIFY(renderer.isValid());
        }
    }

    void windowExportStacksThePinnedBaseline()
    {
        studio::ExportContext context;
        context.scenario = &cdma_;
        context.result = &cdmaResult_;
        context.baselineScenario = &vdnn_;
        context.baselineResult = &vdnnResult_;
        context.baselineLabel = QStringLiteral("vDNN");
        context.visibleRangeMs = std::make_pair(100.0, 600.0);
        studio::FigureRequest request;
        request.chart = plots::ChartKind::timeline;
        request.preset = plots::FigurePreset::doubleColumn;
        request.size = plots::FigureSize{7, 3, 100};
        request.path = dir_.filePath(QStringLiteral("window-stacked.png"));
        request.compareBaseline = true;
        request.writeCsv = true;
        studio::writeFigure(request, context);
        QFile csv(dir_.filePath(QStringLiteral("window-stacked.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(csv.readAll());
        QVERIFY(text.contains(QStringLiteral("\nCurrent,")) && text.contains(QStringLiteral("\nvDNN,")));
        for (const QString& line : text.trimmed().split(QLatin1Char('\n')).mid(1)) {
            const QStringList fields = line.split(QLatin1Char(','));
            QVERIFY(fields[fields.size() - 2].toDouble() >= 100 && fields.back().toDouble() <= 600);
        }
    }

    void windowSavesItsExportAsASpec()
    {
        // The spec the window writes redraws the window's figure: same pixels.
        studio::ExportContext context;
        context.scenario = &vdnn_;
        context.result = &vdnnResult_;
        context.baselineScenario = &cdma_;
        context.baselineResult = &cdmaResult_;
        context.baselineLabel = QStringLiteral("cDMA");
        context.visibleRangeMs = std::make_pair(50.0, 450.0);
        studio::FigureRequest request;
        request.chart = plots::ChartKind::memory;
        request.preset = plots::FigurePreset::singleColumn;
        request.size = plots::FigureSize{3.5, 2.2, 150};
        request.path = dir_.filePath(QStringLiteral("window-memory.png"));
        request.compareBaseline = true;
        request.font = QStringLiteral("DejaVu Serif");
        request.fontSizePt = 8;
        studio::writeFigure(request, context);

        QTemporaryDir specDir;
        const QString specPath = specDir.filePath(QStringLiteral("figures.json"));
        request.path = specDir.filePath(QStringLiteral("from-spec.png"));
        studio::saveFigureSpecFor(request, context, specPath);
        const auto jobs = plots::loadFigureSpec(specPath.toStdString());
        QCOMPARE(jobs.size(), std::size_t{1});
        QCOMPARE(jobs[0].chart, std::string("memory"));
        QCOMPARE(jobs[0].compare.size(), std::size_t{1});
        QCOMPARE(jobs[0].font, std::string("DejaVu Serif"));
        QVERIFY(!jobs[0].time_range.empty());
        plots::runFigureJob(jobs[0]);
        QImage fromWindow(dir_.filePath(QStringLiteral("window-memory.png")));
        QImage fromSpec(request.path);
        QVERIFY(!fromWindow.isNull());
        QCOMPARE(fromSpec.size(), fromWindow.size());
        QVERIFY(fromSpec == fromWindow);
    }

    void exportDialogOffersTheWindowsView()
    {
        QStandardPaths::setTestModeEnabled(true);
        studio::ExportContext context;
        context.scenario = &vdnn_;
        context.result = &vdnnResult_;
        context.visibleRangeMs = std::make_pair(10.0, 20.0);
        {
            // No baseline pinned: the comparison is offered but off and disabled.
            studio::ExportDialog dialog(plots::ChartKind::timeline, QStringLiteral("vgg16"), context);
            const auto request = dialog.request();
            QVERIFY(request.visibleRangeOnly);
            QVERIFY(!request.compareBaseline);
            QVERIFY(request.path.endsWith(QStringLiteral("vgg16-timeline.pdf")) || request.path.contains(QStringLiteral("vgg16-timeline.")));
            bool foundSpecButton = false;
            for (auto* button : dialog.findChildren<QPushButton*>())
                foundSpecButton = foundSpecButton || button->text().contains(QStringLiteral("Spec"));
            QVERIFY(foundSpecButton);
        }
        context.baselineScenario = &cdma_;
        context.baselineResult = &cdmaResult_;
        context.baselineLabel = QStringLiteral("cDMA");
        studio::ExportDialog dialog(plots::ChartKind::memory, QStringLiteral("vgg16"), context);
        QVERIFY(dialog.request().compareBaseline); // on by default once a baseline is pinned
    }

private:
    sim::Scenario vdnn_, cdma_;
    sim::Result vdnnResult_, cdmaResult_;
    QTemporaryDir dir_;
};

QTEST_MAIN(TestPaperFigures)
#include "tst_paper_figures.moc"
