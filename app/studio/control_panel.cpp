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

// What each codec stores, for the codec list's hover help.
QString codecToolTip(CodecId id)
{
    switch (id) {
    case CodecId::none: return QObject::tr("No compression: activations cross the link as they are.");
    case CodecId::zvc:
        return QObject::tr("Zero-value compression (cDMA), lossless: per group of 32 values, a 32-bit mask marks the "
                           "non-zero ones and only those are stored. fp32 at density d (fraction non-zero): ratio "
                           "32 / (1 + 32 d).");
    case CodecId::rle:
        return QObject::tr("Run-length encoding (cDMA), lossless: records of a zero count and a literal count (one "
                           "byte each) followed by the non-zero values. Best on long runs of zeros.");
    case CodecId::zlib:
        return QObject::tr("zlib (DEFLATE), lossless: the general-purpose codec cDMA compares with. The simulator's "
                           "ratio is a fit at level 6.");
    case CodecId::lz4:
        return QObject::tr("LZ4, lossless: fast general-purpose compression. The simulator's ratio is a fit at "
                           "acceleration 1.");
    case CodecId::zstd:
        return QObject::tr("zstd (Zstandard), lossless general-purpose compression. The simulator's ratio is a fit "
                           "at level 3.");
    case CodecId::jpeg_act:
        return QObject::tr("JPEG-ACT (ISCA 2020), lossy: each channel is treated as an image: 8-bit fixed point, 8x8 "
                           "DCT, divided by a quantization table, then ZVC of the coefficients. Higher ratios, at "
                           "some error.");
    case CodecId::dpr:
        return QObject::tr("DPR (GIST's delayed precision reduction), lossy: every value is stored in a narrower "
                           "format (fp16, bf16 or fp8) while offloaded.");
    }
    return {};
}

QString gpuToolTip(const GpuSpec& g)
{
    return QObject::tr("%1 TFLOPS FP32, %2 GB/s DRAM, %3 GiB of memory.\nSource: %4")
        .arg(g.peak_flops / 1e12, 0, 'g', 4)
        .arg(g.dram_bytes_per_s / 1e9, 0, 'g', 4)
        .arg(bytesToGiB(static_cast<double>(g.memory_bytes)), 0, 'f', 1)
        .arg(QString::fromStdString(g.citation));
}

QString linkToolTip(const LinkSpec& l)
{
    return QObject::tr("%1 GB/s GPU→host, %2 GB/s host→GPU, %3 µs per transfer; %4.\nSource: %5")
        .arg(l.d2h_bytes_per_s / 1e9, 0, 'g', 4)
        .arg(l.h2d_bytes_per_s / 1e9, 0, 'g', 4)
        .arg(l.latency_s * 1e6, 0, 'g', 3)
        .arg(l.full_duplex ? QObject::tr("both directions at once") : QObject::tr("one direction at a time"))
        .arg(QString::fromStdString(l.citation));
}

// An entry of a list with its own hover help.
void addItem(QComboBox* combo, const QString& text, const QVariant& data, const QString& toolTip)
{
    combo->addItem(text, data);
    combo->setItemData(combo->count() - 1, toolTip, Qt::ToolTipRole);
}

