// The network and scenario files of the bad-input corpus (tests/data/bad-inputs/expected.json,
// cases marked "window") opened in the window: each one brings up the error dialog once (the
// window's showError, recorded instead of shown by TestWindow), naming the file at fault and the
// place in it, and leaves the open scenario, with its unsaved change and its result, as shown.
#include "test_support.h"

#include "app/studio/control_panel.h"
#include "app/studio/summary_widget.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

#include <memory>

using namespace offload::studio;
using offload::studio::test::TestWindow;
using offload::studio::test::samplePath;

namespace {

const QString kCorpus = QStringLiteral(OFFLOAD_TEST_DATA_DIR "/bad-inputs");

QJsonArray expectedCases()
{
    QFile f(kCorpus + QStringLiteral("/expected.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    return QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("cases")).toArray();
}

} // namespace

class TestMainWindowBadInputs : public QObject {
    Q_OBJECT

    // What the window shows of its scenario: the checks read only the window's public widgets,
    // so they hold however the window keeps its state.
    struct Shown {
        QString title;
        bool modified = false;
        double bandwidth = 0;
        QString iteration, peak, d2h;
        bool operator==(const Shown&) const = default;
    };
    Shown shown() const
    {
        return {window_->windowTitle(), window_->isWindowModified(), window_->controls()->bandwidthSpin()->value(),
                window_->summary()->valueText(QStringLiteral("iteration")),
                window_->summary()->valueText(QStringLiteral("peak")), window_->summary()->valueText(QStringLiteral("d2h"))};
    }

    std::unique_ptr<TestWindow> window_;
    Shown before_;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("OffloadStudioTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_main_window_bad_inputs"));
        // One window for every case: a scenario with an unsaved change is open when each bad file
        // comes, and everything the window shows of it must survive every one of them.
        window_ = std::make_unique<TestWindow>();
        QVERIFY(window_->openFile(samplePath(QStringLiteral("scenarios/vgg16-titanx-pcie3-zvc.json"))));
        QTRY_VERIFY(!window_->summary()->valueText(QStringLiteral("iteration")).isEmpty());
        const QString opened = window_->summary()->valueText(QStringLiteral("iteration"));
        window_->controls()->bandwidthSpin()->setValue(20); // from 12.8 GB/s: fewer stalls
        QTRY_VERIFY(window_->summary()->valueText(QStringLiteral("iteration")) != opened);
        before_ = shown();
        QVERIFY(before_.modified);
        QVERIFY(before_.title.contains(QStringLiteral("vgg16-titanx-pcie3-zvc")));
        QCOMPARE(before_.bandwidth, 20.0);
    }

    void cleanupTestCase()
    {
        window_.reset();
        QFile::remove(MainWindow::autosavePath());
    }

    void badFileShowsOneDialogAndKeepsTheScenario_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("names");
        QTest::addColumn<QString>("place");
        QTest::addColumn<QString>("message");
        int rows = 0;
        for (const auto& value : expectedCases()) {
            const QJsonObject c = value.toObject();
            if (!c.value(QStringLiteral("window")).toBool())
                continue;
            const QString file = c.value(QStringLiteral("file")).toString();
            // The window tells networks from scenarios by their format; where that makes it read a
            // file differently from the command the case names, the case gives what it says.
            QTest::newRow(qPrintable(file))
                << file << c.value(QStringLiteral("names")).toString(file)
                << c.value(QStringLiteral("window_place")).toString(c.value(QStringLiteral("place")).toString())
                << c.value(QStringLiteral("window_message")).toString(c.value(QStringLiteral("message")).toString());
            ++rows;
        }
        QVERIFY(rows >= 40);
    }

    void badFileShowsOneDialogAndKeepsTheScenario()
    {
        QFETCH(QString, file);
        QFETCH(QString, names);
        QFETCH(QString, place);
        QFETCH(QString, message);
        window_->errors.clear();
        const QString path = kCorpus + QLatin1Char('/') + file;
        QVERIFY(!window_->openFile(path));

        QCOMPARE(window_->errors.size(), 1);
        // A file a scenario refers to is named by the path the scenario gives ("scenario/../network/x.json").
        static const QRegularExpression upAndDown(QStringLiteral("/[^/: \\n]+/\\.\\./"));
        QString dialog = window_->errors.front();
        dialog.replace(upAndDown, QStringLiteral("/"));
        QVERIFY2(dialog.contains(QDir::cleanPath(kCorpus + QLatin1Char('/') + names)), qPrintable(dialog));
        QVERIFY2(dialog.contains(place), qPrintable(dialog));
        QVERIFY2(dialog.contains(message), qPrintable(dialog));

        QCoreApplication::processEvents(); // anything the failed open might have scheduled
        const Shown after = shown();
        QCOMPARE(after.title, before_.title);
        QCOMPARE(after.modified, before_.modified);
        QCOMPARE(after.bandwidth, before_.bandwidth);
        QCOMPARE(after.iteration, before_.iteration);
        QCOMPARE(after.peak, before_.peak);
        QCOMPARE(after.d2h, before_.d2h);
        QVERIFY(window_->controls()->isEnabled());
    }
};

QTEST_MAIN(TestMainWindowBadInputs)
#include "tst_main_window_bad_inputs.moc"
