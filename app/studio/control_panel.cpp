#include "control_panel.h"

#include "studio_model.h"

#include "app/qt_conversions.h"
#include "core/byte_units.h"
#include "core/devices.h"
#include "core/input_error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <cmath>

namespace offload::studio {

namespace {
QString codecTitle(CodecId id)
{
    switch (id) {
    case CodecId::none: return QStringLiteral("None (uncompressed)");
    case CodecId::zvc: return QStringLiteral("ZVC — zero-value (cDMA)");
    case CodecId::rle: return QStringLiteral("RLE — run-length (cDMA)");
    case CodecId::zlib: return QStringLiteral("zlib (cDMA)");
    case CodecId::lz4: return QStringLiteral("LZ4");
    case CodecId::zstd: return QStringLiteral("zstd");
    case CodecId::jpeg_act: return QStringLiteral("JPEG-ACT (lossy)");
    case CodecId::dpr: return QStringLiteral("DPR — reduced precision (lossy)");
    }
    return {};
}

enum CodecPage { kNoParameter = 0, kJpegPage = 1, kDprPage = 2, kLevelPage = 3 };

QGroupBox* group(const QString& title, QFormLayout*& form)
{
    auto* box = new QGroupBox(title);
    form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return box;
}

template <typename Enum>
void selectData(QComboBox* combo, Enum value)
{
    combo->setCurrentIndex(combo->findData(static_cast<int>(value)));
}
} // namespace

int ControlPanel::sliderPositionFor(double gbps)
{
    const double clamped = std::clamp(gbps, kMinBandwidthGBps, kMaxBandwidthGBps);
    const double t = std::log(clamped / kMinBandwidthGBps) / std::log(kMaxBandwidthGBps / kMinBandwidthGBps);
    return static_cast<int>(std::lround(t * kSliderSteps));
}

double ControlPanel::bandwidthAt(int sliderPosition)
{
    const double t = static_cast<double>(std::clamp(sliderPosition, 0, kSliderSteps)) / kSliderSteps;
    const double gbps = kMinBandwidthGBps * std::pow(kMaxBandwidthGBps / kMinBandwidthGBps, t);
    // Three significant digits: the slider lands on values a lecturer can read out.
    const double magnitude = std::pow(10.0, std::floor(std::log10(gbps)) - 2);
    return std::round(gbps / magnitude) * magnitude;
}

ControlPanel::ControlPanel(StudioModel& model, QWidget* parent)
    : QWidget(parent)
    , model_(model)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(createWorkloadGroup());
    layout->addWidget(createHardwareGroup());
    layout->addWidget(createCompressionGroup());
    layout->addWidget(createPolicyGroup());
    layout->addStretch(1);

    populateNetworks();
    fitFieldsToDock();

    // The controls show the scenario as edited, at once (not the simulation, which may lag).
    connect(&model_, &StudioModel::scenarioChanged, this, &ControlPanel::syncFromState);
    syncFromState();
}

// Each create*Group builds its controls, then connects each control to the one setting it writes.
QGroupBox* ControlPanel::createWorkloadGroup()
{
    QFormLayout* form = nullptr;
    auto* box = group(tr("Workload"), form);
    network_ = new QComboBox;
    network_->setToolTip(tr("The network being trained: a bundled sample, or any network file (Open network file...)."));
    form->addRow(tr("&Network"), network_);
    batch_ = new QSpinBox;
    batch_->setRange(1, 65536);
    batch_->setToolTip(tr("Minibatch size: activations (and so offload traffic) grow linearly with it."));
    form->addRow(tr("&Batch"), batch_);
    dtype_ = new QComboBox;
    for (auto t : {DType::fp32, DType::fp16, DType::bf16})
        dtype_->addItem(toQString(dtypeName(t)), static_cast<int>(t));
    dtype_->setToolTip(tr("Element type of activations: fp16/bf16 halve the bytes to move and use faster math."));
    form->addRow(tr("&Dtype"), dtype_);
    progress_ = new QSlider(Qt::Horizontal);
    progress_->setRange(0, 100);
    progress_->setToolTip(tr("Training progress (0 % = first minibatch, 100 % = trained). Sparsity builds up during "
                             "training, so compression ratios grow with it."));
    progressLabel_ = new QLabel;
    progressLabel_->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("100 %  ")));
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(progress_, 1);
    progressRow->addWidget(progressLabel_);
    auto* progressTitle = new QLabel(tr("&Progress"));
    progressTitle->setBuddy(progress_);
    form->addRow(progressTitle, progressRow);

    connect(network_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        const QString path = network_->itemData(index).toString();
        if (path.isEmpty()) {
            syncFromState(); // restore the current entry, then ask for a file
            emit openNetworkRequested();
            return;
        }
        if (path == model_.networkPath() || path == QLatin1String("embedded:"))
            return;
        try {
            model_.setNetworkFile(path);
        } catch (const InputError& e) {
            syncFromState();
            emit networkLoadFailed(QString::fromStdString(e.what()));
        }
    });
    connect(batch_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int v) { edit([&](sim::ScenarioEdit& e) { e.batch = v; }); });
    connect(dtype_, qOverload<int>(&QComboBox::activated), this,
            [this](int) { edit([&](sim::ScenarioEdit& e) { e.dtype = static_cast<DType>(dtype_->currentData().toInt()); }); });
    connect(progress_, &QSlider::valueChanged, this, [this](int v) { edit([&](sim::ScenarioEdit& e) { e.progress = v / 100.0; }); });
    return box;
}

