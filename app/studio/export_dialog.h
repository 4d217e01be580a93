#pragma once
// Figure export options: which chart, figure preset (screen, single or double column), size in
// inches, DPI and file. Remembers the last choices in QSettings.
#include "app/plots/figure_builder.h"
#include "app/plots/figure_export.h"
#include "app/plots/figure_style.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace offload::studio {

struct FigureRequest {
    plots::ChartKind chart = plots::ChartKind::timeline;
    plots::FigurePreset preset = plots::FigurePreset::doubleColumn;
    plots::FigureSize size;
    QString path;
};

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(plots::ChartKind initialChart, const QString& suggestedBaseName, QWidget* parent = nullptr);

    FigureRequest request() const;

    static void remember(const FigureRequest& request);

private:
    void applyPreset();
    void browse();
    void updateSuffix();

    QComboBox* chart_ = nullptr;
    QComboBox* preset_ = nullptr;
    QDoubleSpinBox* width_ = nullptr;
    QDoubleSpinBox* height_ = nullptr;
    QSpinBox* dpi_ = nullptr;
    QComboBox* format_ = nullptr;
    QLineEdit* path_ = nullptr;
};

} // namespace offload::studio
