// The network file format: round trip, and every kind of malformed file rejected with a
// message that names the file and the place in it.
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace offload;

namespace {
const std::filesystem::path kBadDir = std::filesystem::path(OFFLOAD_TEST_DATA_DIR) / "bad-inputs" / "network";

const char* kSmallNetwork = R"({
  "format": "offload-studio/network", "version": 1, "name": "small",
  "citation": "test fixture",
  "input": {"shape": [3, 32, 32]},
  "sparsity_source": {"source": "assumed", "reasoning": "fixture"},
  "layers": [
    {"name": "conv1", "kind": "conv", "out_channels": 16, "kernel": [3, 5], "stride": 1, "pad": [1, 2], "bias": false},
    {"name": "relu1", "kind": "relu", "sparsity": {"curve": [[0, 0.1], [0.2, 0.6], [1, 0.7]], "source": "paper", "citation": "somewhere, Fig. 3"}},
    {"name": "pool1", "kind": "maxpool", "kernel": 2},
    {"name": "side", "kind": "conv", "inputs": ["pool1"], "out_channels": 8, "kernel": 1, "groups": 8},
    {"name": "main", "kind": "conv", "inputs": "pool1", "out_channels": 8, "kernel": 3, "pad": 1},
    {"name": "cat", "kind": "concat", "inputs": ["side", "main"]},
    {"name": "drop", "kind": "dropout", "rate": 0.25},
    {"name": "att", "kind": "generic", "output_shape": [4, 16, 16], "flops": 12345, "weights": 7},
    {"name": "fc", "kind": "linear", "out_features": 10, "measured_times": {"forward_s": 0.001, "backward_s": 0.002, "batch": 32},
     "measured_ratios": {"zvc": 2.5}, "comment": "classifier"},
    {"name": "prob", "kind": "softmax", "sparsity": 0.0}
  ]
})";

std::string readAll(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
} // namespace

class TestNetworkJson : public QObject {
    Q_OBJECT
private slots:
    void roundTripKeepsEverything()
    {
        auto doc = parseJsonText(kSmallNetwork, "small.json");
        Network first = networkFromJson(doc, "small.json");
        QCOMPARE(first.layers.size(), std::size_t{10});
        QCOMPARE(first.layers[8].kind, LayerKind::fc); // "linear" is an alias of fc

        QTemporaryDir dir;
        const auto path = std::filesystem::path(dir.path().toStdString()) / "saved.json";
        saveNetworkFile(first, path);
        NetworkModel again = loadNetworkFile(path);
        const Network& second = again.network();

        QCOMPARE(networkToJson(second), networkToJson(first));
        QCOMPARE(second.layers[0].kernel_w, std::int64_t{5});
        QCOMPARE(second.layers[0].pad_w, std::int64_t{2});
        QCOMPARE(second.layers[0].bias, false);
        QCOMPARE(second.layers[1].sparsity->points.size(), std::size_t{3});
        QCOMPARE(second.layers[1].sparsity->provenance->source, SparsitySource::paper);
        QCOMPARE(second.layers[1].sparsity->provenance->note, std::string("somewhere, Fig. 3"));
        QCOMPARE(second.layers[3].groups, std::int64_t{8});
        QCOMPARE(second.layers[6].dropout_rate, 0.25);
        QCOMPARE(second.layers[7].generic_flops, 12345.0);
        QCOMPARE(second.layers[8].measured_times->batch, std::int64_t{32});
        QCOMPARE(second.layers[8].measured_ratios.at("zvc"), 2.5);
        QCOMPARE(second.layers[8].comment, std::string("classifier"));
        QCOMPARE(second.default_provenance.note, std::string("fixture"));
    }

    void saveIsAtomicAndReplaces()
    {
        QTemporaryDir dir;
        const auto path = std::filesystem::path(dir.path().toStdString()) / "net.json";
        {
            std::ofstream(path) << "old content";
        }
        Network net = networkFromJson(parseJsonText(kSmallNetwork, "small.json"), "small.json");
        saveNetworkFile(net, path);
        QVERIFY(readAll(path).find("offload-studio/network") != std::string::npos);
        // No temporary file is left beside it.
        int files = 0;
        for (const auto& e : std::filesystem::directory_iterator(dir.path().toStdString())) {
            (void)e;
            ++files;
        }
        QCOMPARE(files, 1);
    }

    void saveIntoMissingFolderFailsCleanly()
    {
        Network net = networkFromJson(parseJsonText(kSmallNetwork, "small.json"), "small.json");
        QVERIFY_THROWS_EXCEPTION(InputError, saveNetworkFile(net, "/nonexistent-folder/x/net.json"));
    }

