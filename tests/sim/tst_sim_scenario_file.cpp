// The scenario format: presets, custom values, embedded networks, round trips, and errors that
// name the file and the JSON pointer of the bad value.
#include "core/device_profile.h"
#include "core/input_error.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

#include <QTemporaryDir>

#include <fstream>
#include <QtTest>

using namespace offload;
using namespace offload::sim;

namespace {
const std::string kData = std::string(OFFLOAD_TEST_DATA_DIR) + "/sim";
const std::string kSamples = std::string(OFFLOAD_SAMPLES_DIR) + "/scenarios";
} // namespace

class TestScenarioFile : public QObject {
    Q_OBJECT
private slots:
    void samplesLoad_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("gpu");
        QTest::addColumn<int>("codec");
        QTest::addColumn<double>("d2hGbps");
        QTest::newRow("vgg16 titanx none") << "vgg16-titanx-pcie3-none.json" << "titan-x-maxwell" << int(CodecId::none) << 12.8;
        QTest::newRow("vgg16 titanx zvc") << "vgg16-titanx-pcie3-zvc.json" << "titan-x-maxwell" << int(CodecId::zvc) << 12.8;
        QTest::newRow("vgg16 h100 none") << "vgg16-h100-pcie5-none.json" << "h100" << int(CodecId::none) << 53.0;
        QTest::newRow("vgg16 h100 zvc") << "vgg16-h100-pcie5-zvc.json" << "h100" << int(CodecId::zvc) << 53.0;
        QTest::newRow("tiny") << "tiny-teaching.json" << "titan-x-maxwell" << int(CodecId::zvc) << 1.0;
    }

    void samplesLoad()
    {
        QFETCH(QString, file);
        QFETCH(QString, gpu);
        QFETCH(int, codec);
        QFETCH(double, d2hGbps);
        const Scenario s = loadScenarioFile(kSamples + "/" + file.toStdString());
        QCOMPARE(QString::fromStdString(s.gpu.id), gpu);
        QCOMPARE(int(s.codec), codec);
        QCOMPARE(s.link.d2h_bytes_per_s, d2hGbps * 1e9);
        QVERIFY(s.network && s.network->size() > 0);
        QCOMPARE(s.policy, OffloadPolicy::all);
        if (file.startsWith("vgg16")) {
            QCOMPARE(s.batch, std::int64_t{128});
            QCOMPARE(s.engine, EngineKind::dma);
            QCOMPARE(QString::fromStdString(s.network_ref), QString("../networks/vgg16.json"));
        }
    }

    void embeddedNetworkAndCustomDevices()
    {
        const Scenario s = loadScenarioFile(kData + "/scenarios/embedded-chain.json");
        QVERIFY(s.network_ref.empty());
        QCOMPARE(s.network->size(), std::size_t{3});
        QCOMPARE(s.gpu.id, std::string("custom"));
        QCOMPARE(s.gpu.peak_flops, 1e12);
        QCOMPARE(s.gpu.memory_bytes, std::uint64_t{1} << 30);
        QCOMPARE(s.link.h2d_bytes_per_s, 1e9);
        QCOMPARE(s.link.latency_s, 0.0);
        QCOMPARE(s.codec, CodecId::dpr);
        QCOMPARE(s.policy, OffloadPolicy::manual);
        QCOMPARE(s.manual_layers, (std::vector<std::string>{"B", "C"}));
        QCOMPARE(s.prefetch, PrefetchPolicy::eager);
        QCOMPARE(s.eager_depth, 3);
        QCOMPARE(s.sync, SyncPolicy::relaxed);
        QCOMPARE(*s.memory_budget_bytes, std::uint64_t{1} << 29);
        QCOMPARE(s.workspace_bytes, std::uint64_t{1} << 20);
        // manual: the inputs of B and C (A's and B's outputs) are offloaded, the network input not.
        const Result r = simulate(s);
        QVERIFY(r.layers[0].offloaded);
        QVERIFY(r.layers[1].offloaded);
        QVERIFY(!r.layers[2].offloaded);
        QCOMPARE(r.summary.offloaded_layers, 2);
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("embedded") << QString::fromStdString(kData + "/scenarios/embedded-chain.json");
        QTest::newRow("tiny") << QString::fromStdString(kSamples + "/tiny-teaching.json");
    }

    void roundTrip()
    {
        QFETCH(QString, file);
        const Scenario a = loadScenarioFile(file.toStdString());
        // Saved beside the original so that a relative network reference still resolves.
        const std::filesystem::path copy = std::filesystem::path(file.toStdString()).parent_path() / ".roundtrip-test.json";
        saveScenarioFile(a, copy);
        const Scenario b = loadScenarioFile(copy);
        std::filesystem::remove(copy);
        QCOMPARE(scenarioToJson(b).dump(), scenarioToJson(a).dump());
        QCOMPARE(simulate(b).summary.iteration_s, simulate(a).summary.iteration_s);
    }

    void errorsNameFileAndPointer_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("words");
        QTest::newRow("unknown key") << "unknown-key.json" << "/polciy" << "unknown key";
        QTest::newRow("unknown gpu") << "unknown-gpu.json" << "/gpu/preset" << "titan-z";
        QTest::newRow("bad codec") << "bad-codec.json" << "/codec/name" << "brotli";
        QTest::newRow("missing network") << "missing-network.json" << "/network" << "absent.json";
        QTest::newRow("negative bandwidth") << "negative-bandwidth.json" << "/link/gbps" << "-3";
        QTest::newRow("manual unknown layer") << "manual-unknown-layer.json" << "/manual_layers/1" << "conv9";
        QTest::newRow("sm without rate") << "sm-without-rate.json" << "/engine" << "gbps";
        QTest::newRow("wrong format") << "wrong-format.json" << "/format" << "offload-studio/scenario";
        QTest::newRow("embedded bad layer") << "embedded-bad-layer.json" << "/network/layers/0" << "kernel";
    }

    void errorsNameFileAndPointer()
    {
        QFETCH(QString, file);
        QFETCH(QString, pointer);
        QFETCH(QString, words);
        const std::string path = std::string(OFFLOAD_TEST_DATA_DIR) + "/bad-inputs/scenario/" + file.toStdString();
        try {
            loadScenarioFile(path);
            QFAIL("no error");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromStdString(e.file()).endsWith(file), e.what());
            QVERIFY2(QString::fromStdString(e.place()) == pointer, e.what());
            QVERIFY2(QString::fromStdString(e.what()).contains(words), e.what());
        }
    }

    void deviceProfileSetsGpuLinkAndLayerTimes()
    {
        // A profile as offload-probe calibrate writes it; the numbers are test inputs.
        DeviceProfile profile;
        profile.device_name = "Test GPU";
        profile.gpu.peak_flops = 50e12;
        profile.gpu.dram_bytes_per_s = 2e12;
        profile.gpu.memory_bytes = 40ull << 30;
        profile.h2d = {{4096, 2e9}, {64 << 20, 24e9}};
        profile.d2h = {{4096, 2e9}, {64 << 20, 26e9}};
        profile.link_latency_s = 5e-6;
        profile.layer_times_network = "tiny";
        profile.layer_times_method = "cublas-gemm";
        profile.layer_times["conv1"] = {1e-3, 2e-3, 32, {}};

        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString();
        saveDeviceProfileFile(profile, folder / "device.json");
        const std::string network = std::string(OFFLOAD_SAMPLES_DIR) + "/networks/tiny.json";
        auto writeScenario = [&](const std::string& extra) {
            std::ofstream(folder / "s.json")
                << "{\"format\": \"offload-studio/scenario\", \"version\": 1, \"network\": \"" << network
                << "\", \"device_profile\": \"device.json\"" << extra << "}";
        };

        writeScenario("");
        Scenario s = loadScenarioFile(folder / "s.json");
        QCOMPARE(QString::fromStdString(s.gpu.name), QString("measured: Test GPU"));
        QCOMPARE(s.gpu.peak_flops, 50e12);
        QCOMPARE(s.link.d2h_bytes_per_s, 26e9);
        QCOMPARE(s.link.h2d_bytes_per_s, 24e9);
        const auto& conv1 = s.network->network().layers[static_cast<std::size_t>(s.network->indexOf("conv1"))];
        QVERIFY(conv1.measured_times.has_value());
        QCOMPARE(conv1.measured_times->forward_s, 1e-3);
        QCOMPARE(simulate(s).layers[static_cast<std::size_t>(s.network->indexOf("conv1"))].forward_s,
                 1e-3 * static_cast<double>(s.batch) / 32.0);

        // Saved and read again, it still refers to the profile.
        saveScenarioFile(s, folder / "again.json");
        Scenario again = loadScenarioFile(folder / "again.json");
        QCOMPARE(again.device_profile_ref, std::string("device.json"));
        QCOMPARE(again.link.d2h_bytes_per_s, 26e9);

        // An explicit link wins over the measured one.
        writeScenario(", \"link\": \"pcie3-x16\"");
        QCOMPARE(loadScenarioFile(folder / "s.json").link.id, std::string("pcie3-x16"));

        // A missing profile names the key.
        std::filesystem::remove(folder / "device.json");
        try {
            loadScenarioFile(folder / "s.json");
            QFAIL("accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.place()), QString("/device_profile"));
        }
    }

    void overrides()
    {
        Scenario s = loadScenarioFile(kSamples + "/vgg16-titanx-pcie3-none.json");
        applyOverrides(s, {std::string("zvc"), 25.0, std::string("conv"), std::string("a100"), 64, 0.5,
                           std::string("lean"), std::string("memory-optimal"), std::string("delta"),
                           {"compute=2", "dram=0.5"}});
        QCOMPARE(s.codec, CodecId::zvc);
        QCOMPARE(s.link.d2h_bytes_per_s, 25e9);
        QCOMPARE(s.policy, OffloadPolicy::conv);
        QCOMPARE(s.gpu.id, std::string("a100"));
        QCOMPARE(s.batch, std::int64_t{64});
        QCOMPARE(s.progress, 0.5);
        QCOMPARE(s.baseline, BaselineKind::lean);
        QCOMPARE(s.conv_algorithms, AlgorithmPreference::memory);
        QCOMPARE(s.compute_model, ComputeModelKind::delta);
        QCOMPARE(s.gpu_scale.compute, 2.0);
        QCOMPARE(s.gpu_scale.l2, 1.0);
        QCOMPARE(s.gpu_scale.dram, 0.5);
        QVERIFY_THROWS_EXCEPTION(InputError, applyOverrides(s, {std::string("brotli"), {}, {}, {}, {}, {}, {}, {}, {}, {}}));
        QVERIFY_THROWS_EXCEPTION(InputError, applyOverrides(s, {{}, {}, {}, std::string("gtx480"), {}, {}, {}, {}, {}, {}}));
        QVERIFY_THROWS_EXCEPTION(InputError, applyOverrides(s, {{}, {}, {}, {}, {}, {}, {}, {}, std::string("exact"), {}}));
        QVERIFY_THROWS_EXCEPTION(InputError, applyOverrides(s, {{}, {}, {}, {}, {}, {}, {}, {}, {}, {"sm=2"}}));
        QVERIFY_THROWS_EXCEPTION(InputError, applyOverrides(s, {{}, {}, {}, {}, {}, {}, {}, {}, {}, {"compute=-1"}}));
        // The what-if scaling is kept in the file and is what the simulator runs: doubling the
        // compute of a scenario equals simulating the GPU with twice its peaks.
        const Scenario reread = scenarioFromJson(scenarioToJson(s), kSamples + "/round-trip.json");
        QCOMPARE(reread.gpu_scale.compute, 2.0);
        QCOMPARE(reread.gpu_scale.dram, 0.5);
        Scenario explicitGpu = s;
        explicitGpu.gpu = scaledGpu(s.gpu, s.gpu_scale);
        explicitGpu.gpu_scale = {};
        QCOMPARE(simulate(s).summary.iteration_s, simulate(explicitGpu).summary.iteration_s);
        Scenario unscaled = s;
        unscaled.gpu_scale = {};
        QVERIFY(simulate(s).summary.iteration_s != simulate(unscaled).summary.iteration_s);
    }

    void presetsCiteTheirSource()
    {
        for (const char* id : {"titan-x-maxwell", "titan-xp", "v100", "a100", "h100"}) {
            const GpuSpec* g = findGpuPreset(id);
            QVERIFY2(g, id);
            QVERIFY(g->peak_flops > 1e12 && g->dram_bytes_per_s > 1e11 && g->memory_bytes >= (std::uint64_t{12} << 30));
            QVERIFY(!g->citation.empty());
        }
        QCOMPARE(findGpuPreset("titan-x-maxwell")->peak_flops, 7e12); // vDNN section V
        QCOMPARE(findGpuPreset("titan-xp")->dram_bytes_per_s, 547.6e9);
        for (const char* id : {"pcie3-x16", "pcie4-x16", "pcie5-x16", "nvlink2-host"}) {
            const LinkSpec* l = findLinkPreset(id);
            QVERIFY2(l, id);
            QVERIFY(!l->citation.empty());
        }
        QCOMPARE(findLinkPreset("pcie3-x16")->d2h_bytes_per_s, 12.8e9); // vDNN's measured cudaMemcpy
    }
};

QTEST_GUILESS_MAIN(TestScenarioFile)
#include "tst_sim_scenario_file.moc"
