// The timeline's own model: hit testing by binary search agrees with a linear scan, sub-pixel
// merging never hides a stall, and time <-> pixel stays exact after zooming.
#include "test_support.h"

#include "app/plots/timeline_plot.h"
#include "sim/simulator.h"

#include <QStandardPaths>
#include <QtTest>

using namespace offload;
using offload::studio::test::samplePath;

class TestTimelinePlot : public QObject {
    Q_OBJECT

private slots:
    void hitTestingMatchesALinearScan_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("vgg16 pcie3 zvc") << "scenarios/vgg16-titanx-pcie3-zvc.json";
        QTest::newRow("vgg16 h100 pcie5") << "scenarios/vgg16-h100-pcie5-none.json";
    }

    void hitTestingMatchesALinearScan()
    {
        QFETCH(QString, scenario);
        const auto s = sim::loadScenarioFile(samplePath(scenario).toStdString());
        const auto result = sim::simulate(s);
        plots::TimelinePlot plot;
        plot.setData(s, result);
        const auto& lanes = plot.lanes();
        for (int row = 0; row < lanes.rowCount(); ++row) {
            const auto& events = lanes.rowEvents(row);
            for (std::size_t i = 0; i < events.size(); i += std::max<std::size_t>(1, events.size() / 200)) {
                const auto& e = events[i];
                const double midMs = (e.start_s + e.end_s) * 0.5e3;
                const sim::Event* hit = lanes.eventAt(row, midMs, 0);
                QVERIFY(hit);
                QVERIFY(hit->start_s * 1e3 <= midMs && midMs <= hit->end_s * 1e3);
            }
            // Before the first event and after the last one there is nothing.
            if (!events.empty()) {
                QVERIFY(!lanes.eventAt(row, -1.0, 0.1));
                QVERIFY(!lanes.eventAt(row, lanes.endMs() + 5, 0.1));
            }
        }
    }

    // Drawing skips the events that share a pixel column with one already drawn, so that a
    // million layers replot in the time of the columns shown. What it must never skip: a stall
    // anywhere, and a long event that starts in a crowded column.
    void crowdedColumnsKeepStallsAndLongEvents()
    {
        const auto scenario = sim::loadScenarioFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")).toStdString());
        auto result = std::make_shared<sim::Result>();
        // Forward passes of 0.1 us each for 50 ms; a backward pass of 100 ms that starts in
        // the last crowded column of them; 1 ns stalls and more 0.1 us passes after it.
        auto add = [&](double start, double end, sim::EventKind kind) {
            result->events.push_back(sim::Event{start, end, 3, -2, sim::Lane::compute, kind, 0, 0});
        };
        for (int i = 0; i < 500000; ++i)
            add(i * 1e-7, (i + 1) * 1e-7, sim::EventKind::forward);
        add(0.05, 0.15, sim::EventKind::backward);
        for (int i = 0; i < 500000; ++i)
            add(0.15 + i * 1e-7, 0.15 + (i + 1) * 1e-7, i == 250000 ? sim::EventKind::stall : sim::EventKind::forward);
        result->summary.iteration_s = 0.2;
        plots::TimelinePlot plot;
        plot.resize(800, 300);
        plot.setData(scenario, std::shared_ptr<const sim::Result>(result));
        const QImage image = plot.toPixmap(800, 300).toImage();
        const int y = static_cast<int>(plot.yAxis->coordToPixel(0));
        auto columnHas = [&](double ms, const QColor& colour) {
            const int x = static_cast<int>(plot.xAxis->coordToPixel(ms));
            for (int dx = -1; dx <= 2; ++dx)
                if (QColor(image.pixel(x + dx, y)).rgb() == colour.rgb())
                    return true;
            return false;
        };
        // The backward pass is drawn along its whole length, the stall where it is.
        for (double ms : {60.0, 100.0, 140.0})
            QVERIFY2(columnHas(ms, plots::palette::backward), qPrintable(QString::number(ms)));
        QVERIFY(columnHas(175.0, plots::palette::stall));
        QVERIFY(columnHas(20.0, plots::palette::forward));
    }

    void timePixelMappingSurvivesZoom()
    {
        const auto s = sim::loadScenarioFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json")).toStdString());
        const auto result = sim::simulate(s);
        plots::TimelinePlot plot;
        plot.resize(1000, 300);
        plot.setData(s, result);
        plot.replot();
        const double end = plot.lanes().endMs();
        for (double factor : {1.0, 0.5, 0.1, 0.01}) {
            plot.xAxis->setRange(end * 0.2, end * 0.2 + end * factor);
            plot.replot();
            const double t = end * 0.2 + end * factor * 0.37;
            const double px = plot.xAxis->coordToPixel(t);
            QVERIFY(std::abs(plot.xAxis->pixelToCoord(px) - t) <= end * factor * 0.01);
        }
        // The range is clamped to the iteration and cannot shrink below 1 µs.
        plot.xAxis->setRange(-end, 3 * end);
        QVERIFY(plot.xAxis->range().lower >= 0);
        QVERIFY(plot.xAxis->range().upper <= end * 1.02);
        plot.xAxis->setRange(1.0, 1.0 + 1e-9);
        QVERIFY(plot.xAxis->range().size() >= 1e-3 * 0.999);
    }

    void selectionBelongsToTheLayersComputeAndItsOutputTransfers()
    {
        sim::Event forward{0, 1, 5, -2, sim::Lane::compute, sim::EventKind::forward, 0, 0};
        sim::Event offload{0, 1, 6, 5, sim::Lane::d2h, sim::EventKind::offload, 100, 50};
        sim::Event otherOffload{0, 1, 5, 4, sim::Lane::d2h, sim::EventKind::offload, 100, 50};
        QVERIFY(plots::TimelineLanes::belongsToLayer(forward, 5));
        QVERIFY(plots::TimelineLanes::belongsToLayer(offload, 5));
        QVERIFY(!plots::TimelineLanes::belongsToLayer(otherOffload, 5));
        QCOMPARE(plots::TimelineLanes::layerOfEvent(offload), 5);
        QCOMPARE(plots::TimelineLanes::layerOfEvent(otherOffload), 4);
        QVERIFY(!plots::TimelineLanes::belongsToLayer(forward, -1));
    }
};

QTEST_MAIN(TestTimelinePlot)
#include "tst_timeline_plot.moc"
