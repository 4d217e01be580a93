#include "sweep_plot.h"

#include "format.h"

#include <algorithm>
#include <map>

namespace offload::plots {

sim::SweepSpec ownCodecSweepSpec(const sim::Scenario& scenario)
{
    sim::SweepSpec spec = sim::defaultSweepSpec(scenario);
    spec.codecs = {scenario.codec};
    return spec;
}

std::string_view sweepMetricName(SweepMetric metric)
{
    switch (metric) {
    case SweepMetric::iterationTime: return "iteration";
    case SweepMetric::overhead: return "overhead";
    case SweepMetric::peakMemory: return "memory";
    }
    return "iteration";
}

std::optional<SweepMetric> parseSweepMetric(std::string_view name)
{
    for (auto m : {SweepMetric::iterationTime, SweepMetric::overhead, SweepMetric::peakMemory})
        if (sweepMetricName(m) == name)
            return m;
    return std::nullopt;
}

double sweepMetricValue(SweepMetric metric, const sim::Summary& summary)
{
    switch (metric) {
    case SweepMetric::iterationTime: return summary.iteration_s * 1e3;
    case SweepMetric::overhead: return summary.overhead * 100.0;
    case SweepMetric::peakMemory: return static_cast<double>(summary.peak_gpu_bytes) / (1024.0 * 1024.0 * 1024.0);
    }
    return 0;
}

void SweepPlot::setMetricLabel(SweepMetric metric)
{
    switch (metric) {
    case SweepMetric::iterationTime: yAxis->setLabel(QStringLiteral("Iteration time (ms)")); break;
    case SweepMetric::overhead: yAxis->setLabel(QStringLiteral("Overhead over no offload (%)")); break;
    case SweepMetric::peakMemory: yAxis->setLabel(QStringLiteral("Peak GPU memory (GiB)")); break;
    }
}

void SweepPlot::styleLine(QCPGraph* graph, int index)
{
    const auto& style = figureStyle();
    QPen pen(palette::series(index), style.lineWidth, palette::seriesDash(index));
    pen.setCapStyle(Qt::FlatCap);
    graph->setPen(pen);
    static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssDisc, QCPScatterStyle::ssSquare,
                                                           QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                           QCPScatterStyle::ssCross, QCPScatterStyle::ssPlus};
    graph->setScatterStyle(QCPScatterStyle(shapes[index % 6], palette::series(index), style.isPaper() ? 3 : 6));
    graph->setSelectable(QCP::stNone);
}

void SweepPlot::setSeries(const std::vector<SweepSeries>& series, SweepMetric metric)
{
    metric_ = metric;
    setMetricLabel(metric);
    for (auto* graph : lines_)
        removeGraph(graph);
    lines_.clear();
    marker_->data()->clear();
    marker_->removeFromLegend();
    marker_->setVisible(false);
    markerLabel_->setVisible(false);
    oracle_->data()->clear();
    oracle_->removeFromLegend();
    oracle_->setVisible(false);
    double lo = 1, hi = 200, top = 0;
    for (std::size_t i = 0; i < series.size(); ++i) {
        auto* graph = addGraph();
        graph->setName(series[i].label);
        styleLine(graph, static_cast<int>(i));
        QVector<double> keys, values;
        for (const auto& p : series[i].points) {
            keys.push_back(p.bandwidth_bytes_per_s / 1e9);
            values.push_back(sweepMetricValue(metric, p.summary));
            lo = std::min(lo, keys.back());
            hi = std::max(hi, keys.back());
            top = std::max(top, values.back());
        }
        graph->setData(keys, values, true);
        lines_.push_back(graph);
    }
    xAxis->setRange(lo * 0.9, hi * 1.1);
    yAxis->setRange(0, top > 0 ? top * 1.08 : 1);
    refresh();
}

void SweepPlot::setLogValueAxis(bool logarithmic)
{
    if (!logarithmic) {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        return;
    }
    yAxis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
    ticker->setLogBase(10);
    ticker->setSubTickCount(8);
    yAxis->setTicker(ticker);
    yAxis->setNumberFormat(QStringLiteral("gb"));
    yAxis->grid()->setSubGridVisible(true);
    yAxis->grid()->setSubGridPen(QPen(QColor(0xEE, 0xEE, 0xEE), 0));
    // The range of the positive values drawn (a log axis cannot show zero).
    double lo = 0, hi = 0;
    for (int i = 0; i < graphCount(); ++i) {
        const QCPGraph* g = graph(i);
        if (!g->visible())
            continue;
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            if (it->value <= 0)
                continue;
            lo = lo > 0 ? std::min(lo, it->value) : it->value;
            hi = std::max(hi, it->value);
        }
    }
    if (lo > 0)
        yAxis->setRange(lo / 1.5, hi * 1.5);
    refresh();
}

QString SweepPlot::drawnDataCsv() const
{
    QString csv = QStringLiteral("series,bandwidth_gbps,%1\n").arg(QString::fromUtf8(sweepMetricName(metric_).data(),
                                                                                   static_cast<qsizetype>(sweepMetricName(metric_).size())));
    std::vector<const QCPGraph*> graphs(lines_.begin(), lines_.end());
    for (const auto* graph : {oracle_, marker_})
        if (graph->visible() && !graph->data()->isEmpty())
            graphs.push_back(graph);
    for (const auto* graph : graphs)
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
            csv += csvField(graph->name()) + QLatin1Char(',') + QString::number(it->key, 'g', 12) + QLatin1Char(',')
                   + QString::number(it->value, 'g', 12) + QLatin1Char('\n');
    return csv;
}

