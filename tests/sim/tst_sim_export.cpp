// Exporters read the same Result the views show: JSON (everything), CSV tables, and a Chrome
// trace that Perfetto and chrome://tracing open.
#include "sim/export/chrome_trace.h"
#include "sim/export/csv_export.h"
#include "sim/export/json_export.h"
#include "sim/simulator.h"

#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <set>

using namespace offload;
using namespace offload::sim;

namespace {
Scenario tiny()
{
    return loadScenarioFile(std::string(OFFLOAD_SAMPLES_DIR) + "/scenarios/tiny-teaching.json");
}
} // namespace

class TestExport : public QObject {
    Q_OBJECT
private slots:
    void jsonHasSummaryLayersAndEvents()
    {
        const Scenario s = tiny();
        const Result r = simulate(s);
        const nlohmann::json j = resultToJson(s, r);
        QCOMPARE(j["summary"]["iteration_s"].get<double>(), r.summary.iteration_s);
        QCOMPARE(j["summary"]["oracle_s"].get<double>(), r.summary.oracle_s);
        QCOMPARE(j["summary"]["overhead"].get<double>(), r.summary.overhead);
        QCOMPARE(j["summary"]["peak_gpu_bytes"].get<std::uint64_t>(), r.summary.peak_gpu_bytes);
        QCOMPARE(j["summary"]["avg_gpu_bytes"].get<std::uint64_t>(), r.summary.avg_gpu_bytes);
        QCOMPARE(j["layers"].size(), s.network->size());
        QCOMPARE(j["layers"][0]["name"].get<std::string>(), std::string("conv1"));
        QCOMPARE(j["events"].size(), r.events.size());
        QCOMPARE(j["memory"].size(), r.memory.size());
        QVERIFY(j["oracle_memory"].size() > 0);
        // The document parses back.
        QCOMPARE(nlohmann::json::parse(j.dump()), j);
    }

    void csvTables()
    {
        const Scenario s = tiny();
        const Result r = simulate(s);
        const std::string layers = layersCsv(s, r);
        QCOMPARE(std::count(layers.begin(), layers.end(), '\n'), std::ptrdiff_t(s.network->size() + 1));
        QVERIFY(layers.rfind("index,name,kind,sparsity,ratio,offloaded", 0) == 0);
        QVERIFY(summaryCsv(r).find("iteration_s,") != std::string::npos);
        const std::string events = eventsCsv(s, r);
        QCOMPARE(std::count(events.begin(), events.end(), '\n'), std::ptrdiff_t(r.events.size() + 1));
        QTemporaryDir dir;
        writeCsvDirectory(dir.path().toStdString() + "/out", s, r);
        for (const char* f : {"layers.csv", "summary.csv", "events.csv", "memory.csv"})
            QVERIFY(QFile::exists(dir.path() + "/out/" + f));
    }

    void csvQuotesNames()
    {
        Scenario s = tiny();
        Network net = s.network->network();
        net.layers[0].name = "conv, \"first\"";
        net.layers[1].inputs = {net.layers[0].name};
        s.network = std::make_shared<const NetworkModel>(net);
        const std::string layers = layersCsv(s, simulate(s));
        QVERIFY(layers.find("\"conv, \"\"first\"\"\"") != std::string::npos);
    }

    void chromeTraceStructure()
    {
        const Scenario s = tiny();
        const Result r = simulate(s);
        Scenario other = s;
        other.codec = CodecId::none;
        const Result r2 = simulate(other);
        const nlohmann::json trace = chromeTrace({TraceRun{"zvc", &s, &r}, TraceRun{"none", &other, &r2}});
        const auto& events = trace["traceEvents"];
        std::set<int> pids;
        std::map<std::pair<int, int>, std::string> threadNames;
        std::map<std::pair<int, int>, int> sortIndex;
        std::map<long long, int> flowStarts, flowEnds;
        int complete = 0, counters = 0;
        for (const auto& e : events) {
            const std::string ph = e["ph"];
            if (ph == "M" && e["name"] == "process_name")
                pids.insert(e["pid"].get<int>());
            if (ph == "M" && e["name"] == "thread_name")
                threadNames[{e["pid"].get<int>(), e["tid"].get<int>()}] = e["args"]["name"];
            if (ph == "M" && e["name"] == "thread_sort_index")
                sortIndex[{e["pid"].get<int>(), e["tid"].get<int>()}] = e["args"]["sort_index"];
            if (ph == "X") {
                ++complete;
                QVERIFY(e["dur"].get<double>() >= 0);
                QVERIFY(e["args"].contains("layer"));
                QVERIFY(threadNames.count({e["pid"].get<int>(), e["tid"].get<int>()}));
            }
            if (ph == "C")
                ++counters;
            if (ph == "s")
                ++flowStarts[e["id"].get<long long>()];
            if (ph == "f") {
                ++flowEnds[e["id"].get<long long>()];
                QCOMPARE(e["bp"].get<std::string>(), std::string("e"));
            }
        }
        QCOMPARE(pids, (std::set<int>{1, 2}));
        QCOMPARE(threadNames.size(), std::size_t{8});
        QCOMPARE(sortIndex.size(), std::size_t{8});
        QCOMPARE(complete, int(r.events.size() + r2.events.size()));
        QCOMPARE(counters, int(r.memory.size() + r2.memory.size()));
        QCOMPARE(flowStarts.size(), std::size_t(r.summary.offloaded_layers + r2.summary.offloaded_layers));
        QCOMPARE(flowStarts, flowEnds);
        // Microseconds: the last event ends at the iteration time.
        double lastEnd = 0;
        for (const auto& e : events)
            if (e["ph"] == "X" && e["pid"] == 1)
                lastEnd = std::max(lastEnd, e["ts"].get<double>() + e["dur"].get<double>());
        QVERIFY(std::abs(lastEnd - r.summary.iteration_s * 1e6) < 1e-6 * lastEnd);
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_sim_export.moc"
