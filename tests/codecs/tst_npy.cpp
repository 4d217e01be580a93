// The .npy reader: every accepted dtype, version and order; every rule it checks, each broken
// once (built in memory here, and the fixture files of tests/data/codecs).
#include "core/codecs/float_formats.h"
#include "core/codecs/npy.h"
#include "core/input_error.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

using namespace offload;

namespace {

std::vector<std::uint8_t> makeNpy(const std::string& dict, const std::vector<std::uint8_t>& data, int major = 1)
{
    const std::size_t prefix = major == 1 ? 10 : 12;
    std::string h = dict;
    while ((prefix + h.size() + 1) % 64 != 0) h += ' ';
    h += '\n';
    std::vector<std::uint8_t> out{0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<std::uint8_t>(major), 0};
    const auto len = static_cast<std::uint32_t>(h.size());
    out.push_back(static_cast<std::uint8_t>(len));
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    if (major != 1) {
        out.push_back(static_cast<std::uint8_t>(len >> 16));
        out.push_back(static_cast<std::uint8_t>(len >> 24));
    }
    out.insert(out.end(), h.begin(), h.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

template <typename T>
std::vector<std::uint8_t> bytesOf(const std::vector<T>& v)
{
    std::vector<std::uint8_t> b(v.size() * sizeof(T));
    if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
    return b;
}

std::string dict(const std::string& descr, bool fortran, const std::string& shape)
{
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape +
           ", }";
}

} // namespace

class TestNpy : public QObject {
    Q_OBJECT
private slots:
    void readsEveryVersion_data()
    {
        QTest::addColumn<int>("major");
        QTest::newRow("1.0") << 1;
        QTest::newRow("2.0") << 2;
        QTest::newRow("3.0") << 3;
    }
    void readsEveryVersion()
    {
        QFETCH(int, major);
        const std::vector<float> v{0, 1.5f, -2, 0, 3, 4};
        const auto a = parseNpy(makeNpy(dict("<f4", false, "(2, 3)"), bytesOf(v), major), "mem");
        QCOMPARE(a.major_version, major);
        QCOMPARE(a.shape, (std::vector<std::uint64_t>{2, 3}));
        QCOMPARE(a.elements(), std::uint64_t{6});
        QCOMPARE(a.toFloat32(), v);
        DType t;
        QVERIFY(a.codecDType(t) && t == DType::fp32);
    }

    void readsEveryElementType()
    {
        const std::vector<std::uint16_t> h{floatToHalf(1.0f), 0, floatToHalf(-0.5f)};
        auto f2 = parseNpy(makeNpy(dict("<f2", false, "(3,)"), bytesOf(h)), "mem");
        QCOMPARE(f2.element, NpyElement::f16);
        QCOMPARE(f2.toFloat32(), (std::vector<float>{1.0f, 0, -0.5f}));

        const std::vector<std::uint16_t> b{floatToBf16(2.0f), floatToBf16(-3.0f)};
        const auto u2 = makeNpy(dict("<u2", false, "(2,)"), bytesOf(b));
        QVERIFY_THROWS_EXCEPTION(InputError, parseNpy(u2, "mem"));
        NpyOptions o;
        o.u2_as_bf16 = true;
        const auto bf = parseNpy(u2, "mem", o);
        QCOMPARE(bf.element, NpyElement::bf16);
        QCOMPARE(bf.toFloat32(), (std::vector<float>{2.0f, -3.0f}));

        const auto u1 = parseNpy(makeNpy(dict("|u1", false, "(2, 2)"), {0, 7, 255, 1}), "mem");
        QCOMPARE(u1.element, NpyElement::u8);
        DType t;
        QVERIFY(!u1.codecDType(t));
        QCOMPARE(u1.toFloat32(), (std::vector<float>{0, 7, 255, 1}));
    }

    void fortranOrderBecomesCOrder()
    {
        // Fortran order stores columns first: the 2x3 array [[1, 2, 3], [4, 5, 6]] is 1 4 2 5 3 6.
        const std::vector<float> f{1, 4, 2, 5, 3, 6};
        const auto a = parseNpy(makeNpy(dict("<f4", true, "(2, 3)"), bytesOf(f)), "mem");
        QVERIFY(a.fortran_order);
        QCOMPARE(a.toFloat32(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
        // Three dimensions: shape (2, 2, 2), element [i][j][k] = 100 i + 10 j + k.
        std::vector<float> g(8);
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j)
                for (int k = 0; k < 2; ++k) g[static_cast<std::size_t>(i + 2 * j + 4 * k)] = static_cast<float>(100 * i + 10 * j + k);
        const auto b = parseNpy(makeNpy(dict("<f4", true, "(2, 2, 2)"), bytesOf(g)), "mem");
        QCOMPARE(b.toFloat32(), (std::vector<float>{0, 1, 10, 11, 100, 101, 110, 111}));
    }

    void scalarAndEmptyShapes()
    {
        const auto s = parseNpy(makeNpy(dict("<f4", false, "()"), bytesOf(std::vector<float>{7})), "mem");
        QCOMPARE(s.elements(), std::uint64_t{1});
        const auto e = parseNpy(makeNpy(dict("<f4", false, "(0, 5)"), {}), "mem");
        QCOMPARE(e.elements(), std::uint64_t{0});
        QVERIFY(e.data.empty());
        // Key order and double quotes are free in the dictionary.
        const auto k = parseNpy(makeNpy("{\"shape\": (1,), \"fortran_order\": False, \"descr\": \"<f4\"}",
                                        bytesOf(std::vector<float>{3})),
                                "mem");
        QCOMPARE(k.toFloat32(), std::vector<float>{3});
    }

    void rejectsBrokenInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expectedPlace");
        auto row = [](const char* name, const std::vector<std::uint8_t>& b, const char* place) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(b.data()), static_cast<int>(b.size()))
                                << QString(place);
        };
        const auto one = bytesOf(std::vector<float>{1});
        row("empty", {}, "byte 0");
        row("magic", {0x93, 'N', 'U', 'M', 'P', 'X', 1, 0, 10, 0}, "byte 0");
        auto v4 = makeNpy(dict("<f4", false, "(1,)"), one);
        v4[6] = 4;
        row("version", v4, "byte 6");
        auto minor = makeNpy(dict("<f4", false, "(1,)"), one);
        minor[7] = 1;
        row("minor version", minor, "byte 6");
        auto longHeader = makeNpy(dict("<f4", false, "(1,)"), one);
        longHeader[8] = 0xff;
        longHeader[9] = 0xff;
        row("header length", longHeader, "byte 8");
        row("v2 short", {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 1, 0}, "byte 8");
        row("dtype f8", makeNpy(dict("<f8", false, "(1,)"), {0, 0, 0, 0, 0, 0, 0xf0, 0x3f}), "field 'descr'");
        row("big endian", makeNpy(dict(">f4", false, "(1,)"), one), "field 'descr'");
        row("shape vs size", makeNpy(dict("<f4", false, "(2,)"), one), "field 'shape'");
        row("shape too small", makeNpy(dict("<f4", false, "(0,)"), one), "field 'shape'");
        row("shape overflow", makeNpy(dict("<f4", false, "(4294967296, 4294967296, 4294967296)"), one), "field 'shape'");
        row("dimension overflow", makeNpy(dict("<f4", false, "(99999999999999999999999,)"), one), "byte");
        row("negative dimension", makeNpy(dict("<f4", false, "(-1,)"), one), "byte");
        row("one-tuple without comma", makeNpy(dict("<f4", false, "(1)"), one), "byte");
        row("missing key", makeNpy("{'descr': '<f4', 'shape': (1,), }", one), "byte");
        row("duplicate key", makeNpy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", one), "byte");
        row("unknown key", makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", one), "byte");
        row("bad bool", makeNpy(std::string("{'descr': '<f4', 'fortran_order': false, 'shape': (1,), }"), one), "byte");
        auto noNewline = makeNpy(dict("<f4", false, "(1,)"), one);
        noNewline[noNewline.size() - 5] = ' ';
        row("no newline", noNewline, "byte");
        auto truncated = makeNpy(dict("<f4", false, "(3,)"), bytesOf(std::vector<float>{1, 2, 3}));
        truncated.pop_back();
        row("truncated data", truncated, "field 'shape'");
    }
    void rejectsBrokenInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expectedPlace);
        // An exact-size copy, so that any read past the end shows under ASan.
        const std::vector<std::uint8_t> b(bytes.begin(), bytes.end());
        try {
            parseNpy(b, "input.npy");
            QFAIL("no InputError");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString("input.npy"));
            QVERIFY2(QString::fromStdString(e.place()).contains(expectedPlace), e.what());
        }
    }

    void fixtureFiles()
    {
        const QDir dir(QString(OFFLOAD_TEST_DATA_DIR) + "/codecs");
        const auto good = readNpyFile(dir.filePath("good_v1_f4_2x3.npy").toStdString());
        QCOMPARE(good.toFloat32(), (std::vector<float>{0, 1, 2, 0, 0, 5}));
        int bad = 0;
        const QDir badDir(QString(OFFLOAD_TEST_DATA_DIR) + "/bad-inputs/npy");
        for (const QString& name : badDir.entryList({"*.npy"})) {
            const std::string path = badDir.filePath(name).toStdString();
            try {
                readNpyFile(path);
                QFAIL(qPrintable(name + " was accepted"));
            } catch (const InputError& e) {
                QCOMPARE(e.file(), path);
                ++bad;
            }
        }
        QVERIFY(bad >= 10);
        QVERIFY_THROWS_EXCEPTION(InputError, readNpyFile(dir.filePath("no-such-file.npy").toStdString()));
    }

    void fileAndMemoryReadersAgree()
    {
        QTemporaryDir tmp;
        const auto bytes = makeNpy(dict("<f4", true, "(3, 2)"), bytesOf(std::vector<float>{1, 2, 3, 4, 5, 6}), 2);
        const QString path = tmp.filePath("a.npy");
        std::ofstream(path.toStdString(), std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        const auto f = readNpyFile(path.toStdString());
        const auto m = parseNpy(bytes, "mem");
        QCOMPARE(f.data, m.data);
        QCOMPARE(f.shape, m.shape);
    }

    void realTensor()
    {
        const QDir dir(QString(OFFLOAD_SHARED_DATA_DIR) + "/ssd_mobilenetv1");
        if (!dir.exists()) QSKIP("shared data folder not present");
        const auto a = readNpyFile(dir.filePath("ssd_mobilenetv1__sample1__069__prediction.conv_7.relu6.npy").toStdString());
        QCOMPARE(a.shape, (std::vector<std::uint64_t>{1, 1, 1, 128}));
        QCOMPARE(a.descr, std::string("<f4"));
    }
};

QTEST_APPLESS_MAIN(TestNpy)
#include "tst_npy.moc"
