// The per-layer chart at the sizes of real and generated networks: the network's blocks are
// found and named, panel titles never cover bars, a chart with more layers than pixels draws
// one bar per run of layers at the run's largest value (a lone stall never disappears), and its
// CSV still holds every layer. Chart data prepared off the GUI thread draws exactly what the
// charts build themselves. Also the generated residual network itself.
#include "test_support.h"

#include "app/plots/chart_data.h"
#include "app/plots/layer_bars_plot.h"
#include "app/plots/layer_groups.h"
#include "app/plots/memory_plot.h"
#include "app/plots/timeline_plot.h"
#include "app/studio/chart_subscriptions.h"
#include "core/network_json.h"
#include "core/synthetic_network.h"
#include "sim/scenario_document.h"
#include "sim/simulator.h"

#include <QtTest>

using namespace offload;
using offload::studio::test::samplePath;

namespace {
std::vector<std::string> sampleLayerNames(const char* network)
{
    const NetworkModel model = loadNetworkFile(samplePath(QStringLiteral("networks/%1.json").arg(network)).toStdString());
    std::vector<std::string> names;
    for (const auto& L : model.network().layers)
        names.push_back(L.name);
    return names;
}

std::vector<std::string> labels(const std::vector<plots::LayerGroup>& groups)
{
    std::vector<std::string> out;
    for (const auto& g : groups)
        out.push_back(g.label);
    return out;
}

// A scenario whose per-layer results are set by hand: `layers` layers, one of which stalls.
std::shared_ptr<const sim::Result> resultWithOneStall(int layers, int stalling, double stallS)
{
    auto result = std::make_shared<sim::Result>();
    result->layers.resize(static_cast<std::size_t>(layers));
    for (int i = 0; i < layers; ++i)
        result->layers[static_cast<std::size_t>(i)].sparsity = (i % 7) / 10.0;
    result->layers[static_cast<std::size_t>(stalling)].forward_stall_s = stallS;
    return result;
}
} // namespace

class TestLayerBarsScale : public QObject {
    Q_OBJECT

private slots:
    void blocksOfTheSampleNetworks()
    {
        // ResNet-50: conv1 and its pool, 16 bottleneck blocks res2a ... res5c, the pool and
        // the classifier.
        const auto resnet = plots::groupLayers(sampleLayerNames("resnet50"));
        QCOMPARE(resnet.size(), std::size_t(19));
        QCOMPARE(resnet.front().label, std::string("conv1"));
        QCOMPARE(resnet[1].label, std::string("res2a"));
        QCOMPARE(resnet[16].label, std::string("res5c"));
        QCOMPARE(resnet.back().label, std::string("fc1000"));
        QCOMPARE(resnet.back().last, 174);
        // Every layer is in exactly one block, in order.
        for (std::size_t i = 1; i < resnet.size(); ++i)
            QCOMPARE(resnet[i].first, resnet[i - 1].last + 1);
        // BERT-base: the 12 encoder layers.
        const auto bert = plots::groupLayers(sampleLayerNames("bert-base"));
        QCOMPARE(bert.size(), std::size_t(12));
        QCOMPARE(bert[11].label, std::string("layer11"));
        // GoogLeNet names its inception modules.
        const auto googlenet = labels(plots::groupLayers(sampleLayerNames("googlenet")));
        QVERIFY(std::find(googlenet.begin(), googlenet.end(), "inception_4e") != googlenet.end());
        // A network whose names carry no blocks gets none.
        QVERIFY(plots::groupLayers({"a", "b", "c", "d"}).empty());
    }

