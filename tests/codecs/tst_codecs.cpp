// Every codec on random tensors of every element type: lossless ones round-trip bit-exactly,
// lossy ones stay within the error their format allows; buffers of the advertised size always
// suffice; truncated and corrupted streams are rejected or decoded within bounds.
#include "core/codecs/codecs_internal.h"
#include "core/codecs/codec.h"
#include "core/codecs/float_formats.h"
#include "core/codecs/jpeg_act.h"
#include "core/codecs/zvc.h"
#include "test_tensors.h"

#include <QtTest>

#include <bit>

#include <cmath>
#include <cstring>

using namespace offload;

Q_DECLARE_METATYPE(offload::DType)
Q_DECLARE_METATYPE(offload::CodecId)
Q_DECLARE_METATYPE(offload::DprFormat)

namespace {

const std::vector<std::uint64_t> kSizes{0, 1, 2, 31, 32, 33, 63, 64, 65, 127, 255, 256, 257, 1000, 4097, 70001};
const std::vector<double> kDensities{0.0, 0.01, 0.1, 0.5, 0.9, 1.0};
const DType kTypes[] = {DType::fp32, DType::fp16, DType::bf16};

const char* typeName(DType t)
{
    return t == DType::fp32 ? "fp32" : t == DType::fp16 ? "fp16" : "bf16";
}

void addLosslessRows()
{
    QTest::addColumn<CodecId>("codec");
    QTest::addColumn<DType>("dtype");
    for (CodecId c : {CodecId::none, CodecId::zvc, CodecId::rle, CodecId::zlib, CodecId::lz4, CodecId::zstd})
        for (DType t : kTypes)
            QTest::addRow("%s-%s", std::string(codecName(c)).c_str(), typeName(t)) << c << t;
}

} // namespace

class TestCodecs : public QObject {
    Q_OBJECT
private slots:
    void names()
    {
        for (CodecId c : allCodecIds()) QCOMPARE(parseCodecId(codecName(c)), std::optional<CodecId>(c));
        QCOMPARE(codecName(CodecId::jpeg_act), std::string_view("jpeg-act"));
        QVERIFY(!parseCodecId("gzip"));
        QCOMPARE(parseDprFormat("fp8"), std::optional<DprFormat>(DprFormat::fp8_e4m3));
        QVERIFY(isLossless(CodecId::zvc) && !isLossless(CodecId::dpr) && !isLossless(CodecId::jpeg_act));
    }

    void losslessRoundTrip_data() { addLosslessRows(); }
    void losslessRoundTrip()
    {
        QFETCH(CodecId, codec);
        QFETCH(DType, dtype);
        const auto c = makeCodec(codec);
        QVERIFY(c->lossless());
        std::uint32_t seed = 1;
        for (std::uint64_t n : kSizes)
            for (double d : kDensities) {
                const auto input = test::randomTensor(dtype, n, d, seed++);
                const auto desc = TensorDesc::flat(dtype, n);
                // Into a caller-provided buffer of exactly the advertised bound ...
                std::vector<std::uint8_t> buf(c->maxCompressedBytes(desc));
                const std::size_t size = c->compress(desc, input.data(), std::span<std::uint8_t>(buf));
                QVERIFY(size <= buf.size());
                buf.resize(size);
                // ... equal to the vector form, and back into a caller buffer.
                QCOMPARE(c->compress(desc, input.data()), buf);
                std::vector<std::uint8_t> back(input.size() + 1, 0xAB);
                c->decompress(desc, buf, back.data());
                QCOMPARE(back.back(), std::uint8_t{0xAB}); // nothing written past the tensor
                back.pop_back();
                QVERIFY2(back == input, qPrintable(QString("n=%1 density=%2").arg(n).arg(d)));
            }
    }

