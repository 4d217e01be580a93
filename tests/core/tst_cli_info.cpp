// offload-sim info and the CLI's contract: exit codes, errors on stderr naming file and place.
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include "offload_sim_process.h"

#include "core/pool_sparsity.h"

#include <QtTest>

namespace {
using offload::test::runOffloadSim;

const QString kSmall = QString(OFFLOAD_TEST_DATA_DIR) + "/networks/small.json";
} // namespace

class TestCliInfo : public QObject {
    Q_OBJECT
private slots:
    void tablePrintsEveryLayerAndTotals()
    {
        auto r = runOffloadSim({"info", kSmall, "--batch", "8"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty());
        for (const char* name : {"conv1", "relu1", "pool1", "conv2", "relu2", "fc"})
            QVERIFY2(r.out.contains(name), name);
        QVERIFY(r.out.contains("32x16x16"));
        QVERIFY(r.out.contains("Totals: 6 layers"));
        QVERIFY(r.out.contains("assumed"));
    }

    void jsonHasTheDocumentedFields()
    {
        auto r = runOffloadSim({"info", kSmall, "--batch", "4", "--dtype", "fp16", "--progress", "0.5", "--json"});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        auto doc = QJsonDocument::fromJson(r.out, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        auto layers = doc.object()["layers"].toArray();
        QCOMPARE(layers.size(), 6);
        auto conv2 = layers[3].toObject();
        QCOMPARE(conv2["name"].toString(), QString("conv2"));
        QCOMPARE(conv2["kind"].toString(), QString("conv"));
        QCOMPARE(conv2["output_shape"].toArray(), (QJsonArray{32, 16, 16}));
        QCOMPARE(conv2["activation_bytes"].toDouble(), 32.0 * 16 * 16 * 2 /*fp16*/ * 4 /*batch*/);
        // 2 * (16 * 9) MACs per output, 32*16*16 outputs, plus bias, times the batch
        QCOMPARE(conv2["flops"].toDouble(), (2.0 * 16 * 9 * 32 * 16 * 16 + 32 * 16 * 16) * 4);
        QCOMPARE(layers[4].toObject()["sparsity"].toDouble(), 0.5); // curve at progress 0.5
        // pool1 (2x2) over relu1's 50 % zeros: the fitted pool model
        QVERIFY(qFuzzyCompare(layers[2].toObject()["sparsity"].toDouble(), offload::pooledSparsity(0.5, 4)));
        QCOMPARE(layers[2].toObject()["source"].toString(), QString("derived"));
        QVERIFY(doc.object()["totals"].toObject().contains("weight_bytes"));
    }

    // With a GPU, each layer gets the compute model's times and what bounds each pass.
    void gpuAddsTimesAndBounds()
    {
        auto r = runOffloadSim({"info", kSmall, "--batch", "64", "--gpu", "v100", "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto layers = QJsonDocument::fromJson(r.out).object()["layers"].toArray();
        QVERIFY(!layers.isEmpty());
        for (const auto& v : layers) {
            const auto layer = v.toObject();
            QVERIFY(layer["forward_s"].toDouble() > 0);
            QVERIFY(layer["backward_s"].toDouble() > 0);
            const QString bound = layer["bound"].toObject()["forward"].toString();
            QVERIFY2(QStringList({"compute", "l1", "l2", "dram"}).contains(bound), qPrintable(bound));
        }
        auto table = runOffloadSim({"info", kSmall, "--gpu", "v100", "--compute-model", "roofline"});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains("roofline model on NVIDIA Tesla V100"));
        QVERIFY(table.out.contains("bound"));
        auto bad = runOffloadSim({"info", kSmall, "--gpu", "gtx480"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("--gpu"));
    }

    void helpAndVersionSucceed()
    {
        auto help = runOffloadSim({"--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("info"));
        auto version = runOffloadSim({"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.contains("offload-sim"));
    }

    void badUsageExitsTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no subcommand") << QStringList{};
        QTest::newRow("unknown subcommand") << QStringList{"frobnicate"};
        QTest::newRow("unknown option") << QStringList{"info", kSmall, "--colour"};
        QTest::newRow("bad dtype") << QStringList{"info", kSmall, "--dtype", "fp64"};
        QTest::newRow("zero batch") << QStringList{"info", kSmall, "--batch", "0"};
        QTest::newRow("missing file") << QStringList{"info", "/no/such.json"};
    }
    void badUsageExitsTwo()
    {
        QFETCH(QStringList, args);
        auto r = runOffloadSim(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(!r.err.isEmpty());
    }

    void everyMalformedNetworkExitsTwoWithFileAndPlace()
    {
        QDir dir(QString(OFFLOAD_TEST_DATA_DIR) + "/bad-inputs/network");
        const auto files = dir.entryList({"*.json"}, QDir::Files);
        QVERIFY(files.size() >= 20);
        for (const auto& f : files) {
            const QString path = dir.filePath(f);
            auto r = runOffloadSim({"info", path});
            QVERIFY2(r.exitCode == 2, qPrintable(f + ": exit " + QString::number(r.exitCode)));
            QVERIFY2(r.out.isEmpty(), qPrintable(f));
            const QString err = QString::fromUtf8(r.err);
            QVERIFY2(err.startsWith("offload-sim: " + path + ": "), qPrintable(err));
            QVERIFY2(err.contains(QRegularExpression(": (/|line \\d+, column \\d+)")), qPrintable(err));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliInfo)
#include "tst_cli_info.moc"
