// NumPy .npz archives (core/codecs/npz.h): numpy.savez (stored) and numpy.savez_compressed
// (deflate) read to the same arrays, offload-sim measure reads archives like folders, and the
// malformed archives of tests/data/npz/bad (written by make_npz.py) are input errors naming the
// archive, exit code 2 in the CLI.
#include "offload_sim_process.h"

#include "core/codecs/npz.h"
#include "core/input_error.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace offload;

namespace {
const std::string kDir = std::string(OFFLOAD_TEST_DATA_DIR) + "/npz/";
}

class TestNpz : public QObject {
    Q_OBJECT
private slots:
    void storedAndDeflatedArchivesGiveTheArrays_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("savez (stored)") << "stored.npz";
        QTest::newRow("savez_compressed (deflate)") << "deflated.npz";
    }

    void storedAndDeflatedArchivesGiveTheArrays()
    {
        QFETCH(QString, file);
        const std::string path = kDir + file.toStdString();
        QCOMPARE(listNpzMembers(path), (std::vector<std::string>{"relu.npy", "conv.npy"}));
        // relu = max(arange(-8, 8), 0) as float32 (1, 2, 2, 4): nine zeros, then 1..7.
        const NpyArray relu = readNpzMember(path, "relu.npy");
        QCOMPARE(relu.shape, (std::vector<std::uint64_t>{1, 2, 2, 4}));
        QCOMPARE(relu.element, NpyElement::f32);
        const auto values = relu.toFloat32();
        for (int i = 0; i < 16; ++i)
            QCOMPARE(values[static_cast<std::size_t>(i)], static_cast<float>(std::max(i - 8, 0)));
        // conv = arange(-8, 8) as float16 (2, 8).
        const NpyArray conv = readNpzMember(path, "conv.npy");
        QCOMPARE(conv.element, NpyElement::f16);
        QCOMPARE(conv.toFloat32()[3], -5.0f);
        QVERIFY_THROWS_EXCEPTION(InputError, readNpzMember(path, "absent.npy"));
    }

    void measureReadsArchivesAsFolders()
    {
        const auto r = test::runOffloadSim(
            {"measure", QString::fromStdString(kDir + "deflated.npz"), "--codecs", "zvc", "--repeat", "1", "--json", "-"});
        QCOMPARE(r.exitCode, 0);
        const auto tensors = QJsonDocument::fromJson(r.out).object()["tensors"].toArray();
        QCOMPARE(tensors.size(), 2);
        const auto relu = tensors[0].toObject();
        QVERIFY(relu["file"].toString().endsWith("deflated.npz/relu.npy"));
        QCOMPARE(relu["zero_fraction"].toDouble(), 9.0 / 16.0);
        QCOMPARE(tensors[1].toObject()["dtype"].toString(), QString("fp16"));
    }

    void malformedArchivesAreInputErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated") << "truncated.npz" << "not a ZIP archive";
        QTest::newRow("not a zip") << "not-a-zip.npz" << "not a ZIP archive";
        QTest::newRow("bad crc") << "bad-crc.npz" << "relu.npy: byte 0: CRC-32 mismatch";
        QTest::newRow("size beyond deflate") << "size-lie.npz" << "relu.npy: byte 0: stated size exceeds";
        QTest::newRow("size beyond the stream") << "size-too-large.npz" << "deflate data ends before";
        QTest::newRow("offset out of range") << "offset-out-of-range.npz" << "runs past the end";
        QTest::newRow("bzip2") << "unsupported-method.npz" << "compression method 12";
        QTest::newRow("no npy member") << "no-npy-member.npz" << "no .npy member";
        QTest::newRow("bad npy member") << "bad-npy-member.npz" << "bad.npy: byte";
    }

    void malformedArchivesAreInputErrors()
    {
        QFETCH(QString, file);
        QFETCH(QString, message);
        const QString path = QString::fromStdString(kDir) + "bad/" + file;
        QVERIFY(QFile::exists(path));
        const auto r = test::runOffloadSim({"measure", path, "--codecs", "zvc", "--repeat", "1"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith(("offload-sim: " + path).toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestNpz)
#include "tst_npz.moc"
