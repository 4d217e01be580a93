// offload-sim measure through the real executable: JSON/CSV contents, exit codes and error
// messages, and the network profile it writes.
#include "core/codecs/zvc.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include "offload_sim_process.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {
using offload::test::runOffloadSim;

const QString kTensors = QString(OFFLOAD_SAMPLES_DIR) + "/tensors";
const QString kSmallTensor = kTensors + "/ssd_mobilenetv1__sample1__059__prediction.conv_2.relu6.npy";

QJsonObject readJsonFile(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}
} // namespace

class TestCliMeasure : public QObject {
    Q_OBJECT
private slots:
    // On a terminal (a pseudo-terminal from script(1) here), a run longer than a second shows
    // its progress on stderr and clears the line at the end; the results still go to stdout.
    void terminalShowsProgress()
    {
        const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
        if (script.isEmpty()) QSKIP("script(1) is not installed: no pseudo-terminal to run under");
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out.txt"));
        const QString command = QStringLiteral("'%1' measure '%2' --codecs zlib --repeat 100 --jobs 1 > '%3'")
                                    .arg(QString(OFFLOAD_SIM_EXE), kTensors, out);
        QProcess p;
        p.start(script, {QStringLiteral("-qec"), command, QStringLiteral("/dev/null")});
        QVERIFY(p.waitForFinished(240000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray terminal = p.readAllStandardOutput();
        QVERIFY2(terminal.contains("measure: ") && terminal.contains(" of 5 tensors"), terminal.constData());
        QVERIFY(terminal.contains("\r\033[K"));
        QFile results(out);
        QVERIFY(results.open(QIODevice::ReadOnly));
        QVERIFY(results.readAll().contains("Totals over 5 tensors"));
    }

    // --jobs changes only how many tensors are measured at once: everything but the speeds is
    // the same, in the same order, with one thread and with four; stderr (not a terminal here)
    // gets no progress line.
    void resultsDoNotDependOnJobs()
    {
        auto withoutSpeeds = [](QJsonValue v, auto& self) -> QJsonValue {
            if (v.isObject()) {
                QJsonObject o = v.toObject();
                o.remove(QStringLiteral("compress_gbps"));
                o.remove(QStringLiteral("decompress_gbps"));
                for (auto it = o.begin(); it != o.end(); ++it) *it = self(*it, self);
                return o;
            }
            if (v.isArray()) {
                QJsonArray a = v.toArray();
                for (auto it = a.begin(); it != a.end(); ++it) *it = self(*it, self);
                return a;
            }
            return v;
        };
        QByteArray first;
        for (const char* jobs : {"1", "4"}) {
            auto r = runOffloadSim({"measure", kTensors, QString(OFFLOAD_TEST_DATA_DIR) + "/codecs", "--json", "-",
                                    "--repeat", "1", "--codecs", "zvc,rle,lz4,dpr,jpeg-act", "--jobs", jobs});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.err.isEmpty(), r.err.constData());
            const auto doc = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(doc["tensors"].toArray().size(), 6);
            const QByteArray stripped = QJsonDocument(withoutSpeeds(doc, withoutSpeeds).toObject()).toJson();
            if (first.isEmpty())
                first = stripped;
            else
                QCOMPARE(stripped, first);
        }
        // The first failing file in order is the one reported, however many run at once.
        for (const char* jobs : {"1", "3"}) {
            auto r = runOffloadSim({"measure", QString(OFFLOAD_TEST_DATA_DIR) + "/bad-inputs/npy", "--repeat", "1",
                                    "--codecs", "zvc", "--jobs", jobs});
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.contains("bad-inputs/npy/big-endian.npy"), r.err.constData());
        }
    }

