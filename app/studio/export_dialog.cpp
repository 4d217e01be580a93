#include "export_dialog.h"

#include "app/plots/chart.h"
#include "app/plots/figure_job.h"
#include "app/plots/sweep_plot.h"
#include "app/qt_conversions.h"
#include "sim/sweep.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontComboBox>
#include <QFormLayout>
#include <QMessageBox>
#include <QSaveFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

#include <filesystem>
#include <stdexcept>

namespace offload::studio {

namespace {
constexpr int kExplorerView = 100; // the chart list's data for the explorer's first view

// What a figure file of the chart list's entry `chart` ends in: "-timeline", "-zvc-mask".
QString chartFileSuffix(int chart)
{
    if (chart >= kExplorerView)
        return QStringLiteral("-") + SparsityExplorer::viewName(static_cast<SparsityExplorer::View>(chart - kExplorerView));
    const auto name = plots::chartKindName(static_cast<plots::ChartKind>(chart));
    return QStringLiteral("-") + QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

// Keeps the file name in step with the chart when it still names one.
void renameForChart(QLineEdit* path, int chart)
{
    const QFileInfo info(path->text());
    QString base = info.completeBaseName();
    std::vector<int> known{static_cast<int>(plots::ChartKind::timeline), static_cast<int>(plots::ChartKind::layers),
                           static_cast<int>(plots::ChartKind::memory), static_cast<int>(plots::ChartKind::sweep)};
    for (auto view : SparsityExplorer::views())
        known.push_back(kExplorerView + static_cast<int>(view));
    for (int k : known) {
        const QString suffix = chartFileSuffix(k);
        if (base.endsWith(suffix)) {
            base.chop(suffix.size());
            path->setText(info.dir().filePath(base + chartFileSuffix(chart) + QStringLiteral(".") + info.suffix()));
            return;
        }
    }
}

// A row whose field is a layout has a label without a buddy, which shows its "&" literally;
// the buddy makes it a shortcut to the row's first control.
void setLabelBuddy(QFormLayout* form, QLayout* field, QWidget* buddy)
{
    if (auto* label = qobject_cast<QLabel*>(form->labelForField(field)))
        label->setBuddy(buddy);
}
} // namespace

ExportDialog::ExportDialog(plots::ChartKind initialChart, const QString& suggestedBaseName, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export Figure"));
    QSettings settings;
    auto* form = new QFormLayout(this);

    chart_ = new QComboBox;
    chart_->addItem(tr("Timeline"), static_cast<int>(plots::ChartKind::timeline));
    chart_->addItem(tr("Per-layer bars"), static_cast<int>(plots::ChartKind::layers));
    chart_->addItem(tr("GPU memory"), static_cast<int>(plots::ChartKind::memory));
    chart_->addItem(tr("Sweep (iteration time vs bandwidth)"), static_cast<int>(plots::ChartKind::sweep));
    chart_->setCurrentIndex(chart_->findData(static_cast<int>(initialChart)));
    chart_->setToolTip(tr("Which chart to export. The figure is drawn with the same code as the window."));
    form->addRow(tr("&Chart"), chart_);

    preset_ = new QComboBox;
    preset_->addItem(tr("Paper, single column (3.5 in)"), static_cast<int>(plots::FigurePreset::singleColumn));
    preset_->addItem(tr("Paper, double column (7 in)"), static_cast<int>(plots::FigurePreset::doubleColumn));
    preset_->addItem(tr("Slides / screen (large text)"), static_cast<int>(plots::FigurePreset::screen));
    preset_->setToolTip(tr("Font sizes and line widths: paper presets use 7-9 pt text at the printed size."));
    form->addRow(tr("&Preset"), preset_);

    width_ = new QDoubleSpinBox;
    width_->setRange(0.5, 100);
    width_->setDecimals(2);
    width_->setSuffix(tr(" in"));
    width_->setToolTip(tr("Figure width in inches (a paper column is 3.5 in, a page 7 in)."));
    height_ = new QDoubleSpinBox;
    height_->setRange(0.5, 100);
    height_->setDecimals(2);
    height_->setSuffix(tr(" in"));
    height_->setToolTip(tr("Figure height in inches."));
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(width_);
    sizeRow->addWidget(height_);
    form->addRow(tr("&Size (w × h)"), sizeRow);
    setLabelBuddy(form, sizeRow, width_);

    dpi_ = new QSpinBox;
    dpi_->setRange(30, 2400);
    dpi_->setSuffix(tr(" dpi"));
    dpi_->setToolTip(tr("Pixels per inch of a PNG (PDF and SVG are vector and scale freely)."));
    form->addRow(tr("&Resolution"), dpi_);

    format_ = new QComboBox;
    format_->addItem(tr("PDF (vector, fonts embedded)"), QStringLiteral("pdf"));
    format_->addItem(tr("SVG (vector)"), QStringLiteral("svg"));
    format_->addItem(tr("PNG (raster)"), QStringLiteral("png"));
    format_->setToolTip(tr("File format; PDF is the one to put in a paper."));
    form->addRow(tr("&Format"), format_);

    path_ = new QLineEdit;
    path_->setToolTip(tr("Where to write the figure."));
    auto* browse = new QPushButton(tr("Browse..."));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path_, 1);
    pathRow->addWidget(browse);
    form->addRow(tr("F&ile"), pathRow);
    setLabelBuddy(form, pathRow, path_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(preset_, qOverload<int>(&QComboBox::activated), this, [this](int) { applyPreset(); });
    connect(format_, qOverload<int>(&QComboBox::activated), this, [this](int) { updateSuffix(); });

    const auto preset = plots::parseFigurePreset(settings.value(QStringLiteral("export/preset"), QStringLiteral("double-column")).toString().toStdString());
    preset_->setCurrentIndex(preset_->findData(static_cast<int>(preset.value_or(plots::FigurePreset::doubleColumn))));
    applyPreset();
    if (settings.contains(QStringLiteral("export/widthIn"))) {
        width_->setValue(settings.value(QStringLiteral("export/widthIn")).toDouble());
        height_->setValue(settings.value(QStringLiteral("export/heightIn")).toDouble());
    }
    dpi_->setValue(settings.value(QStringLiteral("export/dpi"), 300).toInt());
    format_->setCurrentIndex(std::max(0, format_->findData(settings.value(QStringLiteral("export/format"), QStringLiteral("pdf")))));
    const QString dir = settings.value(QStringLiteral("export/dir"), QDir::homePath()).toString();
    path_->setText(QDir(dir).filePath(suggestedBaseName + QStringLiteral("-") + toQString(plots::chartKindName(initialChart))
                                      + QStringLiteral(".") + format_->currentData().toString()));
    connect(chart_, qOverload<int>(&QComboBox::activated), this, [this](int) {
        // Keep the file name in step with the chart when it still names one.
        QFileInfo info(path_->text());
        QString base = info.completeBaseName();
        for (auto k : {plots::ChartKind::timeline, plots::ChartKind::layers, plots::ChartKind::memory, plots::ChartKind::sweep}) {
            const QString suffix = QStringLiteral("-") + toQString(plots::chartKindName(k));
            if (base.endsWith(suffix)) {
                base.chop(suffix.size());
                base += QStringLiteral("-") + toQString(plots::chartKindName(static_cast<plots::ChartKind>(chart_->currentData().toInt())));
                path_->setText(info.dir().filePath(base + QStringLiteral(".") + info.suffix()));
                break;
            }
        }
    });
}

ExportDialog::ExportDialog(plots::ChartKind initialChart, const QString& suggestedBaseName, const ExportContext& context,
                           QWidget* parent)
    : ExportDialog(initialChart, suggestedBaseName, parent)
{
    context_ = context;
    if (context.explorer) {
        // Data above kExplorerView: a view of the explorer, not a ChartKind.
        for (auto view : SparsityExplorer::views())
            chart_->addItem(tr("Sparsity explorer: %1").arg(SparsityExplorer::viewTitle(view)),
                            kExplorerView + static_cast<int>(view));
        if (context.explorerCurrent) {
            chart_->setCurrentIndex(chart_->findData(kExplorerView));
            renameForChart(path_, kExplorerView);
        }
        // After the charts' own renaming: the explorer's views are named too.
        connect(chart_, qOverload<int>(&QComboBox::activated), this,
                [this](int) { renameForChart(path_, chart_->currentData().toInt()); });
    }
    QSettings settings;
    auto* form = static_cast<QFormLayout*>(layout());
    int row = form->rowCount() - 1; // above the buttons

    visibleRange_ = new QCheckBox;
    if (context.visibleRangeMs)
        visibleRange_->setText(tr("Only the visible time range (%1 to %2 ms)")
                                   .arg(context.visibleRangeMs->first, 0, 'f', 1)
                                   .arg(context.visibleRangeMs->second, 0, 'f', 1));
    else
        visibleRange_->setText(tr("Only the visible time range"));
    visibleRange_->setEnabled(context.visibleRangeMs.has_value());
    visibleRange_->setChecked(context.visibleRangeMs.has_value());
    visibleRange_->setToolTip(tr("Draw the part of the iteration the timeline shows: events are cut at its edges; the "
                                 "per-layer chart keeps the layers that compute in it."));
    form->insertRow(row++, tr("&Range"), visibleRange_);

    compareBaseline_ = new QCheckBox(context.baselineResult ? tr("With the pinned baseline (%1)").arg(context.baselineLabel)
                                                            : tr("With the pinned baseline (none pinned)"));
    compareBaseline_->setEnabled(context.baselineResult != nullptr);
    compareBaseline_->setChecked(context.baselineResult != nullptr);
    compareBaseline_->setToolTip(tr("Timelines stacked on one time axis, memory and sweep curves overlaid, per-layer "
                                    "bars grouped by scenario."));
    form->insertRow(row++, tr("C&ompare"), compareBaseline_);

    customFont_ = new QCheckBox(tr("Paper font:"));
    customFont_->setToolTip(tr("Every text of the figure in this family and size at the printed size (embedded in PDF)."));
    font_ = new QFontComboBox;
    font_->setCurrentFont(QFont(settings.value(QStringLiteral("export/font"), QStringLiteral("DejaVu Serif")).toString()));
    fontSize_ = new QDoubleSpinBox;
    fontSize_->setRange(4, 72);
    fontSize_->setDecimals(1);
    fontSize_->setSuffix(tr(" pt"));
    fontSize_->setValue(settings.value(QStringLiteral("export/fontSizePt"), 8).toDouble());
    customFont_->setChecked(settings.value(QStringLiteral("export/customFont"), false).toBool());
    auto* fontRow = new QHBoxLayout;
    fontRow->addWidget(customFont_);
    fontRow->addWidget(font_, 1);
    fontRow->addWidget(fontSize_);
    form->insertRow(row++, tr("Fo&nt"), fontRow);
    setLabelBuddy(form, fontRow, customFont_);
    auto syncFont = [this] {
        font_->setEnabled(customFont_->isChecked());
        fontSize_->setEnabled(customFont_->isChecked());
    };
    connect(customFont_, &QCheckBox::toggled, this, syncFont);
    syncFont();

    csv_ = new QCheckBox(tr("Also write the drawn data as CSV (same name, .csv)"));
    csv_->setChecked(settings.value(QStringLiteral("export/csv"), false).toBool());
    form->insertRow(row++, tr("&Data"), csv_);

    if (auto* buttons = findChild<QDialogButtonBox*>()) {
        auto* spec = buttons->addButton(tr("Save as Spec..."), QDialogButtonBox::ActionRole);
        spec->setToolTip(tr("Save this export as a figure spec (with the scenario beside it): offload-sim figure --spec "
                            "FILE redraws it whenever the model or the data change."));
        connect(spec, &QPushButton::clicked, this, &ExportDialog::saveSpec);
    }
}

void ExportDialog::saveSpec()
{
    QString suggested = QFileInfo(path_->text()).dir().filePath(QFileInfo(path_->text()).completeBaseName() + QStringLiteral("-figures.json"));
    const QString specPath = QFileDialog::getSaveFileName(this, tr("Save Figure Spec"), suggested, tr("Figure specs (*.json)"));
    if (specPath.isEmpty())
        return;
    try {
        saveFigureSpecFor(request(), context_, specPath);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot save the spec"), QString::fromStdString(e.what()));
    }
}

namespace {
QString csvPathFor(const QString& figurePath)
{
    const QFileInfo info(figurePath);
    return info.dir().filePath(info.completeBaseName() + QStringLiteral(".csv"));
}
} // namespace

void writeFigure(const FigureRequest& request, const ExportContext& context)
{
    if (request.explorerView) {
        if (!context.explorer)
            throw std::invalid_argument("the sparsity explorer shows no layer");
        context.explorer->exportView(*request.explorerView, request.path, request.size,
                                     request.writeCsv ? csvPathFor(request.path) : QString());
        return;
    }
    if (!context.scenario || !context.result)
        throw std::invalid_argument("no scenario to export");
    plots::FigureInput input;
    input.scenario = context.scenario;
    input.result = context.result;
    input.selectedLayer = context.selectedLayer;
    if (request.visibleRangeOnly && context.visibleRangeMs)
        input.timeRangeMs = context.visibleRangeMs;
    std::vector<sim::SweepPoint> ownSweep, baselineSweep;
    const bool compare = request.compareBaseline && context.baselineResult && context.baselineScenario;
    if (compare) {
        plots::ComparedScenario baseline;
        baseline.label = context.baselineLabel.isEmpty() ? QStringLiteral("Baseline") : context.baselineLabel;
        baseline.scenario = context.baselineScenario;
        baseline.result = context.baselineResult;
        if (request.chart == plots::ChartKind::sweep) {
            // One line per scenario: each swept with its own codec.
            ownSweep = sim::runSweep(*context.scenario, plots::ownCodecSweepSpec(*context.scenario));
            baselineSweep = sim::runSweep(*context.baselineScenario, plots::ownCodecSweepSpec(*context.baselineScenario));
            baseline.sweep = &baselineSweep;
            input.sweep = &ownSweep;
        }
        input.label = QStringLiteral("Current");
        input.compare.push_back(baseline);
    } else {
        if (context.baselineResult)
            input.baseline = context.baselineResult;
        input.sweep = context.sweep;
    }
    auto style = plots::FigureStyle::forPreset(request.preset);
    style = style.withFont(request.font, request.fontSizePt > 0 ? std::optional<double>(request.fontSizePt) : std::nullopt);
    auto chart = plots::buildFigureChart(request.chart, style, input);
    plots::exportFigure(*chart, request.path, request.size);
    if (request.writeCsv) {
        const QString csvPath = csvPathFor(request.path);
        QSaveFile file(csvPath);
        const QByteArray bytes = chart->drawnDataCsv().toUtf8();
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            throw plots::ExportError(QStringLiteral("%1: cannot write: %2").arg(csvPath, file.errorString()).toStdString());
    }
}

void saveFigureSpecFor(const FigureRequest& request, const ExportContext& context, const QString& specPath)
{
    if (request.explorerView)
        throw std::invalid_argument("a figure spec cannot redraw the sparsity explorer's views: export them from the window");
    if (!context.scenario || !context.result)
        throw std::invalid_argument("no scenario to export");
    const QFileInfo spec(specPath);
    const QString base = spec.dir().filePath(spec.completeBaseName());
    // The scenarios as the window has them (edits included), each in a file of its own with
    // the network embedded, so that the spec does not depend on where they were opened from.
    auto saveScenario = [&context](sim::Scenario scenario, const QString& path) {
        scenario.network_ref.clear();
        if (!scenario.device_profile_ref.empty() && !context.scenarioFile.isEmpty()
            && std::filesystem::path(scenario.device_profile_ref).is_relative())
            scenario.device_profile_ref =
                (toPath(QFileInfo(context.scenarioFile).absolutePath()) / scenario.device_profile_ref)
                    .lexically_normal()
                    .string();
        sim::saveScenarioFile(scenario, toPath(path));
        return path.toStdString();
    };
    plots::FigureJob job;
    job.scenario = saveScenario(*context.scenario, base + QStringLiteral("-scenario.json"));
    job.chart = std::string(plots::chartKindName(request.chart));
    job.out = request.path.toStdString();
    job.preset = std::string(plots::figurePresetName(request.preset));
    job.width_in = request.size.width_in;
    job.height_in = request.size.height_in;
    job.dpi = request.size.dpi;
    if (request.visibleRangeOnly && context.visibleRangeMs) {
        job.time_range = QStringLiteral("%1:%2")
                             .arg(context.visibleRangeMs->first, 0, 'g', 12)
                             .arg(context.visibleRangeMs->second, 0, 'g', 12)
                             .toStdString();
    }
    if (context.selectedLayer >= 0 && context.scenario->network) {
        const auto& layers = context.scenario->network->network().layers;
        if (static_cast<std::size_t>(context.selectedLayer) < layers.size())
            job.select = layers[static_cast<std::size_t>(context.selectedLayer)].name;
    }
    if (request.compareBaseline && context.baselineScenario && context.baselineResult) {
        job.compare.push_back(saveScenario(*context.baselineScenario, base + QStringLiteral("-baseline.json")));
        job.label = {"Current", (context.baselineLabel.isEmpty() ? QStringLiteral("Baseline") : context.baselineLabel).toStdString()};
    }
    job.font = request.font.toStdString();
    job.font_size = request.fontSizePt;
    if (request.writeCsv)
        job.csv = csvPathFor(request.path).toStdString();
    plots::saveFigureSpec({job}, toPath(specPath));
}

void ExportDialog::applyPreset()
{
    const auto style = plots::FigureStyle::forPreset(static_cast<plots::FigurePreset>(preset_->currentData().toInt()));
    width_->setValue(style.defaultWidthIn);
    height_->setValue(style.preset == plots::FigurePreset::screen ? 4.5 : style.defaultHeightIn);
}

void ExportDialog::updateSuffix()
{
    QFileInfo info(path_->text());
    path_->setText(info.dir().filePath(info.completeBaseName() + QStringLiteral(".") + format_->currentData().toString()));
}

void ExportDialog::browse()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Figure"), path_->text(),
                                                      tr("Figures (*.pdf *.svg *.png)"));
    if (path.isEmpty())
        return;
    path_->setText(path);
    if (const auto format = plots::figureFormatForPath(path))
        format_->setCurrentIndex(format_->findData(plots::figureFormatSuffix(*format)));
}

