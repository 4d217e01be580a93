// ONNX import (core/onnx_import.h): the small hand-built fixtures of tests/data/onnx (written by
// make_fixtures.py), torchvision's models exported structure-only by
// tools/export_torchvision_onnx.py against the samples, the malformed files of
// tests/data/onnx/bad, and the CLI (`import`, `.onnx` wherever a network is read).
#include "offload_sim_process.h"

#include "core/input_error.h"
#include "core/network_json.h"
#include "core/network_model.h"
#include "core/onnx_import.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace offload;

namespace {

const std::string kOnnxDir = std::string(OFFLOAD_TEST_DATA_DIR) + "/onnx/";
const std::string kSamples = std::string(OFFLOAD_SAMPLES_DIR) + "/networks/";

std::string kinds(const Network& net)
{
    std::string s;
    for (const auto& L : net.layers)
        s += (s.empty() ? "" : " ") + std::string(layerKindName(L.kind));
    return s;
}

const Layer& layer(const Network& net, const std::string& name)
{
    for (const auto& L : net.layers)
        if (L.name == name)
            return L;
    qFatal("no layer %s", name.c_str());
}

struct ConvFcTotals {
    std::int64_t outputValues = 0; // per sample
    double flops = 0;
    std::int64_t weights = 0;
    std::vector<Shape> shapes; // in execution order
};

ConvFcTotals convFc(const NetworkModel& m)
{
    ConvFcTotals t;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const auto kind = m.network().layers[i].kind;
        const auto& li = m.info(static_cast<int>(i));
        t.weights += li.weight_elements;
        if (kind != LayerKind::conv && kind != LayerKind::fc)
            continue;
        t.outputValues += li.output_shape.elements();
        t.flops += li.forward_flops;
        t.shapes.push_back(li.output_shape);
    }
    return t;
}

// A NumPy .npy v1.0 file of float32 values, as numpy.save writes it.
void writeNpy(const QString& path, const std::vector<std::uint64_t>& shape, const std::vector<float>& values)
{
    std::string dims;
    for (auto d : shape)
        dims += std::to_string(d) + ", ";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const char length[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
    out.write(length, 2);
    out << header;
    out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));
}

} // namespace

class TestOnnxImport : public QObject {
    Q_OBJECT
private slots:
    void tinyConvNet()
    {
        const auto r = importOnnxFile(kOnnxDir + "tiny_conv.onnx");
        const NetworkModel m(r.network, "tiny_conv");
        QCOMPARE(kinds(r.network), std::string("conv relu maxpool conv relu globalpool flatten fc softmax"));
        QVERIFY(r.warnings.empty());
        QVERIFY(!r.fixed_batch); // "N" in the file
        QCOMPARE(r.network.input, (Shape{3, 32, 32}));
        QCOMPARE(r.network.input_name, std::string("x"));
        // conv1: 8 filters 3x3 over 3 channels, pad 1, with bias: 2*27 MACs per output + 1.
        QCOMPARE(m.info(0).output_shape, (Shape{8, 32, 32}));
        QCOMPARE(m.info(0).forward_flops, (2.0 * 27 + 1) * 8 * 32 * 32);
        QCOMPARE(m.info(0).weight_elements, std::int64_t{8 * 27 + 8});
        // conv2: stride 2 over the 16x16 pool output, no bias.
        const Layer& conv2 = layer(r.network, "conv2");
        QCOMPARE(conv2.stride_h, std::int64_t{2});
        QVERIFY(!conv2.bias);
        QCOMPARE(m.info(3).output_shape, (Shape{16, 8, 8}));
        // fc from Gemm with transB: 16 -> 10 with bias.
        QCOMPARE(layer(r.network, "fc").out_channels, std::int64_t{10});
        QCOMPARE(m.info(7).weight_elements, std::int64_t{16 * 10 + 10});
        // Single-input chains need no explicit inputs.
        for (const auto& L : r.network.layers)
            QVERIFY2(L.inputs.empty(), L.name.c_str());
    }

