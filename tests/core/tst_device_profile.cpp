// Device profiles ("offload-studio/device" v1): round trip, strict reading with file + JSON
// pointer in errors, and the conversions the simulator and GUI use. Needs no GPU.
#include "core/device_profile.h"
#include "core/input_error.h"
#include "core/json_reader.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace offload;

namespace {

DeviceProfile sampleProfile()
{
    // Values of the shape calibrate writes; they are test inputs, not measurements.
    DeviceProfile p;
    p.device_name = "Test GPU";
    p.compute_capability = "9.0";
    p.sm_count = 132;
    p.measured_at = "2026-01-01T00:00:00Z";
    p.tool = "offload-probe 0.1.0";
    p.gpu.peak_flops = 60e12;
    p.gpu.dram_bytes_per_s = 3.0e12;
    p.gpu.memory_bytes = 80ull << 30;
    p.gpu.compute_efficiency = 0.8;
    p.gpu.dram_efficiency = 0.9;
    p.gpu.shared_bytes_per_sm = 228 * 1024;
    p.gpu.l1_bytes_per_s = 33e12;
    p.gpu.l2_bytes = 50ull << 20;
    p.gpu.l2_bytes_per_s = 7.7e12;
    p.h2d = {{4096, 2e9}, {1 << 20, 20e9}, {64 << 20, 25e9}};
    p.d2h = {{4096, 1.5e9}, {1 << 20, 18e9}, {64 << 20, 26e9}};
    p.link_latency_s = 8e-6;
    p.full_duplex = true;
    p.zvc = {{0.5, 256ull << 20, 1.2e12, 1.5e12, 1.6e12}, {0.8, 256ull << 20, 1.4e12, 1.3e12, 1.6e12}};
    p.layer_times_network = "tiny";
    p.layer_times_method = "cublas-gemm";
    p.layer_times["conv1"] = {1e-3, 2e-3, 32,
                              {{ConvAlgorithm::implicit_gemm, 1.5e-3, 3e-3, 0},
                               {ConvAlgorithm::winograd, 1e-3, 2e-3, 48ull << 20}}};
    p.layer_times["fc/1"] = {2e-4, 4e-4, 32, {}};
    return p;
}

} // namespace

class TestDeviceProfile : public QObject {
    Q_OBJECT

private slots:
    void roundTrip()
    {
        const DeviceProfile p = sampleProfile();
        const DeviceProfile q = deviceProfileFromJson(deviceProfileToJson(p), "mem");
        QCOMPARE(q.device_name, p.device_name);
        QCOMPARE(q.sm_count, 132);
        QCOMPARE(q.gpu.peak_flops, p.gpu.peak_flops);
        QCOMPARE(q.gpu.memory_bytes, p.gpu.memory_bytes);
        // The memory hierarchy the delta compute model needs, with the device's SM count.
        QCOMPARE(q.gpu.l2_bytes, p.gpu.l2_bytes);
        QCOMPARE(q.gpu.l2_bytes_per_s, 7.7e12);
        QCOMPARE(q.gpu.shared_bytes_per_sm, std::uint64_t(228 * 1024));
        QCOMPARE(q.gpu.sm_count, 132);
        QCOMPARE(q.h2d.size(), std::size_t(3));
        QCOMPARE(q.d2h.back().bytes_per_s, 26e9);
        QCOMPARE(q.zvc.size(), std::size_t(2));
        QCOMPARE(q.zvc[1].decompress_bytes_per_s, 1.3e12);
        QCOMPARE(q.layer_times.size(), std::size_t(2));
        QCOMPARE(q.layer_times.at("fc/1").batch, std::int64_t(32));
        QCOMPARE(q.layer_times_method, std::string("cublas-gemm"));
        // Per-algorithm times of a conv layer (calibrate times every family cuDNN runs).
        const auto& algorithms = q.layer_times.at("conv1").algorithms;
        QCOMPARE(algorithms.size(), std::size_t(2));
        QCOMPARE(algorithms[1].algorithm, ConvAlgorithm::winograd);
        QCOMPARE(algorithms[1].workspace_bytes, std::uint64_t(48) << 20);
        QCOMPARE(algorithms[0].backward_s, 3e-3);
        QVERIFY(q.layer_times.at("fc/1").algorithms.empty());
    }

    void fileRoundTrip()
    {
        QTemporaryDir dir;
        const std::filesystem::path path = std::filesystem::path(dir.path().toStdString()) / "dev.json";
        saveDeviceProfileFile(sampleProfile(), path);
        const DeviceProfile q = loadDeviceProfileFile(path);
        QCOMPARE(q.layer_times.at("conv1").forward_s, 1e-3);
    }

