// offload-sim reproduce: the papers' figures next to the simulated ones. The rows are computed
// from the bundled samples; docs/model.md embeds them and must say what the tool prints.
#include "offload_sim_process.h"
#include "sim/reproduce.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace offload;
using namespace offload::sim;

namespace {

const std::filesystem::path kSamples = OFFLOAD_SAMPLES_DIR;

// The block of docs/model.md between <!-- reproduce:NAME --> and <!-- /reproduce -->.
QString docsBlock(const QString& paper)
{
    QFile f(QString(OFFLOAD_SAMPLES_DIR) + "/../docs/model.md");
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(f.readAll());
    const QString open = "<!-- reproduce:" + paper + " -->\n";
    const auto begin = text.indexOf(open);
    const auto end = text.indexOf("<!-- /reproduce -->", begin);
    if (begin < 0 || end < 0)
        return {};
    return text.mid(begin + open.size(), end - begin - open.size());
}

const ReproductionRow* find(const std::vector<ReproductionRow>& rows, const std::string& quantity,
                            const std::string& network, std::int64_t batch)
{
    for (const auto& r : rows)
        if (r.quantity.find(quantity) != std::string::npos && r.network == network && r.batch == batch)
            return &r;
    return nullptr;
}

} // namespace

class TestReproduce : public QObject {
    Q_OBJECT
private slots:
    void everyPaperHasItsPublishedFigures_data()
    {
        QTest::addColumn<QString>("paper");
        QTest::addColumn<int>("rows");
        QTest::newRow("vdnn") << "vdnn" << 7;
        QTest::newRow("cdma") << "cdma" << 4;
        QTest::newRow("jpeg-act") << "jpeg-act" << 2;
    }

    void everyPaperHasItsPublishedFigures()
    {
        QFETCH(QString, paper);
        QFETCH(int, rows);
        const auto list = reproducePaper(*parsePaper(paper.toStdString()), kSamples);
        QCOMPARE(static_cast<int>(list.size()), rows);
        for (const auto& r : list) {
            QVERIFY(r.published > 0);
            QVERIFY(r.simulated > 0);
            QVERIFY2(!r.settings.empty() && !r.note.empty(), r.quantity.c_str());
        }
    }

    // The published numbers of the vDNN paper (MICRO 2016), and the simulated ones that docs/model.md
    // reports: a change of the model that moves them must update the docs (next test) and
    // these bounds together.
    void vdnnFigures()
    {
        const auto rows = reproducePaper(Paper::vdnn, kSamples);
        const auto* vgg = find(rows, "average GPU memory reduction", "VGG-16", 256);
        QVERIFY(vgg);
        QCOMPARE(vgg->published, 0.90);
        QVERIFY2(std::abs(vgg->difference()) <= 5, qPrintable(QString::number(vgg->difference())));
        const auto* googlenet = find(rows, "average GPU memory reduction", "GoogLeNet", 128);
        QVERIFY(googlenet && std::abs(googlenet->difference()) <= 5);
        const auto* dyn = find(rows, "vDNN-dyn throughput relative to the oracle", "VGG-16", 256);
        QVERIFY(dyn);
        QCOMPARE(dyn->published, 0.82);
        QVERIFY2(std::abs(dyn->difference()) <= 10, qPrintable(QString::number(dyn->difference())));
        // vDNN-all on a Titan X runs slower than the oracle, never faster.
        QVERIFY(dyn->simulated < 1);
    }

    void docsTableIsWhatTheToolPrints_data()
    {
        QTest::addColumn<QString>("paper");
        QTest::newRow("vdnn") << "vdnn";
        QTest::newRow("cdma") << "cdma";
        QTest::newRow("jpeg-act") << "jpeg-act";
    }

    void docsTableIsWhatTheToolPrints()
    {
        QFETCH(QString, paper);
        const auto rows = reproducePaper(*parsePaper(paper.toStdString()), kSamples);
        QCOMPARE(docsBlock(paper), QString::fromStdString(reproductionMarkdown(rows)));
    }

    void cliWritesJsonWithDifferences()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("vdnn.json");
        const auto r = test::runOffloadSim({"reproduce", "vdnn", "--json", out});
        QCOMPARE(r.exitCode, 0);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto doc = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(doc["format"].toString(), QString("offload-studio/reproduction"));
        const auto rows = doc["rows"].toArray();
        QCOMPARE(rows.size(), 7);
        for (const auto& v : rows) {
            const auto row = v.toObject();
            for (const char* key : {"quantity", "network", "published", "simulated", "difference", "settings", "note"})
                QVERIFY2(row.contains(key), key);
            const double scale = row["unit"].toString() == "fraction" ? 100 : 1;
            if (row["unit"].toString() != "bytes")
                QVERIFY(qFuzzyCompare(1 + row["difference"].toDouble(),
                                      1 + (row["simulated"].toDouble() - row["published"].toDouble()) * scale));
        }
        const auto table = test::runOffloadSim({"reproduce", "cdma"});
        QCOMPARE(table.exitCode, 0);
        QVERIFY(table.out.contains("published 2.60x"));
    }

    void cliRejectsUnknownPapersAndMissingSamples()
    {
        const auto unknown = test::runOffloadSim({"reproduce", "gist"});
        QCOMPARE(unknown.exitCode, 2);
        QTemporaryDir empty;
        const auto missing = test::runOffloadSim({"reproduce", "vdnn", "--samples", empty.path()});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains("alexnet.json"), missing.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestReproduce)
#include "tst_sim_reproduce.moc"