    void symbolicBatchDoesNotChangeTheNetwork()
    {
        OnnxImportOptions eight;
        eight.batch = 8;
        const auto a = importOnnxFile(kOnnxDir + "tiny_conv.onnx");
        const auto b = importOnnxFile(kOnnxDir + "tiny_conv.onnx", eight);
        QCOMPARE(networkToJson(a.network), networkToJson(b.network));
    }

    void branchesJoinInAConcat()
    {
        const auto r = importOnnxFile(kOnnxDir + "branch_concat.onnx");
        const NetworkModel m(r.network, "branch_concat");
        QCOMPARE(r.fixed_batch, std::optional<std::int64_t>(2));
        const Layer& join = layer(r.network, "join");
        QCOMPARE(join.kind, LayerKind::concat);
        QCOMPARE(join.inputs, (std::vector<std::string>{"branch_1x1_relu", "branch_3x3_relu", "branch_pool_proj"}));
        QCOMPARE(layer(r.network, "branch_3x3").inputs, std::vector<std::string>{"x"});
        QCOMPARE(layer(r.network, "branch_pool").inputs, std::vector<std::string>{"x"});
        QCOMPARE(m.info(m.indexOf("join")).output_shape, (Shape{20, 16, 16}));
        // The shared input is read by three branches: its consumers are all of them.
        const Layer& pool = layer(r.network, "branch_pool");
        QCOMPARE(pool.stride_h, std::int64_t{1});
        QCOMPARE(pool.pad_h, std::int64_t{1});
    }

    void residualAddKeepsTheSkip()
    {
        const auto r = importOnnxFile(kOnnxDir + "residual_add.onnx");
        const NetworkModel m(r.network, "residual_add");
        QCOMPARE(kinds(r.network), std::string("conv batchnorm relu conv batchnorm add relu"));
        const Layer& add = layer(r.network, "skip_add");
        QCOMPARE(add.inputs, (std::vector<std::string>{"bn2", "x"}));
        QCOMPARE(m.info(m.indexOf("skip_add")).forward_flops, 8.0 * 8 * 8);
    }

    void unmodelledOperatorBecomesGenericWithAWarning()
    {
        const auto r = importOnnxFile(kOnnxDir + "unsupported_op.onnx");
        QCOMPARE(r.warnings.size(), std::size_t{1});
        QVERIFY(r.warnings[0].find("leaky1") != std::string::npos);
        QVERIFY(r.warnings[0].find("LeakyRelu") != std::string::npos);
        const Layer& leaky = layer(r.network, "leaky1");
        QCOMPARE(leaky.kind, LayerKind::generic);
        QCOMPARE(leaky.generic_output, (Shape{4, 8, 8}));
        QCOMPARE(leaky.generic_flops, 4.0 * 8 * 8);
        QVERIFY(leaky.comment.find("not modelled") != std::string::npos);
        // The conv after it still reads it.
        const NetworkModel m(r.network, "unsupported_op");
        QCOMPARE(m.info(2).output_shape, (Shape{2, 8, 8}));
    }

    void matmulAndBiasAddBecomeOneFc()
    {
        const auto r = importOnnxFile(kOnnxDir + "mlp_relu6.onnx");
        QCOMPARE(kinds(r.network), std::string("fc relu6 fc softmax"));
        QVERIFY(layer(r.network, "fc1_matmul").bias);
        QVERIFY(!layer(r.network, "fc2").bias);
        const NetworkModel m(r.network, "mlp_relu6");
        QCOMPARE(m.info(0).weight_elements, std::int64_t{16 * 32 + 32});
    }

