#include "summary_widget.h"

#include "studio_model.h"

#include "app/plots/format.h"
#include "app/qt_conversions.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <array>
#include <cmath>

namespace offload::studio {

using plots::formatBytes;
using plots::formatMs;
using plots::formatPercent;
using plots::formatRatio;

namespace {
QString signedMs(double seconds)
{
    return (seconds >= 0 ? QStringLiteral("+") : QStringLiteral("−")) + formatMs(std::abs(seconds));
}

QString signedPercent(double fraction)
{
    return QStringLiteral("%1%2 %").arg(fraction >= 0 ? QStringLiteral("+") : QStringLiteral("−")).arg(std::abs(fraction) * 100, 0, 'f', 1);
}

double relative(double now, double before) { return before != 0 ? now / before - 1 : 0; }

QString sourceColor(SparsitySource source)
{
    switch (source) {
    case SparsitySource::measured: return QStringLiteral("#009E73");
    case SparsitySource::paper: return QStringLiteral("#0072B2");
    case SparsitySource::assumed: return QStringLiteral("#B35900");
    case SparsitySource::derived: return QStringLiteral("#555555");
    }
    return QStringLiteral("#000000");
}
} // namespace

SummaryWidget::SummaryWidget(StudioModel& model, QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    provenance_ = new QLabel;
    provenance_->setWordWrap(true);
    provenance_->setTextFormat(Qt::RichText);
    provenance_->setFrameShape(QFrame::StyledPanel);
    provenance_->setMargin(6);
    // Long notes wrap to the dock's width instead of widening the dock (and the window).
    provenance_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    provenance_->setMinimumWidth(200);
    provenanceHelp_ = tr("Where the per-layer sparsity numbers come from: measured on real tensors, quoted from "
                         "a paper, assumed, or derived from the layers before. Compression ratios and stalls "
                         "are only as good as these numbers.");
    provenance_->setToolTip(provenanceHelp_);
    layout->addWidget(provenance_);
    feasibility_ = new QLabel;
    feasibility_->setWordWrap(true);
    feasibility_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    feasibility_->setStyleSheet(QStringLiteral("QLabel { color: white; background: #B22222; padding: 6px; font-weight: bold; }"));
    feasibility_->setToolTip(tr("Even with this policy, the peak GPU memory is above the memory budget: on a real "
                                "GPU this training would run out of memory."));
    feasibility_->hide(); // shown only for a result that does not fit
    layout->addWidget(feasibility_);

    grid_ = new QGridLayout;
    grid_->setHorizontalSpacing(12);
    grid_->setVerticalSpacing(4);
    deltaHeader_ = new QLabel(tr("vs baseline"));
    deltaHeader_->setWordWrap(true);
    deltaHeader_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    deltaHeader_->setMinimumWidth(60);
    deltaHeader_->setStyleSheet(QStringLiteral("color: #555;"));
    deltaHeader_->setToolTip(tr("Each value against the pinned baseline scenario: green is better (faster, less "
                                "memory), red is worse."));
    grid_->addWidget(deltaHeader_, 0, 2);
    addRow(QStringLiteral("iteration"), tr("Iteration"),
           tr("Simulated time of one training iteration: the forward pass, then the backward pass, including the "
              "time the GPU waits for copies (stalls)."));
    addRow(QStringLiteral("oracle"), tr("Oracle"),
           tr("The same network on a GPU with enough memory (vDNN's oracle): no offload, so no copies and no "
              "stalls. The overhead is measured against it."));
    addRow(QStringLiteral("overhead"), tr("Overhead"),
           tr("How much slower than the oracle: iteration time / oracle time − 1. 0 % means offloading costs no "
              "time."));
    addRow(QStringLiteral("speedup"), tr("Speedup"),
           tr("Iteration time of the same scenario without compression (codec none) divided by this one's: what "
              "the codec gains. 1× when the uncompressed copies were hidden behind compute anyway."));
    addRow(QStringLiteral("memory_baseline"), tr("Memory baseline"),
           tr("What the memory reductions are measured against. vDNN: vDNN's network-wide allocation (every "
              "tensor and its gradient, the weights and their gradients, and one convolution workspace sized for "
              "the largest, all resident the whole iteration), as the paper reports. Lean: the oracle's own "
              "timeline (tensors freed after their last reader)."));
    addRow(QStringLiteral("peak"), tr("Peak memory"),
           tr("Largest GPU memory in use at any moment of the iteration (activations, weights, gradients, "
              "workspace), and its change against the memory baseline. It must fit the memory budget."));
    addRow(QStringLiteral("average"), tr("Avg memory"),
           tr("Mean GPU memory over the layer steps of the forward and backward passes (vDNN's definition), and "
              "its change against the memory baseline."));
    addRow(QStringLiteral("algorithms"), tr("Convolutions"),
           tr("How the convolution algorithms were chosen, the largest workspace one layer holds, and how many "
              "layers vDNN-dyn moved off their fastest algorithm to fit."));
    addRow(QStringLiteral("d2h"), tr("Offloaded"),
           tr("Bytes offloaded GPU→host in one iteration: uncompressed → over the link (after the codec)."));
    addRow(QStringLiteral("h2d"), tr("Prefetched"),
           tr("Bytes prefetched host→GPU in one iteration: uncompressed → over the link (before decompression)."));
    addRow(QStringLiteral("utilisation"), tr("Link busy"),
           tr("Fraction of the iteration each link direction is busy: D2H carries the offloads, H2D the "
              "prefetches. Near 100 % the link is the bottleneck."));
    addRow(QStringLiteral("stalls"), tr("Stalls"),
           tr("Time the compute stream waited for copies: in the forward pass for offloads to finish, in the "
              "backward pass for prefetches to arrive."));
    addRow(QStringLiteral("offloaded"), tr("Offloaded layers"),
           tr("Activation tensors (layer outputs, or the network input) the policy offloads, out of the "
              "network's layers."));
    grid_->setColumnStretch(1, 1);
    layout->addLayout(grid_);
    layout->addStretch(1);

    connect(&model, &StudioModel::snapshotChanged, this, [this](SnapshotPtr snapshot) {
        snapshot_ = std::move(snapshot);
        update();
    });
    connect(&model, &StudioModel::selectionChanged, this, [this](int layer) {
        selectedLayer_ = layer;
        update();
    });
    snapshot_ = model.snapshot();
    selectedLayer_ = model.selectedLayer();
    update();
}

void SummaryWidget::addRow(const QString& key, const QString& title, const QString& toolTip)
{
    const int row = grid_->rowCount();
    auto* name = new QLabel(title);
    name->setToolTip(toolTip);
    auto* value = new QLabel;
    value->setToolTip(toolTip);
    value->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    value->setMinimumWidth(100);
    value->setWordWrap(true); // a narrow dock wraps a value at its spaces, never cuts it
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = value->font();
    bold.setBold(true);
    value->setFont(bold);
    auto* delta = new QLabel;
    delta->setToolTip(tr("Change against the pinned baseline."));
    delta->setWordWrap(true);
    delta->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    delta->setMinimumWidth(60);
    grid_->addWidget(name, row, 0);
    grid_->addWidget(value, row, 1);
    grid_->addWidget(delta, row, 2);
    values_[key] = value;
    deltas_[key] = delta;
}

QString SummaryWidget::valueText(const QString& key) const
{
    if (key == QLatin1String("provenance"))
        return provenance_->text();
    if (key == QLatin1String("feasibility"))
        return feasibility_->isVisibleTo(this) ? feasibility_->text() : QString();
    const auto it = values_.find(key);
    return it == values_.end() ? QString() : it->second->text();
}

QString SummaryWidget::deltaText(const QString& key) const
{
    const auto it = deltas_.find(key);
    return it == deltas_.end() ? QString() : it->second->text();
}

void SummaryWidget::update()
{
    if (!snapshot_)
        return;
    const auto& scenario = snapshot_->scenario;
    const auto& s = snapshot_->result->summary;
    const std::size_t layerCount = snapshot_->result->layers.size();

    values_[QStringLiteral("iteration")]->setText(formatMs(s.iteration_s));
    values_[QStringLiteral("oracle")]->setText(formatMs(s.oracle_s));
    values_[QStringLiteral("overhead")]->setText(signedPercent(s.overhead));
    values_[QStringLiteral("speedup")]->setText(formatRatio(s.speedup_vs_uncompressed));
    // Short enough for the dock's value column; the tooltips say the rest.
    values_[QStringLiteral("memory_baseline")]->setText(
        QStringLiteral("%1 (%2)").arg(formatBytes(s.baseline_peak_gpu_bytes),
                                      s.baseline == sim::BaselineKind::vdnn ? tr("vDNN") : tr("lean")));
    values_[QStringLiteral("peak")]->setText(
        QStringLiteral("%1 (%2)").arg(formatBytes(s.peak_gpu_bytes), signedPercent(-s.peak_reduction)));
    values_[QStringLiteral("average")]->setText(
        QStringLiteral("%1 (%2)").arg(formatBytes(s.avg_gpu_bytes), signedPercent(-s.avg_reduction)));
    QString choice;
    if (scenario.policy == sim::OffloadPolicy::dyn)
        choice = tr("dyn, %n slower", nullptr, s.downgraded_conv_layers);
    else
        choice = scenario.conv_algorithms == sim::AlgorithmPreference::performance ? tr("fastest") : tr("implicit GEMM");
    values_[QStringLiteral("algorithms")]->setText(
        s.workspace_peak_bytes > 0 ? tr("%1 · %2 ws").arg(choice, formatBytes(s.workspace_peak_bytes)) : choice);
    values_[QStringLiteral("d2h")]->setText(QStringLiteral("%1 → %2").arg(formatBytes(s.d2h_raw_bytes), formatBytes(s.d2h_wire_bytes)));
    values_[QStringLiteral("h2d")]->setText(QStringLiteral("%1 → %2").arg(formatBytes(s.h2d_raw_bytes), formatBytes(s.h2d_wire_bytes)));
    values_[QStringLiteral("utilisation")]->setText(
        QStringLiteral("D2H %1 · H2D %2").arg(formatPercent(s.d2h_utilization), formatPercent(s.h2d_utilization)));
    values_[QStringLiteral("stalls")]->setText(
        QStringLiteral("%1 fwd · %2 bwd").arg(formatMs(s.forward_stall_s).remove(QStringLiteral(" ms")), formatMs(s.backward_stall_s)));
    values_[QStringLiteral("offloaded")]->setText(tr("%1 of %2").arg(s.offloaded_layers).arg(layerCount));

    feasibility_->setVisible(!s.feasible);
    feasibility_->setText(tr("Does not fit the memory budget: %1").arg(QString::fromStdString(s.infeasible_reason)));

    // Sparsity provenance: counts per source over the layers, and the note of the selected
    // layer (or of the network default).
    if (countedNetwork_ != scenario.network) {
        // Per network, not per result: a million layers' provenance is not free.
        countedNetwork_ = scenario.network;
        sourceCounts_.fill(0);
        for (std::size_t i = 0; i < layerCount; ++i)
            ++sourceCounts_[static_cast<std::size_t>(scenario.network->provenance(static_cast<int>(i)).source)];
    }
    const std::array<int, 4>& counts = sourceCounts_;
    QStringList parts;
    for (auto source : {SparsitySource::measured, SparsitySource::paper, SparsitySource::assumed, SparsitySource::derived}) {
        const int n = counts[static_cast<std::size_t>(source)];
        if (n == 0)
            continue;
        parts << QStringLiteral("<span style='color:%1'><b>%2</b></span> %3")
                     .arg(sourceColor(source), toQString(sparsitySourceName(source)).toUpper())
                     .arg(n);
    }
    const int selected = selectedLayer_ < static_cast<int>(layerCount) ? selectedLayer_ : -1;
    const Provenance note = selected >= 0 ? scenario.network->provenance(selected) : scenario.network->network().default_provenance;
    const QString whose = selected >= 0 ? plots::layerName(scenario, selected) : tr("default");
    // The note's first sentence; the whole note (some are a paragraph of reasoning) is the
    // tooltip, so that a short screen keeps room for the numbers.
    const QString wholeNote = note.note.empty() ? tr("no note") : QString::fromStdString(note.note);
    QString shortNote = wholeNote;
    if (const auto end = shortNote.indexOf(QLatin1String(". ")); end >= 0 && end + 2 < shortNote.size())
        shortNote = shortNote.left(end + 1) + QStringLiteral(" …");
    provenance_->setText(tr("<b>Sparsity source</b> (layers): %1<br><small><i>%2: %3 — %4</i></small>")
                             .arg(parts.join(QStringLiteral(" · ")), whose.toHtmlEscaped(),
                                  toQString(sparsitySourceName(note.source)), shortNote.toHtmlEscaped()));
    provenance_->setToolTip(provenanceHelp_ + QStringLiteral("\n\n") + whose + QStringLiteral(": ") + wholeNote);

    // Deltas against the baseline: green when better (faster, less memory), red when worse.
    const auto& baseline = snapshot_->baseline;
    deltaHeader_->setVisible(baseline != nullptr);
    for (auto& [key, label] : deltas_) {
        label->clear();
        label->setVisible(baseline != nullptr);
    }
    if (!baseline)
        return;
    const auto& b = baseline->result->summary;
    deltaHeader_->setText(tr("vs %1").arg(baseline->label));
    auto put = [this](const char* key, const QString& text, double goodness) {
        QLabel* label = deltas_[QString::fromLatin1(key)];
        label->setText(text);
        const QString color = goodness > 1e-12 ? QStringLiteral("#007A55") : (goodness < -1e-12 ? QStringLiteral("#B22222") : QStringLiteral("#555"));
        label->setStyleSheet(QStringLiteral("color: %1;").arg(color));
    };
    put("iteration", QStringLiteral("%1 (%2)").arg(signedMs(s.iteration_s - b.iteration_s), signedPercent(relative(s.iteration_s, b.iteration_s))),
        b.iteration_s - s.iteration_s);
    put("oracle", signedMs(s.oracle_s - b.oracle_s), b.oracle_s - s.oracle_s);
    put("overhead", QStringLiteral("%1 pp").arg((s.overhead - b.overhead) * 100, 0, 'f', 1), b.overhead - s.overhead);
    put("speedup", QStringLiteral("%1×").arg(s.speedup_vs_uncompressed - b.speedup_vs_uncompressed, 0, 'f', 2),
        s.speedup_vs_uncompressed - b.speedup_vs_uncompressed);
    put("peak", signedPercent(relative(static_cast<double>(s.peak_gpu_bytes), static_cast<double>(b.peak_gpu_bytes))),
        static_cast<double>(b.peak_gpu_bytes) - static_cast<double>(s.peak_gpu_bytes));
    put("average", signedPercent(relative(static_cast<double>(s.avg_gpu_bytes), static_cast<double>(b.avg_gpu_bytes))),
        static_cast<double>(b.avg_gpu_bytes) - static_cast<double>(s.avg_gpu_bytes));
    put("d2h", signedPercent(relative(static_cast<double>(s.d2h_wire_bytes), static_cast<double>(b.d2h_wire_bytes))),
        static_cast<double>(b.d2h_wire_bytes) - static_cast<double>(s.d2h_wire_bytes));
    put("h2d", signedPercent(relative(static_cast<double>(s.h2d_wire_bytes), static_cast<double>(b.h2d_wire_bytes))),
        static_cast<double>(b.h2d_wire_bytes) - static_cast<double>(s.h2d_wire_bytes));
    put("utilisation", QStringLiteral("%1 pp").arg((s.d2h_utilization - b.d2h_utilization) * 100, 0, 'f', 1), 0);
    const double stallNow = s.forward_stall_s + s.backward_stall_s, stallBefore = b.forward_stall_s + b.backward_stall_s;
    put("stalls", signedMs(stallNow - stallBefore), stallBefore - stallNow);
    put("offloaded", QStringLiteral("%1%2").arg(s.offloaded_layers - b.offloaded_layers >= 0 ? "+" : "").arg(s.offloaded_layers - b.offloaded_layers), 0);
}

} // namespace offload::studio
