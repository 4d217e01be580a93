// offload-sim figure: writes the requested chart at the requested size, offscreen, and fails
// with exit code 2 on bad input.
#include "test_support.h"

#include <QImage>
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
            QCOMPARE(renderer.viewBox().size(), QSize(336, 240));
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
    }

    void badInputExitsWithTwo()
    {
        QFETCH(QStringList, args);
        for (auto& a : args)
            if (a.startsWith(QLatin1String("x.")))
                a = dir_.filePath(a);
        QCOMPARE(runSim(args), 2);
    }

private:
    QTemporaryDir dir_;
};

QTEST_MAIN(TestCliFigure)
#include "tst_cli_figure.moc"