// A row's title gives the same hover help as its field, so that either explains the setting.
void explainRowTitles(QFormLayout* form)
{
    for (int row = 0; row < form->rowCount(); ++row) {
        QLayoutItem* label = form->itemAt(row, QFormLayout::LabelRole);
        QLayoutItem* field = form->itemAt(row, QFormLayout::FieldRole);
        if (!label || !label->widget() || !field || !label->widget()->toolTip().isEmpty())
            continue;
        QWidget* fieldWidget = field->widget();
        if (!fieldWidget && field->layout() && field->layout()->count() > 0)
            fieldWidget = field->layout()->itemAt(0)->widget();
        if (fieldWidget)
            label->widget()->setToolTip(fieldWidget->toolTip());
    }
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
    for (auto* form : findChildren<QFormLayout*>())
        explainRowTitles(form);

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
    addItem(dtype_, toQString(dtypeName(DType::fp32)), static_cast<int>(DType::fp32),
            tr("32-bit floats: 4 bytes per activation."));
    addItem(dtype_, toQString(dtypeName(DType::fp16)), static_cast<int>(DType::fp16),
            tr("16-bit IEEE half floats: 2 bytes per activation, and the GPU's FP16 peak (tensor cores where "
               "present)."));
    addItem(dtype_, toQString(dtypeName(DType::bf16)), static_cast<int>(DType::bf16),
            tr("16-bit bfloat16 (fp32's range, fewer mantissa bits): 2 bytes per activation, and the GPU's FP16 "
               "peak (tensor cores where present)."));
    dtype_->setToolTip(tr("Element type of activations: fp16/bf16 halve the bytes to move and use faster math."));
    form->addRow(tr("&Dtype"), dtype_);
    progress_ = new QSlider(Qt::Horizontal);
    progress_->setRange(0, 100);
    progress_->setToolTip(tr("Training progress (0 % = first minibatch, 100 % = trained). Sparsity builds up during "
                             "training, so compression ratios grow with it."));
    progressLabel_ = new QLabel;
    progressLabel_->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("100 %  ")));
    progressLabel_->setToolTip(progress_->toolTip());
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
        addItem(gpu_, QString::fromStdString(g.name), QString::fromStdString(g.id), gpuToolTip(g));
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
        addItem(link_, QString::fromStdString(l.name), QString::fromStdString(l.id), linkToolTip(l));
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
    budget_->setToolTip(tr("GPU memory the training may use. vDNN-dyn and fastest fit choose what fits in it, and a "
                           "result above it is reported as not fitting. At 0: the GPU's memory less what its CUDA "
                           "context takes."));
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
        addItem(codec_, codecTitle(id), static_cast<int>(id), codecToolTip(id));
    codec_->setToolTip(tr("Codec: how offloaded activations are compressed before they cross the link (and "
                          "decompressed when prefetched). Fewer bytes on the link mean shorter copies and fewer "
                          "stalls. ZVC, RLE and zlib are cDMA's lossless codecs, LZ4 and zstd general-purpose "
                          "peers; JPEG-ACT and DPR are lossy and trade accuracy for ratio. The ratio follows each "
                          "layer's sparsity (hover an entry for its format)."));
    form->addRow(tr("&Codec"), codec_);
    codecParams_ = new QStackedWidget;
    codecParams_->setToolTip(tr("The setting of the chosen codec: JPEG-ACT's quantization table, DPR's storage "
                                "format, zlib's or zstd's level or LZ4's acceleration. ZVC, RLE and none have none."));
    auto* noParam = new QLabel(tr("no parameter"));
    noParam->setEnabled(false);
    noParam->setToolTip(tr("This codec has no setting."));
    codecParams_->addWidget(noParam);
    auto* jpegPage = new QWidget;
    auto* jpegRow = new QHBoxLayout(jpegPage);
    jpegRow->setContentsMargins(0, 0, 0, 0);
    jpegQuality_ = new QComboBox;
    for (int q : {95, 90, 80, 50})
        jpegQuality_->addItem(tr("quality %1").arg(q), q);
    jpegQuality_->setToolTip(tr("JPEG-ACT quantization table: lower quality = coarser quantization = higher ratio, more error."));
    jpegShift_ = new QCheckBox(tr("shift tables"));
    jpegShift_->setToolTip(tr("Power-of-two (\"SH\") quantization tables that hardware applies as shifts. The "
                              "simulator's ratio model does not depend on it; the real codec on captured tensors "
                              "(sparsity explorer) does."));
    jpegRow->addWidget(jpegQuality_, 1);
    jpegRow->addWidget(jpegShift_);
    codecParams_->addWidget(jpegPage);
    dprFormat_ = new QComboBox;
    addItem(dprFormat_, toQString(dprFormatName(DprFormat::fp16)), static_cast<int>(DprFormat::fp16),
            tr("IEEE half: 2 bytes per value, 10 mantissa bits."));
    addItem(dprFormat_, toQString(dprFormatName(DprFormat::bf16)), static_cast<int>(DprFormat::bf16),
            tr("bfloat16: 2 bytes per value, fp32's range, 7 mantissa bits."));
    addItem(dprFormat_, toQString(dprFormatName(DprFormat::fp8_e4m3)), static_cast<int>(DprFormat::fp8_e4m3),
            tr("fp8 E4M3: 1 byte per value, 3 mantissa bits, saturating at ±448."));
    dprFormat_->setToolTip(tr("Storage format of DPR (GIST's delayed precision reduction): every value is rounded to "
                              "it while offloaded, so fewer bytes cross the link."));
    codecParams_->addWidget(dprFormat_);
    auto* levelPage = new QWidget;
    auto* levelRow = new QHBoxLayout(levelPage);
    levelRow->setContentsMargins(0, 0, 0, 0);
    codecLevelLabel_ = new QLabel;
    codecLevel_ = new QSpinBox; // its range and tooltip follow the codec (syncFromState)
    codecLevel_->setToolTip(tr("zlib's or zstd's compression level, or LZ4's acceleration."));
    codecLevelLabel_->setToolTip(codecLevel_->toolTip());
    levelRow->addWidget(codecLevelLabel_);
    levelRow->addWidget(codecLevel_, 1);
    codecParams_->addWidget(levelPage);
    form->addRow(tr("Parameter"), codecParams_);
    engine_ = new QComboBox;
    addItem(engine_, tr("DMA engine (cDMA)"), static_cast<int>(sim::EngineKind::dma),
            tr("cDMA: a compression engine in the DMA copy path, next to the memory controller. It takes no "
               "compute time; it is limited by its throughput and the GPU's DRAM read rate."));
    addItem(engine_, tr("SM kernels (software)"), static_cast<int>(sim::EngineKind::sm),
            tr("Compression as GPU kernels: they run on the compute stream and take its time at the throughput below."));
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
    addItem(policy_, tr("none (keep all on GPU)"), static_cast<int>(sim::OffloadPolicy::none),
            tr("Nothing is offloaded: every stashed activation stays in GPU memory until its backward pass."));
    addItem(policy_, tr("vDNN-all"), static_cast<int>(sim::OffloadPolicy::all),
            tr("Every layer's input is offloaded during the forward pass (in-place ReLUs excepted): the least memory, "
               "the most traffic."));
    addItem(policy_, tr("vDNN-conv"), static_cast<int>(sim::OffloadPolicy::conv),
            tr("Only the inputs of convolution layers are offloaded: their long compute time hides the copy "
               "(vDNN's reasoning)."));
    addItem(policy_, tr("vDNN-dyn"), static_cast<int>(sim::OffloadPolicy::dyn),
            tr("As published: no offload with the fastest algorithms if that fits the budget; else vDNN-conv, then "
               "vDNN-all, then convolution algorithms with less workspace, layer by layer."));
    addItem(policy_, tr("fastest fit"), static_cast<int>(sim::OffloadPolicy::fastest_fit),
            tr("The fastest of no offload, vDNN-conv, vDNN-all and offloading the largest tensors that fits the budget."));
    addItem(policy_, tr("manual (from file)"), static_cast<int>(sim::OffloadPolicy::manual),
            tr("The layers listed in the scenario file's \"manual_layers\" have their input offloaded."));
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
    // The three scale factors share one row, and JPEG-ACT's quality its row with a check box.
    for (auto* spin : {computeScale_, l2Scale_, dramScale_})
        spin->setMinimumWidth(44);
    jpegQuality_->setMinimumWidth(60);
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
    auto setLevelToolTip = [this](const QString& text) {
        codecLevel_->setToolTip(text);
        codecLevelLabel_->setToolTip(text);
    };
    switch (s.codec) {
    case CodecId::jpeg_act: codecParams_->setCurrentIndex(kJpegPage); break;
    case CodecId::dpr: codecParams_->setCurrentIndex(kDprPage); break;
    case CodecId::zlib:
        codecParams_->setCurrentIndex(kLevelPage);
        codecLevelLabel_->setText(tr("level"));
        setLevelToolTip(tr("zlib level 1-9: higher compresses more and runs slower. The simulator's ratio for zlib "
                           "is a fit at level 6; the level changes the real codec on captured tensors (sparsity "
                           "explorer)."));
        codecLevel_->setRange(1, 9);
        codecLevel_->setValue(s.codec_params.zlib_level);
        break;
    case CodecId::zstd:
        codecParams_->setCurrentIndex(kLevelPage);
        codecLevelLabel_->setText(tr("level"));
        setLevelToolTip(tr("zstd level 1-19: higher compresses more and runs slower. The simulator's ratio for zstd "
                           "is a fit at level 3; the level changes the real codec on captured tensors (sparsity "
                           "explorer)."));
        codecLevel_->setRange(1, 19);
        codecLevel_->setValue(s.codec_params.zstd_level);
        break;
    case CodecId::lz4:
        codecParams_->setCurrentIndex(kLevelPage);
        codecLevelLabel_->setText(tr("acceleration"));
        setLevelToolTip(tr("LZ4 acceleration 1-64: higher runs faster and compresses less. The simulator's ratio for "
                           "LZ4 is a fit at acceleration 1; the setting changes the real codec on captured tensors "
                           "(sparsity explorer)."));
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