    void titlesSitAboveTheirPanels()
    {
        const auto s = sim::loadScenarioFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")).toStdString());
        plots::LayerBarsPlot plot;
        plot.resize(1200, 600);
        plot.setData(s, sim::simulate(s));
        plot.replot();
        int titles = 0;
        for (int i = 0; i < plot.itemCount(); ++i) {
            auto* text = qobject_cast<QCPItemText*>(plot.item(i));
            if (!text || text->text().isEmpty())
                continue;
            ++titles;
            // The title's box ends where its panel's plot area begins: it covers no bar.
            const QCPAxisRect* panel = text->position->axisRect();
            const QPointF anchor = text->position->pixelPosition();
            QVERIFY2(anchor.y() <= panel->top() + 0.5, qPrintable(text->text()));
        }
        QCOMPARE(titles, 4);
        QVERIFY(!plot.groups().empty()); // conv1 ... fc8
    }

    void moreLayersThanPixelsKeepEveryStall()
    {
        const int layers = 100'000;
        const int stalling = 61'234;
        const auto s = sim::loadScenarioFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")).toStdString());
        plots::LayerBarsPlot plot;
        plot.resize(1000, 500);
        plot.setData(s, resultWithOneStall(layers, stalling, 0.002));
        plot.replot();
        QVERIFY(plot.layersPerBar() > 1);
        QVERIFY(plot.bars(0)->data()->size() < 2000); // about one bar per two pixels, not 100,000
        // The forward-stall panel: one bar is exactly the lone stall (2 ms), all others none.
        int nonZero = 0;
        for (auto it = plot.bars(2)->data()->constBegin(); it != plot.bars(2)->data()->constEnd(); ++it) {
            if (it->value > 0) {
                ++nonZero;
                QCOMPARE(it->value, 2.0);
                QVERIFY(std::abs(it->key - stalling) <= plot.layersPerBar());
            }
        }
        QCOMPARE(nonZero, 1);
        // Zoomed in to 100 layers: one bar per layer again.
        plot.bars(0)->keyAxis()->setRange(stalling - 50, stalling + 50);
        plot.replot();
        QCOMPARE(plot.layersPerBar(), 1);
        // The CSV holds every layer whatever the zoom.
        const QString csv = plot.drawnDataCsv();
        QCOMPARE(csv.count(QLatin1Char('\n')), layers + 1);
    }

    void namesNeverCrowdAMillionLayers()
    {
        // Each name needs about a line of axis length, even when a layer is a thousandth of a
        // pixel wide.
        const auto s = sim::loadScenarioFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")).toStdString());
        plots::LayerBarsPlot plot;
        plot.resize(600, 500);
        plot.setData(s, resultWithOneStall(1'000'000, 10, 0.001));
        plot.replot();
        const double lineHeight = QFontMetricsF(plot.figureStyle().tickFont()).height();
        QVERIFY(plot.visibleLabelCount() > 1);
        QVERIFY2(plot.visibleLabelCount() * lineHeight <= plot.bars(0)->keyAxis()->axisRect()->width(),
                 qPrintable(QString::number(plot.visibleLabelCount())));
    }

    // The window's charts take data its worker prepared; what they draw and export must be what
    // they show when they build it themselves (the figure command's path).
    void preparedChartDataDrawsTheSame_data()
    {
        QTest::addColumn<QString>("scenarioOrNetwork");
        QTest::newRow("VGG-16, ZVC") << QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json");
        QTest::newRow("ResNet-50") << QStringLiteral("networks/resnet50.json");
        QTest::newRow("GoogLeNet") << QStringLiteral("networks/googlenet.json");
    }
    void preparedChartDataDrawsTheSame()
    {
        QFETCH(QString, scenarioOrNetwork);
        const sim::Scenario scenario = sim::openScenarioOrNetwork(samplePath(scenarioOrNetwork).toStdString()).scenario;
        const auto result = std::make_shared<const sim::Result>(sim::simulate(scenario));
        const plots::ChartData first = plots::ChartData::build(scenario, *result);
        // A second result of the same network reuses the names, and still draws the same.
        const plots::ChartData data = plots::ChartData::build(scenario, *result, &first);
        QVERIFY(data.layers->labels == first.layers->labels);

        plots::TimelinePlot builtTimeline, preparedTimeline;
        builtTimeline.setData(scenario, result);
        preparedTimeline.setData(scenario, result, data.timeline);
        QCOMPARE(preparedTimeline.drawnDataCsv(), builtTimeline.drawnDataCsv());
        QCOMPARE(preparedTimeline.lanes().firstBackwardMs(), builtTimeline.lanes().firstBackwardMs());

        plots::MemoryPlot builtMemory, preparedMemory;
        builtMemory.setData(scenario, result);
        preparedMemory.setData(scenario, result, data.memory);
        QCOMPARE(preparedMemory.drawnDataCsv(), builtMemory.drawnDataCsv());
        QVERIFY(preparedMemory.drawnDataCsv().count(QLatin1Char('\n')) > 10);

        plots::LayerBarsPlot builtBars, preparedBars;
        for (auto* plot : {&builtBars, &preparedBars})
            plot->resize(900, 600);
        builtBars.setData(scenario, result);
        preparedBars.setData(scenario, result, data.layers);
        QCOMPARE(preparedBars.drawnDataCsv(), builtBars.drawnDataCsv());
        QCOMPARE(preparedBars.groups().size(), builtBars.groups().size());
    }