    void conversions()
    {
        const DeviceProfile p = sampleProfile();
        const GpuSpec g = gpuSpecFromProfile(p);
        QCOMPARE(g.id, std::string("measured"));
        QCOMPARE(g.name, std::string("measured: Test GPU"));
        QCOMPARE(g.peak_flops, 60e12);
        QVERIFY(!g.citation.empty());
        const LinkSpec l = linkSpecFromProfile(p);
        QCOMPARE(l.h2d_bytes_per_s, 25e9);
        QCOMPARE(l.d2h_bytes_per_s, 26e9);
        QCOMPARE(l.latency_s, 8e-6);
        QCOMPARE(zvcEngineBytesPerSecond(p), 1.2e12);
        QCOMPARE(bandwidthAt(p.h2d, 1), 2e9);
        QCOMPARE(bandwidthAt(p.h2d, 1ull << 40), 25e9);
        QCOMPARE(bandwidthAt(p.h2d, 1 << 20), 20e9);
        // Half way between 1 MiB and 64 MiB in log(size) is 8 MiB.
        QVERIFY(std::abs(bandwidthAt(p.h2d, 8 << 20) - 22.5e9) < 1e3);
    }

    void applyLayerTimes()
    {
        Network n;
        n.layers.resize(3);
        n.layers[0].name = "conv1";
        n.layers[1].name = "relu1";
        n.layers[2].name = "fc";
        const AppliedLayerTimes r = applyMeasuredLayerTimes(n, sampleProfile());
        QCOMPARE(r.applied, 1);
        QVERIFY(n.layers[0].measured_times.has_value());
        QCOMPARE(n.layers[0].measured_times->backward_s, 2e-3);
        QVERIFY(!n.layers[1].measured_times);
        QCOMPARE(r.unknown_layers, std::vector<std::string>{"fc/1"});
    }

    void rejectsBadDocuments_data()
    {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("patch"); // JSON Patch applied to the sample
        QTest::newRow("unknown key") << "/gpu/tflops"
                                     << R"([{"op":"add","path":"/gpu/tflops","value":1}])";
        QTest::newRow("format") << "/format"
                                << R"([{"op":"replace","path":"/format","value":"offload-studio/network"}])";
        QTest::newRow("newer version") << "/version"
                                       << R"([{"op":"replace","path":"/version","value":2}])";
        QTest::newRow("sizes decrease") << "/link/h2d/1/bytes"
                                        << R"([{"op":"replace","path":"/link/h2d/1/bytes","value":100}])";
        QTest::newRow("empty curve") << "/link/d2h"
                                     << R"([{"op":"replace","path":"/link/d2h","value":[]}])";
        QTest::newRow("negative time") << "/layers/times/fc~11/forward_s"
                                       << R"([{"op":"replace","path":"/layers/times/fc~11/forward_s","value":-1}])";
        QTest::newRow("sparsity > 1") << "/zvc/0/sparsity"
                                      << R"([{"op":"replace","path":"/zvc/0/sparsity","value":1.5}])";
        QTest::newRow("missing name") << "/device"
                                      << R"([{"op":"remove","path":"/device/name"}])";
        QTest::newRow("unknown algorithm") << "/layers/times/conv1/algorithms/1/algorithm"
                                           << R"([{"op":"replace","path":"/layers/times/conv1/algorithms/1/algorithm","value":"direct"}])";
        QTest::newRow("algorithm twice") << "/layers/times/conv1/algorithms/1/algorithm"
                                         << R"([{"op":"replace","path":"/layers/times/conv1/algorithms/1/algorithm","value":"implicit-gemm"}])";
        QTest::newRow("negative workspace") << "/layers/times/conv1/algorithms/0/workspace_bytes"
                                            << R"([{"op":"replace","path":"/layers/times/conv1/algorithms/0/workspace_bytes","value":-1}])";
        QTest::newRow("string flops") << "/gpu/peak_flops"
                                      << R"([{"op":"replace","path":"/gpu/peak_flops","value":"60T"}])";
    }

    void rejectsBadDocuments()
    {
        QFETCH(QString, pointer);
        QFETCH(QString, patch);
        const nlohmann::json doc =
            deviceProfileToJson(sampleProfile()).patch(nlohmann::json::parse(patch.toStdString()));
        try {
            deviceProfileFromJson(doc, "bad.json");
            QFAIL("accepted a bad document");
        } catch (const InputError& e) {
            QCOMPARE(e.file(), std::string("bad.json"));
            QCOMPARE(QString::fromStdString(e.place()), pointer);
        }
    }
};

QTEST_GUILESS_MAIN(TestDeviceProfile)
#include "tst_device_profile.moc"
