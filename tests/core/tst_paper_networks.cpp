// The sample networks in samples/networks against the shapes, parameter counts and FLOPs their
// papers publish. A sample that drifts from its paper fails here, not in a user's simulation.
#include "core/network_json.h"
#include "core/network_model.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>

using namespace offload;

namespace {

const char* const kSamples[] = {"alexnet",   "overfeat",  "nin",       "vgg16", "squeezenet",
                                "googlenet", "resnet50", "bert-base", "tiny"};

std::string samplePath(const QString& name)
{
    return std::string(OFFLOAD_SAMPLES_DIR) + "/networks/" + name.toStdString() + ".json";
}

// Each file is parsed once for the whole run.
const NetworkModel& sample(const QString& name)
{
    static std::map<QString, std::unique_ptr<NetworkModel>> cache;
    auto& slot = cache[name];
    if (!slot)
        slot = std::make_unique<NetworkModel>(loadNetworkFile(samplePath(name)));
    return *slot;
}

QString shapeText(const Shape& s)
{
    return QStringLiteral("%1x%2x%3").arg(s.c).arg(s.h).arg(s.w);
}

std::int64_t weightElements(const NetworkModel& m)
{
    std::int64_t total = 0;
    for (const auto& li : m.layers())
        total += li.weight_elements;
    return total;
}

void addSampleRows()
{
    QTest::addColumn<QString>("file");
    for (const char* name : kSamples)
        QTest::newRow(name) << QString::fromLatin1(name);
}

} // namespace

class TestPaperNetworks : public QObject {
    Q_OBJECT
private slots:
    void loadsWithCitation_data() { addSampleRows(); }
    void loadsWithCitation()
    {
        QFETCH(QString, file);
        const NetworkModel& m = sample(file);
        QVERIFY(!m.network().name.empty());
        QVERIFY2(m.network().citation.size() > 40, "every sample says where its architecture comes from");
        QVERIFY(m.size() > 0);
    }

    // A sample written back by the application reads the same: no key is lost on the way.
    void roundTrip_data() { addSampleRows(); }
    void roundTrip()
    {
        QFETCH(QString, file);
        const NetworkModel& m = sample(file);
        const NetworkModel again(networkFromJson(networkToJson(m.network()), "again.json"), "again.json");
        QCOMPARE(again.size(), m.size());
        QCOMPARE(again.network().citation, m.network().citation);
        QCOMPARE(again.totalForwardFlops(), m.totalForwardFlops());
        for (std::size_t i = 0; i < m.size(); ++i) {
            const int layer = static_cast<int>(i);
            QCOMPARE(again.info(layer).output_shape, m.info(layer).output_shape);
            QCOMPARE(again.info(layer).inputs, m.info(layer).inputs);
            QCOMPARE(again.outputSparsity(layer, 0.0), m.outputSparsity(layer, 0.0));
            QCOMPARE(again.outputSparsity(layer, 1.0), m.outputSparsity(layer, 1.0));
            QCOMPARE(again.provenance(layer).note, m.provenance(layer).note);
        }
    }

    // Every ReLU carries its own number or curve, and the source of that number is stated.
    void reluSparsityHasSource_data() { addSampleRows(); }
    void reluSparsityHasSource()
    {
        QFETCH(QString, file);
        const NetworkModel& m = sample(file);
        for (std::size_t i = 0; i < m.size(); ++i) {
            const Layer& L = m.network().layers[i];
            if (L.kind != LayerKind::relu && L.kind != LayerKind::relu6)
                continue;
            const QByteArray where = QByteArray::fromStdString(L.name);
            QVERIFY2(L.sparsity.has_value(), where.constData());
            const Provenance p = m.provenance(static_cast<int>(i));
            QVERIFY2(p.source == SparsitySource::paper || p.source == SparsitySource::assumed ||
                         p.source == SparsitySource::measured,
                     where.constData());
            QVERIFY2(p.note.size() > 40, where.constData());
            QVERIFY2(p.note != "no source given in the network file", where.constData());
            for (double progress : {0.0, 0.5, 1.0}) {
                const double s = m.outputSparsity(static_cast<int>(i), progress);
                QVERIFY2(s >= 0.0 && s < 1.0, where.constData());
            }
        }
    }