    // torchvision's VGG-16 is configuration D, as samples/networks/vgg16.json: the same conv and
    // fc shapes in the same order, 13,556,712 conv and fc output values per image, the same
    // multiply-adds and 138,357,544 parameters.
    void torchvisionVgg16MatchesTheSample()
    {
        const NetworkModel imported(importOnnxFile(kOnnxDir + "torchvision/vgg16.onnx").network, "vgg16.onnx");
        const NetworkModel sample = loadNetworkFile(kSamples + "vgg16.json");
        const auto a = convFc(imported), b = convFc(sample);
        QCOMPARE(a.outputValues, std::int64_t{13'556'712});
        QCOMPARE(a.outputValues, b.outputValues);
        QCOMPARE(a.shapes.size(), std::size_t{16});
        QVERIFY(a.shapes == b.shapes);
        QCOMPARE(a.flops, b.flops);
        QCOMPARE(a.weights, std::int64_t{138'357'544});
        QCOMPARE(a.weights, b.weights);
    }

    // torchvision's GoogLeNet has the same conv and fc output shapes as the bvlc model of the
    // sample (3,227,160 values per image); its "5x5" branches use 3x3 kernels (a known quirk of
    // torchvision's port) and it has batch norm instead of LRN, so FLOPs and weights differ.
    void torchvisionGoogLeNetMatchesTheSampleShapes()
    {
        const auto r = importOnnxFile(kOnnxDir + "torchvision/googlenet.onnx");
        const NetworkModel imported(r.network, "googlenet.onnx");
        const NetworkModel sample = loadNetworkFile(kSamples + "googlenet.json");
        const auto a = convFc(imported), b = convFc(sample);
        QVERIFY(r.warnings.empty());
        QCOMPARE(a.outputValues, std::int64_t{3'227'160});
        QCOMPARE(a.outputValues, b.outputValues);
        QCOMPARE(a.shapes.size(), b.shapes.size());
        QCOMPARE(imported.info(static_cast<int>(imported.size()) - 1).output_shape, (Shape{1000, 1, 1}));
    }

