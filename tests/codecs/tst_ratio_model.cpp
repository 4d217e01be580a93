// The analytical ratio models against measured ratios: on synthetic tensors of the same density
// (exact for ZVC and DPR, fitted within a stated tolerance for the others) and on the real
// MobileNetV1 tensors (exact for ZVC; conservative for the general-purpose codecs).
#include "core/codecs/ratio_model.h"
#include "real_data.h"
#include "test_tensors.h"

#include <QtTest>

#include <cmath>

using namespace offload;

Q_DECLARE_METATYPE(offload::CodecId)

namespace {

double measuredRatio(CodecId id, const TensorDesc& d, const void* data, const CodecParams& p = {})
{
    const auto c = makeCodec(id, p);
    return static_cast<double>(d.bytes()) / static_cast<double>(c->compress(d, data).size());
}

double densityOf(DType t, const std::vector<std::uint8_t>& x)
{
    const std::uint64_t n = x.size() / bytesPerElement(t);
    return 1.0 - static_cast<double>(countZeros(t, x.data(), n)) / static_cast<double>(n);
}

} // namespace

class TestRatioModel : public QObject {
    Q_OBJECT
private slots:
    void exactModels()
    {
        QCOMPARE(modelRatio(CodecId::none, 0.3, 4), 1.0);
        QCOMPARE(modelRatio(CodecId::zvc, 0.0, 4), 32.0);
        QCOMPARE(modelRatio(CodecId::zvc, 1.0, 4), 32.0 / 33.0);
        QCOMPARE(modelRatio(CodecId::zvc, 0.25, 4), 32.0 / 9.0); // 32 / (1 + 32 d), docs/codecs.md
        QCOMPARE(modelRatio(CodecId::zvc, 0.0, 2), 16.0);
        CodecParams p;
        p.dpr = DprFormat::fp8_e4m3;
        QCOMPARE(modelRatio(CodecId::dpr, 0.5, 4, p), 4.0);
        QCOMPARE(modelRatio(CodecId::dpr, 0.5, 2, p), 2.0);
        p.dpr = DprFormat::bf16;
        QCOMPARE(modelRatio(CodecId::dpr, 0.5, 4, p), 2.0);
        // Out-of-range densities are clamped, never a non-positive ratio.
        for (CodecId id : allCodecIds()) {
            QVERIFY(modelRatio(id, -1.0, 4) > 0);
            QVERIFY(modelRatio(id, 2.0, 4) > 0);
            QVERIFY(modelRatio(id, std::nan(""), 2) > 0);
        }
    }

    void syntheticTensors_data()
    {
        QTest::addColumn<CodecId>("codec");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("zvc") << CodecId::zvc << 1e-9;
        QTest::newRow("dpr") << CodecId::dpr << 1e-9;
        QTest::newRow("rle") << CodecId::rle << 0.03;
        QTest::newRow("zlib") << CodecId::zlib << 0.10;
        QTest::newRow("lz4") << CodecId::lz4 << 0.10;
        QTest::newRow("zstd") << CodecId::zstd << 0.10;
    }
    void syntheticTensors()
    {
        QFETCH(CodecId, codec);
        QFETCH(double, tolerance);
        std::uint32_t seed = 11;
        for (DType t : {DType::fp32, DType::fp16, DType::bf16})
            for (double d : {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0}) {
                const std::uint64_t n = 1u << 17;
                const auto x = test::randomTensor(t, n, d, seed++, 6.0f);
                const double density = densityOf(t, x); // the tensor's own, as a user would measure
                const double measured = measuredRatio(codec, TensorDesc::flat(t, n), x.data());
                const double model = modelRatio(codec, density, static_cast<std::uint32_t>(bytesPerElement(t)));
                // bf16 keeps 8 fewer mantissa bits than fp16, so byte-oriented codecs find more
                // to compress; the model (fitted on fp32/fp16) must stay conservative there.
                const bool conservativeOnly = t == DType::bf16 && (codec == CodecId::zlib || codec == CodecId::lz4 || codec == CodecId::zstd);
                if (conservativeOnly) {
                    QVERIFY(model <= measured * (1 + tolerance));
                    continue;
                }
                QVERIFY2(std::abs(model / measured - 1.0) <= tolerance,
                         qPrintable(QString("%1 d=%2: model %3, measured %4").arg(dtypeName(t).data()).arg(density).arg(model).arg(measured)));
            }
    }

    void allZeroMapsAreExactForJpegAct()
    {
        TensorDesc d;
        d.n = 1;
        d.c = 4;
        d.h = 16;
        d.w = 16;
        d.elements = 1024;
        const std::vector<float> zeros(1024, 0.0f);
        QCOMPARE(measuredRatio(CodecId::jpeg_act, d, zeros.data()), modelRatio(CodecId::jpeg_act, 0.0, 4));
    }

    void realTensors()
    {
        if (!test::sharedDataDir().exists()) QSKIP("shared data folder ../shared/data not present");
        int checked = 0;
        for (const auto& t : test::loadRealTensors()) {
            const double density = densityOf(DType::fp32, t.array.data);
            const void* x = t.array.data.data();
            QCOMPARE(modelRatio(CodecId::zvc, density, 4) * (1 + 1e-12) >= measuredRatio(CodecId::zvc, t.desc, x) - 1e-9, true);
            // Exact up to the last partial group, which the formula rounds up.
            const double zvcMeasured = measuredRatio(CodecId::zvc, t.desc, x);
            if (t.desc.elements % 32 == 0) QVERIFY(std::abs(modelRatio(CodecId::zvc, density, 4) - zvcMeasured) < 1e-9);
            if (t.desc.elements < 32768 || !t.layer.endsWith("relu6")) continue;
            ++checked;
            // RLE: the independent-zeros model stays within 10 % on real maps.
            const double rle = measuredRatio(CodecId::rle, t.desc, x);
            QVERIFY2(std::abs(modelRatio(CodecId::rle, density, 4) / rle - 1) < 0.10, qPrintable(t.layer));
            // General-purpose codecs find structure the model ignores: it must not promise more
            // than they deliver (5 % slack), and stay within a factor of 2.
            for (CodecId id : {CodecId::zlib, CodecId::lz4, CodecId::zstd}) {
                const double m = measuredRatio(id, t.desc, x);
                const double model = modelRatio(id, density, 4);
                QVERIFY2(model <= m * 1.05 && model >= m / 2,
                         qPrintable(QString("%1 %2: model %3 measured %4").arg(codecName(id).data()).arg(t.layer).arg(model).arg(m)));
            }
            // JPEG-ACT's fitted coefficient fractions: within a factor of 2 at each quality.
            for (int q : {50, 80, 90, 95}) {
                CodecParams p;
                p.jpeg_quality = q;
                const double m = measuredRatio(CodecId::jpeg_act, t.desc, x, p);
                const double model = modelRatio(CodecId::jpeg_act, density, 4, p);
                QVERIFY2(model <= m * 2 && model >= m / 2, qPrintable(QString("q%1 %2").arg(q).arg(t.layer)));
            }
        }
        QVERIFY(checked >= 10);
    }
};

QTEST_APPLESS_MAIN(TestRatioModel)
#include "tst_ratio_model.moc"
