// The GPU ZVC kernels against the project's CPU codec (core/codecs/zvc.h) and against an encoder
// written here from the format's definition (docs/codecs.md, "ZVC"), on the real activation
// tensors in ../shared/data and on edge cases: sizes around group, tile and block boundaries,
// all-zero and dense data, -0.0 and NaN, 2-byte elements.
// Exits with 77 (CTest's skip code) where there is no usable GPU.
#include "core/codecs/npy.h"
#include "core/codecs/zvc.h"
#include "core/cuda/gpu.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Reference encoder: the format as docs/codecs.md states it, one group at a time.
template <typename T> std::vector<std::uint8_t> referenceCompress(const std::vector<T>& values)
{
    std::vector<std::uint8_t> out;
    for (std::size_t g = 0; g < values.size(); g += 32) {
        std::uint32_t mask = 0;
        std::vector<T> nonZeros;
        for (std::size_t i = 0; i < 32 && g + i < values.size(); ++i) {
            if (values[g + i] != T(0)) {
                mask |= 1u << i;
                nonZeros.push_back(values[g + i]);
            }
        }
        for (int b = 0; b < 4; ++b)
            out.push_back(static_cast<std::uint8_t>(mask >> (8 * b)));
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(nonZeros.data());
        out.insert(out.end(), bytes, bytes + nonZeros.size() * sizeof(T));
    }
    return out;
}

template <typename T> void checkRoundTrip(const std::vector<T>& values)
{
    using namespace offload::gpu;
    const auto n = static_cast<std::uint64_t>(values.size());
    const std::vector<std::uint8_t> expected = referenceCompress(values);
    // The CPU codec and the definition agree, then the GPU matches both.
    std::vector<std::uint8_t> cpu(offload::zvc::compressedBytes(n, n, sizeof(T)));
    cpu.resize(offload::zvc::compress(values.data(), n, sizeof(T), cpu));
    QVERIFY(cpu == expected);
    const std::vector<std::uint8_t> gpu = zvcCompressHost(values.data(), n, sizeof(T));
    QCOMPARE(gpu.size(), expected.size());
    QVERIFY(gpu == expected);

    // Decompress the reference stream (not the GPU's own), so both directions are checked
    // against the format rather than against each other.
    const std::vector<std::uint8_t> back = zvcDecompressHost(expected.data(), expected.size(), n, sizeof(T));
    QCOMPARE(back.size(), values.size() * sizeof(T));
    QVERIFY(std::memcmp(back.data(), values.data(), back.size()) == 0);

    std::uint64_t zeros = 0;
    for (T v : values)
        zeros += v == T(0) ? 1 : 0;
    DeviceBuffer d(values.size() * sizeof(T));
    copySync(d.get(), values.data(), values.size() * sizeof(T), CopyKind::host_to_device);
    QCOMPARE(countZeros(d.get(), n, sizeof(T)), zeros);
}

} // namespace

class TestGpuZvc : public QObject {
    Q_OBJECT

private slots:
    void syntheticSizes_data()
    {
        QTest::addColumn<qulonglong>("elements");
        QTest::addColumn<double>("sparsity");
        // Around group (32), tile (1024) and block (8 tiles = 8192) boundaries.
        for (qulonglong n : {0ull, 1ull, 31ull, 32ull, 33ull, 1023ull, 1024ull, 1025ull, 8191ull, 8192ull, 8193ull,
                             100000ull, 1048577ull})
            for (double s : {0.0, 0.5, 0.8, 1.0})
                QTest::addRow("n=%llu s=%.1f", n, s) << n << s;
    }

    void syntheticSizes()
    {
        QFETCH(qulonglong, elements);
        QFETCH(double, sparsity);
        std::mt19937 rng(static_cast<unsigned>(elements * 7 + static_cast<unsigned>(sparsity * 10)));
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        std::vector<std::uint32_t> values(elements);
        for (auto& v : values) {
            const float x = u(rng);
            v = x < sparsity ? 0u : std::bit_cast<std::uint32_t>(x + 0.5f);
        }
        checkRoundTrip(values);
    }

    void specialValues()
    {
        // -0.0 and NaN are non-zero bit patterns: a lossless codec must keep them.
        std::vector<std::uint32_t> values(100, 0);
        values[3] = std::bit_cast<std::uint32_t>(-0.0f);
        values[40] = std::bit_cast<std::uint32_t>(std::nanf("1"));
        values[99] = std::bit_cast<std::uint32_t>(1.0f);
        checkRoundTrip(values);
    }

    void halfPrecisionElements_data()
    {
        QTest::addColumn<qulonglong>("elements");
        for (qulonglong n : {1ull, 33ull, 1025ull, 8193ull, 300001ull})
            QTest::addRow("n=%llu", n) << n;
    }

    void halfPrecisionElements()
    {
        // 2-byte elements put groups on offsets that are not multiples of 4.
        QFETCH(qulonglong, elements);
        std::mt19937 rng(static_cast<unsigned>(elements));
        std::vector<std::uint16_t> values(elements);
        for (auto& v : values)
            v = (rng() % 3 == 0) ? 0 : static_cast<std::uint16_t>(rng() | 1u);
        checkRoundTrip(values);
    }

    void realTensors_data()
    {
        QTest::addColumn<QString>("file");
        const fs::path dir = fs::path(OFFLOAD_SHARED_DATA_DIR) / "ssd_mobilenetv1";
        const fs::path manifest = dir / "manifest.json";
        if (!fs::exists(manifest))
            return;
        std::ifstream in(manifest);
        const nlohmann::json entries = nlohmann::json::parse(in);
        for (const auto& e : entries) {
            const std::string file = e.at("file").get<std::string>();
            QTest::newRow(file.c_str()) << QString::fromStdString((dir / file).string());
        }
    }

    void realTensors()
    {
        QFETCH(QString, file);
        if (file.isEmpty())
            QSKIP("../shared/data is not present");
        const offload::NpyArray array = offload::readNpyFile(file.toStdString());
        QCOMPARE(array.element, offload::NpyElement::f32);
        std::vector<std::uint32_t> values(array.elements());
        std::memcpy(values.data(), array.data.data(), values.size() * 4);
        QVERIFY(!values.empty());
        checkRoundTrip(values);
    }

    void indexRejectsBadStreams()
    {
        using namespace offload::gpu;
        const std::vector<std::uint32_t> values{0, 5, 0, 7};
        std::vector<std::uint8_t> s = referenceCompress(values);
        std::vector<std::uint8_t> truncated(s.begin(), s.end() - 1);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 zvcBuildIndexOnHost(truncated.data(), truncated.size(), values.size(), 4));
        s.push_back(0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, zvcBuildIndexOnHost(s.data(), s.size(), values.size(), 4));
    }
};

int main(int argc, char** argv)
{
    std::string why;
    const auto device = offload::gpu::probeDevice(&why);
    if (!device) {
        std::fprintf(stderr, "SKIP: %s\n", why.c_str());
        return 77;
    }
    std::printf("GPU: %s (compute capability %d.%d)\n", device->name.c_str(), device->cc_major, device->cc_minor);
    TestGpuZvc test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_gpu_zvc.moc"
