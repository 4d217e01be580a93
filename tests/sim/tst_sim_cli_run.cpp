// offload-sim run and sweep: output, JSON fields, exports and exit codes.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include "offload_sim_process.h"

#include <QTemporaryDir>
#include <QtTest>

namespace {
using offload::test::runOffloadSim;

const QString kScenarios = QString(OFFLOAD_SAMPLES_DIR) + "/scenarios";
const QString kTiny = kScenarios + "/tiny-teaching.json";
} // namespace

class TestCliRun : public QObject {
    Q_OBJECT
private slots:
    void summaryIsReadable()
    {
        auto r = runOffloadSim({"run", kTiny});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Iteration"));
        QVERIFY(r.out.contains("Oracle"));
        QVERIFY(r.out.contains("Overhead"));
        QVERIFY(r.out.contains("GPU memory avg"));
    }

    void jsonToStdout()
    {
        auto r = runOffloadSim({"run", kTiny, "--json", "-", "--codec", "none", "--bandwidth", "2", "--batch", "32"});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(r.out, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const auto summary = doc.object()["summary"].toObject();
        for (const char* key : {"iteration_s", "oracle_s", "overhead", "peak_gpu_bytes", "avg_gpu_bytes"})
            QVERIFY2(summary.contains(key), key);
        QVERIFY(summary["iteration_s"].toDouble() >= summary["oracle_s"].toDouble());
        QCOMPARE(doc.object()["layers"].toArray().size(), 7);
        QVERIFY(doc.object()["events"].toArray().size() > 14);
        QCOMPARE(doc.object()["scenario"].toObject()["batch"].toInt(), 32);
        QCOMPARE(doc.object()["scenario"].toObject()["codec"].toObject()["name"].toString(), QString("none"));
    }

    void overridesChangeTheResult()
    {
        auto slow = runOffloadSim({"run", kTiny, "--json", "-", "--bandwidth", "0.5"});
        auto fast = runOffloadSim({"run", kTiny, "--json", "-", "--bandwidth", "50"});
        QCOMPARE(slow.exitCode, 0);
        QCOMPARE(fast.exitCode, 0);
        const double slowS = QJsonDocument::fromJson(slow.out).object()["summary"].toObject()["iteration_s"].toDouble();
        const double fastS = QJsonDocument::fromJson(fast.out).object()["summary"].toObject()["iteration_s"].toDouble();
        QVERIFY(slowS > fastS);
    }

    void exportsFiles()
    {
        QTemporaryDir dir;
        auto r = runOffloadSim({"run", kTiny, "--csv", dir.path() + "/csv", "--trace", dir.path() + "/trace.json", "--json",
                         dir.path() + "/result.json", "--policy", "conv", "--gpu", "v100", "--progress", "0.5"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFile::exists(dir.path() + "/csv/layers.csv"));
        QVERIFY(QFile::exists(dir.path() + "/result.json"));
        QFile trace(dir.path() + "/trace.json");
        QVERIFY(trace.open(QIODevice::ReadOnly));
        const auto doc = QJsonDocument::fromJson(trace.readAll());
        QVERIFY(doc.object()["traceEvents"].toArray().size() > 10);
    }

    void sweepTableAndCsv()
    {
        QTemporaryDir dir;
        auto r = runOffloadSim({"sweep", kTiny, "--bandwidth", "1:100:4", "--codecs", "none,zvc", "--csv", dir.path() + "/s.csv"});
        QCOMPARE(r.exitCode, 0);
        QFile csv(dir.path() + "/s.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 8);
        QVERIFY(lines[0].startsWith("gpu,compute_scale,l2_scale,dram_scale,codec,batch,progress,bandwidth_gbps,iteration_s"));
        QVERIFY(r.out.contains("zvc"));
    }

    void badInputExitsWithTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("stderrWords");
        QTest::newRow("missing file") << QStringList{"run", kScenarios + "/absent.json"} << "absent.json";
        QTest::newRow("bad codec") << QStringList{"run", kTiny, "--codec", "brotli"} << "brotli";
        QTest::newRow("bad gpu") << QStringList{"run", kTiny, "--gpu", "gtx480"} << "gtx480";
        QTest::newRow("bad policy") << QStringList{"run", kTiny, "--policy", "some"} << "";
        QTest::newRow("bad scenario") << QStringList{"run", QString(OFFLOAD_TEST_DATA_DIR) + "/bad-inputs/scenario/unknown-gpu.json"}
                                      << "/gpu/preset";
        QTest::newRow("bad sweep range") << QStringList{"sweep", kTiny, "--bandwidth", "10:1"} << "LO:HI:N";
        QTest::newRow("bad sweep codec") << QStringList{"sweep", kTiny, "--codecs", "zvc,brotli"} << "brotli";
    }

    void badInputExitsWithTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, stderrWords);
        auto r = runOffloadSim(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(stderrWords.toUtf8()), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliRun)
#include "tst_sim_cli_run.moc"