    // No sample for these two: the published sizes instead. The evaluation-mode export folds
    // batch norm into the convolutions, so the parameters are torchvision's count less the
    // 2 per channel of every batch norm (ResNet-18: 11,689,512 - 4,800; MobileNetV2:
    // 3,504,872 - 17,056). Multiply-adds: 1.81 G and 0.30 G (torchvision's model table).
    void torchvisionResNet18AndMobileNetV2()
    {
        const auto resnet = importOnnxFile(kOnnxDir + "torchvision/resnet18.onnx");
        const NetworkModel r18(resnet.network, "resnet18.onnx");
        QVERIFY(resnet.warnings.empty());
        const auto a = convFc(r18);
        QCOMPARE(a.weights, std::int64_t{11'689'512 - 4'800});
        QCOMPARE(a.shapes.size(), std::size_t{21}); // 20 convs (3 projections) and the fc
        QVERIFY(std::abs(a.flops / 2 / 1.814e9 - 1) < 0.01);
        int adds = 0;
        for (const auto& L : resnet.network.layers)
            adds += L.kind == LayerKind::add ? 1 : 0;
        QCOMPARE(adds, 8);

        const auto mobile = importOnnxFile(kOnnxDir + "torchvision/mobilenet_v2.onnx");
        const NetworkModel v2(mobile.network, "mobilenet_v2.onnx");
        QVERIFY(mobile.warnings.empty());
        const auto b = convFc(v2);
        QCOMPARE(b.weights, std::int64_t{3'504'872 - 17'056});
        QVERIFY(std::abs(b.flops / 2 / 0.30e9 - 1) < 0.03);
        int relu6 = 0, depthwise = 0;
        for (const auto& L : mobile.network.layers) {
            relu6 += L.kind == LayerKind::relu6 ? 1 : 0;
            depthwise += L.kind == LayerKind::conv && L.groups > 1 ? 1 : 0;
        }
        QCOMPARE(relu6, 35);
        QCOMPARE(depthwise, 17);
    }

    void malformedFilesAreInputErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("place");
        const std::pair<const char*, const char*> rows[] = {
            {"empty.onnx", "byte 0"},
            {"truncated.onnx", "does not parse"},
            {"not-protobuf.onnx", "does not parse"},
            {"json-instead.onnx", "does not parse"},
            {"no-ir-version.onnx", "ir_version"},
            {"no-graph.onnx", "graph"},
            {"unknown-opset.onnx", "opset_import"},
            {"missing-input-shape.onnx", "graph input \"x\""},
            {"zero-dim.onnx", "graph input \"x\", dimension 1"},
            {"negative-dim.onnx", "graph input \"x\", dimension 2"},
            {"huge-dim.onnx", "graph input \"x\", dimension 2"},
            {"symbolic-channels.onnx", "graph input \"x\", dimension 1"},
            {"rank-5-input.onnx", "graph input \"x\""},
            {"huge-output.onnx", "node \"giant_conv\" (Conv)"},
            {"cyclic.onnx", "node \"add_a\" (Add)"},
            {"dangling-input.onnx", "node \"reads_ghost\" (Add)"},
            {"no-network-input.onnx", "graph input"},
            {"two-inputs.onnx", "graph input"},
            {"duplicate-output.onnx", "node \"second\" (Sigmoid)"},
            {"unknown-operator.onnx", "node \"fancy\" (FancyConv)"},
            {"channel-mismatch.onnx", "node \"conv_mismatch\" (Conv)"},
            {"kernel-too-big.onnx", "node \"conv_too_big\" (Conv)"},
            {"reshape-mismatch.onnx", "node \"bad_reshape\" (Reshape)"},
            {"control-flow.onnx", "node \"branch\" (If)"},
            {"custom-domain-no-shape.onnx", "node \"custom_op\" (Mystery)"},
            // Found by fuzz_onnx: no kernel_shape and weights of another rank than the input
            // crashed ONNX 1.12's own shape inference.
            {"conv-kernel-rank-mismatch.onnx", "node \"conv\" (Conv)"},
            {"pool-zero-stride.onnx", "node \"]gnv1\" (MaxPool)"},
        };
        for (const auto& [file, place] : rows)
            QTest::newRow(file) << QString(file) << QString(place);
    }

    void malformedFilesAreInputErrors()
    {
        QFETCH(QString, file);
        QFETCH(QString, place);
        const QString path = QString::fromStdString(kOnnxDir) + "bad/" + file;
        QVERIFY(QFile::exists(path));
        const auto r = test::runOffloadSim({"import", path, "-o", "-"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(path.toUtf8()), r.err.constData());
        QVERIFY2(r.err.contains(place.toUtf8()), r.err.constData());
    }

    void importWritesANetworkThatLoads()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("net.json");
        const auto r = test::runOffloadSim(
            {"import", QString::fromStdString(kOnnxDir) + "unsupported_op.onnx", "-o", out, "--batch", "4"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("warning") && r.err.contains("leaky1") && r.err.contains("LeakyRelu"),
                 r.err.constData());
        QVERIFY(r.out.contains("3 layers (1 generic)"));
        const NetworkModel written = loadNetworkFile(out.toStdString());
        const auto direct = importOnnxFile(kOnnxDir + "unsupported_op.onnx");
        QCOMPARE(networkToJson(written.network()), networkToJson(direct.network));
    }

    // Wherever a network file is read: info, run (a model alone runs in the default scenario)
    // and a scenario's "network".
    void onnxIsReadWhereverANetworkIs()
    {
        const QString model = QString::fromStdString(kOnnxDir) + "residual_add.onnx";
        auto info = test::runOffloadSim({"info", model, "--json"});
        QCOMPARE(info.exitCode, 0);
        const auto layers = QJsonDocument::fromJson(info.out).object()["layers"].toArray();
        QCOMPARE(layers.size(), 7);
        QCOMPARE(layers[5].toObject()["kind"].toString(), QString("add"));

        auto run = test::runOffloadSim({"run", model, "--batch", "16"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("batch 16"), run.out.constData());

        QTemporaryDir dir;
        QFile::copy(model, dir.filePath("block.onnx"));
        const QString scenario = dir.filePath("scenario.json");
        std::ofstream(scenario.toStdString())
            << R"({"format": "offload-studio/scenario", "version": 1, "network": "block.onnx", "batch": 32,)"
               R"( "gpu": "titan-x-maxwell", "link": "pcie3-x16"})";
        auto viaScenario = test::runOffloadSim({"run", scenario});
        QCOMPARE(viaScenario.exitCode, 0);
        QVERIFY(viaScenario.out.contains("network block"));
        QVERIFY(viaScenario.out.contains("batch 32"));

        auto bad = test::runOffloadSim({"info", QString::fromStdString(kOnnxDir) + "bad/cyclic.onnx"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("node \"add_a\""));
    }

    // tools/capture_activations.py writes one folder per capture with a manifest naming each
    // tensor's ONNX layer and training progress: measure --profile needs no map and writes one
    // curve per layer. Tensors of layers the network does not have are left out.
    void measureProfileFollowsManifestsWithoutAMap()
    {
        QTemporaryDir dir;
        const std::vector<std::uint64_t> shape{1, 8, 32, 32}; // tiny_conv's relu1 for one image
        for (const auto& [folder, zeros, progress] :
             {std::tuple{"step_000000", 2048, "0.0"}, std::tuple{"step_000100", 6144, "1.0"}}) {
            QDir(dir.path()).mkdir(folder);
            std::vector<float> values(8 * 32 * 32, 1.5f);
            std::fill(values.begin(), values.begin() + zeros, 0.0f);
            writeNpy(dir.filePath(QString(folder) + "/relu1.npy"), shape, values);
            writeNpy(dir.filePath(QString(folder) + "/other.npy"), shape, values);
            std::ofstream(dir.filePath(QString(folder) + "/manifest.json").toStdString())
                << R"([{"file": "relu1.npy", "layer_name": "relu1", "layout": "NCHW", "progress": )" << progress
                << R"(}, {"file": "other.npy", "layer_name": "not_in_the_network", "progress": )" << progress << "}]";
        }
        const QString profile = dir.filePath("profile.json");
        const auto r = test::runOffloadSim({"measure", dir.path(), "--network",
                                            QString::fromStdString(kOnnxDir) + "tiny_conv.onnx", "--profile",
                                            profile, "--codecs", "zvc", "--repeat", "1"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const NetworkModel measured = loadNetworkFile(profile.toStdString());
        const Layer& relu1 = layer(measured.network(), "relu1");
        QVERIFY(relu1.sparsity);
        QCOMPARE(relu1.sparsity->points, (std::vector<std::pair<double, double>>{{0.0, 0.25}, {1.0, 0.75}}));
        QCOMPARE(relu1.sparsity->provenance->source, SparsitySource::measured);
        QCOMPARE(measured.outputSparsity(measured.indexOf("relu1"), 0.5), 0.5);
        QVERIFY(!layer(measured.network(), "relu2").sparsity);
    }

    // samples/measured/digits-cnn.json: tools/train_digits_sparsity.py's measured curves.
    void digitsSampleCarriesMeasuredCurves()
    {
        const NetworkModel m = loadNetworkFile(std::string(OFFLOAD_SAMPLES_DIR) + "/measured/digits-cnn.json");
        int relus = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const Layer& L = m.network().layers[i];
            if (L.kind != LayerKind::relu)
                continue;
            ++relus;
            QVERIFY2(L.sparsity && L.sparsity->points.size() == 11, L.name.c_str());
            QCOMPARE(L.sparsity->provenance.value_or(m.network().default_provenance).source,
                     SparsitySource::measured);
            QCOMPARE(L.sparsity->points.front().first, 0.0);
            QCOMPARE(L.sparsity->points.back().first, 1.0);
        }
        QCOMPARE(relus, 4);
        // The deepest conv ReLU grows sparser with training, and the model follows the curve.
        const int relu3 = m.indexOf("/relu3/Relu");
        QVERIFY(relu3 >= 0);
        QVERIFY(m.outputSparsity(relu3, 1.0) > m.outputSparsity(relu3, 0.0) + 0.1);
    }
};

QTEST_GUILESS_MAIN(TestOnnxImport)
#include "tst_onnx_import.moc"
