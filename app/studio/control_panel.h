#pragma once
// The "what happens if..." controls. Every change is one sim::ScenarioEdit applied to the
// StudioModel; the panel shows the model's scenario on scenarioChanged, so it always shows the
// truth (and never writes a value back while the user drags).
#include "sim/scenario_edit.h"

#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QSlider;
class QSpinBox;
class QStackedWidget;

namespace offload::studio {

class StudioModel;

class ControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlPanel(StudioModel& model, QWidget* parent = nullptr);

    // Log-scale mapping of the bandwidth slider (positions 0..kSliderSteps).
    static constexpr int kSliderSteps = 1000;
    static constexpr double kMinBandwidthGBps = 0.5;
    static constexpr double kMaxBandwidthGBps = 500;
    static int sliderPositionFor(double gbps);
    static double bandwidthAt(int sliderPosition); // GB/s

    // Controls by role, for keyboard focus and tests.
    QComboBox* networkCombo() const { return network_; }
    QSpinBox* batchSpin() const { return batch_; }
    QComboBox* dtypeCombo() const { return dtype_; }
    QComboBox* gpuCombo() const { return gpu_; }
    QDoubleSpinBox* computeScaleSpin() const { return computeScale_; }
    QDoubleSpinBox* l2ScaleSpin() const { return l2Scale_; }
    QDoubleSpinBox* dramScaleSpin() const { return dramScale_; }
    QComboBox* linkCombo() const { return link_; }
    QSlider* bandwidthSlider() const { return bandwidthSlider_; }
    QDoubleSpinBox* bandwidthSpin() const { return bandwidthSpin_; }
    QComboBox* codecCombo() const { return codec_; }
    QComboBox* jpegQualityCombo() const { return jpegQuality_; }
    QComboBox* engineCombo() const { return engine_; }
    QDoubleSpinBox* engineSpin() const { return engineThroughput_; }
    QComboBox* policyCombo() const { return policy_; }
    QComboBox* prefetchCombo() const { return prefetch_; }
    QComboBox* syncCombo() const { return sync_; }
    QComboBox* convAlgorithmsCombo() const { return convAlgorithms_; }
    QComboBox* memoryBaselineCombo() const { return memoryBaseline_; }
    QComboBox* computeModelCombo() const { return computeModel_; }
    QDoubleSpinBox* budgetSpin() const { return budget_; }
    QSlider* progressSlider() const { return progress_; }

signals:
    // The user picked "Open network file..." in the network list.
    void openNetworkRequested();
    // A network could not be loaded (bad sample file): the window shows the error.
    void networkLoadFailed(const QString& message);
    // The model refused an edit (a value out of range): the window reports it.
    void editRejected(const QString& message);

private:
    // One group box of controls each, built and connected to the settings they write.
    QGroupBox* createWorkloadGroup();
    QGroupBox* createHardwareGroup();
    QGroupBox* createCompressionGroup();
    QGroupBox* createPolicyGroup();
    void fitFieldsToDock();
    void edit(const std::function<void(sim::ScenarioEdit&)>& fill); // fills one edit and applies it
    void syncFromState();
    void populateNetworks();
    void applyCodecParams();
    void applyEngine();
    void applyPrefetch();
    void updateProgressLabel();

    StudioModel& model_;
    QComboBox* network_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QComboBox* dtype_ = nullptr;
    QComboBox* gpu_ = nullptr;
    QDoubleSpinBox* computeScale_ = nullptr;
    QDoubleSpinBox* l2Scale_ = nullptr;
    QDoubleSpinBox* dramScale_ = nullptr;
    QComboBox* link_ = nullptr;
    QSlider* bandwidthSlider_ = nullptr;
    QDoubleSpinBox* bandwidthSpin_ = nullptr;
    QComboBox* codec_ = nullptr;
    QStackedWidget* codecParams_ = nullptr;
    QComboBox* jpegQuality_ = nullptr;
    QCheckBox* jpegShift_ = nullptr;
    QComboBox* dprFormat_ = nullptr;
    QSpinBox* codecLevel_ = nullptr;
    QLabel* codecLevelLabel_ = nullptr;
    QComboBox* engine_ = nullptr;
    QDoubleSpinBox* engineThroughput_ = nullptr;
    QComboBox* policy_ = nullptr;
    QComboBox* prefetch_ = nullptr;
    QSpinBox* eagerDepth_ = nullptr;
    QComboBox* sync_ = nullptr;
    QComboBox* convAlgorithms_ = nullptr;
    QComboBox* memoryBaseline_ = nullptr;
    QComboBox* computeModel_ = nullptr;
    QDoubleSpinBox* budget_ = nullptr;
    QSlider* progress_ = nullptr;
    QLabel* progressLabel_ = nullptr;
};

} // namespace offload::studio
