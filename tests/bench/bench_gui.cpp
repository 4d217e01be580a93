// Time from a control change to the finished replot of every visible view (timeline, memory,
// per-layer bars, summary), offscreen, for VGG-16 and ResNet-50. Target: <= 16 ms median, one
// frame at 60 Hz, so that dragging the bandwidth slider stays smooth.
#include "app/studio/control_panel.h"
#include "app/studio/main_window.h"

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QDoubleSpinBox>
#include <QSlider>
#include <QStandardPaths>


namespace {

void controlChangeToReplot(benchmark::State& state, const char* scenarioOrNetwork)
{
    offload::studio::MainWindow window;
    window.resize(1600, 1000);
    window.show();
    if (!window.openFile(QStringLiteral(OFFLOAD_SAMPLES_DIR "/") + QString::fromLatin1(scenarioOrNetwork))) {
        state.SkipWithError("cannot open the sample");
        return;
    }
    QApplication::processEvents();
    auto* slider = window.controls()->bandwidthSlider();
    // Drag across the slider's range: every step re-simulates and replots synchronously.
    int position = slider->minimum();
    for (auto _ : state) {
        position = position >= slider->maximum() ? slider->minimum() : position + 7;
        slider->setValue(position);
    }
    state.counters["events"] = static_cast<double>(window.state().result().events.size());
    state.counters["layers"] = static_cast<double>(window.state().result().layers.size());
}

} // namespace

BENCHMARK_CAPTURE(controlChangeToReplot, vgg16, "scenarios/vgg16-titanx-pcie3-zvc.json")->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK_CAPTURE(controlChangeToReplot, resnet50, "networks/resnet50.json")->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);

// Not BENCHMARK_MAIN: the QApplication must be destroyed before main returns. Held in a
// function-local static it was destroyed during static destruction, after Qt's own global
// objects (the platform integration, the font database) were gone: a segmentation fault at
// exit after every benchmark had finished.
int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true);
    QApplication application(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