    void jsonHasEveryTensorAndCodec()
    {
        auto r = runOffloadSim({"measure", kTensors, "--json", "-", "--repeat", "1"});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(r.out, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const auto tensors = doc.object()["tensors"].toArray();
        QCOMPARE(tensors.size(), 5);
        for (const auto& v : tensors) {
            const auto t = v.toObject();
            QVERIFY(t["file"].toString().endsWith(".npy"));
            QCOMPARE(t["layout"].toString(), QString("NHWC")); // from manifest.json beside the files
            const double elements = t["elements"].toDouble();
            const double zf = t["zero_fraction"].toDouble();
            const auto codecs = t["codecs"].toObject();
            for (const char* name : {"zvc", "rle", "zlib", "lz4", "zstd", "jpeg-act", "dpr"}) {
                const auto c = codecs[name].toObject();
                QVERIFY2(c["bytes"].toDouble() > 0, name);
                QCOMPARE(c["ratio"].toDouble(), elements * 4 / c["bytes"].toDouble());
                QVERIFY(c["compress_gbps"].toDouble() > 0);
            }
            // ZVC's size is the formula of docs/codecs.md (every sample has a multiple of 32 elements).
            const double nonZeros = std::round(elements * (1 - zf));
            QCOMPARE(codecs["zvc"].toObject()["bytes"].toDouble(), elements / 32 * 4 + nonZeros * 4);
            QVERIFY(codecs["jpeg-act"].toObject()["error"].toObject().contains("rmse"));
            QVERIFY(codecs["zvc"].toObject()["verified"].toBool());
        }
        const auto totals = doc.object()["totals"].toObject();
        QCOMPARE(totals["tensors"].toInt(), 5);
        QVERIFY(totals["codecs"].toObject()["zvc"].toObject()["ratio"].toDouble() > 1.5);
    }

    void knownZeroFraction()
    {
        auto r = runOffloadSim({"measure", kSmallTensor, "--codecs", "zvc", "--json", "-", "--repeat", "1"});
        QCOMPARE(r.exitCode, 0);
        const auto t = QJsonDocument::fromJson(r.out).object()["tensors"].toArray()[0].toObject();
        QCOMPARE(t["elements"].toInt(), 8 * 8 * 128);
        QVERIFY(std::abs(t["zero_fraction"].toDouble() - 0.6965) < 0.00005); // data README table
        QVERIFY(t["codecs"].toObject().keys() == QStringList{"zvc"});
    }

    void csvAndTable()
    {
        QTemporaryDir tmp;
        const QString csv = tmp.filePath("m.csv");
        auto r = runOffloadSim({"measure", kSmallTensor, "--codecs", "zvc,lz4", "--csv", csv, "--repeat", "1"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("Totals over 1 tensors"));
        QVERIFY(r.out.contains("lossless, verified"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].startsWith("file,elements,zero_fraction,codec"));
        QVERIFY(lines[1].contains(",zvc,"));
    }

    void badInputExitsWithTwo()
    {
        const QString bad = QString(OFFLOAD_TEST_DATA_DIR) + "/bad-inputs/npy/shape-vs-size.npy";
        auto r = runOffloadSim({"measure", bad});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("shape-vs-size.npy"));
        QVERIFY(r.err.contains("field 'shape'"));
        QCOMPARE(runOffloadSim({"measure", kSmallTensor, "--codecs", "zvc,gzip"}).exitCode, 2);
        QCOMPARE(runOffloadSim({"measure", "/no/such/file.npy"}).exitCode, 2);
        QCOMPARE(runOffloadSim({"measure", kSmallTensor, "--layout", "CHWN"}).exitCode, 2);
        QCOMPARE(runOffloadSim({"measure", kSmallTensor, "--profile", "x.json"}).exitCode, 2); // needs --network, --map
    }

    void profileCarriesMeasuredSparsity()
    {
        QTemporaryDir tmp;
        const QString map = tmp.filePath("map.json");
        {
            QFile f(map);
            QVERIFY(f.open(QIODevice::WriteOnly));
            // One key by file name, one by the manifest's layer name.
            f.write(R"({"layers": {"ssd_mobilenetv1__sample1__059__prediction.conv_2.relu6.npy": "relu1",
                                   "prediction/conv_3/relu6": "relu2"}})");
        }
        const QString out = tmp.filePath("profile.json");
        const QString net = QString(OFFLOAD_TEST_DATA_DIR) + "/networks/small.json";
        auto r = runOffloadSim({"measure", kTensors, "--codecs", "zvc,zstd", "--repeat", "1", "--profile", out, "--network",
                         net, "--map", map, "--json", tmp.filePath("m.json")});
        QCOMPARE(r.exitCode, 0);
        const auto doc = readJsonFile(out);
        QCOMPARE(doc["format"].toString(), QString("offload-studio/network"));
        const auto layers = doc["layers"].toArray();
        QJsonObject relu1, relu2;
        for (const auto& v : layers) {
            if (v.toObject()["name"] == "relu1") relu1 = v.toObject();
            if (v.toObject()["name"] == "relu2") relu2 = v.toObject();
        }
        const auto s1 = relu1["sparsity"].toObject();
        QVERIFY(std::abs(s1["value"].toDouble() - 0.6965) < 0.00005);
        QCOMPARE(s1["source"].toString(), QString("measured"));
        QVERIFY(s1["data"].toString().contains("prediction.conv_2.relu6.npy"));
        QVERIFY(std::abs(relu2["sparsity"].toObject()["value"].toDouble() - 0.3086) < 0.00005);
        const auto ratios = relu1["measured_ratios"].toObject();
        QVERIFY(ratios["zvc"].toDouble() > 2.5);
        QVERIFY(ratios.contains("zstd"));
        // The profile loads again as a network.
        QCOMPARE(runOffloadSim({"info", out}).exitCode, 0);
        // A map naming a layer the network lacks is bad input.
        QFile f(map);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"layers": {"prediction/conv_3/relu6": "no_such_layer"}})");
        f.close();
        auto bad = runOffloadSim({"measure", kSmallTensor, "--codecs", "zvc", "--repeat", "1", "--profile", out, "--network",
                           net, "--map", map});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("no_such_layer"));
    }

    void shippedMobileNetProfileIsReproducible()
    {
        // samples/networks/mobilenetv1-ssd.json was written by this command from the shared
        // data; measuring again must give the same per-layer sparsity and ZVC ratios.
        const QString data = QString(OFFLOAD_SHARED_DATA_DIR) + "/ssd_mobilenetv1";
        if (!QDir(data).exists()) QSKIP("shared data folder not present");
        QTemporaryDir tmp;
        const QString sample = QString(OFFLOAD_SAMPLES_DIR) + "/networks/mobilenetv1-ssd.json";
        const QString out = tmp.filePath("p.json");
        auto r = runOffloadSim({"measure", data, "--codecs", "zvc", "--repeat", "1", "--json", tmp.filePath("m.json"),
                         "--profile", out, "--network", sample, "--map",
                         QString(OFFLOAD_TEST_DATA_DIR) + "/codecs/mobilenetv1-ssd.map.json"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty()); // every map entry matched a tensor
        const auto shipped = readJsonFile(sample)["layers"].toArray();
        const auto again = readJsonFile(out)["layers"].toArray();
        QCOMPARE(again.size(), shipped.size());
        int measured = 0;
        for (qsizetype i = 0; i < shipped.size(); ++i) {
            const auto a = shipped[i].toObject(), b = again[i].toObject();
            QCOMPARE(b["name"], a["name"]);
            QCOMPARE(b["sparsity"].toObject()["value"].toDouble(), a["sparsity"].toObject()["value"].toDouble());
            if (a.contains("measured_ratios")) {
                ++measured;
                QCOMPARE(b["measured_ratios"].toObject()["zvc"].toDouble(), a["measured_ratios"].toObject()["zvc"].toDouble());
            }
        }
        QCOMPARE(measured, 33);
    }
};

QTEST_GUILESS_MAIN(TestCliMeasure)
#include "tst_cli_measure.moc"