    void malformedFileIsRejected_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("place");
        QTest::addColumn<QString>("message");
        auto row = [](const char* f, const char* place, const char* message) {
            QTest::newRow(f) << QString(f) << QString(place) << QString(message);
        };
        row("syntax-missing-brace.json", "line 2, column 1", "unexpected end of input");
        row("syntax-trailing-comma.json", "line 1, column", "not valid JSON");
        row("empty-file.json", "line 1, column 1", "not valid JSON");
        row("sparsity-nan.json", "line 1, column", "not valid JSON");
        row("number-overflow.json", "line 3, column", "too large to represent");
        row("not-an-object.json", "/", "expected an object");
        row("wrong-format.json", "/format", "offload-studio/network");
        row("future-version.json", "/version", "newer than this program reads");
        row("version-string.json", "/version", "expected a whole number");
        row("missing-name.json", "/", "\"name\" is missing");
        row("missing-layers.json", "/", "\"layers\" is missing");
        row("empty-layers.json", "/layers", "found 0");
        row("layer-not-object.json", "/layers/0", "expected an object");
        row("kernel-wrong-type.json", "/layers/0/kernel", "expected a whole number");
        row("kernel-negative.json", "/layers/0/kernel", "must be between 1 and");
        row("out-channels-zero.json", "/layers/0/out_channels", "must be between 1 and");
        row("conv-missing-out-channels.json", "/layers/0", "\"out_channels\" is missing");
        row("kernel-too-big.json", "/layers/1/kernel", "does not fit the input");
        row("groups-do-not-divide.json", "/layers/0/groups", "must divide the input channels");
        row("input-shape-zero.json", "/input/shape/1", "must be between 1 and");
        row("dangling-input.json", "/layers/1/inputs/0", "no layer is named \"conv9\"");
        row("cyclic-self.json", "/layers/1/inputs/1", "names itself as its input");
        row("cyclic-forward-ref.json", "/layers/0/inputs/0", "comes later in the file");
        row("duplicate-name.json", "/layers/1/name", "already used");
        row("sparsity-out-of-range.json", "/layers/1/sparsity", "must be between 0 and 1");
        row("sparsity-curve-unordered.json", "/layers/0/sparsity/curve/2/0", "increasing order");
        row("sparsity-paper-without-citation.json", "/layers/0/sparsity", "needs \"citation\"");
        row("unknown-kind.json", "/layers/0/kind", "unknown layer kind \"convolution\"");
        row("unknown-key.json", "/layers/0/strides", "unknown key \"strides\"");
        row("key-not-for-kind.json", "/layers/0/kernel", "unknown key \"kernel\"");
        row("absurd-channels.json", "/layers/0/out_channels", "absurdly large");
        row("absurd-input.json", "/input/shape", "absurdly large");
        row("huge-integer.json", "/layers/0/out_channels", "must be between 1 and");
        row("concat-mismatch.json", "/layers/2/inputs/1", "same height and width");
        row("add-mismatch.json", "/layers/2/inputs/1", "same shape");
        row("relu-two-inputs.json", "/layers/1/inputs", "exactly one input");
        row("generic-missing-shape.json", "/layers/0", "\"output_shape\" is missing");
    }

    void malformedFileIsRejected()
    {
        QFETCH(QString, file);
        QFETCH(QString, place);
        QFETCH(QString, message);
        const auto path = kBadDir / file.toStdString();
        QVERIFY2(std::filesystem::exists(path), path.c_str());
        try {
            loadNetworkFile(path);
            QFAIL("the file was accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(path.string()));
            QVERIFY2(QString::fromStdString(e.place()).startsWith(place), e.what());
            QVERIFY2(QString::fromStdString(e.message()).contains(message), e.what());
            // The full text a user sees names file and place first.
            QVERIFY(QString(e.what()).startsWith(QString::fromStdString(path.string()) + ": " + place));
        }
    }

    void everyBadFileHasARow()
    {
        // A new fixture without an expectation would silently test nothing.
        int files = 0;
        for (const auto& e : std::filesystem::directory_iterator(kBadDir))
            files += e.path().extension() == ".json";
        QCOMPARE(files, 37);
    }

    void deeplyNestedDocumentIsRejected_data()
    {
        QTest::addColumn<int>("depth");
        QTest::newRow("100000 arrays") << 100000;
        QTest::newRow("just over the limit") << kMaxJsonDepth + 1;
    }

    void deeplyNestedDocumentIsRejected()
    {
        QFETCH(int, depth);
        std::string text = std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
        QVERIFY_THROWS_EXCEPTION(InputError, parseJsonText(text, "deep.json"));
        std::string objects;
        for (int i = 0; i < depth; ++i)
            objects += "{\"a\":";
        objects += "1" + std::string(static_cast<std::size_t>(depth), '}');
        try {
            parseJsonText(objects, "deep.json");
            QFAIL("accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString("deep.json"));
            QVERIFY(QString(e.what()).contains("nested more than"));
        }
    }

    void reasonableNestingIsAccepted()
    {
        std::string text = std::string(20, '[') + std::string(20, ']');
        QVERIFY(parseJsonText(text, "ok.json").is_array());
    }

    void missingFileNamesTheFile()
    {
        try {
            loadNetworkFile("/no/such/network.json");
            QFAIL("accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.file()), QString("/no/such/network.json"));
            QVERIFY(QString::fromStdString(e.message()).contains("does not exist"));
        }
    }

    void directoryIsNotAFile()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, loadNetworkFile(OFFLOAD_TEST_DATA_DIR));
    }

    void jsonPointerEscapesKeys()
    {
        QCOMPARE(jsonPointerToken("a/b~c"), std::string("a~1b~0c"));
    }
};

QTEST_GUILESS_MAIN(TestNetworkJson)
#include "tst_network_json.moc"