QGroupBox* ControlPanel::createHardwareGroup()
{
    QFormLayout* form = nullptr;
    auto* box = group(tr("Hardware"), form);
    gpu_ = new QComboBox;
    for (const auto& g : gpuPresets())
        gpu_->addItem(QString::fromStdString(g.name), QString::fromStdString(g.id));
    gpu_->setToolTip(tr("GPU preset: peak FLOP/s, DRAM bandwidth and memory size from the data sheet."));
    form->addRow(tr("&GPU"), gpu_);
    // DeLTA's what-if: grow one resource of the GPU and see which one the offload pipeline needs.
    auto* scaleRow = new QHBoxLayout;
    scaleRow->setContentsMargins(0, 0, 0, 0);
    const std::pair<QDoubleSpinBox**, QString> scales[] = {
        {&computeScale_, tr("compute: FP32/FP16 peaks and L1 bandwidth (more or faster SMs)")},
        {&l2Scale_, tr("L2 bandwidth")},
        {&dramScale_, tr("DRAM bandwidth")}};
    for (const auto& [spin, what] : scales) {
        *spin = new QDoubleSpinBox;
        (*spin)->setRange(0.1, 64);
        (*spin)->setDecimals(2);
        (*spin)->setSingleStep(0.25);
        (*spin)->setPrefix(QStringLiteral("\u00D7"));
        (*spin)->setButtonSymbols(QAbstractSpinBox::NoButtons); // three to a row: room for the digits
        (*spin)->setToolTip(tr("What if the GPU had this multiple of its %1? 1 = as described. Applies to every GPU "
                               "of the sweeps too; saved in the scenario as \"gpu_scale\".")
                                .arg(what));
        scaleRow->addWidget(*spin, 1);
    }
    auto* scaleWidget = new QWidget;
    scaleWidget->setLayout(scaleRow);
    auto* scaleTitle = new QLabel(tr("Scale"));
    scaleTitle->setToolTip(tr("What-if scaling of the GPU: compute, L2 bandwidth, DRAM bandwidth."));
    form->addRow(scaleTitle, scaleWidget);
    link_ = new QComboBox;
    for (const auto& l : linkPresets())
        link_->addItem(QString::fromStdString(l.name), QString::fromStdString(l.id));
    link_->setToolTip(tr("CPU-GPU link preset: bandwidth per direction and per-transfer latency."));
    form->addRow(tr("&Link"), link_);
    bandwidthSlider_ = new QSlider(Qt::Horizontal);
    bandwidthSlider_->setRange(0, kSliderSteps);
    bandwidthSlider_->setPageStep(kSliderSteps / 20);
    bandwidthSlider_->setToolTip(tr("Link bandwidth per direction, log scale from %1 to %2 GB/s. Drag it and watch the "
                                    "stalls appear or vanish.").arg(kMinBandwidthGBps).arg(kMaxBandwidthGBps));
    bandwidthSpin_ = new QDoubleSpinBox;
    bandwidthSpin_->setRange(0.01, 10000);
    bandwidthSpin_->setDecimals(2);
    bandwidthSpin_->setSuffix(tr(" GB/s"));
    bandwidthSpin_->setKeyboardTracking(false);
    bandwidthSpin_->setToolTip(tr("Link bandwidth per direction in GB/s (10^9 bytes per second)."));
    form->addRow(tr("Band&width"), bandwidthSlider_);
    form->addRow(QString(), bandwidthSpin_);
    budget_ = new QDoubleSpinBox;
    budget_->setRange(0, 4096);
    budget_->setDecimals(1);
    budget_->setSingleStep(0.5);
    budget_->setSuffix(tr(" GiB"));
    budget_->setSpecialValueText(tr("GPU memory"));
    budget_->setKeyboardTracking(false);
    budget_->setToolTip(tr("Memory budget for vDNN-dyn and the feasibility check; at 0 it is the GPU's memory."));
    form->addRow(tr("&Memory budget"), budget_);

    for (auto* spin : {computeScale_, l2Scale_, dramScale_})
        connect(spin, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double) {
            edit([&](sim::ScenarioEdit& e) {
                e.gpu_scale = sim::ResourceScale{computeScale_->value(), l2Scale_->value(), dramScale_->value()};
            });
        });
    connect(gpu_, qOverload<int>(&QComboBox::activated), this,
            [this](int) { edit([&](sim::ScenarioEdit& e) { e.gpu_preset = gpu_->currentData().toString().toStdString(); }); });
    connect(link_, qOverload<int>(&QComboBox::activated), this,
            [this](int) {
                const std::string id = link_->currentData().toString().toStdString();
                if (findLinkPreset(id)) // "custom" is set by the bandwidth, not picked
                    edit([&](sim::ScenarioEdit& e) { e.link_preset = id; });
            });
    connect(bandwidthSlider_, &QSlider::valueChanged, this,
            [this](int pos) { edit([&](sim::ScenarioEdit& e) { e.bandwidth_bytes_per_s = bandwidthAt(pos) * 1e9; }); });
    connect(bandwidthSpin_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            [this](double gbps) { edit([&](sim::ScenarioEdit& e) { e.bandwidth_bytes_per_s = gbps * 1e9; }); });
    connect(budget_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double gib) {
        edit([&](sim::ScenarioEdit& e) {
            e.memory_budget_bytes = gib <= 0 ? std::nullopt : std::optional<std::uint64_t>(static_cast<std::uint64_t>(gib * kBytesPerGiB));
        });
    });
    return box;
}

