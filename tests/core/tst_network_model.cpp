// Shape inference, FLOPs, weights, the DAG and sparsity derivation of NetworkModel.
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"
#include "core/network_model.h"
#include "core/pool_sparsity.h"

#include <QtTest>

using namespace offload;

namespace {

NetworkModel modelFrom(const std::string& layersJson, const std::string& inputShape = "[3, 32, 32]")
{
    std::string text = R"({"format": "offload-studio/network", "version": 1, "name": "t", "input": {"shape": )" +
                       inputShape + R"(}, "layers": )" + layersJson + "}";
    return NetworkModel(networkFromJson(parseJsonText(text, "t.json"), "t.json"), "t.json");
}

Shape shapeOf(const NetworkModel& m, const char* name)
{
    return m.info(m.indexOf(name)).output_shape;
}

} // namespace

class TestNetworkModel : public QObject {
    Q_OBJECT
private slots:
    void convOutputShape_data()
    {
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("pad");
        QTest::addColumn<int>("dilation");
        QTest::addColumn<int>("out");
        // out = floor((in + 2 pad - dilation (kernel - 1) - 1) / stride) + 1
        QTest::newRow("same 3x3") << 224 << 3 << 1 << 1 << 1 << 224;
        QTest::newRow("alexnet conv1") << 227 << 11 << 4 << 0 << 1 << 55;
        QTest::newRow("resnet stem") << 224 << 7 << 2 << 3 << 1 << 112;
        QTest::newRow("strided 1x1") << 56 << 1 << 2 << 0 << 1 << 28;
        QTest::newRow("dilated") << 32 << 3 << 1 << 2 << 2 << 32;
        QTest::newRow("kernel equals input") << 7 << 7 << 1 << 0 << 1 << 1;
    }
    void convOutputShape()
    {
        QFETCH(int, in);
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, pad);
        QFETCH(int, dilation);
        QFETCH(int, out);
        auto m = modelFrom(R"([{"name": "c", "kind": "conv", "out_channels": 5, "kernel": )" + std::to_string(kernel) +
                               R"(, "stride": )" + std::to_string(stride) + R"(, "pad": )" + std::to_string(pad) +
                               R"(, "dilation": )" + std::to_string(dilation) + "}]",
                           "[3, " + std::to_string(in) + ", " + std::to_string(in) + "]");
        QCOMPARE(shapeOf(m, "c"), (Shape{5, out, out}));
    }

    void poolCeilModeFollowsCaffe_data()
    {
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("pad");
        QTest::addColumn<bool>("ceil");
        QTest::addColumn<int>("out");
        QTest::newRow("googlenet pool1 ceil") << 112 << 3 << 2 << 0 << true << 56;
        QTest::newRow("googlenet pool1 floor") << 112 << 3 << 2 << 0 << false << 55;
        QTest::newRow("squeezenet pool ceil") << 111 << 3 << 2 << 0 << true << 55;
        QTest::newRow("vgg 2x2") << 224 << 2 << 2 << 0 << false << 112;
        QTest::newRow("ceil drops window in padding") << 5 << 2 << 2 << 1 << true << 3;
    }
    void poolCeilModeFollowsCaffe()
    {
        QFETCH(int, in);
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(int, pad);
        QFETCH(bool, ceil);
        QFETCH(int, out);
        auto m = modelFrom(R"([{"name": "p", "kind": "maxpool", "kernel": )" + std::to_string(kernel) +
                               R"(, "stride": )" + std::to_string(stride) + R"(, "pad": )" + std::to_string(pad) +
                               R"(, "ceil_mode": )" + (ceil ? "true" : "false") + "}]",
                           "[8, " + std::to_string(in) + ", " + std::to_string(in) + "]");
        QCOMPARE(shapeOf(m, "p"), (Shape{8, out, out}));
    }

    void flopsAndWeights()
    {
        auto m = modelFrom(R"([
            {"name": "c", "kind": "conv", "out_channels": 4, "kernel": 3, "pad": 1, "bias": false},
            {"name": "dw", "kind": "conv", "out_channels": 4, "kernel": 3, "pad": 1, "groups": 4},
            {"name": "bn", "kind": "batchnorm"},
            {"name": "fc", "kind": "fc", "out_features": 10},
            {"name": "tok", "kind": "generic", "output_shape": [6, 5], "flops": 1000, "weights": 60},
            {"name": "proj", "kind": "fc", "out_features": 3, "per_position": true}])",
                           "[2, 8, 8]");
        // conv: 2 * (Cin/g * k*k) * outputs = 2 * (2*9) * (4*8*8)
        QCOMPARE(m.info(0).forward_flops, 2.0 * 18 * 256);
        QCOMPARE(m.info(0).weight_elements, std::int64_t{4 * 2 * 9});
        QCOMPARE(m.info(0).backward_flops, 2.0 * m.info(0).forward_flops);
        // depthwise: one input channel per group, plus bias
        QCOMPARE(m.info(1).weight_elements, std::int64_t{4 * 1 * 9 + 4});
        QCOMPARE(m.info(1).forward_flops, 2.0 * 9 * 256 + 256);
        QCOMPARE(m.info(2).weight_elements, std::int64_t{8});
        // fc flattens 4x8x8 = 256 inputs
        QCOMPARE(m.info(3).output_shape, (Shape{10, 1, 1}));
        QCOMPARE(m.info(3).weight_elements, std::int64_t{256 * 10 + 10});
        QCOMPARE(m.info(4).output_shape, (Shape{6, 5, 1}));
        QCOMPARE(m.info(4).forward_flops, 1000.0);
        // per-position fc over channels at each of the 5x1 positions
        QCOMPARE(m.info(5).output_shape, (Shape{3, 5, 1}));
        QCOMPARE(m.info(5).forward_flops, 2.0 * 6 * 3 * 5 + 15);
        QCOMPARE(m.weightBytes(DType::fp16), std::uint64_t(2 * (72 + 40 + 8 + 2570 + 60 + 21)));
    }

    void activationBytesScaleWithBatchAndDtype()
    {
        auto m = modelFrom(R"([{"name": "c", "kind": "conv", "out_channels": 16, "kernel": 3, "pad": 1}])");
        const std::uint64_t elems = 16 * 32 * 32;
        QCOMPARE(m.outputBytes(0, 1, DType::fp32), elems * 4);
        QCOMPARE(m.outputBytes(0, 64, DType::fp32), elems * 4 * 64);
        QCOMPARE(m.outputBytes(0, 64, DType::fp16), elems * 2 * 64);
        QCOMPARE(m.outputBytes(0, 64, DType::bf16), elems * 2 * 64);
        QCOMPARE(m.outputBytes(kNetworkInput, 2, DType::fp32), std::uint64_t(3 * 32 * 32 * 4 * 2));
    }

    void dagConsumersAndLastConsumer()
    {
        auto m = modelFrom(R"([
            {"name": "a", "kind": "conv", "out_channels": 4, "kernel": 1},
            {"name": "r", "kind": "relu"},
            {"name": "b", "kind": "conv", "out_channels": 4, "kernel": 1},
            {"name": "c", "kind": "conv", "inputs": ["r"], "out_channels": 4, "kernel": 1},
            {"name": "s", "kind": "add", "inputs": ["b", "c", "r"]}])");
        const int r = m.indexOf("r");
        QCOMPARE(m.info(r).consumers, (std::vector<int>{2, 3, 4}));
        QCOMPARE(m.info(r).last_consumer, 4);
        QCOMPARE(m.info(m.indexOf("s")).inputs, (std::vector<int>{2, 3, 1}));
        QCOMPARE(m.info(m.indexOf("s")).last_consumer, -1);
        QCOMPARE(m.info(0).inputs, (std::vector<int>{kNetworkInput}));
        QCOMPARE(m.indexOf("input"), kNetworkInput);
    }

    void sparsityCurveInterpolates_data()
    {
        QTest::addColumn<double>("progress");
        QTest::addColumn<double>("expected");
        QTest::newRow("start") << 0.0 << 0.2;
        QTest::newRow("halfway up") << 0.05 << 0.5;
        QTest::newRow("knee") << 0.1 << 0.8;
        QTest::newRow("flat part") << 0.55 << 0.85;
        QTest::newRow("end") << 1.0 << 0.9;
    }
    void sparsityCurveInterpolates()
    {
        QFETCH(double, progress);
        QFETCH(double, expected);
        auto m = modelFrom(R"([{"name": "r", "kind": "relu", "sparsity": {"curve": [[0, 0.2], [0.1, 0.8], [1, 0.9]],
                                 "source": "assumed", "reasoning": "test"}}])");
        QVERIFY(qFuzzyCompare(m.outputSparsity(0, progress) + 1, expected + 1));
        QCOMPARE(m.sparsityAt(progress)[0], m.outputSparsity(0, progress));
    }

    void sparsityFollowsTheLayersAfterAnActivation()
    {
        auto m = modelFrom(R"([
            {"name": "conv", "kind": "conv", "out_channels": 4, "kernel": 1},
            {"name": "relu", "kind": "relu", "sparsity": 0.8},
            {"name": "pool", "kind": "maxpool", "kernel": 2},
            {"name": "lrn", "kind": "lrn", "size": 5},
            {"name": "drop", "kind": "dropout", "rate": 0.5},
            {"name": "conv2", "kind": "conv", "inputs": ["pool"], "out_channels": 4, "kernel": 1},
            {"name": "relu2", "kind": "relu", "sparsity": 0.4},
            {"name": "cat", "kind": "concat", "inputs": ["pool", "relu2"]},
            {"name": "sum", "kind": "add", "inputs": ["pool", "relu2"]},
            {"name": "bn", "kind": "batchnorm"},
            {"name": "plain_relu", "kind": "relu"}])");
        auto s = m.sparsityAt(1.0);
        QCOMPARE(s[0], 0.0);  // conv output: dense
        QCOMPARE(s[1], 0.8);  // given
        const double pooled = pooledSparsity(0.8, 4); // a 2x2 window over the ReLU's zeros
        QVERIFY(pooled < 0.8 && pooled > 0.8 * 0.8 * 0.8 * 0.8);
        QCOMPARE(s[2], pooled);
        QCOMPARE(s[3], pooled); // LRN scales values
        QVERIFY(qFuzzyCompare(s[4], 1 - (1 - pooled) * 0.5)); // dropout 0.5 adds zeros
        QCOMPARE(s[5], 0.0);
        QVERIFY(qFuzzyCompare(s[7], (pooled + 0.4) / 2)); // equal sizes: the mean
        QVERIFY(qFuzzyCompare(s[8], pooled * 0.4));       // zero where both are
        QCOMPARE(s[9], 0.0);
        QCOMPARE(s[10], 0.5); // no number given: the stated assumption
        QCOMPARE(m.provenance(10).source, SparsitySource::assumed);
        QCOMPARE(m.provenance(2).source, SparsitySource::derived);
        QVERIFY(m.provenance(2).note.find("relu") != std::string::npos);
    }

    void provenanceFallsBackToNetworkDefault()
    {
        std::string text = R"({"format": "offload-studio/network", "version": 1, "name": "t", "input": {"shape": [1, 4, 4]},
            "sparsity_source": {"source": "paper", "citation": "GIST, ISCA 2018"},
            "layers": [{"name": "r", "kind": "relu", "sparsity": 0.7},
                       {"name": "r2", "kind": "relu", "sparsity": {"value": 0.6, "source": "measured", "data": "x.npy"}}]})";
        NetworkModel m(networkFromJson(parseJsonText(text, "t.json"), "t.json"), "t.json");
        QCOMPARE(m.provenance(0).source, SparsitySource::paper);
        QCOMPARE(m.provenance(0).note, std::string("GIST, ISCA 2018"));
        QCOMPARE(m.provenance(1).source, SparsitySource::measured);
        QCOMPARE(m.provenance(1).note, std::string("x.npy"));
    }

    void longChainBuildsFromStructs()
    {
        // Networks built in code (benchmarks, generators) go through the same validation.
        Network net;
        net.name = "chain";
        net.input = Shape{16, 8, 8};
        for (int i = 0; i < 20000; ++i) {
            Layer L;
            L.name = "l" + std::to_string(i);
            L.kind = i % 2 == 0 ? LayerKind::conv : LayerKind::relu;
            L.out_channels = 16;
            net.layers.push_back(L);
        }
        NetworkModel m(std::move(net));
        QCOMPARE(m.size(), std::size_t{20000});
        QCOMPARE(m.info(19999).inputs, (std::vector<int>{19998}));
        QCOMPARE(m.info(5).last_consumer, 6);
    }

    void errorsNameTheLayerPointer()
    {
        try {
            modelFrom(R"([{"name": "a", "kind": "relu"}, {"name": "b", "kind": "conv", "out_channels": 2, "kernel": 99}])");
            QFAIL("accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.place()), QString("/layers/1/kernel"));
            QCOMPARE(QString::fromStdString(e.file()), QString("t.json"));
        }
    }
};

QTEST_GUILESS_MAIN(TestNetworkModel)
#include "tst_network_model.moc"
