#pragma once
// The numbers of the current scenario (and, with a pinned baseline, their change), plus where
// the sparsity numbers come from. Large type: it is read from the back of a lecture hall.
#include "studio_model.h"

#include <QWidget>

#include <array>
#include <map>
#include <memory>

class QGridLayout;
class QLabel;

namespace offload::studio {

class SummaryWidget : public QWidget {
    Q_OBJECT
public:
    explicit SummaryWidget(StudioModel& model, QWidget* parent = nullptr);

    // Shown text of a row ("iteration", "oracle", "overhead", "speedup", "peak", "average",
    // "d2h", "h2d", "utilisation", "stalls", "offloaded", "provenance", "feasibility") and of
    // its change against the baseline.
    QString valueText(const QString& key) const;
    QString deltaText(const QString& key) const;

private:
    void update();
    void addRow(const QString& key, const QString& title, const QString& toolTip);

    SnapshotPtr snapshot_; // what is shown
    int selectedLayer_ = -1;
    QGridLayout* grid_ = nullptr;
    QLabel* provenance_ = nullptr;
    QString provenanceHelp_; // what the provenance box means, before the selected layer's note
    QLabel* feasibility_ = nullptr;
    QLabel* deltaHeader_ = nullptr;
    std::map<QString, QLabel*> values_;
    std::map<QString, QLabel*> deltas_;
    // Layers per sparsity source (SparsitySource order), counted once per network.
    std::shared_ptr<const NetworkModel> countedNetwork_;
    std::array<int, 4> sourceCounts_{};
};

} // namespace offload::studio