QGroupBox* ControlPanel::createCompressionGroup()
{
    QFormLayout* form = nullptr;
    auto* box = group(tr("Compression"), form);
    codec_ = new QComboBox;
    for (auto id : allCodecIds())
        codec_->addItem(codecTitle(id), static_cast<int>(id));
    codec_->setToolTip(tr("How offloaded activations are compressed. ZVC/RLE/zlib are cDMA's lossless codecs; "
                          "JPEG-ACT and DPR are lossy and trade accuracy for ratio."));
    form->addRow(tr("&Codec"), codec_);
    codecParams_ = new QStackedWidget;
    auto* noParam = new QLabel(tr("no parameter"));
    noParam->setEnabled(false);
    codecParams_->addWidget(noParam);
    auto* jpegPage = new QWidget;
    auto* jpegRow = new QHBoxLayout(jpegPage);
    jpegRow->setContentsMargins(0, 0, 0, 0);
    jpegQuality_ = new QComboBox;
    for (int q : {95, 90, 80, 50})
        jpegQuality_->addItem(tr("quality %1").arg(q), q);
    jpegQuality_->setToolTip(tr("JPEG-ACT quantization table: lower quality = coarser quantization = higher ratio, more error."));
    jpegShift_ = new QCheckBox(tr("shift tables"));
    jpegShift_->setToolTip(tr("Power-of-two (\"SH\") quantization tables that hardware applies as shifts."));
    jpegRow->addWidget(jpegQuality_, 1);
    jpegRow->addWidget(jpegShift_);
    codecParams_->addWidget(jpegPage);
    dprFormat_ = new QComboBox;
    for (auto f : {DprFormat::fp16, DprFormat::bf16, DprFormat::fp8_e4m3})
        dprFormat_->addItem(toQString(dprFormatName(f)), static_cast<int>(f));
    dprFormat_->setToolTip(tr("Storage format of DPR (GIST's delayed precision reduction)."));
    codecParams_->addWidget(dprFormat_);
    auto* levelPage = new QWidget;
    auto* levelRow = new QHBoxLayout(levelPage);
    levelRow->setContentsMargins(0, 0, 0, 0);
    codecLevelLabel_ = new QLabel;
    codecLevel_ = new QSpinBox;
    codecLevel_->setToolTip(tr("Compression level: higher compresses more and runs slower."));
    levelRow->addWidget(codecLevelLabel_);
    levelRow->addWidget(codecLevel_, 1);
    codecParams_->addWidget(levelPage);
    form->addRow(tr("Parameter"), codecParams_);
    engine_ = new QComboBox;
    engine_->addItem(tr("DMA engine (cDMA)"), static_cast<int>(sim::EngineKind::dma));
    engine_->addItem(tr("SM kernels (software)"), static_cast<int>(sim::EngineKind::sm));
    engine_->setToolTip(tr("Where compression runs: in the copy path next to the memory controller (free for compute), "
                           "or as GPU kernels that take compute time."));
    form->addRow(tr("&Engine"), engine_);
    engineThroughput_ = new QDoubleSpinBox;
    engineThroughput_->setRange(0, 100000);
    engineThroughput_->setDecimals(0);
    engineThroughput_->setSingleStep(10);
    engineThroughput_->setSuffix(tr(" GB/s"));
    engineThroughput_->setSpecialValueText(tr("unlimited"));
    engineThroughput_->setKeyboardTracking(false);
    engineThroughput_->setToolTip(tr("Engine throughput in uncompressed GB/s (0 = unlimited, DMA only)."));
    form->addRow(tr("Throughput"), engineThroughput_);

    connect(codec_, qOverload<int>(&QComboBox::activated), this,
            [this](int) { edit([&](sim::ScenarioEdit& e) { e.codec = static_cast<CodecId>(codec_->currentData().toInt()); }); });
    connect(jpegQuality_, qOverload<int>(&QComboBox::activated), this, [this](int) { applyCodecParams(); });
    connect(jpegShift_, &QCheckBox::toggled, this, [this](bool) { applyCodecParams(); });
    connect(dprFormat_, qOverload<int>(&QComboBox::activated), this, [this](int) { applyCodecParams(); });
    connect(codecLevel_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { applyCodecParams(); });
    connect(engine_, qOverload<int>(&QComboBox::activated), this, [this](int) { applyEngine(); });
    connect(engineThroughput_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double) { applyEngine(); });
    return box;
}

