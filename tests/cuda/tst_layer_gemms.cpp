// The GEMMs that stand for conv and fc layers when cuDNN is absent: sizes from the layer
// dimensions, FLOPs equal to the network model's. Needs no GPU.
#include "app/probe/layer_gemms.h"

#include "core/network_json.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace offload;

namespace {

NetworkModel sample(const char* name)
{
    return loadNetworkFile(std::filesystem::path(OFFLOAD_SAMPLES_DIR) / "networks" / name);
}

} // namespace

class TestLayerGemms : public QObject {
    Q_OBJECT

private slots:
    void vggFirstConvAndFc()
    {
        const NetworkModel m = sample("vgg16.json");
        const probe::LayerGemms conv = probe::layerGemms(m, m.indexOf("conv1_1"), 2);
        QCOMPARE(conv.forward.size(), std::size_t(1));
        QCOMPARE(conv.forward[0].m, std::int64_t(2 * 224 * 224)); // output positions
        QCOMPARE(conv.forward[0].n, std::int64_t(64));            // output channels
        QCOMPARE(conv.forward[0].k, std::int64_t(27));            // 3 channels x 3 x 3
        QCOMPARE(conv.backward.size(), std::size_t(2));
        const probe::LayerGemms fc = probe::layerGemms(m, m.indexOf("fc6"), 2);
        QCOMPARE(fc.forward[0].m, std::int64_t(2));
        QCOMPARE(fc.forward[0].n, std::int64_t(4096));
        QCOMPARE(fc.forward[0].k, std::int64_t(512 * 7 * 7));
        QVERIFY(probe::layerGemms(m, m.indexOf("relu1_1"), 2).forward.empty());
    }

    void forwardFlopsMatchTheModel_data()
    {
        QTest::addColumn<QString>("network");
        for (const char* n : {"vgg16.json", "alexnet.json", "resnet50.json"})
            QTest::newRow(n) << n;
    }

    void forwardFlopsMatchTheModel()
    {
        // Grouped convolutions included (AlexNet): one GEMM per group, same FLOPs in total.
        QFETCH(QString, network);
        const NetworkModel m = sample(network.toUtf8().constData());
        for (int i = 0; i < static_cast<int>(m.size()); ++i) {
            const probe::LayerGemms g = probe::layerGemms(m, i, 1);
            if (g.forward.empty())
                continue;
            const double gemm = g.forward[0].flops();
            const double model = m.info(i).forward_flops;
            // The model counts one bias add per output element; the GEMM does not.
            const double bias = static_cast<double>(m.info(i).output_shape.elements());
            QVERIFY2(std::abs(model - gemm) <= 1e-9 * model || std::abs(model - gemm - bias) <= 1e-9 * model,
                     qPrintable(QString::fromStdString(m.network().layers[static_cast<std::size_t>(i)].name) +
                                QString(": GEMM %1 vs model %2").arg(gemm).arg(model)));
        }
    }
};

QTEST_GUILESS_MAIN(TestLayerGemms)
#include "tst_layer_gemms.moc"
