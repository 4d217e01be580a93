// offload-sim figure: writes the requested chart at the requested size, offscreen, and fails
// with exit code 2 on bad input.
#include "test_support.h"

#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

using offload::studio::test::samplePath;

class TestCliFigure : public QObject {
    Q_OBJECT

    int runSim(const QStringList& args, QString* errorOutput = nullptr)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM")); // the command must choose offscreen itself
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(OFFLOAD_SIM_EXE), args);
        if (!process.waitForFinished(120000))
            return -1;
        if (errorOutput)
            *errorOutput = QString::fromLocal8Bit(process.readAllStandardError());
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }

private slots:
    void writesFigures_data()
    {
        QTest::addColumn<QString>("chart");
        QTest::addColumn<QString>("suffix");
        for (const char* chart : {"timeline", "layers", "memory", "sweep"})
            for (const char* suffix : {"pdf", "svg", "png"})
                QTest::addRow("%s %s", chart, suffix) << chart << suffix;
    }

    void writesFigures()
    {
        QFETCH(QString, chart);
        QFETCH(QString, suffix);
        const QString out = dir_.filePath(chart + QStringLiteral(".") + suffix);
        QString err;
        const int code = runSim({QStringLiteral("figure"), samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")),
                                 QStringLiteral("--chart"), chart, QStringLiteral("--out"), out, QStringLiteral("--width-in"),
                                 QStringLiteral("3.5"), QStringLiteral("--height-in"), QStringLiteral("2.5"), QStringLiteral("--dpi"),
                                 QStringLiteral("200")},
                                &err);
        QVERIFY2(code == 0, qPrintable(err));
        if (suffix == QLatin1String("pdf")) {
            const QSizeF box = offload::studio::test::pdfMediaBox(out);
            QVERIFY(std::abs(box.width() - 252) < 1 && std::abs(box.height() - 180) < 1);
        } else if (suffix == QLatin1String("svg")) {
            QSvgRenderer renderer(out);
            QVERIFY(renderer.isValid());
            QCOMPARE(renderer.viewBox().size(), QSize(252, 180)); // laid out at 72 px per inch
        } else {
            QCOMPARE(QImage(out).size(), QSize(700, 500));
        }
    }

    void badInputExitsWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        const QString scenario = samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"));
        QTest::newRow("unknown chart") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--chart"),
                                                      QStringLiteral("pie"), QStringLiteral("--out"), QStringLiteral("x.pdf")};
        QTest::newRow("unknown format") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--out"),
                                                       QStringLiteral("x.gif")};
        QTest::newRow("missing file") << QStringList{QStringLiteral("figure"), QStringLiteral("/nonexistent.json"),
                                                     QStringLiteral("--out"), QStringLiteral("x.pdf")};
        QTest::newRow("unknown layer") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--select"),
                                                      QStringLiteral("nope"), QStringLiteral("--out"), QStringLiteral("x.pdf")};
        const QString out = QStringLiteral("x.pdf");
        QTest::newRow("time range not a range") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--time-range"),
                                                               QStringLiteral("5-9"), QStringLiteral("-o"), out};
        QTest::newRow("time range backwards") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--time-range"),
                                                             QStringLiteral("9:5"), QStringLiteral("-o"), out};
        QTest::newRow("layers unknown") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--layers"),
                                                       QStringLiteral("conv1_1:nope"), QStringLiteral("-o"), out};
        QTest::newRow("layers backwards") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--layers"),
                                                         QStringLiteral("pool1:conv1_1"), QStringLiteral("-o"), out};
        QTest::newRow("font not installed") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--font"),
                                                           QStringLiteral("No Such Font Family"), QStringLiteral("-o"), out};
        QTest::newRow("font size") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--font-size"),
                                                  QStringLiteral("200"), QStringLiteral("-o"), out};
        QTest::newRow("too many labels") << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--label"), QStringLiteral("a"),
                                                        QStringLiteral("--label"), QStringLiteral("b"), QStringLiteral("-o"), out};
        QTest::newRow("layers chart of two networks")
            << QStringList{QStringLiteral("figure"), scenario, QStringLiteral("--chart"), QStringLiteral("layers"), QStringLiteral("--compare"),
                           samplePath(QStringLiteral("networks/alexnet.json")), QStringLiteral("-o"), out};
    }

    void badInputExitsWithTwo()
    {
        QFETCH(QStringList, args);
        for (auto& a : args)
            if (a.startsWith(QLatin1String("x.")))
                a = dir_.filePath(a);
        QCOMPARE(runSim(args), 2);
    }

    void writesTheDrawnDataAsCsv()
    {
        const QString out = dir_.filePath(QStringLiteral("zoom.pdf"));
        const QString csv = dir_.filePath(QStringLiteral("zoom.csv"));
        QString err;
        QCOMPARE(runSim({QStringLiteral("figure"), samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-none.json")),
                         QStringLiteral("--time-range"), QStringLiteral("60:130"), QStringLiteral("--preset"), QStringLiteral("single-column"),
                         QStringLiteral("-o"), out, QStringLiteral("--csv"), csv},
                        &err),
                 0);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.first(), QStringLiteral("scenario,lane,kind,layer,tensor,start_ms,end_ms"));
        QVERIFY(lines.size() > 2);
        bool cutAtStart = false, cutAtEnd = false;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList fields = lines[i].split(QLatin1Char(','));
            const double start = fields[fields.size() - 2].toDouble(), end = fields.back().toDouble();
            QVERIFY2(start >= 60 && end <= 130, qPrintable(lines[i]));
            cutAtStart = cutAtStart || start == 60;
            cutAtEnd = cutAtEnd || end == 130;
        }
        QVERIFY(cutAtStart && cutAtEnd);
    }

    void specWritesTheSameFilesAsSingleCommands()
    {
        // Five figures, every kind of chart and option, into a folder of their own; then the
        // same five as single commands into another. PDFs carry a fixed creation date, so the
        // files are compared byte for byte, without normalising anything.
        QDir root(dir_.path());
        QVERIFY(root.mkpath(QStringLiteral("spec/sub")));
        QVERIFY(root.mkpath(QStringLiteral("single")));
        const QString none = samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-none.json"));
        const QString zvc = samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"));
        const QString alexnet = samplePath(QStringLiteral("networks/alexnet.json"));
        struct Figure {
            QString out;
            QStringList args;    // command line, after the scenario
            QJsonObject keys;    // spec keys besides scenario and out
            QString scenario;
        };
        const std::vector<Figure> figures{
            {QStringLiteral("zoom.pdf"),
             {QStringLiteral("--time-range"), QStringLiteral("60:190"), QStringLiteral("--preset"), QStringLiteral("single-column"),
              QStringLiteral("--font-size"), QStringLiteral("8")},
             {{QStringLiteral("time_range"), QStringLiteral("60:190")}, {QStringLiteral("preset"), QStringLiteral("single-column")},
              {QStringLiteral("font_size"), 8}},
             none},
            {QStringLiteral("stacked.pdf"),
             {QStringLiteral("--compare"), zvc, QStringLiteral("--label"), QStringLiteral("vDNN"), QStringLiteral("--label"),
              QStringLiteral("cDMA"), QStringLiteral("--width-in"), QStringLiteral("7"), QStringLiteral("--height-in"), QStringLiteral("3.5")},
             {{QStringLiteral("compare"), QJsonArray{zvc}}, {QStringLiteral("label"), QJsonArray{QStringLiteral("vDNN"), QStringLiteral("cDMA")}},
              {QStringLiteral("width_in"), 7}, {QStringLiteral("height_in"), 3.5}},
             none},
            {QStringLiteral("sub/memory.svg"),
             {QStringLiteral("--chart"), QStringLiteral("memory"), QStringLiteral("--compare"), zvc, QStringLiteral("--font"),
              QStringLiteral("DejaVu Serif")},
             {{QStringLiteral("chart"), QStringLiteral("memory")}, {QStringLiteral("compare"), zvc}, {QStringLiteral("font"), QStringLiteral("DejaVu Serif")}},
             none},
            {QStringLiteral("layers.png"),
             {QStringLiteral("--chart"), QStringLiteral("layers"), QStringLiteral("--layers"), QStringLiteral("conv1_1:pool2"),
              QStringLiteral("--dpi"), QStringLiteral("120"), QStringLiteral("--select"), QStringLiteral("conv1_2")},
             {{QStringLiteral("chart"), QStringLiteral("layers")}, {QStringLiteral("layers"), QStringLiteral("conv1_1:pool2")},
              {QStringLiteral("dpi"), 120}, {QStringLiteral("select"), QStringLiteral("conv1_2")}},
             none},
            {QStringLiteral("overhead.pdf"),
             {QStringLiteral("--chart"), QStringLiteral("sweep"), QStringLiteral("--metric"), QStringLiteral("overhead"), QStringLiteral("--compare"),
              none, QStringLiteral("--csv"), QStringLiteral("overhead.csv")},
             {{QStringLiteral("chart"), QStringLiteral("sweep")}, {QStringLiteral("metric"), QStringLiteral("overhead")},
              {QStringLiteral("compare"), QJsonArray{none}}, {QStringLiteral("csv"), QStringLiteral("overhead.csv")}},
             alexnet},
        };
        QJsonArray specFigures;
        for (const auto& f : figures) {
            QJsonObject keys = f.keys;
            keys[QStringLiteral("scenario")] = f.scenario;
            keys[QStringLiteral("out")] = f.out; // relative: beside the spec
            specFigures.append(keys);
        }
        const QString specPath = root.filePath(QStringLiteral("spec/figures.json"));
        QFile spec(specPath);
        QVERIFY(spec.open(QIODevice::WriteOnly));
        spec.write(QJsonDocument(QJsonObject{{QStringLiteral("figures"), specFigures}}).toJson());
        spec.close();
        QString err;
        QVERIFY2(runSim({QStringLiteral("figure"), QStringLiteral("--spec"), specPath}, &err) == 0, qPrintable(err));

        for (const auto& f : figures) {
            QStringList args{QStringLiteral("figure"), f.scenario, QStringLiteral("-o"), root.filePath(QStringLiteral("single/") + QFileInfo(f.out).fileName())};
            for (QString a : f.args)
                args << (a.endsWith(QLatin1String(".csv")) ? root.filePath(QStringLiteral("single/") + a) : a);
            QVERIFY2(runSim(args, &err) == 0, qPrintable(err));
            QFile fromSpec(root.filePath(QStringLiteral("spec/") + f.out));
            QFile single(root.filePath(QStringLiteral("single/") + QFileInfo(f.out).fileName()));
            QVERIFY2(fromSpec.open(QIODevice::ReadOnly), qPrintable(fromSpec.fileName()));
            QVERIFY(single.open(QIODevice::ReadOnly));
            const QByteArray a = fromSpec.readAll(), b = single.readAll();
            QVERIFY(a.size() > 500);
            QVERIFY2(a == b, qPrintable(f.out + QStringLiteral(" differs between the spec and the single command")));
        }
        QFile specCsv(root.filePath(QStringLiteral("spec/overhead.csv"))), singleCsv(root.filePath(QStringLiteral("single/overhead.csv")));
        QVERIFY(specCsv.open(QIODevice::ReadOnly) && singleCsv.open(QIODevice::ReadOnly));
        QCOMPARE(specCsv.readAll(), singleCsv.readAll());
    }

    void badSpecNamesTheFigureAndTheKey_data()
    {
        QTest::addColumn<QByteArray>("figure2");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown key") << QByteArray(R"({"scenario": "S", "out": "b.pdf", "colour": "red"})") << "/figures/1/colour";
        QTest::newRow("missing out") << QByteArray(R"({"scenario": "S"})") << "/figures/1";
        QTest::newRow("wrong type") << QByteArray(R"({"scenario": "S", "out": "b.pdf", "width_in": "wide"})") << "/figures/1/width_in";
        QTest::newRow("bad range") << QByteArray(R"({"scenario": "S", "out": "b.pdf", "time_range": "9:5"})") << "/figures/1/time_range";
        QTest::newRow("unknown chart") << QByteArray(R"({"scenario": "S", "out": "b.pdf", "chart": "pie"})") << "/figures/1/chart";
        QTest::newRow("missing scenario") << QByteArray(R"({"scenario": "nope.json", "out": "b.pdf"})") << "nope.json";
    }

    void badSpecNamesTheFigureAndTheKey()
    {
        QFETCH(QByteArray, figure2);
        QFETCH(QString, expected);
        const QString scenario = samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-none.json"));
        figure2.replace("\"S\"", ("\"" + scenario + "\"").toUtf8());
        const QString specPath = dir_.filePath(QStringLiteral("bad-spec.json"));
        QFile spec(specPath);
        QVERIFY(spec.open(QIODevice::WriteOnly | QIODevice::Truncate));
        spec.write("{\"figures\": [{\"scenario\": \"" + scenario.toUtf8() + "\", \"out\": \"a.pdf\"}, " + figure2 + "]}");
        spec.close();
        QString err;
        QCOMPARE(runSim({QStringLiteral("figure"), QStringLiteral("--spec"), specPath}, &err), 2);
        QVERIFY2(err.contains(expected), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("bad-spec.json")), qPrintable(err));
    }

private:
    QTemporaryDir dir_;
};

QTEST_MAIN(TestCliFigure)
#include "tst_cli_figure.moc"