QGroupBox* ControlPanel::createPolicyGroup()
{
    QFormLayout* form = nullptr;
    auto* box = group(tr("Offload policy"), form);
    policy_ = new QComboBox;
    policy_->addItem(tr("none (keep all on GPU)"), static_cast<int>(sim::OffloadPolicy::none));
    policy_->addItem(tr("vDNN-all"), static_cast<int>(sim::OffloadPolicy::all));
    policy_->addItem(tr("vDNN-conv"), static_cast<int>(sim::OffloadPolicy::conv));
    policy_->addItem(tr("vDNN-dyn"), static_cast<int>(sim::OffloadPolicy::dyn));
    policy_->addItem(tr("fastest fit"), static_cast<int>(sim::OffloadPolicy::fastest_fit));
    policy_->addItem(tr("manual (from file)"), static_cast<int>(sim::OffloadPolicy::manual));
    policy_->setToolTip(tr("Which activations are offloaded: every layer's input (all), only CONV inputs (conv), or "
                           "vDNN-dyn as published (no offload, then conv, then all, then slower convolution algorithms until it "
                           "fits), or the fastest of none/conv/all/largest tensors that fits (fastest fit)."));
    form->addRow(tr("P&olicy"), policy_);
    prefetch_ = new QComboBox;
    prefetch_->addItem(tr("vDNN (one layer ahead)"), static_cast<int>(sim::PrefetchPolicy::vdnn));
    prefetch_->addItem(tr("eager (N tensors ahead)"), static_cast<int>(sim::PrefetchPolicy::eager));
    prefetch_->setToolTip(tr("When a stashed activation is copied back: vDNN prefetches the next one while the current "
                             "layer runs backward; eager keeps N transfers in flight."));
    eagerDepth_ = new QSpinBox;
    eagerDepth_->setRange(1, 64);
    eagerDepth_->setSuffix(tr(" tensors"));
    eagerDepth_->setToolTip(tr("Eager prefetch: tensors in flight ahead of the backward pass."));
    form->addRow(tr("P&refetch"), prefetch_);
    // On its own row: beside the policy it would set the dock's minimum width.
    form->addRow(tr("Eager &depth"), eagerDepth_);
    sync_ = new QComboBox;
    sync_->addItem(tr("vDNN (sync every layer)"), static_cast<int>(sim::SyncPolicy::vdnn));
    sync_->addItem(tr("relaxed (sync on use)"), static_cast<int>(sim::SyncPolicy::relaxed));
    sync_->setToolTip(tr("vDNN synchronises both streams after every layer, so a slow copy stalls the next layer; "
                         "relaxed waits only when the data is needed or its memory is reused."));
    form->addRow(tr("&Sync"), sync_);
    convAlgorithms_ = new QComboBox;
    convAlgorithms_->addItem(tr("performance-optimal"), static_cast<int>(sim::AlgorithmPreference::performance));
    convAlgorithms_->addItem(tr("memory-optimal"), static_cast<int>(sim::AlgorithmPreference::memory));
    convAlgorithms_->setToolTip(tr("cuDNN convolution algorithm per layer: the fastest (its workspace counts against "
                                   "memory) or the one with the least workspace. vDNN-dyn chooses per layer itself."));
    form->addRow(tr("Con&volutions"), convAlgorithms_);
    memoryBaseline_ = new QComboBox;
    memoryBaseline_->addItem(tr("vDNN allocation"), static_cast<int>(sim::BaselineKind::vdnn));
    memoryBaseline_->addItem(tr("lean oracle"), static_cast<int>(sim::BaselineKind::lean));
    memoryBaseline_->setToolTip(tr("What memory reductions are measured against: vDNN's network-wide allocation (as "
                                   "the paper reports) or the oracle's own lean timeline."));
    form->addRow(tr("Memory &baseline"), memoryBaseline_);
    computeModel_ = new QComboBox;
    computeModel_->addItem(tr("roofline"), static_cast<int>(sim::ComputeModelKind::roofline));
    computeModel_->addItem(tr("DeLTA (memory hierarchy)"), static_cast<int>(sim::ComputeModelKind::delta));
    computeModel_->setToolTip(tr("How layer times are estimated where the network has no measured ones: a roofline "
                                 "at 70 % of peak, or DeLTA's tiles, waves and L1/L2/DRAM traffic (hover a bar "
                                 "to see what bounds a layer)."));
    form->addRow(tr("Layer &times"), computeModel_);

    connect(policy_, qOverload<int>(&QComboBox::activated), this,
            [this](int) { edit([&](sim::ScenarioEdit& e) { e.policy = static_cast<sim::OffloadPolicy>(policy_->currentData().toInt()); }); });
    connect(prefetch_, qOverload<int>(&QComboBox::activated), this, [this](int) { applyPrefetch(); });
    connect(eagerDepth_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int) { applyPrefetch(); });
    connect(sync_, qOverload<int>(&QComboBox::activated), this,
            [this](int) { edit([&](sim::ScenarioEdit& e) { e.sync = static_cast<sim::SyncPolicy>(sync_->currentData().toInt()); }); });
    connect(convAlgorithms_, qOverload<int>(&QComboBox::activated), this, [this](int) {
        edit([&](sim::ScenarioEdit& e) { e.conv_algorithms = static_cast<sim::AlgorithmPreference>(convAlgorithms_->currentData().toInt()); });
    });
    connect(memoryBaseline_, qOverload<int>(&QComboBox::activated), this, [this](int) {
        edit([&](sim::ScenarioEdit& e) { e.baseline = static_cast<sim::BaselineKind>(memoryBaseline_->currentData().toInt()); });
    });
    connect(computeModel_, qOverload<int>(&QComboBox::activated), this, [this](int) {
        edit([&](sim::ScenarioEdit& e) { e.compute_model = static_cast<sim::ComputeModelKind>(computeModel_->currentData().toInt()); });
    });
    return box;
}

