// The real activations of ../shared/data: read exactly, zero fractions as documented, every
// lossless codec bit-exact, ZVC sizes equal to the formula, lossy codecs within their error.
#include "core/codecs/zvc.h"
#include "real_data.h"

#include <QtTest>

#include <cmath>

using namespace offload;

class TestRealTensors : public QObject {
    Q_OBJECT
private:
    std::vector<test::RealTensor> tensors_;

private slots:
    void initTestCase()
    {
        if (!test::sharedDataDir().exists()) QSKIP("shared data folder ../shared/data not present");
        tensors_ = test::loadRealTensors();
        QCOMPARE(tensors_.size(), std::size_t{33});
    }

    void zeroFractionsMatchTheReadme()
    {
        const auto table = test::readmeZeroFractions();
        QVERIFY(table.size() >= 33);
        for (const auto& t : tensors_) {
            QVERIFY2(table.count(t.layer), qPrintable(t.layer));
            const std::uint64_t zeros = countZeros(DType::fp32, t.array.data.data(), t.desc.elements);
            // countZeros counts +0.0 bit patterns; the data has no -0.0, so this is every zero.
            std::uint64_t numericZeros = 0;
            for (float f : t.array.toFloat32()) numericZeros += f == 0.0f;
            QCOMPARE(zeros, numericZeros);
            const double fraction = static_cast<double>(zeros) / static_cast<double>(t.desc.elements);
            QVERIFY2(std::abs(fraction - table.at(t.layer)) <= 0.00005 + 1e-12,
                     qPrintable(QString("%1: %2 vs %3").arg(t.layer).arg(fraction).arg(table.at(t.layer))));
        }
    }

    void losslessCodecsAreBitExact()
    {
        for (CodecId id : {CodecId::zvc, CodecId::rle, CodecId::zlib, CodecId::lz4, CodecId::zstd}) {
            const auto codec = makeCodec(id);
            for (const auto& t : tensors_) {
                const auto s = codec->compress(t.desc, t.array.data.data());
                const auto back = codec->decompress(t.desc, s);
                QVERIFY2(back == t.array.data, qPrintable(QString(codecName(id).data()) + " " + t.file));
                if (id == CodecId::zvc) {
                    const auto nz = t.desc.elements - countZeros(DType::fp32, t.array.data.data(), t.desc.elements);
                    QCOMPARE(static_cast<std::uint64_t>(s.size()), zvc::compressedBytes(t.desc.elements, nz, 4));
                }
            }
        }
    }

    void zvcPathsAgreeOnRealData()
    {
        if (!zvc::avx512Available()) QSKIP("no AVX-512 VBMI2 on this CPU");
        for (const auto& t : tensors_) {
            std::vector<std::uint8_t> a(zvc::compressedBytes(t.desc.elements, t.desc.elements, 4)), b(a.size());
            a.resize(zvc::compress(t.array.data.data(), t.desc.elements, 4, a, zvc::Path::portable));
            b.resize(zvc::compress(t.array.data.data(), t.desc.elements, 4, b, zvc::Path::avx512));
            QVERIFY(a == b);
        }
    }

    void lossyCodecsReportTheirError()
    {
        CodecParams fp16;
        fp16.dpr = DprFormat::fp16;
        const auto dpr = makeCodec(CodecId::dpr, fp16);
        const auto jpeg = makeCodec(CodecId::jpeg_act);
        for (const auto& t : tensors_) {
            const auto back = dpr->decompress(t.desc, dpr->compress(t.desc, t.array.data.data()));
            const auto e = measureError(t.desc, t.array.data.data(), back.data());
            QVERIFY(e.max_abs_error <= 6.0 * std::ldexp(1.0, -11) + 1e-7 || t.layer.contains("box_predictor") ||
                    t.layer.endsWith("/conv"));
            QVERIFY(e.psnr_db > 50);
            // JPEG-ACT: the 3.5 fixed point clips at 127/32, so ReLU6 maps lose their peaks; the
            // error must still be finite, and at most the clipping plus a few fixed-point steps.
            const auto j = jpeg->decompress(t.desc, jpeg->compress(t.desc, t.array.data.data()));
            const auto je = measureError(t.desc, t.array.data.data(), j.data());
            QVERIFY(std::isfinite(je.rmse));
            if (t.layer.endsWith("relu6")) QVERIFY2(je.max_abs_error < 6.0, qPrintable(t.layer));
        }
    }
};

QTEST_APPLESS_MAIN(TestRealTensors)
#include "tst_real_tensors.moc"