    void zvcSizeIsTheFormula_data()
    {
        QTest::addColumn<DType>("dtype");
        for (DType t : kTypes) QTest::newRow(typeName(t)) << t;
    }
    void zvcSizeIsTheFormula()
    {
        QFETCH(DType, dtype);
        const auto c = makeCodec(CodecId::zvc);
        std::uint32_t seed = 100;
        for (std::uint64_t n : kSizes)
            for (double d : kDensities) {
                const auto input = test::randomTensor(dtype, n, d, seed++);
                const std::uint64_t nonZeros = n - countZeros(dtype, input.data(), n);
                const auto e = static_cast<std::uint32_t>(bytesPerElement(dtype));
                QCOMPARE(static_cast<std::uint64_t>(c->compress(TensorDesc::flat(dtype, n), input.data()).size()),
                         (n + 31) / 32 * 4 + nonZeros * e);
            }
        // The example of docs/codecs.md: 32-bit elements at density d give 32 / (1 + 32 d).
        const auto input = test::randomTensor(DType::fp32, 32 * 1000, 0.25, 7);
        const std::uint64_t nz = 32 * 1000 - countZeros(DType::fp32, input.data(), 32 * 1000);
        const double d = static_cast<double>(nz) / (32 * 1000);
        const double ratio = 32.0 * 1000 * 4 / static_cast<double>(c->compress(TensorDesc::flat(DType::fp32, 32000), input.data()).size());
        QVERIFY(std::abs(ratio - 32.0 / (1 + 32 * d)) < 1e-9);
    }

    void zvcPathsAgree_data()
    {
        QTest::addColumn<DType>("dtype");
        for (DType t : kTypes) QTest::newRow(typeName(t)) << t;
    }
    void zvcPathsAgree()
    {
        QFETCH(DType, dtype);
        std::vector<zvc::Path> vectorPaths;
        if (zvc::avx2Available()) vectorPaths.push_back(zvc::Path::avx2);
        if (zvc::avx512Available()) vectorPaths.push_back(zvc::Path::avx512);
        if (vectorPaths.empty()) QSKIP("this CPU has neither AVX2 nor AVX-512 VBMI2; only the portable path runs");
        const auto e = static_cast<std::uint32_t>(bytesPerElement(dtype));
        std::uint32_t seed = 500;
        for (std::uint64_t n : kSizes)
            for (double d : kDensities) {
                const auto input = test::randomTensor(dtype, n, d, seed++);
                const std::size_t cap = zvc::compressedBytes(n, n, e);
                // Exact-size and generous buffers exercise both the vector loop and its tail.
                for (std::size_t slack : {std::size_t{0}, std::size_t{256}})
                    for (zvc::Path vector : vectorPaths) {
                        std::vector<std::uint8_t> a(cap + slack), b(cap + slack);
                        const auto na = zvc::compress(input.data(), n, e, a, zvc::Path::portable);
                        const auto nb = zvc::compress(input.data(), n, e, b, vector);
                        QCOMPARE(na, nb);
                        a.resize(na);
                        b.resize(nb);
                        QVERIFY(a == b);
                        std::vector<std::uint8_t> ra(input.size()), rb(input.size());
                        zvc::decompress(a, n, e, ra.data(), zvc::Path::portable);
                        zvc::decompress(a, n, e, rb.data(), vector);
                        QVERIFY(ra == input);
                        QVERIFY(rb == input);
                    }
            }
    }

    // Long streams, where the vector loops run: a zero stored as a value, in the first group
    // or in the middle, and a truncated stream are rejected by every path.
    void zvcVectorPathsRejectMalformedLongStreams()
    {
        std::vector<zvc::Path> paths{zvc::Path::portable};
        if (zvc::avx2Available()) paths.push_back(zvc::Path::avx2);
        if (zvc::avx512Available()) paths.push_back(zvc::Path::avx512);
        for (DType dtype : {DType::fp32, DType::fp16}) {
            const auto e = static_cast<std::uint32_t>(bytesPerElement(dtype));
            const std::uint64_t n = 32 * 64;
            const auto input = test::randomTensor(dtype, n, 0.5, 77);
            std::vector<std::uint8_t> s(zvc::compressedBytes(n, n, e));
            s.resize(zvc::compress(input.data(), n, e, s, zvc::Path::portable));
            std::vector<std::uint8_t> out(n * e);
            for (zvc::Path path : paths) {
                for (std::size_t group : {std::size_t{0}, std::size_t{17}}) {
                    // Walk to the group's first stored value and zero it.
                    std::size_t pos = 0;
                    for (std::size_t g = 0; g < group; ++g) {
                        std::uint32_t m;
                        std::memcpy(&m, s.data() + pos, 4);
                        pos += 4 + static_cast<std::size_t>(std::popcount(m)) * e;
                    }
                    std::uint32_t m;
                    std::memcpy(&m, s.data() + pos, 4);
                    QVERIFY(m != 0);
                    auto zero = s;
                    std::memset(zero.data() + pos + 4, 0, e);
                    QVERIFY_THROWS_EXCEPTION(CodecError, zvc::decompress(zero, n, e, out.data(), path));
                }
                QVERIFY_THROWS_EXCEPTION(CodecError,
                                         zvc::decompress(std::span(s).first(s.size() - 1), n, e, out.data(), path));
                zvc::decompress(s, n, e, out.data(), path);
                QVERIFY(std::memcmp(out.data(), input.data(), out.size()) == 0);
            }
        }
    }