    // The classifier's output (the last layer) and every conv / fc output are dense.
    void denseOutputs_data() { addSampleRows(); }
    void denseOutputs()
    {
        QFETCH(QString, file);
        const NetworkModel& m = sample(file);
        const int last = static_cast<int>(m.size()) - 1;
        QCOMPARE(m.outputSparsity(last, 1.0), 0.0);
        for (std::size_t i = 0; i < m.size(); ++i) {
            const LayerKind k = m.network().layers[i].kind;
            if (k == LayerKind::conv || k == LayerKind::fc || k == LayerKind::gelu || k == LayerKind::softmax)
                QCOMPARE(m.outputSparsity(static_cast<int>(i), 1.0), 0.0);
        }
    }

    void outputShape_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("shape");
        // AlexNet (Krizhevsky et al. 2012; Caffe's 227x227 crop).
        QTest::newRow("alexnet conv1") << "alexnet" << "conv1" << "96x55x55";
        QTest::newRow("alexnet pool1") << "alexnet" << "pool1" << "96x27x27";
        QTest::newRow("alexnet conv2") << "alexnet" << "conv2" << "256x27x27";
        QTest::newRow("alexnet conv5") << "alexnet" << "conv5" << "256x13x13";
        QTest::newRow("alexnet pool5") << "alexnet" << "pool5" << "256x6x6";
        QTest::newRow("alexnet fc8") << "alexnet" << "fc8" << "1000x1x1";
        // OverFeat fast model (Sermanet et al. 2014, Table 1).
        QTest::newRow("overfeat conv1") << "overfeat" << "conv1" << "96x56x56";
        QTest::newRow("overfeat conv2") << "overfeat" << "conv2" << "256x24x24";
        QTest::newRow("overfeat conv3") << "overfeat" << "conv3" << "512x12x12";
        QTest::newRow("overfeat conv5") << "overfeat" << "conv5" << "1024x12x12";
        QTest::newRow("overfeat final map") << "overfeat" << "pool5" << "1024x6x6";
        QTest::newRow("overfeat fc6") << "overfeat" << "fc6" << "3072x1x1";
        QTest::newRow("overfeat fc8") << "overfeat" << "fc8" << "1000x1x1";
        // NiN ImageNet model (Lin et al. 2014; Caffe Model Zoo).
        QTest::newRow("nin conv1") << "nin" << "conv1" << "96x54x54";
        QTest::newRow("nin pool0") << "nin" << "pool0" << "96x27x27";
        QTest::newRow("nin pool2") << "nin" << "pool2" << "256x13x13";
        QTest::newRow("nin pool3") << "nin" << "pool3" << "384x6x6";
        QTest::newRow("nin final map") << "nin" << "cccp8-1024" << "1000x6x6";
        QTest::newRow("nin pool4") << "nin" << "pool4" << "1000x1x1";
        // VGG-16 (Simonyan & Zisserman 2015, Table 1 configuration D).
        QTest::newRow("vgg16 conv1_1") << "vgg16" << "conv1_1" << "64x224x224";
        QTest::newRow("vgg16 conv2_2") << "vgg16" << "conv2_2" << "128x112x112";
        QTest::newRow("vgg16 conv3_3") << "vgg16" << "conv3_3" << "256x56x56";
        QTest::newRow("vgg16 conv4_3") << "vgg16" << "conv4_3" << "512x28x28";
        QTest::newRow("vgg16 conv5_3") << "vgg16" << "conv5_3" << "512x14x14";
        QTest::newRow("vgg16 pool5") << "vgg16" << "pool5" << "512x7x7";
        QTest::newRow("vgg16 fc6") << "vgg16" << "fc6" << "4096x1x1";
        QTest::newRow("vgg16 fc8") << "vgg16" << "fc8" << "1000x1x1";
        // SqueezeNet v1.0 (Iandola et al. 2016, Table 1).
        QTest::newRow("squeezenet conv1") << "squeezenet" << "conv1" << "96x111x111";
        QTest::newRow("squeezenet pool1") << "squeezenet" << "pool1" << "96x55x55";
        QTest::newRow("squeezenet fire2") << "squeezenet" << "fire2/concat" << "128x55x55";
        QTest::newRow("squeezenet fire3") << "squeezenet" << "fire3/concat" << "128x55x55";
        QTest::newRow("squeezenet fire4") << "squeezenet" << "fire4/concat" << "256x55x55";
        QTest::newRow("squeezenet pool4") << "squeezenet" << "pool4" << "256x27x27";
        QTest::newRow("squeezenet fire5") << "squeezenet" << "fire5/concat" << "256x27x27";
        QTest::newRow("squeezenet fire6") << "squeezenet" << "fire6/concat" << "384x27x27";
        QTest::newRow("squeezenet fire7") << "squeezenet" << "fire7/concat" << "384x27x27";
        QTest::newRow("squeezenet fire8") << "squeezenet" << "fire8/concat" << "512x27x27";
        QTest::newRow("squeezenet pool8") << "squeezenet" << "pool8" << "512x13x13";
        QTest::newRow("squeezenet fire9") << "squeezenet" << "fire9/concat" << "512x13x13";
        QTest::newRow("squeezenet conv10") << "squeezenet" << "conv10" << "1000x13x13";
        QTest::newRow("squeezenet pool10") << "squeezenet" << "pool10" << "1000x1x1";
        // GoogLeNet (Szegedy et al. 2015, Table 1).
        QTest::newRow("googlenet conv1") << "googlenet" << "conv1/7x7_s2" << "64x112x112";
        QTest::newRow("googlenet pool1") << "googlenet" << "pool1/3x3_s2" << "64x56x56";
        QTest::newRow("googlenet conv2") << "googlenet" << "conv2/3x3" << "192x56x56";
        QTest::newRow("googlenet pool2") << "googlenet" << "pool2/3x3_s2" << "192x28x28";
        QTest::newRow("googlenet 3a") << "googlenet" << "inception_3a/output" << "256x28x28";
        QTest::newRow("googlenet 3b") << "googlenet" << "inception_3b/output" << "480x28x28";
        QTest::newRow("googlenet pool3") << "googlenet" << "pool3/3x3_s2" << "480x14x14";
        QTest::newRow("googlenet 4a") << "googlenet" << "inception_4a/output" << "512x14x14";
        QTest::newRow("googlenet 4b") << "googlenet" << "inception_4b/output" << "512x14x14";
        QTest::newRow("googlenet 4c") << "googlenet" << "inception_4c/output" << "512x14x14";
        QTest::newRow("googlenet 4d") << "googlenet" << "inception_4d/output" << "528x14x14";
        QTest::newRow("googlenet 4e") << "googlenet" << "inception_4e/output" << "832x14x14";
        QTest::newRow("googlenet pool4") << "googlenet" << "pool4/3x3_s2" << "832x7x7";
        QTest::newRow("googlenet 5a") << "googlenet" << "inception_5a/output" << "832x7x7";
        QTest::newRow("googlenet 5b") << "googlenet" << "inception_5b/output" << "1024x7x7";
        QTest::newRow("googlenet avg pool") << "googlenet" << "pool5/7x7_s1" << "1024x1x1";
        QTest::newRow("googlenet classifier") << "googlenet" << "loss3/classifier" << "1000x1x1";
        // ResNet-50 (He et al. 2016, Table 1).
        QTest::newRow("resnet50 conv1") << "resnet50" << "conv1" << "64x112x112";
        QTest::newRow("resnet50 pool1") << "resnet50" << "pool1" << "64x56x56";
        QTest::newRow("resnet50 conv2_x") << "resnet50" << "res2c_relu" << "256x56x56";
        QTest::newRow("resnet50 conv3_x") << "resnet50" << "res3d_relu" << "512x28x28";
        QTest::newRow("resnet50 conv4_x") << "resnet50" << "res4f_relu" << "1024x14x14";
        QTest::newRow("resnet50 conv5_x") << "resnet50" << "res5c_relu" << "2048x7x7";
        QTest::newRow("resnet50 bottleneck 3x3") << "resnet50" << "res5c_branch2b" << "512x7x7";
        QTest::newRow("resnet50 pool5") << "resnet50" << "pool5" << "2048x1x1";
        QTest::newRow("resnet50 fc1000") << "resnet50" << "fc1000" << "1000x1x1";
        // BERT-base (Devlin et al. 2019): hidden x tokens x 1, scores heads x tokens x tokens.
        QTest::newRow("bert qkv") << "bert-base" << "layer0/qkv" << "2304x128x1";
        QTest::newRow("bert scores") << "bert-base" << "layer0/scores" << "12x128x128";
        QTest::newRow("bert probabilities") << "bert-base" << "layer0/attention_probs" << "12x128x128";
        QTest::newRow("bert context") << "bert-base" << "layer0/context" << "768x128x1";
        QTest::newRow("bert ffn") << "bert-base" << "layer0/intermediate" << "3072x128x1";
        QTest::newRow("bert gelu") << "bert-base" << "layer0/gelu" << "3072x128x1";
        QTest::newRow("bert last") << "bert-base" << "layer11/output_layernorm" << "768x128x1";
        // The teaching network's round numbers.
        QTest::newRow("tiny conv1") << "tiny" << "conv1" << "16x32x32";
        QTest::newRow("tiny pool1") << "tiny" << "pool1" << "16x16x16";
        QTest::newRow("tiny conv2") << "tiny" << "conv2" << "32x16x16";
        QTest::newRow("tiny pool2") << "tiny" << "pool2" << "32x8x8";
        QTest::newRow("tiny fc") << "tiny" << "fc" << "10x1x1";
    }
    void outputShape()
    {
        QFETCH(QString, file);
        QFETCH(QString, layer);
        QFETCH(QString, shape);
        const NetworkModel& m = sample(file);
        const int i = m.indexOf(layer.toStdString());
        QVERIFY2(i >= 0, qPrintable(layer + QStringLiteral(" is not in ") + file));
        QCOMPARE(shapeText(m.info(i).output_shape), shape);
    }

    // Every layer of the 12 encoder layers keeps the 768x128x1 shape except the attention
    // matrices and the feed-forward expansion.
    void bertEncoderShapes()
    {
        const NetworkModel& m = sample(QStringLiteral("bert-base"));
        int layersOfHidden = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const std::string& name = m.network().layers[i].name;
            const auto part = name.substr(name.find('/') + 1);
            QString expected = QStringLiteral("768x128x1");
            if (part == "qkv")
                expected = QStringLiteral("2304x128x1");
            else if (part == "scores" || part == "attention_probs" || part == "attention_dropout")
                expected = QStringLiteral("12x128x128");
            else if (part == "intermediate" || part == "gelu")
                expected = QStringLiteral("3072x128x1");
            else
                ++layersOfHidden;
            QVERIFY2(shapeText(m.info(static_cast<int>(i)).output_shape) == expected, name.c_str());
        }
        QCOMPARE(m.size(), std::size_t{12 * 15});
        QCOMPARE(layersOfHidden, 12 * 9);
    }

    void parameterCount_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("expected");
        QTest::addColumn<double>("tolerance"); // relative
        // Exact counts of the reference models where they are known: VGG-16 (config D), Caffe's
        // bvlc_alexnet with its two groups, SqueezeNet v1.0 (torchvision's squeezenet1_0).
        QTest::newRow("vgg16") << "vgg16" << qint64{138'357'544} << 0.0;
        QTest::newRow("alexnet, groups=2") << "alexnet" << qint64{60'965'224} << 0.0;
        QTest::newRow("squeezenet v1.0") << "squeezenet" << qint64{1'248'424} << 0.0;
        // ResNet-50: 25.5 M (Sze et al., Proc. IEEE 2017; torchvision's resnet50 has 25,557,032).
        QTest::newRow("resnet50 ~25.5 M") << "resnet50" << qint64{25'500'000} << 0.01;
        // Sermanet et al. 2014 give about 145 M parameters for the fast model.
        QTest::newRow("overfeat fast ~145 M") << "overfeat" << qint64{145'000'000} << 0.01;
        // BERT-base has 110 M parameters; its 12 encoder layers hold 85 M of them.
        QTest::newRow("bert encoder ~85 M") << "bert-base" << qint64{85'000'000} << 0.01;
        // GoogLeNet without the auxiliary classifiers: 7.0 M (Sze et al. 2017); the params column of
        // Szegedy et al. 2015, Table 1 sums to 6.8 M, without biases and with the same conv1 slip
        // as its ops column.
        QTest::newRow("googlenet ~7 M") << "googlenet" << qint64{7'000'000} << 0.01;
    }
    void parameterCount()
    {
        QFETCH(QString, file);
        QFETCH(qint64, expected);
        QFETCH(double, tolerance);
        const auto actual = weightElements(sample(file));
        if (tolerance == 0.0) {
            QCOMPARE(qint64{actual}, expected);
        } else {
            const double relative = std::abs(static_cast<double>(actual - expected)) / static_cast<double>(expected);
            QVERIFY2(relative <= tolerance, qPrintable(QStringLiteral("%1 parameters").arg(actual)));
        }
    }

    void forwardFlops_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("expected"); // per image, 2 FLOPs per multiply-add
        QTest::addColumn<double>("tolerance");
        QTest::addColumn<bool>("convAndFcOnly");
        // VGG-16: 15.47 G multiply-adds per 224x224 image.
        QTest::newRow("vgg16 all layers") << "vgg16" << 2 * 15.47e9 << 0.02 << false;
        // ResNet-50: 3.8 G multiply-adds (He et al. 2016, Table 1).
        QTest::newRow("resnet50 conv and fc") << "resnet50" << 2 * 3.8e9 << 0.02 << true;
        // GoogLeNet: the ops column of Szegedy et al. 2015, Table 1 sums to 1.50 G multiply-adds,
        // but lists conv1 (7x7/2, 3 -> 64 channels at 112x112) as 34 M where its shape gives 118 M.
        QTest::newRow("googlenet conv and fc") << "googlenet" << 2 * (1.502e9 - 34e6 + 118e6) << 0.01 << true;
        // AlexNet with groups=2: 724 M multiply-adds (Sze et al., Proc. IEEE 2017, the DNN summary table).
        QTest::newRow("alexnet conv and fc") << "alexnet" << 2 * 724e6 << 0.01 << true;
    }
    void forwardFlops()
    {
        QFETCH(QString, file);
        QFETCH(double, expected);
        QFETCH(double, tolerance);
        QFETCH(bool, convAndFcOnly);
        const NetworkModel& m = sample(file);
        double flops = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const LayerKind k = m.network().layers[i].kind;
            if (!convAndFcOnly || k == LayerKind::conv || k == LayerKind::fc)
                flops += m.info(static_cast<int>(i)).forward_flops;
        }
        QVERIFY2(std::abs(flops - expected) <= tolerance * expected,
                 qPrintable(QStringLiteral("%1 GFLOP").arg(flops / 1e9, 0, 'f', 3)));
    }

    // Multiply-adds per inception module, the ops column of Szegedy et al. 2015, Table 1. Module 5a
    // is left out: the table lists 54 M, but its own filter counts (the ones used here and in
    // Caffe's bvlc_googlenet) give 51 M.
    void googlenetInceptionOps_data()
    {
        QTest::addColumn<QString>("module");
        QTest::addColumn<double>("multiplyAdds");
        QTest::newRow("3a") << "inception_3a" << 128e6;
        QTest::newRow("3b") << "inception_3b" << 304e6;
        QTest::newRow("4a") << "inception_4a" << 73e6;
        QTest::newRow("4b") << "inception_4b" << 88e6;
        QTest::newRow("4c") << "inception_4c" << 100e6;
        QTest::newRow("4d") << "inception_4d" << 119e6;
        QTest::newRow("4e") << "inception_4e" << 170e6;
        QTest::newRow("5b") << "inception_5b" << 71e6;
    }
    void googlenetInceptionOps()
    {
        QFETCH(QString, module);
        QFETCH(double, multiplyAdds);
        const NetworkModel& m = sample(QStringLiteral("googlenet"));
        const std::string prefix = module.toStdString() + "/";
        double macs = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const Layer& L = m.network().layers[i];
            if (L.kind != LayerKind::conv || L.name.rfind(prefix, 0) != 0)
                continue;
            const auto& li = m.info(static_cast<int>(i));
            // forward_flops = 2 multiply-adds per weight use + 1 bias add per output value.
            macs += (li.forward_flops - (L.bias ? static_cast<double>(li.output_shape.elements()) : 0.0)) / 2;
        }
        // The table rounds to millions.
        QVERIFY2(std::abs(macs - multiplyAdds) <= std::max(0.01 * multiplyAdds, 0.6e6),
                 qPrintable(QStringLiteral("%1 M multiply-adds").arg(macs / 1e6, 0, 'f', 2)));
    }

    // VGG-16's activation volume per image, a number quoted throughout the offloading literature.
    void vggValuesPerImage()
    {
        const NetworkModel& m = sample(QStringLiteral("vgg16"));
        std::int64_t convFc = 0, pools = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            const LayerKind k = m.network().layers[i].kind;
            const std::int64_t n = m.outputElements(static_cast<int>(i));
            if (k == LayerKind::conv || k == LayerKind::fc)
                convFc += n;
            else if (k == LayerKind::maxpool)
                pools += n;
        }
        QCOMPARE(convFc, std::int64_t{13'556'712});
        QCOMPARE(convFc + m.outputElements(kNetworkInput) + pools, std::int64_t{15'237'608});
    }

    // The sparsity the samples claim: GIST's "above 80 %" for VGG-16, and an average near the
    // 0.65 that cDMA's 2.6x average ZVC ratio implies for the networks it measured.
    void reluSparsityLevels_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("minimum");
        QTest::addColumn<double>("maximum");
        QTest::addColumn<double>("mean");
        QTest::newRow("vgg16 (GIST)") << "vgg16" << 0.8 << 0.8 << 0.8;
        for (const char* name : {"alexnet", "overfeat", "nin", "squeezenet", "googlenet"})
            QTest::newRow(name) << QString::fromLatin1(name) << 0.5 << 0.8 << 0.65;
    }
    void reluSparsityLevels()
    {
        QFETCH(QString, file);
        QFETCH(double, minimum);
        QFETCH(double, maximum);
        QFETCH(double, mean);
        const NetworkModel& m = sample(file);
        double sum = 0;
        int count = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            if (m.network().layers[i].kind != LayerKind::relu)
                continue;
            const double s = m.outputSparsity(static_cast<int>(i), 1.0);
            QVERIFY(s >= minimum - 1e-9 && s <= maximum + 1e-9);
            // Sparsity starts lower at the beginning of training and has built up by progress 0.01.
            QVERIFY(m.outputSparsity(static_cast<int>(i), 0.0) <= s);
            QCOMPARE(m.outputSparsity(static_cast<int>(i), 0.01), s);
            sum += s;
            ++count;
        }
        QVERIFY(count > 0);
        QVERIFY(std::abs(sum / count - mean) < 0.01);
    }
};

QTEST_GUILESS_MAIN(TestPaperNetworks)
#include "tst_paper_networks.moc"