FigureRequest ExportDialog::request() const
{
    FigureRequest r;
    const int chart = chart_->currentData().toInt();
    if (chart >= kExplorerView)
        r.explorerView = static_cast<SparsityExplorer::View>(chart - kExplorerView);
    else
        r.chart = static_cast<plots::ChartKind>(chart);
    r.preset = static_cast<plots::FigurePreset>(preset_->currentData().toInt());
    r.size = plots::FigureSize{width_->value(), height_->value(), static_cast<double>(dpi_->value())};
    r.path = path_->text();
    if (!plots::figureFormatForPath(r.path))
        r.path += QStringLiteral(".") + format_->currentData().toString();
    r.visibleRangeOnly = visibleRange_ && visibleRange_->isChecked();
    r.compareBaseline = compareBaseline_ && compareBaseline_->isChecked();
    if (customFont_ && customFont_->isChecked()) {
        r.font = font_->currentFont().family();
        r.fontSizePt = fontSize_->value();
    }
    r.writeCsv = csv_ && csv_->isChecked();
    return r;
}

void ExportDialog::remember(const FigureRequest& request)
{
    QSettings settings;
    settings.setValue(QStringLiteral("export/preset"), toQString(plots::figurePresetName(request.preset)));
    settings.setValue(QStringLiteral("export/widthIn"), request.size.width_in);
    settings.setValue(QStringLiteral("export/heightIn"), request.size.height_in);
    settings.setValue(QStringLiteral("export/dpi"), request.size.dpi);
    settings.setValue(QStringLiteral("export/dir"), QFileInfo(request.path).absolutePath());
    if (const auto format = plots::figureFormatForPath(request.path))
        settings.setValue(QStringLiteral("export/format"), plots::figureFormatSuffix(*format));
    settings.setValue(QStringLiteral("export/customFont"), !request.font.isEmpty());
    if (!request.font.isEmpty()) {
        settings.setValue(QStringLiteral("export/font"), request.font);
        settings.setValue(QStringLiteral("export/fontSizePt"), request.fontSizePt);
    }
    settings.setValue(QStringLiteral("export/csv"), request.writeCsv);
}

} // namespace offload::studio
