#pragma once
// Runs the real offload-sim executable for CLI tests: exit code, stdout and stderr.
#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QtGlobal>

namespace offload::test {

struct CliRun {
    int exitCode = -1; // -1 when the process crashed
    QByteArray out;
    QByteArray err;
};

inline CliRun runOffloadSim(const QStringList& args, int timeoutMs = 240000)
{
    QProcess process;
    process.start(OFFLOAD_SIM_EXE, args);
    if (!process.waitForFinished(timeoutMs))
        qFatal("offload-sim did not finish");
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            process.readAllStandardOutput(), process.readAllStandardError()};
}

} // namespace offload::test
