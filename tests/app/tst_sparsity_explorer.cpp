// SparsityExplorer (app/studio/sparsity_explorer.h) on a synthetic tensor whose zeros are known:
// channel c of sample n has its first (c + n) values zero, so every count is solved by hand.
// The codec ratios on a bundled MobileNetV1-SSD capture (samples/tensors) against core's codecs,
// `offload-sim measure` and the ratio model; the views' export through the window's writeFigure.
#include "app/studio/sparsity_explorer.h"

#include "test_support.h"

#include "app/studio/captured_tensors.h"
#include "app/studio/export_dialog.h"
#include "core/codecs/codec.h"
#include "core/codecs/npy.h"
#include "core/codecs/ratio_model.h"
#include "core/codecs/zvc.h"
#include "core/network_json.h"
#include "offload_sim_process.h"

#include <qcustomplot.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include <cmath>

using offload::studio::CodecComparison;
using offload::studio::CodecRatio;
using offload::studio::SparsityExplorer;
using offload::studio::SparsityExplorerData;

namespace {

// 2 samples, 5 channels, 3x4 maps; values 1..12 per plane with the first (c + n) set to zero.
SparsityExplorerData known()
{
    SparsityExplorerData d;
    d.layer = "relu3";
    d.samples = 2;
    d.channels = 5;
    d.height = 3;
    d.width = 4;
    for (int n = 0; n < 2; ++n)
        for (int c = 0; c < 5; ++c)
            for (int i = 0; i < 12; ++i)
                d.values.push_back(i < c + n ? 0.0f : static_cast<float>(i + 1));
    d.curve = {{0.0, 0.4}, {0.1, 0.7}, {1.0, 0.75}};
    d.progress = 0.5;
    return d;
}

const QString kLayer = QStringLiteral("prediction/conv_0/relu6");
const QString kTensor = QStringLiteral(OFFLOAD_SAMPLES_DIR "/tensors/ssd_mobilenetv1__sample1__055__prediction.conv_0.relu6.npy");

offload::Network mobilenet()
{
    return offload::loadNetworkFile(OFFLOAD_SAMPLES_DIR "/networks/mobilenetv1-ssd.json").network();
}

// Rows of a CSV after its header, split at commas (the explorer writes no quoted fields).
QList<QStringList> csvRows(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QStringList> rows;
    const auto lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < lines.size(); ++i)
        rows.push_back(lines[i].split(QLatin1Char(',')));
    return rows;
}

} // namespace

class TestSparsityExplorer : public QObject {
    Q_OBJECT
private slots:
    void channelSparsityIsCountedOverSamples()
    {
        const auto d = known();
        const auto s = d.channelSparsity();
        QCOMPARE(s.size(), std::size_t{5});
        for (int c = 0; c < 5; ++c) // zeros: c in sample 0, c + 1 in sample 1, of 24 values
            QCOMPARE(s[static_cast<std::size_t>(c)], (2.0 * c + 1) / 24.0);
        QCOMPARE(d.sparsity(), 25.0 / 120.0); // sum over c of (2c + 1) = 25
    }

