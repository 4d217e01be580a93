// Every file of the bad-input corpus (tests/data/bad-inputs, one defect per file, every format
// the tools read) given to the command that reads it: offload-sim must exit with 2 and say
// "offload-sim: FILE: PLACE: message", naming the file at fault (which may be one the input
// refers to) and the place in it. expected.json holds the command, file, place and message of
// each case; every file of the corpus must have a case.
#include "offload_sim_process.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using offload::test::runOffloadSim;

const QString kData = QStringLiteral(OFFLOAD_TEST_DATA_DIR);
const QString kCorpus = kData + QStringLiteral("/bad-inputs");

QJsonArray expectedCases()
{
    QFile f(kCorpus + QStringLiteral("/expected.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("%s: %s", qPrintable(f.fileName()), qPrintable(error.errorString()));
    return doc.object().value(QStringLiteral("cases")).toArray();
}

QString expand(QString text, const QString& file, const QString& tmp)
{
    return text.replace(QStringLiteral("{file}"), file)
        .replace(QStringLiteral("{data}"), kData)
        .replace(QStringLiteral("{tmp}"), tmp);
}

} // namespace

class TestBadInputs : public QObject {
    Q_OBJECT
private slots:
    void cliExitsTwoNamingFileAndPlace_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QString>("names");
        QTest::addColumn<QString>("place");
        QTest::addColumn<QString>("message");
        for (const auto& value : expectedCases()) {
            const QJsonObject c = value.toObject();
            QStringList command;
            for (const auto& arg : c.value(QStringLiteral("command")).toArray())
                command << arg.toString();
            const QString file = c.value(QStringLiteral("file")).toString();
            QTest::newRow(qPrintable(file)) << file << command
                                            << c.value(QStringLiteral("names")).toString(file)
                                            << c.value(QStringLiteral("place")).toString()
                                            << c.value(QStringLiteral("message")).toString();
        }
    }

    void cliExitsTwoNamingFileAndPlace()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, command);
        QFETCH(QString, names);
        QFETCH(QString, place);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString path = kCorpus + QLatin1Char('/') + file;
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        QStringList args;
        for (const QString& arg : command)
            args << expand(arg, path, tmp.path());

        const auto r = runOffloadSim(args);
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(r.exitCode == 2, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(err)));
        // The last line (warnings may come before it): the program's name, the file at fault,
        // the place, the message.
        // A file a scenario refers to is named by the path the scenario gives ("scenario/../network/x.json").
        static const QRegularExpression upAndDown(QStringLiteral("/[^/: ]+/\\.\\./"));
        QString line = err.trimmed().split(QLatin1Char('\n')).last();
        line.replace(upAndDown, QStringLiteral("/"));
        const QString expectedStart = QStringLiteral("offload-sim: ") + QDir::cleanPath(kCorpus + QLatin1Char('/') + names)
                                      + QStringLiteral(": ") + place;
        QVERIFY2(line.startsWith(expectedStart),
                 qPrintable(QStringLiteral("expected it to start with\n  %1\nfound\n  %2").arg(expectedStart, line)));
        QVERIFY2(line.contains(message), qPrintable(QStringLiteral("no \"%1\" in\n  %2").arg(message, line)));
    }

    // A new file without a case would silently test nothing; a case without its file fails above.
    void everyCorpusFileHasACase()
    {
        QSet<QString> covered;
        for (const auto& value : expectedCases()) {
            const QJsonObject c = value.toObject();
            covered << c.value(QStringLiteral("file")).toString() << c.value(QStringLiteral("names")).toString();
        }
        int files = 0;
        QDirIterator it(kCorpus, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString relative = QDir(kCorpus).relativeFilePath(it.next());
            if (relative == QLatin1String("expected.json") || relative == QLatin1String("README.md"))
                continue;
            ++files;
            // A folder case (a measure folder with its manifest.json) covers the files in it.
            const QString folder = QFileInfo(relative).path();
            QVERIFY2(covered.contains(relative) || covered.contains(folder), qPrintable(relative + " has no case"));
        }
        QVERIFY(files >= 40);
    }
};

QTEST_GUILESS_MAIN(TestBadInputs)
#include "tst_bad_inputs.moc"
