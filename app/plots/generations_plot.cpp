#include "generations_plot.h"

#include "format.h"

#include "core/devices.h"

#include <algorithm>
#include <map>

namespace offload::plots {

namespace {
// The short name a slide can hold: "V100", "H200", "Titan X".
QString shortGpuName(const std::string& id)
{
    static const std::map<std::string, QString> names{
        {"titan-x-maxwell", QStringLiteral("Titan X\n(2015)")}, {"p100", QStringLiteral("P100\n(2016)")},
        {"titan-xp", QStringLiteral("Titan Xp\n(2017)")},      {"v100", QStringLiteral("V100\n(2017)")},
        {"a100", QStringLiteral("A100\n(2020)")},              {"h100", QStringLiteral("H100 PCIe\n(2022)")},
        {"h100-sxm", QStringLiteral("H100\n(2022)")},          {"h200", QStringLiteral("H200\n(2024)")}};
    const auto it = names.find(id);
    return it != names.end() ? it->second : QString::fromStdString(id);
}
} // namespace

GenerationsPlot::GenerationsPlot(const FigureStyle& style, QWidget* parent)
    : Chart(style, parent)
{
    xAxis->setLabel(QString());
    yAxis->setLabel(QStringLiteral("Overhead over no offload (%)"));
    current_ = addGraph();
    current_->setName(QStringLiteral("current GPU"));
    current_->setLineStyle(QCPGraph::lsNone);
    current_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, style.isPaper() ? 1.0 : 2.5),
                                              Qt::NoBrush, style.isPaper() ? 7 : 14));
    current_->setSelectable(QCP::stNone);
    placeLegendOnTop();
}

void GenerationsPlot::setData(const sim::Scenario& scenario, const std::vector<sim::SweepPoint>& points)
{
    // GPUs in sweep order (runSweep varies the GPU slowest), one series per codec.
    std::vector<std::string> gpus;
    std::vector<CodecId> codecs;
    for (const auto& p : points) {
        if (std::find(gpus.begin(), gpus.end(), p.gpu) == gpus.end())
            gpus.push_back(p.gpu);
        if (std::find(codecs.begin(), codecs.end(), p.codec) == codecs.end())
            codecs.push_back(p.codec);
    }
    auto gpuIndex = [&](const std::string& id) {
        return static_cast<double>(std::find(gpus.begin(), gpus.end(), id) - gpus.begin());
    };

    for (auto* graph : lines_)
        removeGraph(graph);
    lines_.clear();
    const auto& style = figureStyle();
    double top = 0;
    for (std::size_t i = 0; i < codecs.size(); ++i) {
        QVector<double> keys, values;
        for (const auto& p : points)
            if (p.codec == codecs[i]) {
                keys.push_back(gpuIndex(p.gpu));
                values.push_back(p.summary.overhead * 100);
                top = std::max(top, p.summary.overhead * 100);
            }
        auto* graph = addGraph();
        const int index = static_cast<int>(i);
        graph->setName(QString::fromUtf8(codecName(codecs[i]).data(), static_cast<qsizetype>(codecName(codecs[i]).size())));
        QPen pen(palette::series(index), style.lineWidth, palette::seriesDash(index));
        graph->setPen(pen);
        static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssDisc, QCPScatterStyle::ssSquare,
                                                               QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond};
        graph->setScatterStyle(QCPScatterStyle(shapes[i % 4], palette::series(index), style.isPaper() ? 4 : 8));
        graph->setSelectable(QCP::stNone);
        graph->setData(keys, values, true);
        lines_.push_back(graph);
    }
    current_->removeFromLegend();
    current_->addToLegend();

    // The scenario's own GPU and codec, when they are on the chart.
    current_->data()->clear();
    for (const auto& p : points)
        if (p.gpu == scenario.gpu.id && p.codec == scenario.codec)
            current_->setData(QVector<double>{gpuIndex(p.gpu)}, QVector<double>{p.summary.overhead * 100});

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    gpuLabels_.clear();
    for (std::size_t g = 0; g < gpus.size(); ++g) {
        gpuLabels_ << shortGpuName(gpus[g]);
        ticker->addTick(static_cast<double>(g), gpuLabels_.back());
    }
    xAxis->setTicker(ticker);
    xAxis->setRange(-0.5, static_cast<double>(std::max<std::size_t>(gpus.size(), 1)) - 0.5);
    xAxis->setLabel(QStringLiteral("GPU, at %1 (%2)")
                        .arg(formatGBps(std::min(scenario.link.d2h_bytes_per_s, scenario.link.h2d_bytes_per_s)),
                             QString::fromStdString(scenario.link.name)));
    yAxis->setRange(0, std::max(top * 1.1, 1.0));
    refresh();
}

} // namespace offload::plots