    // DPR's F16C conversions give the portable conversion's bits for every input: all 65,536
    // halves one way, and floats around every rounding boundary, subnormals, infinities and
    // NaNs (with payloads) the other.
    void dprHardwareHalvesMatchThePortableOnes()
    {
        if (!detail::f16cAvailable()) QSKIP("this CPU has no F16C; only the portable conversion runs");
        std::vector<std::uint16_t> halves(65536);
        for (std::size_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<std::uint16_t>(i);
        std::vector<float> a(halves.size()), b(halves.size());
        detail::halvesToFloats(halves.data(), a.data(), halves.size(), false);
        detail::halvesToFloats(halves.data(), b.data(), halves.size(), true);
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);

        std::vector<float> floats;
        std::uint32_t seed = 12345;
        for (int i = 0; i < 200000; ++i) {
            seed = seed * 1664525u + 1013904223u;
            floats.push_back(std::bit_cast<float>(seed)); // every exponent, NaNs included
        }
        for (std::uint32_t h = 0; h < 65536; h += 7) {
            // Exactly halfway between neighbouring halves, and just either side of it.
            const std::uint32_t f = std::bit_cast<std::uint32_t>(a[h]);
            for (std::uint32_t delta : {0x1000u, 0x0fffu, 0x1001u})
                floats.push_back(std::bit_cast<float>(f + delta));
        }
        std::vector<std::uint16_t> x(floats.size()), y(floats.size());
        detail::floatsToHalves(floats.data(), x.data(), floats.size(), false);
        detail::floatsToHalves(floats.data(), y.data(), floats.size(), true);
        QVERIFY(x == y);
    }

    // DPR's AVX2 bf16 and fp8 conversions give the portable conversions' bits for every input:
    // all 65,536 bf16 and 256 fp8 codes one way; the other way, random bit patterns (every
    // exponent, NaNs with payloads, both signs), every 4096th float pattern, and the floats on
    // and either side of every rounding boundary and of fp8's subnormal and saturation limits.
    void dprHardwareBf16AndFp8MatchThePortableOnes()
    {
        if (!detail::dprAvx2Available()) QSKIP("this CPU has no AVX2; only the portable conversions run");
        std::vector<std::uint16_t> codes(65536);
        for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = static_cast<std::uint16_t>(i);
        std::vector<float> a(codes.size()), b(codes.size());
        detail::bf16ToFloats(codes.data(), a.data(), codes.size(), false);
        detail::bf16ToFloats(codes.data(), b.data(), codes.size(), true);
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);