SweepPlot::SweepPlot(const FigureStyle& style, QWidget* parent)
    : Chart(style, parent)
{
    xAxis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
    ticker->setLogBase(10);
    ticker->setSubTickCount(8);
    xAxis->setTicker(ticker);
    xAxis->setNumberFormat(QStringLiteral("gb"));
    xAxis->setLabel(QStringLiteral("Link bandwidth (GB/s, log scale)"));
    yAxis->setLabel(QStringLiteral("Iteration time (ms)"));
    xAxis->grid()->setSubGridVisible(true);
    xAxis->grid()->setSubGridPen(QPen(QColor(0xEE, 0xEE, 0xEE), 0));

    oracle_ = addGraph();
    oracle_->setName(QStringLiteral("oracle"));
    oracle_->setPen(QPen(palette::grey, style.lineWidth, Qt::DashLine));
    oracle_->setSelectable(QCP::stNone);

    marker_ = addGraph();
    marker_->setName(QStringLiteral("current"));
    marker_->setLineStyle(QCPGraph::lsNone);
    marker_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, style.isPaper() ? 1.0 : 2.5),
                                             Qt::NoBrush, style.isPaper() ? 7 : 14));
    marker_->setSelectable(QCP::stNone);
    markerLabel_ = new QCPItemText(this);
    markerLabel_->setFont(style.tickFont());
    markerLabel_->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    markerLabel_->setPadding(QMargins(6, 0, 0, 4));
    markerLabel_->setClipToAxisRect(false);
    markerLabel_->setBrush(QColor(255, 255, 255, 220));
    placeLegendOnTop();
}

void SweepPlot::setData(const sim::Scenario& scenario, const std::vector<sim::SweepPoint>& points, double currentIterationS,
                        double oracleS)
{
    // Group by codec, in the order of first appearance (runSweep varies bandwidth fastest).
    std::vector<CodecId> order;
    std::map<CodecId, std::pair<QVector<double>, QVector<double>>> series;
    for (const auto& p : points) {
        if (!series.count(p.codec))
            order.push_back(p.codec);
        auto& s = series[p.codec];
        s.first.push_back(p.bandwidth_bytes_per_s / 1e9);
        s.second.push_back(sweepMetricValue(metric_, p.summary));
    }
    for (auto* graph : lines_)
        removeGraph(graph);
    lines_.clear();
    setMetricLabel(metric_);
    for (std::size_t i = 0; i < order.size(); ++i) {
        auto* graph = addGraph();
        const int index = static_cast<int>(i);
        graph->setName(QString::fromUtf8(codecName(order[i]).data(), static_cast<qsizetype>(codecName(order[i]).size())));
        styleLine(graph, index);
        const auto& s = series[order[i]];
        graph->setData(s.first, s.second, true);
        lines_.push_back(graph);
    }
    // Lines first in the legend, then oracle and the marker.
    marker_->removeFromLegend();
    oracle_->removeFromLegend();
    oracle_->addToLegend();
    marker_->addToLegend();

    const double currentGBps = std::min(scenario.link.d2h_bytes_per_s, scenario.link.h2d_bytes_per_s) / 1e9;
    marker_->setData(QVector<double>{currentGBps}, QVector<double>{currentIterationS * 1e3});
    markerLabel_->position->setCoords(currentGBps, currentIterationS * 1e3);
    markerLabel_->setText(QStringLiteral("%1 @ %2").arg(QString::fromStdString(std::string(codecName(scenario.codec))),
                                                        formatGBps(currentGBps * 1e9)));

    double lo = 1, hi = 200;
    if (!points.empty()) {
        lo = std::min(lo, points.front().bandwidth_bytes_per_s / 1e9);
        for (const auto& p : points) {
            lo = std::min(lo, p.bandwidth_bytes_per_s / 1e9);
            hi = std::max(hi, p.bandwidth_bytes_per_s / 1e9);
        }
    }
    lo = std::min(lo, currentGBps);
    hi = std::max(hi, currentGBps);
    xAxis->setRange(lo * 0.9, hi * 1.1);
    // The marker and the oracle are iteration times; other metrics show the lines alone.
    const bool iteration = metric_ == SweepMetric::iterationTime;
    marker_->setVisible(iteration);
    markerLabel_->setVisible(iteration);
    oracle_->setVisible(iteration);
    if (!iteration) {
        marker_->removeFromLegend();
        oracle_->removeFromLegend();
        marker_->data()->clear();
        double highest = 0;
        for (const auto& p : points)
            highest = std::max(highest, sweepMetricValue(metric_, p.summary));
        yAxis->setRange(0, highest > 0 ? highest * 1.08 : 1);
        refresh();
        return;
    }
    oracle_->setData(QVector<double>{lo * 0.9, hi * 1.1}, QVector<double>{oracleS * 1e3, oracleS * 1e3}, true);
    double top = currentIterationS * 1e3;
    for (const auto& p : points)
        top = std::max(top, p.summary.iteration_s * 1e3);
    const double bottom = oracleS > 0 ? oracleS * 1e3 : 0;
    yAxis->setRange(bottom * 0.9, std::max(top * 1.05, bottom * 1.2 + 1e-6));
    refresh();
}

} // namespace offload::plots
