// offload-studio: the window. With no argument it opens the bundled VGG-16 example; with a
// file it opens that scenario or network.
#include "main_window.h"

#include "core/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("OffloadStudio"));
    QApplication::setApplicationName(QStringLiteral("offload-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Offload Studio"));
    QApplication::setApplicationVersion(QString::fromUtf8(offload::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("offload-studio"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/offload-studio/offload-studio.svg")));
    // Projected in lecture halls: never smaller than 11 pt.
    QFont font = QApplication::font();
    if (font.pointSizeF() < 11)
        font.setPointSizeF(11);
    QApplication::setFont(font);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Simulate and show activation offloading in DNN training."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A scenario or network JSON file (default: the bundled VGG-16 example)."));
    parser.process(app);

    offload::studio::MainWindow window;
    window.show();
    const QStringList files = parser.positionalArguments();
    window.openAtStart(files.isEmpty() ? QString() : QFileInfo(files.front()).absoluteFilePath());
    return QApplication::exec();
}