void ControlPanel::fitFieldsToDock()
{
    // Long preset names must not widen the dock: combos shrink and elide, the tooltip and the
    // open list show the whole name.
    for (auto* combo : findChildren<QComboBox*>()) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(8);
    }
    // Fields take the width the dock gives them; their own size hints (ranges up to 100000 GB/s)
    // would otherwise set a dock wider than a 1280 px screen allows.
    for (QWidget* field : findChildren<QWidget*>()) {
        if (qobject_cast<QComboBox*>(field) || qobject_cast<QAbstractSpinBox*>(field)) {
            field->setSizePolicy(QSizePolicy::Ignored, field->sizePolicy().verticalPolicy());
            field->setMinimumWidth(90);
        }
    }
    // The three scale factors share one row.
    for (auto* spin : {computeScale_, l2Scale_, dramScale_})
        spin->setMinimumWidth(44);
}

void ControlPanel::populateNetworks()
{
    const QSignalBlocker block(network_);
    network_->clear();
    const QDir dir(samplesDirectory() + QStringLiteral("/networks"));
    for (const QFileInfo& file : dir.entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        network_->addItem(file.completeBaseName(), file.absoluteFilePath());
    network_->insertSeparator(network_->count());
    network_->addItem(tr("Open network file..."), QString());
}

void ControlPanel::edit(const std::function<void(sim::ScenarioEdit&)>& fill)
{
    sim::ScenarioEdit change;
    fill(change);
    try {
        model_.apply(change);
    } catch (const InputError& e) {
        // The widgets' ranges keep values valid; should one slip through, show the truth again.
        syncFromState();
        emit editRejected(QString::fromStdString(e.what()));
    }
}

void ControlPanel::applyCodecParams()
{
    CodecParams params = model_.scenario().codec_params;
    params.jpeg_quality = jpegQuality_->currentData().toInt();
    params.jpeg_shift_tables = jpegShift_->isChecked();
    params.dpr = static_cast<DprFormat>(dprFormat_->currentData().toInt());
    switch (model_.scenario().codec) {
    case CodecId::zlib: params.zlib_level = codecLevel_->value(); break;
    case CodecId::zstd: params.zstd_level = codecLevel_->value(); break;
    case CodecId::lz4: params.lz4_acceleration = codecLevel_->value(); break;
    default: break;
    }
    edit([&](sim::ScenarioEdit& e) { e.codec_params = params; });
}

void ControlPanel::applyEngine()
{
    edit([&](sim::ScenarioEdit& e) {
        e.engine = static_cast<sim::EngineKind>(engine_->currentData().toInt());
        e.engine_bytes_per_s = engineThroughput_->value() * 1e9;
    });
}

void ControlPanel::applyPrefetch()
{
    edit([&](sim::ScenarioEdit& e) {
        e.prefetch = static_cast<sim::PrefetchPolicy>(prefetch_->currentData().toInt());
        e.eager_depth = eagerDepth_->value();
    });
}

void ControlPanel::updateProgressLabel()
{
    progressLabel_->setText(QStringLiteral("%1 %").arg(progress_->value()));
}

void ControlPanel::syncFromState()
{
    if (!model_.hasScenario()) {
        setEnabled(false);
        return;
    }
    setEnabled(true);
    const auto& s = model_.scenario();
    const QList<QWidget*> all{network_, batch_, dtype_, gpu_, computeScale_, l2Scale_, dramScale_, link_, bandwidthSlider_, bandwidthSpin_, codec_, jpegQuality_,
                              jpegShift_, dprFormat_, codecLevel_, engine_, engineThroughput_, policy_, prefetch_,
                              eagerDepth_, sync_, convAlgorithms_, memoryBaseline_, computeModel_, budget_,
                              progress_};
    std::vector<std::unique_ptr<QSignalBlocker>> blockers;
    for (auto* w : all)
        blockers.push_back(std::make_unique<QSignalBlocker>(w));

    // An embedded network has no path; the empty path must not match "Open network file...",
    // whose data is empty too.
    int networkIndex = model_.networkPath().isEmpty() ? -1 : network_->findData(model_.networkPath());
    if (networkIndex < 0) {
        // A network from elsewhere (opened file or embedded): list it for what it is.
        const QString name = QString::fromStdString(s.network->network().name);
        const QString path = model_.networkPath();
        for (int i = network_->count() - 1; i >= 0; --i)
            if (network_->itemData(i, Qt::UserRole + 1).toBool())
                network_->removeItem(i);
        network_->insertItem(0, path.isEmpty() ? tr("%1 (embedded)").arg(name) : QFileInfo(path).completeBaseName(),
                             path.isEmpty() ? QStringLiteral("embedded:") : path);
        network_->setItemData(0, true, Qt::UserRole + 1);
        networkIndex = 0;
    }
    network_->setCurrentIndex(networkIndex);
    network_->setToolTip(tr("The network being trained: a bundled sample, or any network file.\nNow: %1 (%2 layers)%3")
                             .arg(QString::fromStdString(s.network->network().name))
                             .arg(s.network->size())
                             .arg(model_.networkPath().isEmpty() ? QString() : QStringLiteral("\n") + model_.networkPath()));
    batch_->setValue(static_cast<int>(s.batch));
    selectData(dtype_, s.dtype);
    progress_->setValue(static_cast<int>(std::lround(s.progress * 100)));
    updateProgressLabel();

    int gpuIndex = gpu_->findData(QString::fromStdString(s.gpu.id));
    if (gpuIndex < 0) {
        gpu_->addItem(QString::fromStdString(s.gpu.name.empty() ? s.gpu.id : s.gpu.name), QString::fromStdString(s.gpu.id));
        gpuIndex = gpu_->count() - 1;
    }
    gpu_->setCurrentIndex(gpuIndex);
    computeScale_->setValue(s.gpu_scale.compute);
    l2Scale_->setValue(s.gpu_scale.l2);
    dramScale_->setValue(s.gpu_scale.dram);
    int linkIndex = link_->findData(QString::fromStdString(s.link.id));
    if (linkIndex < 0) {
        linkIndex = link_->findData(QStringLiteral("custom"));
        if (linkIndex < 0) {
            link_->addItem(tr("Custom (set below)"), QStringLiteral("custom"));
            linkIndex = link_->count() - 1;
        }
    }
    link_->setCurrentIndex(linkIndex);
    const double gbps = std::min(s.link.d2h_bytes_per_s, s.link.h2d_bytes_per_s) / 1e9;
    if (std::abs(bandwidthAt(bandwidthSlider_->value()) - gbps) > 1e-9)
        bandwidthSlider_->setValue(sliderPositionFor(gbps));
    bandwidthSpin_->setValue(gbps);
    budget_->setValue(s.memory_budget_bytes ? bytesToGiB(static_cast<double>(*s.memory_budget_bytes)) : 0.0);

    selectData(codec_, s.codec);
    jpegQuality_->setCurrentIndex(std::max(0, jpegQuality_->findData(s.codec_params.jpeg_quality)));
    jpegShift_->setChecked(s.codec_params.jpeg_shift_tables);
    selectData(dprFormat_, s.codec_params.dpr);
    switch (s.codec) {
    case CodecId::jpeg_act: codecParams_->setCurrentIndex(kJpegPage); break;
    case CodecId::dpr: codecParams_->setCurrentIndex(kDprPage); break;
    case CodecId::zlib:
        codecParams_->setCurrentIndex(kLevelPage);
        codecLevelLabel_->setText(tr("level"));
        codecLevel_->setRange(1, 9);
        codecLevel_->setValue(s.codec_params.zlib_level);
        break;
    case CodecId::zstd:
        codecParams_->setCurrentIndex(kLevelPage);
        codecLevelLabel_->setText(tr("level"));
        codecLevel_->setRange(1, 19);
        codecLevel_->setValue(s.codec_params.zstd_level);
        break;
    case CodecId::lz4:
        codecParams_->setCurrentIndex(kLevelPage);
        codecLevelLabel_->setText(tr("acceleration"));
        codecLevel_->setRange(1, 64);
        codecLevel_->setValue(s.codec_params.lz4_acceleration);
        break;
    default: codecParams_->setCurrentIndex(kNoParameter); break;
    }
    selectData(engine_, s.engine);
    engineThroughput_->setValue(s.engine_bytes_per_s / 1e9);
    engineThroughput_->setEnabled(s.codec != CodecId::none);
    engine_->setEnabled(s.codec != CodecId::none);
    selectData(policy_, s.policy);
    selectData(prefetch_, s.prefetch);
    eagerDepth_->setValue(s.eager_depth);
    eagerDepth_->setEnabled(s.prefetch == sim::PrefetchPolicy::eager);
    selectData(sync_, s.sync);
    selectData(convAlgorithms_, s.conv_algorithms);
    convAlgorithms_->setEnabled(s.policy != sim::OffloadPolicy::dyn);
    selectData(memoryBaseline_, s.baseline);
    selectData(computeModel_, s.compute_model);
}

} // namespace offload::studio
