// SparsityExplorer (app/studio/sparsity_explorer.h) on a synthetic tensor whose zeros are known:
// channel c of sample n has its first (c + n) values zero, so every count is solved by hand.
#include "app/studio/sparsity_explorer.h"

#include <qcustomplot.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

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