    // A chart subscribed to the model, with no window: it shows each new snapshot and the
    // selection, takes the model's prepared data, and its subscription ends with it.
    void aSubscribedChartFollowsTheModel()
    {
        studio::StudioModel model;
        model.setChartPreparer([](const sim::Scenario& scenario, const sim::Result& result, const plots::ChartData* same) {
            return std::make_shared<const plots::ChartData>(plots::ChartData::build(scenario, result, same));
        });
        model.open(samplePath(QStringLiteral("networks/resnet50.json")));
        QVERIFY(model.waitForIdle());
        auto bars = std::make_unique<plots::LayerBarsPlot>();
        bars->resize(900, 600);
        studio::subscribeToModel(*bars, model); // shows the current snapshot at once
        plots::LayerBarsPlot reference;
        reference.resize(900, 600);
        reference.setData(model.snapshot()->scenario, model.snapshot()->result);
        QCOMPARE(bars->drawnDataCsv(), reference.drawnDataCsv());
        QVERIFY(bars->groups().size() > 10);

        sim::ScenarioEdit edit;
        edit.codec = CodecId::zvc;
        model.apply(edit);
        QVERIFY(model.waitForIdle());
        reference.setData(model.snapshot()->scenario, model.snapshot()->result);
        QCOMPARE(bars->drawnDataCsv(), reference.drawnDataCsv());
        model.setSelectedLayer(7);
        QCOMPARE(bars->selectedLayer(), 7);

        bars.reset(); // an edit after the chart is gone reaches nothing
        model.apply(edit);
        model.setSelectedLayer(8);
        QVERIFY(model.waitForIdle());
    }

    void generatedResidualNetworkIsADag()
    {
        const Network net = syntheticResidualNetwork(4);
        QCOMPARE(net.layers.size(), std::size_t(20));
        const NetworkModel model(net, "generated");
        // Every add joins the block's second conv and the block's input.
        QCOMPARE(net.layers[3].kind, LayerKind::add);
        QCOMPARE(net.layers[8].inputs, (std::vector<std::string>{"block1/conv_b", "block0/relu_b"}));
        QCOMPARE(net.layers[3].inputs, (std::vector<std::string>{"block0/conv_b", "input"}));
        // It simulates, and every ReLU carries the stated assumption.
        sim::Scenario scenario = sim::defaultScenarioFor(std::make_shared<const NetworkModel>(model));
        const auto result = sim::simulate(scenario);
        QCOMPARE(result.layers.size(), std::size_t(20));
        QCOMPARE(result.layers[1].sparsity, 0.5);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, syntheticResidualNetwork(0));
        // Its blocks are what the per-layer chart names.
        std::vector<std::string> names;
        for (const auto& L : net.layers)
            names.push_back(L.name);
        QCOMPARE(labels(plots::groupLayers(names)), (std::vector<std::string>{"block0", "block1", "block2", "block3"}));
    }
};

QTEST_MAIN(TestLayerBarsScale)
#include "tst_layer_bars_scale.moc"
