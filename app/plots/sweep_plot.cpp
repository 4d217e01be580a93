#include "sweep_plot.h"

#include "format.h"

#include <algorithm>
#include <map>

namespace offload::plots {

sim::SweepSpec standardSweepSpec(const sim::Scenario& scenario)
{
    sim::SweepSpec spec;
    spec.bandwidths_bytes_per_s = sim::logRange(1e9, 200e9, 25);
    spec.codecs = {CodecId::none, CodecId::rle, CodecId::zvc, CodecId::zlib, CodecId::jpeg_act};
    if (std::find(spec.codecs.begin(), spec.codecs.end(), scenario.codec) == spec.codecs.end())
        spec.codecs.push_back(scenario.codec);
    return spec;
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
        s.second.push_back(p.summary.iteration_s * 1e3);
    }
    for (auto* graph : lines_)
        removeGraph(graph);
    lines_.clear();
    const auto& style = figureStyle();
    for (std::size_t i = 0; i < order.size(); ++i) {
        auto* graph = addGraph();
        const int index = static_cast<int>(i);
        graph->setName(QString::fromUtf8(codecName(order[i]).data(), static_cast<qsizetype>(codecName(order[i]).size())));
        QPen pen(palette::series(index), style.lineWidth, palette::seriesDash(index));
        pen.setCapStyle(Qt::FlatCap);
        graph->setPen(pen);
        static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssDisc, QCPScatterStyle::ssSquare,
                                                               QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                               QCPScatterStyle::ssCross, QCPScatterStyle::ssPlus};
        graph->setScatterStyle(QCPScatterStyle(shapes[i % 6], palette::series(index), style.isPaper() ? 3 : 6));
        graph->setSelectable(QCP::stNone);
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
    oracle_->setData(QVector<double>{lo * 0.9, hi * 1.1}, QVector<double>{oracleS * 1e3, oracleS * 1e3}, true);
    xAxis->setRange(lo * 0.9, hi * 1.1);
    double top = currentIterationS * 1e3;
    for (const auto& p : points)
        top = std::max(top, p.summary.iteration_s * 1e3);
    const double bottom = oracleS > 0 ? oracleS * 1e3 : 0;
    yAxis->setRange(bottom * 0.9, std::max(top * 1.05, bottom * 1.2 + 1e-6));
    refresh();
}

} // namespace offload::plots
