#include "export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace offload::studio {

namespace {
QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }
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
    path_->setText(QDir(dir).filePath(suggestedBaseName + QStringLiteral("-") + qs(plots::chartKindName(initialChart))
                                      + QStringLiteral(".") + format_->currentData().toString()));
    connect(chart_, qOverload<int>(&QComboBox::activated), this, [this](int) {
        // Keep the file name in step with the chart when it still names one.
        QFileInfo info(path_->text());
        QString base = info.completeBaseName();
        for (auto k : {plots::ChartKind::timeline, plots::ChartKind::layers, plots::ChartKind::memory, plots::ChartKind::sweep}) {
            const QString suffix = QStringLiteral("-") + qs(plots::chartKindName(k));
            if (base.endsWith(suffix)) {
                base.chop(suffix.size());
                base += QStringLiteral("-") + qs(plots::chartKindName(static_cast<plots::ChartKind>(chart_->currentData().toInt())));
                path_->setText(info.dir().filePath(base + QStringLiteral(".") + info.suffix()));
                break;
            }
        }
    });
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
    r.chart = static_cast<plots::ChartKind>(chart_->currentData().toInt());
    r.preset = static_cast<plots::FigurePreset>(preset_->currentData().toInt());
    r.size = plots::FigureSize{width_->value(), height_->value(), static_cast<double>(dpi_->value())};
    r.path = path_->text();
    if (!plots::figureFormatForPath(r.path))
        r.path += QStringLiteral(".") + format_->currentData().toString();
    return r;
}

void ExportDialog::remember(const FigureRequest& request)
{
    QSettings settings;
    settings.setValue(QStringLiteral("export/preset"), qs(plots::figurePresetName(request.preset)));
    settings.setValue(QStringLiteral("export/widthIn"), request.size.width_in);
    settings.setValue(QStringLiteral("export/heightIn"), request.size.height_in);
    settings.setValue(QStringLiteral("export/dpi"), request.size.dpi);
    settings.setValue(QStringLiteral("export/dir"), QFileInfo(request.path).absolutePath());
    if (const auto format = plots::figureFormatForPath(request.path))
        settings.setValue(QStringLiteral("export/format"), plots::figureFormatSuffix(*format));
}

} // namespace offload::studio
