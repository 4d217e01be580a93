#pragma once
// Shared pieces of the GUI tests: a window whose dialogs never block, and file checks.
#include "app/studio/main_window.h"

#include <QFile>
#include <QRegularExpression>
#include <QStringList>

namespace offload::studio::test {

// The result the window shows once the newest edit is simulated (the model simulates on a
// worker thread; tests read the settled state).
inline const sim::Result& shownResult(MainWindow& window)
{
    window.model().waitForIdle();
    return *window.model().snapshot()->result;
}

// Applies one edit the way a control does.
template <typename Fill>
void applyEdit(MainWindow& window, Fill&& fill)
{
    sim::ScenarioEdit edit;
    fill(edit);
    window.model().apply(edit);
}

inline QString samplePath(const QString& relative) { return QStringLiteral(OFFLOAD_SAMPLES_DIR "/") + relative; }

class TestWindow : public MainWindow {
public:
    QStringList errors;
    SaveChoice saveChoice = SaveChoice::discard;
    int saveQuestions = 0;
    bool recoverAnswer = true;
    int recoverQuestions = 0;

protected:
    void showError(const QString& title, const QString& text) override { errors << title + QStringLiteral("\n") + text; }
    bool askToRecover(const QDateTime&) override
    {
        ++recoverQuestions;
        return recoverAnswer;
    }
    SaveChoice askToSaveChanges() override
    {
        ++saveQuestions;
        return saveChoice;
    }
};

// The first page's MediaBox of a PDF in points, or an empty size when there is none.
inline QSizeF pdfMediaBox(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    if (!bytes.startsWith("%PDF-"))
        return {};
    static const QRegularExpression box(QStringLiteral(R"(/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\])"));
    const auto match = box.match(QString::fromLatin1(bytes));
    if (!match.hasMatch())
        return {};
    return QSizeF(match.captured(3).toDouble() - match.captured(1).toDouble(),
                  match.captured(4).toDouble() - match.captured(2).toDouble());
}

inline bool pdfHasEndMarker(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.readAll().trimmed().endsWith("%%EOF");
}

} // namespace offload::studio::test
