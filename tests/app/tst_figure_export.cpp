// Every chart exports to PDF (vector, right MediaBox), SVG (loads, right size) and PNG (right
// pixels); data exports write what the simulator's exporters produce.
#include "test_support.h"

#include "app/plots/figure_export.h"

#include <QImage>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <set>

using namespace offload;
using namespace offload::studio;
using offload::studio::test::TestWindow;
using offload::studio::test::samplePath;

Q_DECLARE_METATYPE(offload::plots::ChartKind)
Q_DECLARE_METATYPE(offload::plots::FigurePreset)

class TestFigureExport : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(window_.openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        window_.model().setSelectedLayer(3);
        window_.model().pinBaseline();
        applyEdit(window_, [](sim::ScenarioEdit& e) { e.bandwidth_bytes_per_s = 25e9; });
    }

    void exportsFigures_data()
    {
        QTest::addColumn<plots::ChartKind>("chart");
        QTest::addColumn<plots::FigurePreset>("preset");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<double>("widthIn");
        QTest::addColumn<double>("heightIn");
        QTest::addColumn<double>("dpi");
        const std::pair<plots::ChartKind, const char*> charts[] = {{plots::ChartKind::timeline, "timeline"},
                                                                   {plots::ChartKind::layers, "layers"},
                                                                   {plots::ChartKind::memory, "memory"},
                                                                   {plots::ChartKind::sweep, "sweep"}};
        for (const auto& [chart, name] : charts) {
            QTest::addRow("%s pdf single", name) << chart << plots::FigurePreset::singleColumn << "pdf" << 3.5 << 2.2 << 300.0;
            QTest::addRow("%s pdf double", name) << chart << plots::FigurePreset::doubleColumn << "pdf" << 7.0 << 3.0 << 300.0;
            QTest::addRow("%s svg", name) << chart << plots::FigurePreset::doubleColumn << "svg" << 7.0 << 2.6 << 300.0;
            QTest::addRow("%s png 150", name) << chart << plots::FigurePreset::singleColumn << "png" << 3.5 << 2.5 << 150.0;
            QTest::addRow("%s png screen", name) << chart << plots::FigurePreset::screen << "png" << 8.0 << 4.5 << 96.0;
        }
    }

    void exportsFigures()
    {
        QFETCH(plots::ChartKind, chart);
        QFETCH(plots::FigurePreset, preset);
        QFETCH(QString, suffix);
        QFETCH(double, widthIn);
        QFETCH(double, heightIn);
        QFETCH(double, dpi);
        const QString path = dir_.filePath(QStringLiteral("%1.%2").arg(QString::fromLatin1(QTest::currentDataTag()).replace(' ', '-'), suffix));
        FigureRequest request{chart, preset, plots::FigureSize{widthIn, heightIn, dpi}, path};
        QVERIFY(window_.exportFigure(request));
        QVERIFY(window_.errors.isEmpty());
        QVERIFY(QFileInfo(path).size() > 500);

        if (suffix == QLatin1String("pdf")) {
            const QSizeF box = test::pdfMediaBox(path);
            QVERIFY2(!box.isEmpty(), "no MediaBox");
            QVERIFY2(std::abs(box.width() - widthIn * 72) < 1.0, qPrintable(QString::number(box.width())));
            QVERIFY2(std::abs(box.height() - heightIn * 72) < 1.0, qPrintable(QString::number(box.height())));
            QVERIFY(test::pdfHasEndMarker(path));
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QVERIFY2(bytes.contains("/FontFile2") || bytes.contains("/FontFile3") || bytes.contains("/FontFile"),
                     "fonts must be embedded");
            QVERIFY2(!bytes.contains("/Subtype /Image"), "a vector PDF has no raster image");
        } else if (suffix == QLatin1String("svg")) {
            QSvgRenderer renderer(path);
            QVERIFY(renderer.isValid());
            QCOMPARE(renderer.viewBox().size(), QSize(qRound(widthIn * 72), qRound(heightIn * 72))); // one layout pixel per point
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray head = f.read(2048);
            // Physical size in the root element: width in mm.
            const QRegularExpression widthMm(QStringLiteral(R"(width="([\d.]+)mm")"));
            const auto match = widthMm.match(QString::fromUtf8(head));
            QVERIFY(match.hasMatch());
            QVERIFY(std::abs(match.captured(1).toDouble() - widthIn * 25.4) < 1.0);
        } else {
            QImage image(path);
            QVERIFY(!image.isNull());
            QCOMPARE(image.size(), QSize(qRound(widthIn * dpi), qRound(heightIn * dpi)));
            QVERIFY(std::abs(image.dotsPerMeterX() * 0.0254 - dpi) < 1.0);
            // Not blank: the chart drew something other than the white background.
            int nonWhite = 0;
            for (int y = 0; y < image.height(); y += 4)
                for (int x = 0; x < image.width(); x += 4)
                    nonWhite += image.pixel(x, y) != qRgb(255, 255, 255);
            QVERIFY(nonWhite > 50);
        }
    }

    void rejectsBadSizes()
    {
        const QString path = dir_.filePath(QStringLiteral("tiny.pdf"));
        FigureRequest request{plots::ChartKind::memory, plots::FigurePreset::singleColumn, plots::FigureSize{0.1, 2, 300}, path};
        QVERIFY(!window_.exportFigure(request));
        QCOMPARE(window_.errors.size(), 1);
        QVERIFY(!QFile::exists(path));
        window_.errors.clear();
    }

    void exportsData_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("file");
        QTest::newRow("layers csv") << static_cast<int>(DataExport::layersCsv) << "layers.csv";
        QTest::newRow("events csv") << static_cast<int>(DataExport::eventsCsv) << "events.csv";
        QTest::newRow("summary csv") << static_cast<int>(DataExport::summaryCsv) << "summary.csv";
        QTest::newRow("sweep csv") << static_cast<int>(DataExport::sweepCsv) << "sweep.csv";
        QTest::newRow("result json") << static_cast<int>(DataExport::resultJson) << "result.json";
        QTest::newRow("chrome trace") << static_cast<int>(DataExport::chromeTrace) << "trace.json";
    }

    void exportsData()
    {
        QFETCH(int, kind);
        QFETCH(QString, file);
        const QString path = dir_.filePath(file);
        QVERIFY(window_.exportData(static_cast<DataExport>(kind), path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        const auto& result = shownResult(window_);
        switch (static_cast<DataExport>(kind)) {
        case DataExport::layersCsv:
            QCOMPARE(static_cast<std::size_t>(bytes.trimmed().count('\n')), result.layers.size());
            break;
        case DataExport::eventsCsv:
            QCOMPARE(static_cast<std::size_t>(bytes.trimmed().count('\n')), result.events.size());
            break;
        case DataExport::summaryCsv:
        case DataExport::sweepCsv:
            QVERIFY(bytes.count('\n') >= 2);
            break;
        case DataExport::resultJson: {
            const auto json = nlohmann::json::parse(bytes.toStdString());
            QCOMPARE(json.at("format").get<std::string>(), std::string("offload-studio/result"));
            break;
        }
        case DataExport::chromeTrace: {
            const auto json = nlohmann::json::parse(bytes.toStdString());
            QVERIFY(json.contains("traceEvents"));
            // The pinned baseline goes in as a second process.
            std::set<int> pids;
            for (const auto& e : json["traceEvents"])
                if (e.contains("pid"))
                    pids.insert(e["pid"].get<int>());
            QCOMPARE(pids.size(), std::size_t{2});
            break;
        }
        }
    }

private:
    QTemporaryDir dir_;
    TestWindow window_;
};

QTEST_MAIN(TestFigureExport)
#include "tst_figure_export.moc"