    void viewsShowTheData()
    {
        SparsityExplorer explorer;
        explorer.setData(known());
        QCOMPARE(explorer.selectedChannel(), 2); // 5/24 zeros, the layer's 25/120
        explorer.selectChannel(4);
        // Heatmap: 5 channels on a 3x2 grid, row by row; the sixth cell is empty.
        auto* heat = qobject_cast<QCPColorMap*>(explorer.heatmapPlot()->plottable(0));
        QVERIFY(heat);
        QCOMPARE(heat->data()->keySize(), 3);
        QCOMPARE(heat->data()->valueSize(), 2);
        QCOMPARE(heat->data()->cell(1, 1), 9.0 / 24.0); // channel 4
        QVERIFY(std::isnan(heat->data()->cell(2, 1)));
        // Feature map of channel 4, sample 0: the first four values are zeros (NaN = marked).
        auto* map = qobject_cast<QCPColorMap*>(explorer.featureMapPlot()->plottable(0));
        QCOMPARE(map->data()->keySize(), 4);
        QCOMPARE(map->data()->valueSize(), 3);
        QVERIFY(std::isnan(map->data()->cell(3, 0)));
        QCOMPARE(map->data()->cell(0, 1), 5.0);
        explorer.selectSample(1); // five zeros now: the first of row 1 too
        QVERIFY(std::isnan(map->data()->cell(0, 1)));
        // Histogram: the 95 non-zero values, zeros left out and named in the title.
        auto* bars = qobject_cast<QCPBars*>(explorer.histogramPlot()->plottable(0));
        double counted = 0;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
            counted += it->value;
        QCOMPARE(counted, 95.0);
        // Curve: the three measured points.
        QCOMPARE(explorer.curvePlot()->graph(0)->dataCount(), 3);
    }

