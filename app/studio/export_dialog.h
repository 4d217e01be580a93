#pragma once
// Figure export options: which chart, figure preset (screen, single or double column), size in
// inches, DPI and file. Remembers the last choices in QSettings.
#include "sparsity_explorer.h"

#include "app/plots/figure_builder.h"
#include "app/plots/figure_export.h"
#include "app/plots/figure_style.h"

#include <QDialog>

#include <optional>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QFontComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace offload::studio {

struct FigureRequest {
    plots::ChartKind chart = plots::ChartKind::timeline;
    plots::FigurePreset preset = plots::FigurePreset::doubleColumn;
    plots::FigureSize size;
    QString path;
    bool visibleRangeOnly = true;  // the timeline's visible time range (all charts follow it)
    bool compareBaseline = false;  // the pinned baseline stacked (timeline), overlaid or grouped
    QString font{};                // empty: the preset's
    double fontSizePt = 0;         // 0: the preset's sizes
    bool writeCsv = false;         // the drawn data beside the figure, same name with .csv
    // Set: this view of the sparsity explorer, as it shows it (size, format and CSV as asked;
    // the explorer's own fonts), instead of `chart`.
    std::optional<SparsityExplorer::View> explorerView{};
};

// What the window shows, as plain data for the export: the scenario and its result, the
// pinned baseline, the visible time range and the selected layer. Pointers stay owned by the
// caller and must outlive the dialog and writeFigure.
struct ExportContext {
    const sim::Scenario* scenario = nullptr;
    const sim::Result* result = nullptr;
    const sim::Scenario* baselineScenario = nullptr; // null: no baseline pinned
    const sim::Result* baselineResult = nullptr;
    QString baselineLabel;
    std::optional<std::pair<double, double>> visibleRangeMs;
    const std::vector<sim::SweepPoint>* sweep = nullptr; // the standard sweep, for the sweep chart
    int selectedLayer = -1;
    QString scenarioFile; // the file the scenario came from (empty: never saved)
    // The sparsity explorer when it shows a layer: its views are offered too, first when it is
    // the tab on screen (explorerCurrent).
    SparsityExplorer* explorer = nullptr;
    bool explorerCurrent = false;
};

// Draws and writes the figure a request asks for (and its CSV); throws std::exception with a
// message naming the file on failure.
void writeFigure(const FigureRequest& request, const ExportContext& context);
// Writes the request as a figure spec (docs/figures.md) at `specPath`, with the scenario (and
// the baseline) saved beside it as self-contained scenario files, so that `offload-sim figure
// --spec` redraws the same figure. Throws on failure.
void saveFigureSpecFor(const FigureRequest& request, const ExportContext& context, const QString& specPath);

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(plots::ChartKind initialChart, const QString& suggestedBaseName, QWidget* parent = nullptr);
    // With what the window shows: offers the visible range, the baseline comparison and
    // "Save as Spec...".
    ExportDialog(plots::ChartKind initialChart, const QString& suggestedBaseName, const ExportContext& context,
                 QWidget* parent = nullptr);

    FigureRequest request() const;

    static void remember(const FigureRequest& request);

private:
    void saveSpec();
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
    QCheckBox* visibleRange_ = nullptr;
    QCheckBox* compareBaseline_ = nullptr;
    QCheckBox* customFont_ = nullptr;
    QFontComboBox* font_ = nullptr;
    QDoubleSpinBox* fontSize_ = nullptr;
    QCheckBox* csv_ = nullptr;
    ExportContext context_;
};

} // namespace offload::studio