        std::vector<std::uint8_t> bytes(256 + 13); // an odd length: the tail goes the portable way
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 37);
        std::vector<float> c(bytes.size()), d(bytes.size());
        detail::fp8e4m3ToFloats(bytes.data(), c.data(), bytes.size(), false);
        detail::fp8e4m3ToFloats(bytes.data(), d.data(), bytes.size(), true);
        QVERIFY(std::memcmp(c.data(), d.data(), c.size() * 4) == 0);

        std::vector<float> floats;
        std::uint32_t seed = 777;
        for (int i = 0; i < 300000; ++i) {
            seed = seed * 1664525u + 1013904223u;
            floats.push_back(std::bit_cast<float>(seed));
        }
        for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << 32); bits += 4096)
            floats.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
        for (std::uint32_t code = 0; code < 65536; code += 3) { // bf16 ties at bit 15
            const std::uint32_t f = code << 16;
            for (std::uint32_t delta : {0x8000u, 0x7fffu, 0x8001u}) floats.push_back(std::bit_cast<float>(f + delta));
        }
        for (std::uint32_t code = 0; code < 256; ++code) { // fp8 ties at bit 19 of the fp32 pattern
            const std::uint32_t f = std::bit_cast<std::uint32_t>(c[code]);
            for (std::uint32_t delta : {0x80000u, 0x7ffffu, 0x80001u, 0u, 1u}) {
                floats.push_back(std::bit_cast<float>(f + delta));
                floats.push_back(std::bit_cast<float>(f - delta));
            }
        }
        for (float limit : {448.0f, 464.0f, 480.0f, 0.015625f, 0.0009765625f, 0.001953125f})
            for (int ulps = -3; ulps <= 3; ++ulps)
                for (float sign : {1.0f, -1.0f})
                    floats.push_back(sign * std::bit_cast<float>(std::bit_cast<std::uint32_t>(limit) + ulps));
        std::vector<std::uint16_t> x(floats.size()), y(floats.size());
        detail::floatsToBf16(floats.data(), x.data(), floats.size(), false);
        detail::floatsToBf16(floats.data(), y.data(), floats.size(), true);
        QVERIFY(x == y);
        std::vector<std::uint8_t> p(floats.size()), q(floats.size());
        detail::floatsToFp8e4m3(floats.data(), p.data(), floats.size(), false);
        detail::floatsToFp8e4m3(floats.data(), q.data(), floats.size(), true);
        for (std::size_t i = 0; i < p.size(); ++i)
            if (p[i] != q[i])
                QFAIL(qPrintable(QStringLiteral("fp8 of bits %1: portable %2, AVX2 %3")
                                     .arg(std::bit_cast<std::uint32_t>(floats[i]), 8, 16, QLatin1Char('0'))
                                     .arg(p[i], 2, 16, QLatin1Char('0'))
                                     .arg(q[i], 2, 16, QLatin1Char('0'))));
    }

    // The DPR codec gives the same stream and the same decoded tensor with and without the
    // hardware conversions, for every format, on a tensor whose length is not a multiple of
    // any vector width.
    void dprCodecSameBytesOnEveryPath()
    {
        const std::uint64_t n = 70001;
        auto input = test::randomTensor(DType::fp32, n, 0.5, 5);
        TensorDesc d;
        d.dtype = DType::fp32;
        d.elements = n;
        for (DprFormat f : {DprFormat::fp16, DprFormat::bf16, DprFormat::fp8_e4m3}) {
            const auto portable = detail::makeDprCodec(f, false);
            const auto hardware = detail::makeDprCodec(f, true);
            std::vector<std::uint8_t> s1(portable->maxCompressedBytes(d)), s2(s1.size());
            QCOMPARE(portable->compress(d, input.data(), s1), hardware->compress(d, input.data(), s2));
            QVERIFY(s1 == s2);
            std::vector<std::uint8_t> o1(n * 4), o2(n * 4);
            portable->decompress(d, s1, o1.data());
            hardware->decompress(d, s1, o2.data());
            QVERIFY(o1 == o2);
        }
    }

    // RLE's run-at-a-time encoder writes exactly the stream of the element-at-a-time definition
    // in docs/codecs.md (below, written out plainly), for zero runs and literal runs that cross
    // mask words and the 255 caps, in both element sizes.
    void rleMatchesTheElementwiseDefinition()
    {
        auto reference = [](const std::vector<std::uint8_t>& t, std::size_t e) {
            const std::size_t n = t.size() / e;
            auto isZero = [&](std::size_t k) {
                for (std::size_t b = 0; b < e; ++b)
                    if (t[k * e + b] != 0) return false;
                return true;
            };
            std::vector<std::uint8_t> out;
            std::size_t i = 0;
            while (i < n) {
                unsigned zeros = 0, lits = 0;
                while (i < n && zeros < 255 && isZero(i)) ++zeros, ++i;
                if (zeros < 255)
                    while (i + lits < n && lits < 255 && !isZero(i + lits)) ++lits;
                out.push_back(static_cast<std::uint8_t>(zeros));
                out.push_back(static_cast<std::uint8_t>(lits));
                out.insert(out.end(), t.begin() + static_cast<std::ptrdiff_t>(i * e),
                           t.begin() + static_cast<std::ptrdiff_t>((i + lits) * e));
                i += lits;
            }
            return out;
        };
        const auto codec = makeCodec(CodecId::rle);
        std::uint32_t seed = 99;
        for (DType type : {DType::fp32, DType::fp16}) {
            const std::size_t e = bytesPerElement(type);
            for (std::uint64_t n : {0ull, 1ull, 63ull, 64ull, 65ull, 255ull, 256ull, 600ull, 5000ull}) {
                for (int pattern = 0; pattern < 6; ++pattern) {
                    std::vector<std::uint8_t> t(n * e, 0);
                    for (std::uint64_t k = 0; k < n; ++k) {
                        seed = seed * 1664525u + 1013904223u;
                        // 0: random half zeros; 1: all non-zero; 2: all zero; 3-5: long runs of each.
                        const bool zero = pattern == 0   ? (seed >> 16) % 2 == 0
                                          : pattern == 1 ? false
                                          : pattern == 2 ? true
                                                         : (k / (pattern * 97)) % 2 == 0;
                        if (!zero) t[k * e + (seed >> 8) % e] = static_cast<std::uint8_t>(1 + (seed >> 24) % 255);
                    }
                    TensorDesc d;
                    d.dtype = type;
                    d.elements = n;
                    std::vector<std::uint8_t> s(codec->maxCompressedBytes(d));
                    s.resize(codec->compress(d, t.data(), s));
                    QVERIFY2(s == reference(t, e), qPrintable(QStringLiteral("n %1 pattern %2").arg(n).arg(pattern)));
                    std::vector<std::uint8_t> back(t.size(), 0xee);
                    codec->decompress(d, s, back.data());
                    QVERIFY(back == t);
                }
            }
        }
    }

    void zvcRejectsMalformedStreams()
    {
        for (zvc::Path path : {zvc::Path::portable, zvc::Path::automatic}) {
            const std::uint64_t n = 40; // one full group and a partial one of 8
            const auto input = test::randomTensor(DType::fp32, n, 0.5, 9);
            std::vector<std::uint8_t> s(zvc::compressedBytes(n, n, 4));
            s.resize(zvc::compress(input.data(), n, 4, s, path));
            std::vector<std::uint8_t> out(n * 4);
            // Every truncation fails.
            for (std::size_t len = 0; len < s.size(); ++len)
                QVERIFY_THROWS_EXCEPTION(CodecError, zvc::decompress(std::span(s).first(len), n, 4, out.data(), path));
            // A trailing byte fails.
            auto longer = s;
            longer.push_back(1);
            QVERIFY_THROWS_EXCEPTION(CodecError, zvc::decompress(longer, n, 4, out.data(), path));
            // A mask bit past the tensor's end fails.
            std::vector<std::uint8_t> last(4, 0);
            const std::uint32_t all = 0xffffffffu;
            auto bad = s;
            const std::size_t firstGroupBytes = 4 + std::popcount([&] {
                std::uint32_t m;
                std::memcpy(&m, s.data(), 4);
                return m;
            }()) * 4;
            std::memcpy(bad.data() + firstGroupBytes, &all, 4);
            QVERIFY_THROWS_EXCEPTION(CodecError, zvc::decompress(bad, n, 4, out.data(), path));
            // A stored zero marked non-zero fails (a canonical stream never has one).
            auto zero = s;
            std::uint32_t m;
            std::memcpy(&m, zero.data(), 4);
            QVERIFY(m != 0);
            std::memset(zero.data() + 4, 0, 4);
            QVERIFY_THROWS_EXCEPTION(CodecError, zvc::decompress(zero, n, 4, out.data(), path));
        }
        // Output one byte short of a lone group's mask and value; an unsupported element size.
        const std::vector<std::uint8_t> one{0, 0, 0x80, 0x3f};
        std::vector<std::uint8_t> tiny(7);
        for (zvc::Path path : {zvc::Path::portable, zvc::Path::automatic})
            QVERIFY_THROWS_EXCEPTION(CodecError, zvc::compress(one.data(), 1, 4, tiny, path));
        QVERIFY_THROWS_EXCEPTION(CodecError, zvc::compress(one.data(), 1, 3, tiny, zvc::Path::portable));
    }

    void rleFormatIsAsDocumented()
    {
        // 300 zeros, 2 non-zeros, 1 zero, 1 non-zero (fp16): records (255,0) (45,2,a,b) (1,1,c).
        std::vector<std::uint16_t> t(304, 0);
        t[300] = 0x3c00;
        t[301] = 0x4000;
        t[303] = 0x4200;
        const auto c = makeCodec(CodecId::rle);
        const auto s = c->compress(TensorDesc::flat(DType::fp16, t.size()), t.data());
        const std::vector<std::uint8_t> expected{255, 0, 45, 2, 0x00, 0x3c, 0x00, 0x40, 1, 1, 0x00, 0x42};
        QCOMPARE(s, expected);
        // Canonical-form violations are rejected.
        const auto desc = TensorDesc::flat(DType::fp16, 4);
        std::vector<std::uint16_t> out(4);
        auto reject = [&](std::vector<std::uint8_t> stream) {
            QVERIFY_THROWS_EXCEPTION(CodecError, c->decompress(desc, stream, out.data()));
        };
        reject({0, 0, 4, 0});                         // empty record
        reject({2, 0, 2, 0});                         // record after a final one
        reject({0, 1, 0, 0, 3, 0});                   // zero literal
        reject({0, 1, 1, 0, 0, 1, 1, 0, 2, 0});       // literal run split without a zero
        reject({5, 0});                               // past the end
        reject({3, 0});                               // ends early
        reject({2, 1, 1});                            // truncated literal
        const std::vector<std::uint8_t> good{2, 1, 0x11, 0x22, 1, 0};
        c->decompress(desc, good, out.data());
        QCOMPARE(out, (std::vector<std::uint16_t>{0, 0, 0x2211, 0}));
    }

    void truncatedStreamsAreRejected_data() { addLosslessRows(); }
    void truncatedStreamsAreRejected()
    {
        QFETCH(CodecId, codec);
        QFETCH(DType, dtype);
        const auto c = makeCodec(codec);
        const std::uint64_t n = 300;
        const auto input = test::randomTensor(dtype, n, 0.3, 77);
        const auto desc = TensorDesc::flat(dtype, n);
        const auto s = c->compress(desc, input.data());
        std::vector<std::uint8_t> out(input.size());
        for (std::size_t len = 0; len < s.size(); ++len) {
            // A copy of exactly `len` bytes, so ASan catches any read past it.
            const std::vector<std::uint8_t> cut(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(len));
            QVERIFY_THROWS_EXCEPTION(CodecError, c->decompress(desc, cut, out.data()));
        }
        auto longer = s;
        longer.push_back(0);
        QVERIFY_THROWS_EXCEPTION(CodecError, c->decompress(desc, longer, out.data()));
        // A stream decoded for a tensor of half the size is caught too (out is large enough).
        QVERIFY_THROWS_EXCEPTION(CodecError, c->decompress(TensorDesc::flat(dtype, n / 2), s, out.data()));
    }

    void corruptedStreamsNeverCrash_data() { addLosslessRows(); }
    void corruptedStreamsNeverCrash()
    {
        // A flipped byte may still be a valid stream (a changed value); what matters is that
        // decoding either throws CodecError or fills exactly the tensor (ASan watches bounds).
        QFETCH(CodecId, codec);
        QFETCH(DType, dtype);
        const auto c = makeCodec(codec);
        const std::uint64_t n = 200;
        const auto input = test::randomTensor(dtype, n, 0.4, 78);
        const auto desc = TensorDesc::flat(dtype, n);
        const auto s = c->compress(desc, input.data());
        std::mt19937 rng(5);
        int rejected = 0;
        for (int trial = 0; trial < 400; ++trial) {
            auto bad = s;
            const std::size_t at = rng() % bad.size();
            bad[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            std::vector<std::uint8_t> out(input.size());
            try {
                c->decompress(desc, bad, out.data());
            } catch (const CodecError&) {
                ++rejected;
            }
        }
        if (codec != CodecId::none) QVERIFY(rejected > 0);
    }

    void dprErrorIsWithinTheFormat_data()
    {
        QTest::addColumn<DprFormat>("format");
        QTest::addColumn<double>("relative");
        QTest::newRow("fp16") << DprFormat::fp16 << std::ldexp(1.0, -11);
        QTest::newRow("bf16") << DprFormat::bf16 << std::ldexp(1.0, -8);
        QTest::newRow("fp8") << DprFormat::fp8_e4m3 << std::ldexp(1.0, -4);
    }
    void dprErrorIsWithinTheFormat()
    {
        QFETCH(DprFormat, format);
        QFETCH(double, relative);
        CodecParams p;
        p.dpr = format;
        const auto c = makeCodec(CodecId::dpr, p);
        for (DType t : kTypes)
            for (std::uint64_t n : kSizes) {
                const auto input = test::randomTensor(t, n, 0.6, static_cast<std::uint32_t>(n), 6.0f);
                const auto desc = TensorDesc::flat(t, n);
                const auto s = c->compress(desc, input.data());
                QCOMPARE(static_cast<std::uint64_t>(s.size()), n * (format == DprFormat::fp8_e4m3 ? 1u : 2u));
                const auto back = c->decompress(desc, s);
                for (std::uint64_t i = 0; i < n; ++i) {
                    const double a = elementAsDouble(t, input.data(), i);
                    const double b = elementAsDouble(t, back.data(), i);
                    // Relative rounding error of the narrower format, plus its subnormal step
                    // and the rounding back to the tensor's own type.
                    const double bound = std::abs(a) * (relative + std::ldexp(1.0, -8)) + std::ldexp(1.0, -9);
                    QVERIFY2(std::abs(a - b) <= bound, qPrintable(QString("%1 vs %2").arg(a).arg(b)));
                    if (a == 0) QCOMPARE(b, 0.0);
                }
                std::vector<std::uint8_t> out(input.size());
                auto cut = s;
                if (!cut.empty()) {
                    cut.pop_back();
                    QVERIFY_THROWS_EXCEPTION(CodecError, c->decompress(desc, cut, out.data()));
                }
            }
    }

    void narrowFormatsRoundExactly()
    {
        QCOMPARE(floatToHalf(1.0f), std::uint16_t{0x3c00});
        QCOMPARE(floatToHalf(65504.0f), std::uint16_t{0x7bff});
        QCOMPARE(floatToHalf(65520.0f), std::uint16_t{0x7c00});
        QCOMPARE(floatToHalf(std::ldexp(1.0f, -24)), std::uint16_t{0x0001});
        QCOMPARE(floatToHalf(1.0f + std::ldexp(1.0f, -11)), std::uint16_t{0x3c00}); // tie to even
        for (std::uint32_t h = 0; h < 0x7c00; ++h) // every finite positive half survives a trip
            QCOMPARE(floatToHalf(halfToFloat(static_cast<std::uint16_t>(h))), static_cast<std::uint16_t>(h));
        QCOMPARE(floatToBf16(1.0f), std::uint16_t{0x3f80});
        QCOMPARE(fp8e4m3ToFloat(0x7e), 448.0f);
        QCOMPARE(floatToFp8e4m3(1000.0f), std::uint8_t{0x7e});
        QCOMPARE(floatToFp8e4m3(-1000.0f), std::uint8_t{0xfe});
        QCOMPARE(fp8e4m3ToFloat(0x01), std::ldexp(1.0f, -9));
        for (std::uint32_t b = 0; b < 0x7f; ++b)
            QCOMPARE(floatToFp8e4m3(fp8e4m3ToFloat(static_cast<std::uint8_t>(b))), static_cast<std::uint8_t>(b));
    }

    void jpegActReconstructs()
    {
        // A smooth 4-channel NCHW map: DCT energy sits in few coefficients, so quality 90 keeps
        // the error near the 3.5 fixed-point step (1/32), and higher quality is never worse.
        TensorDesc d;
        d.dtype = DType::fp32;
        d.n = 2;
        d.c = 3;
        d.h = 13; // not a multiple of 8: padded edge blocks
        d.w = 21;
        d.elements = 2 * 3 * 13 * 21;
        std::vector<float> x(d.elements);
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.5f + std::sin(static_cast<float>(i % 21) * 0.3f) + 0.1f * static_cast<float>(i / 273);
        double previous = 1e9;
        for (int q : {50, 80, 90, 95}) {
            CodecParams p;
            p.jpeg_quality = q;
            const auto c = makeCodec(CodecId::jpeg_act, p);
            const auto s = c->compress(d, x.data());
            QVERIFY(s.size() < d.bytes() / 2);
            const auto back = c->decompress(d, s);
            const auto err = measureError(d, x.data(), back.data());
            QVERIFY2(err.rmse < 0.1, qPrintable(QString::number(err.rmse)));
            QVERIFY(err.rmse <= previous + 1e-6);
            QVERIFY(err.psnr_db > 20);
            previous = err.rmse;
            for (std::size_t len = 0; len < s.size(); len += 7) {
                const std::vector<std::uint8_t> cut(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(len));
                QVERIFY_THROWS_EXCEPTION(CodecError, c->decompress(d, cut, back.size() ? std::vector<std::uint8_t>(back.size()).data() : nullptr));
            }
        }
        // A constant map on the 3.5 grid is exact: only the DC coefficient, no rounding.
        std::vector<float> flat(d.elements, 1.25f);
        const auto c = makeCodec(CodecId::jpeg_act);
        const auto back = c->decompress(d, c->compress(d, flat.data()));
        QCOMPARE(measureError(d, flat.data(), back.data()).max_abs_error, 0.0);
        // NHWC reads the same values from a different order.
        TensorDesc nhwc = d;
        nhwc.layout = TensorLayout::nhwc;
        QVERIFY(c->compress(nhwc, x.data()) != c->compress(d, x.data()));
        // Shape that does not match the element count is refused.
        TensorDesc wrong = d;
        wrong.elements += 1;
        QVERIFY_THROWS_EXCEPTION(CodecError, c->maxCompressedBytes(wrong));
    }

    void jpegActTables()
    {
        const auto q50 = jpeg_act::quantTable(50, false);
        QCOMPARE(q50[0], std::uint16_t{16});
        QCOMPARE(q50[63], std::uint16_t{99});
        const auto q90 = jpeg_act::quantTable(90, false);
        QCOMPARE(q90[0], std::uint16_t{3}); // (16 * 20 + 50) / 100
        for (int q : {95, 90, 80, 50})
            for (auto v : jpeg_act::quantTable(q, true)) QVERIFY(v > 0 && (v & (v - 1)) == 0);
        QCOMPARE(jpeg_act::toFixed35(1.0f), std::int8_t{32});
        QCOMPARE(jpeg_act::toFixed35(6.0f), std::int8_t{127});
        QCOMPARE(jpeg_act::toFixed35(-9.0f), std::int8_t{-128});
    }

    void errorMetrics()
    {
        const std::vector<float> a{0, 1, 2, 3}, b{0, 1, 2, 5};
        const auto m = measureError(TensorDesc::flat(DType::fp32, 4), a.data(), b.data());
        QCOMPARE(m.max_abs_error, 2.0);
        QCOMPARE(m.rmse, 1.0);
        QVERIFY(std::abs(m.psnr_db - 20 * std::log10(3.0)) < 1e-12);
        QVERIFY(std::isinf(measureError(TensorDesc::flat(DType::fp32, 4), a.data(), a.data()).psnr_db));
    }
};

QTEST_APPLESS_MAIN(TestCodecs)
#include "tst_codecs.moc"