    void clickingTheHeatmapSelectsAChannel()
    {
        SparsityExplorer explorer;
        explorer.resize(1200, 800);
        explorer.show();
        explorer.setData(known());
        QSignalSpy spy(&explorer, &SparsityExplorer::channelSelected);
        auto* plot = explorer.heatmapPlot();
        plot->replot(QCustomPlot::rpImmediateRefresh);
        const QPoint cell(static_cast<int>(plot->xAxis->coordToPixel(1)), static_cast<int>(plot->yAxis->coordToPixel(0)));
        QTest::mouseClick(plot, Qt::LeftButton, {}, cell);
        QCOMPARE(explorer.selectedChannel(), 1);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toInt(), 1);
        explorer.selectChannel(7); // out of range: ignored
        QCOMPARE(explorer.selectedChannel(), 1);
    }

    // Channel 4 of sample 1 has its first five values zero: the mask, read back from the real
    // ZVC stream, is 0 for them and 1 for the other seven; -0.0 is not zero to ZVC (bits set).
    void zvcMaskBitsAreTheChannelsNonZeros()
    {
        auto d = known();
        d.values[(1 * 5 + 4) * 12 + 11] = -0.0f; // sample 1, channel 4, last element
        SparsityExplorer explorer;
        explorer.setData(d);
        explorer.selectChannel(4);
        explorer.selectSample(1);
        const auto& bits = explorer.maskBits();
        QCOMPARE(bits.size(), std::size_t{12});
        for (std::size_t i = 0; i < 12; ++i)
            QCOMPARE(int(bits[i]), i < 5 ? 0 : 1);
        // One word of 32 bits for 12 elements: 4 mask bytes + 7 non-zeros x 4 bytes.
        QCOMPARE(explorer.channelStreamBytes(), std::uint64_t{4 + 7 * 4});
        auto* map = qobject_cast<QCPColorMap*>(explorer.maskPlot()->plottable(0));
        QVERIFY(map);
        QCOMPARE(map->data()->keySize(), 32);
        QCOMPARE(map->data()->valueSize(), 1);
        for (int bit = 0; bit < 12; ++bit)
            QCOMPARE(map->data()->cell(bit, 0), bit < 5 ? 0.0 : 1.0);
        QVERIFY(std::isnan(map->data()->cell(12, 0))); // past the channel's last element
    }

    // The parser of the mask against the codec on a tensor of two and a half groups.
    void zvcMaskBitsReadTheCodecsStream()
    {
        std::vector<float> v(80);
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = i % 3 == 0 ? 0.0f : static_cast<float>(i);
        std::vector<std::uint8_t> stream(offload::zvc::compressedBytes(80, 80, 4));
        stream.resize(offload::zvc::compress(v.data(), 80, 4, stream));
        const auto bits = offload::studio::zvcMaskBits(stream, 80, 4);
        QCOMPARE(bits.size(), std::size_t{80});
        for (std::size_t i = 0; i < 80; ++i)
            QCOMPARE(int(bits[i]), i % 3 == 0 ? 0 : 1);
        stream.pop_back(); // cut short: nothing is shown rather than a wrong mask
        QVERIFY(offload::studio::zvcMaskBits(stream, 80, 4).empty());
    }

    // Every codec's measured size is what core's codec writes for the file's bytes in the file's
    // layout (NHWC 1x16x16x256 here, described by hand), and ZVC's is also `offload-sim
    // measure`'s; the model column is modelRatio at the sparsity passed in.
    void measuredRatiosAreTheCodecsAndTheModelIsTheRatioModel()
    {
        const auto tensors = offload::studio::CapturedTensors::openFolder(OFFLOAD_SAMPLES_DIR "/tensors");
        offload::CodecParams params;
        params.jpeg_quality = 80;
        const double modelSparsity = 0.6;
        const CodecComparison c = tensors.codecComparison(mobilenet(), kLayer.toStdString(), 1.0, modelSparsity, params);
        QVERIFY(c.error.isEmpty());
        qInfo("codecs on %s (256 KiB): %.1f ms", qPrintable(kLayer), c.seconds * 1e3);
        QVERIFY(c.networkHasMeasuredRatios); // the bundled network carries this layer's ratios
        QCOMPARE(c.tensorSparsity, 0.720550537109375); // numpy: (a == 0).mean()
        QCOMPARE(c.codecs.size(), offload::allCodecIds().size() - 1); // every codec but none

        const offload::NpyArray array = offload::readNpyFile(kTensor.toStdString());
        offload::TensorDesc desc;
        desc.dtype = offload::DType::fp32;
        desc.elements = 16 * 16 * 256;
        desc.n = 1;
        desc.h = 16;
        desc.w = 16;
        desc.c = 256;
        desc.layout = offload::TensorLayout::nhwc;
        for (const CodecRatio& r : c.codecs) {
            const auto id = offload::parseCodecId(r.codec.toStdString());
            QVERIFY(id);
            const auto bytes = offload::makeCodec(*id, params)->compress(desc, array.data.data()).size();
            QCOMPARE(r.inputBytes, desc.bytes());
            QCOMPARE(r.compressedBytes, static_cast<std::uint64_t>(bytes));
            QCOMPARE(r.measured, static_cast<double>(desc.bytes()) / static_cast<double>(bytes));
            QCOMPARE(r.model, offload::modelRatio(*id, 1.0 - modelSparsity, 4, params));
        }
        QCOMPARE(c.codecs.back().label, QStringLiteral("dpr-fp16"));

        const auto run = offload::test::runOffloadSim({QStringLiteral("measure"), QStringLiteral("--codecs"),
                                                       QStringLiteral("zvc"), QStringLiteral("--repeat"),
                                                       QStringLiteral("1"), QStringLiteral("--json"),
                                                       QStringLiteral("-"), kTensor});
        QCOMPARE(run.exitCode, 0);
        const auto measured = QJsonDocument::fromJson(run.out).object()[QStringLiteral("tensors")].toArray()[0].toObject();
        const auto zvc = measured[QStringLiteral("codecs")].toObject()[QStringLiteral("zvc")].toObject();
        const auto it = std::find_if(c.codecs.begin(), c.codecs.end(), [](const CodecRatio& r) { return r.codec == "zvc"; });
        QVERIFY(it != c.codecs.end());
        QCOMPARE(static_cast<std::uint64_t>(zvc[QStringLiteral("bytes")].toInteger()), it->compressedBytes);
        QCOMPARE(zvc[QStringLiteral("ratio")].toDouble(), it->measured);
        // ZVC's size by hand: 2048 mask words and 4 bytes per non-zero (27.9 % of 65536).
        const auto nonZeros = static_cast<std::uint64_t>(std::llround(65536 * (1 - 0.720550537109375)));
        QCOMPARE(it->compressedBytes, std::uint64_t{2048 * 4} + 4 * nonZeros);
    }

    // The comparison arrives from the worker thread and is drawn bar by bar; one that arrives
    // after another tensor was shown is dropped.
    void codecRatiosAreMeasuredOffTheGuiThread()
    {
        SparsityExplorer explorer;
        explorer.setData(known());
        QSignalSpy spy(&explorer, &SparsityExplorer::codecsMeasured);
        CodecComparison made;
        made.layer = QStringLiteral("relu3");
        made.codecs = {CodecRatio{QStringLiteral("zvc"), QStringLiteral("zvc"), true, 480, 200, 2.4, 2.1},
                       CodecRatio{QStringLiteral("dpr"), QStringLiteral("dpr-fp16"), false, 480, 240, 2.0, 2.0}};
        explorer.measureCodecs([made] { return made; });
        QVERIFY(explorer.measuringCodecs());
        QVERIFY(spy.wait(10000));
        auto* measured = qobject_cast<QCPBars*>(explorer.ratiosPlot()->plottable(0));
        auto* model = qobject_cast<QCPBars*>(explorer.ratiosPlot()->plottable(1));
        QCOMPARE(measured->data()->size(), 2);
        QCOMPARE(measured->data()->at(0)->value, 2.4);
        QCOMPARE(model->data()->at(0)->value, 2.1);
        QCOMPARE(measured->data()->at(1)->value, 2.0);

        explorer.measureCodecs([made] { return made; });
        explorer.setData(known()); // another tensor before the result is in
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(spy.count(), 1);
        QVERIFY(explorer.codecComparison().codecs.empty());
        QCOMPARE(measured->data()->size(), 0);

        explorer.measureCodecs([]() -> CodecComparison { throw std::runtime_error("x.npy: truncated"); });
        QVERIFY(spy.wait(10000));
        QCOMPARE(explorer.codecComparison().error, QStringLiteral("x.npy: truncated"));
    }

    // The window's export writes an explorer view as PDF and SVG, and its CSV holds exactly the
    // numbers drawn.
    void exportWritesTheViewsAndTheirData()
    {
        QTemporaryDir dir;
        SparsityExplorer explorer;
        explorer.setData(known());
        explorer.selectChannel(3);
        CodecComparison c;
        c.layer = QStringLiteral("relu3");
        c.tensorSparsity = 25.0 / 120.0;
        c.modelSparsity = 0.3;
        c.codecs = {CodecRatio{QStringLiteral("zvc"), QStringLiteral("zvc"), true, 480, 396, 480.0 / 396.0, 1.0 / 3.0},
                    CodecRatio{QStringLiteral("rle"), QStringLiteral("rle"), true, 480, 470, 480.0 / 470.0, 0.9}};
        explorer.setCodecComparison(c);
        offload::studio::ExportContext context;
        context.explorer = &explorer;

        offload::studio::FigureRequest ratios;
        ratios.explorerView = SparsityExplorer::View::codecRatios;
        ratios.path = dir.filePath(QStringLiteral("ratios.pdf"));
        ratios.writeCsv = true;
        offload::studio::writeFigure(ratios, context);
        QFile pdf(ratios.path);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.size() > 1000);
        QVERIFY(pdf.read(5) == "%PDF-");
        const auto rows = csvRows(dir.filePath(QStringLiteral("ratios.csv")));
        QCOMPARE(rows.size(), 2);
        auto* measured = qobject_cast<QCPBars*>(explorer.ratiosPlot()->plottable(0));
        auto* model = qobject_cast<QCPBars*>(explorer.ratiosPlot()->plottable(1));
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(rows[i][1], c.codecs[static_cast<std::size_t>(i)].codec);
            QCOMPARE(rows[i][6].toDouble(), measured->data()->at(i)->value);
            QCOMPARE(rows[i][7].toDouble(), model->data()->at(i)->value);
        }

        offload::studio::FigureRequest mask;
        mask.explorerView = SparsityExplorer::View::zvcMask;
        mask.path = dir.filePath(QStringLiteral("mask.svg"));
        mask.writeCsv = true;
        offload::studio::writeFigure(mask, context);
        QFile svg(mask.path);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));
        const auto bits = csvRows(dir.filePath(QStringLiteral("mask.csv")));
        QCOMPARE(bits.size(), 12);
        auto* map = qobject_cast<QCPColorMap*>(explorer.maskPlot()->plottable(0));
        for (const auto& row : bits) // layer, sample, channel, word, bit, element, y, x, nonzero
            QCOMPARE(row[8].toDouble(), map->data()->cell(row[4].toInt(), row[3].toInt()));
        QCOMPARE(bits[2][8], QStringLiteral("0")); // channel 3 of sample 0: three zeros first
        QCOMPARE(bits[3][8], QStringLiteral("1"));

        offload::studio::FigureRequest heat;
        heat.explorerView = SparsityExplorer::View::heatmap;
        heat.path = dir.filePath(QStringLiteral("heat.png"));
        heat.writeCsv = true;
        offload::studio::writeFigure(heat, context);
        QVERIFY(!QImage(heat.path).isNull());
        const auto cells = csvRows(dir.filePath(QStringLiteral("heat.csv")));
        QCOMPARE(cells.size(), 5);
        QCOMPARE(cells[4][4].toDouble(), 9.0 / 24.0);

        offload::studio::ExportContext none; // nothing explored: an error, not an empty file
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, offload::studio::writeFigure(heat, none));
    }

    // In the window: the bundled layer's ratios are measured when its tab shows it, ZVC's equals
    // the ratio the bundled network carries (written by offload-sim measure from the same file),
    // and File > Export Figure writes the view with the explorer's tab open.
    void theWindowMeasuresAndExportsTheSelectedLayer()
    {
        offload::studio::test::TestWindow window;
        window.show();
        QVERIFY(window.openFile(offload::studio::test::samplePath(QStringLiteral("scenarios/mobilenetv1-ssd-zvc.json"))));
        offload::studio::test::shownResult(window);
        window.chartTabs()->setCurrentWidget(window.sparsityExplorerPage());
        QSignalSpy measured(window.sparsityExplorer(), &SparsityExplorer::codecsMeasured);
        const int layer = window.model().scenario().network->indexOf(kLayer.toStdString());
        QVERIFY(layer >= 0);
        window.model().setSelectedLayer(layer);
        QVERIFY(measured.wait(30000));
        const auto& c = window.sparsityExplorer()->codecComparison();
        QCOMPARE(c.modelSparsity, offload::studio::test::shownResult(window).layers[static_cast<std::size_t>(layer)].sparsity);
        const auto& L = window.model().scenario().network->network().layers[static_cast<std::size_t>(layer)];
        QCOMPARE(c.codecs.front().codec, QStringLiteral("zvc"));
        QCOMPARE(c.codecs.front().measured, L.measured_ratios.at("zvc"));

        QTemporaryDir dir;
        offload::studio::FigureRequest request;
        request.explorerView = SparsityExplorer::View::codecRatios;
        request.path = dir.filePath(QStringLiteral("ratios.svg"));
        request.writeCsv = true;
        QVERIFY(window.exportFigure(request));
        QVERIFY(QFileInfo(request.path).size() > 1000);
        QCOMPARE(csvRows(dir.filePath(QStringLiteral("ratios.csv"))).size(), static_cast<qsizetype>(c.codecs.size()));
    }

    void exportsAPng()
    {
        QTemporaryDir dir;
        SparsityExplorer explorer;
        explorer.setData(known());
        const QString path = dir.filePath("explorer.png");
        QVERIFY(explorer.exportPng(path, 1600, 1000));
        const QImage image(path);
        QCOMPARE(image.size(), QSize(1600, 1000));
    }
};

QTEST_MAIN(TestSparsityExplorer)
#include "tst_sparsity_explorer.moc"
