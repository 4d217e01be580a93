// offload-sim measure PATH...: real compression ratios and speeds of activation tensors (.npy
// files or folders of them), per tensor and codec, and optionally a network profile carrying the
// measured per-layer sparsity and ratios (docs/codecs.md, "Measuring tensors"). Tensors are
// measured on every core at once (--jobs); the results are the same as one at a time, in the
// order of the files, and a terminal sees the progress of long runs on stderr.
#include "command.h"

#include "core/codecs/capture_manifest.h"
#include "core/codecs/codec.h"
#include "core/codecs/codec_tensor.h"
#include "core/codecs/npy.h"
#include "core/codecs/npz.h"
#include "core/codecs/zvc.h"
#include "core/input_error.h"
#include "core/json_reader.h"
#include "core/network_json.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace offload::cli {

namespace {

namespace fs = std::filesystem;

struct MeasureOptions {
    std::vector<std::string> paths;
    std::string codecs = "zvc,rle,zlib,lz4,zstd,jpeg-act,dpr";
    std::string layout = "auto";
    std::string json;
    std::string csv;
    bool u2AsBf16 = false;
    int repeat = 3;
    int jobs = 0; // tensors measured at once; 0: one per core
    int jpegQuality = 90;
    bool jpegShift = false;
    std::string dpr = "fp16";
    std::string profile;
    std::string network;
    std::string map;
};

struct CodecResult {
    std::string label;
    bool lossless = true;
    std::uint64_t bytes = 0;
    double compressSeconds = 0;
    double decompressSeconds = 0;
    std::optional<ErrorMetrics> error;
};

struct TensorResult {
    std::string file;
    std::string manifestLayer; // layer_name in a manifest.json beside the file, if any
    std::optional<double> progress; // training progress (0..1) of the capture, from the manifest
    std::vector<std::uint64_t> shape;
    std::string dtype;
    std::string layout;
    std::uint64_t elements = 0;
    std::uint64_t bytes = 0;
    std::uint64_t zeros = 0;
    std::map<CodecId, CodecResult> codecs;
};

std::vector<CodecId> parseCodecList(const std::string& list)
{
    std::vector<CodecId> ids;
    std::stringstream ss(list);
    std::string name;
    while (std::getline(ss, name, ',')) {
        const auto id = parseCodecId(name);
        if (!id) throw InputError("", "--codecs", "unknown codec '" + name + "'");
        if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
    }
    if (ids.empty()) throw InputError("", "--codecs", "no codec named");
    return ids;
}

// A member of a .npz archive is named as if the archive were a folder: "captures.npz/relu1.npy".
bool isNpzMember(const fs::path& file)
{
    std::error_code ec;
    return file.parent_path().extension() == ".npz" && fs::is_regular_file(file.parent_path(), ec);
}

void addNpzMembers(const fs::path& archive, std::vector<fs::path>& files)
{
    for (const auto& member : listNpzMembers(archive.string())) files.push_back(archive / member);
}

std::vector<fs::path> collectFiles(const std::vector<std::string>& paths)
{
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> found;
            for (const auto& e : fs::recursive_directory_iterator(p, ec))
                if (e.is_regular_file() && (e.path().extension() == ".npy" || e.path().extension() == ".npz"))
                    found.push_back(e.path());
            if (ec) throw InputError(p, "", "cannot list folder: " + ec.message());
            if (found.empty()) throw InputError(p, "", "folder holds no .npy or .npz files");
            std::sort(found.begin(), found.end());
            for (const auto& f : found) {
                if (f.extension() == ".npz") addNpzMembers(f, files);
                else files.push_back(f);
            }
        } else if (fs::is_regular_file(p, ec) && fs::path(p).extension() == ".npz") {
            addNpzMembers(p, files);
        } else if (fs::is_regular_file(p, ec)) {
            files.emplace_back(p);
        } else {
            throw InputError(p, "", "no such file or folder");
        }
    }
    return files;
}

// Best time per call over `repeat` timed loops; each loop runs long enough (>= 1 ms) for the
// clock to resolve it, so that tiny tensors get meaningful figures too.
template <typename F>
double bestSeconds(F&& f, int repeat)
{
    using clock = std::chrono::steady_clock;
    auto timeLoop = [&](int inner) {
        const auto t0 = clock::now();
        for (int i = 0; i < inner; ++i) f();
        return std::chrono::duration<double>(clock::now() - t0).count();
    };
    int inner = 1;
    double t = timeLoop(inner);
    while (t < 1e-3 && inner < (1 << 16)) {
        inner *= 4;
        t = timeLoop(inner);
    }
    double best = t / inner;
    for (int r = 1; r < repeat; ++r) best = std::min(best, timeLoop(inner) / inner);
    return best;
}

double gbps(std::uint64_t bytes, double seconds)
{
    return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e9 : 0.0;
}

nlohmann::json finiteOrNull(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

TensorResult measureTensor(const fs::path& file, const MeasureOptions& o, const std::vector<CodecId>& ids,
                           const CodecParams& params, const std::map<std::string, CaptureManifestEntry>& manifest)
{
    NpyOptions npy;
    npy.u2_as_bf16 = o.u2AsBf16;
    NpyArray a = isNpzMember(file) ? readNpzMember(file.parent_path().string(), file.filename().string(), npy)
                                   : readNpyFile(file.string(), npy);
    TensorResult r;
    r.file = file.string();
    r.shape = a.shape;
    std::string layout = o.layout;
    // A manifest beside an archive names its members "archive.npz/member.npy" or just "member.npy".
    auto it = manifest.find(file.filename().string());
    if (isNpzMember(file))
        if (const auto m = manifest.find((file.parent_path().filename() / file.filename()).string()); m != manifest.end())
            it = m;
    if (it != manifest.end()) {
        r.manifestLayer = it->second.layer;
        r.progress = it->second.progress;
        if (layout == "auto" && (it->second.layout == "NHWC" || it->second.layout == "NCHW")) layout = it->second.layout;
    }
    if (layout == "auto") layout = "NCHW";
    r.layout = layout;

    // The bytes the codecs take (byte tensors as fp32 values), as the window's explorer has them.
    const CodecTensor tensor = codecTensor(std::move(a), layout);
    const TensorDesc& desc = tensor.desc;
    const DType dtype = desc.dtype;
    const std::vector<std::uint8_t>* data = &tensor.bytes;
    r.dtype = std::string(dtypeName(dtype));
    r.elements = desc.elements;
    r.bytes = desc.bytes();
    r.zeros = countZeros(dtype, data->data(), desc.elements);

    std::vector<std::uint8_t> out(desc.bytes());
    for (CodecId id : ids) {
        const auto codec = makeCodec(id, params);
        CodecResult c;
        c.label = codec->label();
        c.lossless = codec->lossless();
        std::vector<std::uint8_t> stream(codec->maxCompressedBytes(desc));
        std::size_t size = 0;
        c.compressSeconds = bestSeconds([&] { size = codec->compress(desc, data->data(), stream); }, o.repeat);
        const std::span<const std::uint8_t> s(stream.data(), size);
        c.decompressSeconds = bestSeconds([&] { codec->decompress(desc, s, out.data()); }, o.repeat);
        c.bytes = size;
        if (c.lossless) {
            if (out != *data)
                throw Failure(r.file + ": " + c.label + " did not reproduce the tensor bit-exactly");
        } else {
            c.error = measureError(desc, data->data(), out.data());
        }
        r.codecs[id] = c;
    }
    return r;
}

nlohmann::json codecJson(const CodecResult& c, std::uint64_t inputBytes)
{
    nlohmann::json j = {{"label", c.label},
                        {"lossless", c.lossless},
                        {"bytes", c.bytes},
                        {"ratio", c.bytes ? static_cast<double>(inputBytes) / static_cast<double>(c.bytes) : 0.0},
                        {"compress_gbps", gbps(inputBytes, c.compressSeconds)},
                        {"decompress_gbps", gbps(inputBytes, c.decompressSeconds)}};
    if (c.lossless)
        j["verified"] = true;
    if (c.error)
        j["error"] = {{"rmse", c.error->rmse},
                      {"max_abs_error", c.error->max_abs_error},
                      {"psnr_db", finiteOrNull(c.error->psnr_db)}};
    return j;
}

struct Totals {
    std::uint64_t inputBytes = 0, bytes = 0;
    double compressSeconds = 0, decompressSeconds = 0;
    std::string label;
    bool lossless = true;
};

// ---- network profile ----

// MAP.json: {"layers": {"<tensor file name, path or manifest layer name>": "<network layer>"}}
std::map<std::string, std::string> readMap(const std::string& path)
{
    const nlohmann::json doc = parseJsonFile(path);
    const JsonCursor root(doc, "", path);
    root.checkKeys({"format", "comment", "layers"});
    const JsonCursor layers = root.required("layers");
    layers.requireObject();
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : doc["layers"].items())
        out[k] = JsonCursor(v, layers.pointer() + "/" + jsonPointerToken(k), path).nonEmptyString();
    return out;
}

// The network a profile starts from and the tensor map, read and checked before any tensor is
// measured so that a mistake in them does not wait for a long run to end.
struct ProfileInputs {
    Network network;
    std::map<std::string, std::string> map;
};

ProfileInputs readProfileInputs(const MeasureOptions& o)
{
    // Without --map, the manifests' layer names are the network's (capture_activations.py
    // writes the names of the ONNX export, which the import keeps).
    ProfileInputs in{loadNetworkFile(o.network).network(), o.map.empty() ? std::map<std::string, std::string>{}
                                                                          : readMap(o.map)};
    std::set<std::string> names;
    for (const Layer& L : in.network.layers) names.insert(L.name);
    for (const auto& [key, layer] : in.map)
        if (!names.count(layer))
            throw InputError(o.map, "/layers/" + jsonPointerToken(key),
                             "network '" + o.network + "' has no layer '" + layer + "'");
    return in;
}

void writeProfile(const MeasureOptions& o, ProfileInputs in, const std::vector<TensorResult>& tensors,
                  const std::vector<CodecId>& ids)
{
    Network& net = in.network;
    const auto& map = in.map;
    std::map<std::string, std::size_t> layerIndex;
    for (std::size_t i = 0; i < net.layers.size(); ++i) layerIndex[net.layers[i].name] = i;

    struct Acc {
        std::uint64_t elements = 0, zeros = 0;
        std::map<CodecId, std::pair<std::uint64_t, std::uint64_t>> bytes; // in, out
        std::vector<std::string> files;
        std::map<double, std::pair<std::uint64_t, std::uint64_t>> byProgress; // zeros, elements
        bool everyTensorHasProgress = true;
    };
    std::map<std::string, Acc> perLayer;
    std::set<std::string> usedKeys;
    const std::string mapLabel = o.map.empty() ? std::string("manifest.json") : o.map;
    for (const auto& t : tensors) {
        const fs::path p(t.file);
        const std::string* target = nullptr;
        if (o.map.empty() && layerIndex.count(t.manifestLayer)) target = &t.manifestLayer;
        for (const std::string& key : {p.filename().string(), t.file, t.manifestLayer})
            if (!key.empty())
                if (auto it = map.find(key); it != map.end()) {
                    target = &it->second;
                    usedKeys.insert(key);
                    break;
                }
        if (!target) continue;
        Acc& acc = perLayer[*target];
        acc.elements += t.elements;
        acc.zeros += t.zeros;
        if (t.progress) {
            acc.byProgress[*t.progress].first += t.zeros;
            acc.byProgress[*t.progress].second += t.elements;
        } else {
            acc.everyTensorHasProgress = false;
        }
        // The folder's name and the file name: enough to find the data, without this machine's paths.
        const std::string folder = p.parent_path().filename().string();
        acc.files.push_back(folder.empty() ? p.filename().string() : folder + "/" + p.filename().string());
        for (const auto& [id, c] : t.codecs) {
            acc.bytes[id].first += t.bytes;
            acc.bytes[id].second += c.bytes;
        }
    }
    for (const auto& [key, layer] : map)
        if (!usedKeys.count(key))
            std::cerr << "offload-sim measure: " << o.map << ": no measured tensor matches '" << key << "'\n";
    if (perLayer.empty())
        throw InputError(mapLabel, o.map.empty() ? "" : "/layers",
                         o.map.empty() ? "no tensor's layer_name is a layer of '" + o.network + "'"
                                       : "no measured tensor matches any entry");

    for (auto& [layerName, acc] : perLayer) {
        Layer& L = net.layers[layerIndex.at(layerName)];
        const double zf = acc.elements ? static_cast<double>(acc.zeros) / static_cast<double>(acc.elements) : 0.0;
        SparsitySpec spec;
        spec.points = {{0.0, zf}};
        // Captures at several points of training (the manifests say when) give a curve.
        if (acc.everyTensorHasProgress && acc.byProgress.size() > 1) {
            spec.points.clear();
            for (const auto& [progress, counts] : acc.byProgress)
                spec.points.emplace_back(progress, counts.second ? static_cast<double>(counts.first) /
                                                                       static_cast<double>(counts.second)
                                                                 : 0.0);
        }
        std::string files;
        for (const auto& f : acc.files) files += (files.empty() ? "" : ", ") + f;
        spec.provenance = Provenance{SparsitySource::measured, "zero fraction measured by offload-sim measure on " + files};
        L.sparsity = spec;
        for (CodecId id : ids) {
            const auto& [in, out] = acc.bytes[id];
            if (out > 0) L.measured_ratios[std::string(codecName(id))] = static_cast<double>(in) / static_cast<double>(out);
        }
    }
    saveNetworkFile(net, o.profile);
}

// Shows "measure: 12 of 180 tensors, 0:42" on stderr while a long run goes on, only when stderr
// is a terminal (a log or a pipe gets none of it) and only after the first second.
class Progress {
public:
    explicit Progress(std::size_t total) : total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}
    void show(std::size_t done)
    {
        if (!enabled_) return;
        const auto elapsed = std::chrono::steady_clock::now() - start_;
        if (elapsed < std::chrono::seconds(1)) return;
        const auto s = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
        std::fprintf(stderr, "\rmeasure: %zu of %zu tensors, %lld:%02lld", done, total_, static_cast<long long>(s / 60),
                     static_cast<long long>(s % 60));
        std::fflush(stderr);
        shown_ = true;
    }
    ~Progress()
    {
        if (shown_) std::fprintf(stderr, "\r\033[K"); // the line goes away; results follow on stdout
    }

private:
    std::size_t total_;
    bool enabled_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Measures every file on `o.jobs` threads (0: one per core). Each thread takes the next file
// not yet taken and writes only its own slot, so the results are in the order of `files` however
// the work was shared; a failure is reported as the first failing file in that order would be
// one at a time (each folder's manifest.json counts as read before its first tensor).
std::vector<TensorResult> measureAll(const std::vector<fs::path>& files, const MeasureOptions& o,
                                     const std::vector<CodecId>& ids, const CodecParams& params)
{
    struct Manifest {
        std::map<std::string, CaptureManifestEntry> entries;
        std::exception_ptr error;
    };
    std::map<fs::path, Manifest> manifests;
    std::vector<const Manifest*> manifestOf(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        // An archive's members share the manifest.json beside the archive.
        const fs::path parent = isNpzMember(files[i]) ? files[i].parent_path().parent_path() : files[i].parent_path();
        const fs::path dir = parent.empty() ? fs::path(".") : parent;
        auto [it, added] = manifests.try_emplace(dir);
        if (added) {
            try {
                it->second.entries = readCaptureManifest(dir);
            } catch (...) {
                it->second.error = std::current_exception();
            }
        }
        manifestOf[i] = &it->second;
    }

    std::vector<TensorResult> results(files.size());
    std::vector<std::exception_ptr> errors(files.size());
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;
    std::mutex mutex;
    std::condition_variable finished;
    auto work = [&] {
        for (std::size_t i = next++; i < files.size(); i = next++) {
            try {
                if (manifestOf[i]->error) std::rethrow_exception(manifestOf[i]->error);
                results[i] = measureTensor(files[i], o, ids, params, manifestOf[i]->entries);
            } catch (...) {
                errors[i] = std::current_exception();
            }
            std::lock_guard lock(mutex);
            ++done;
            finished.notify_one();
        }
    };
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t jobs = std::min<std::size_t>(o.jobs > 0 ? static_cast<std::size_t>(o.jobs) : cores, files.size());
    {
        Progress progress(files.size());
        std::vector<std::jthread> threads;
        for (std::size_t t = 0; t < jobs; ++t) threads.emplace_back(work);
        std::unique_lock lock(mutex);
        while (done < files.size()) {
            finished.wait_for(lock, std::chrono::milliseconds(250));
            progress.show(done);
        }
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
    return results;
}

void runMeasure(const MeasureOptions& o, int& exitCode)
{
    const auto ids = parseCodecList(o.codecs);
    const bool wantProfile = !o.profile.empty() || !o.network.empty() || !o.map.empty();
    if (wantProfile && (o.profile.empty() || o.network.empty()))
        throw InputError("", "--profile", "--profile and --network go together (--map is optional)");
    CodecParams params;
    params.jpeg_quality = o.jpegQuality;
    params.jpeg_shift_tables = o.jpegShift;
    params.dpr = *parseDprFormat(o.dpr); // CLI11 checked the choice

    std::optional<ProfileInputs> profileInputs;
    if (wantProfile) profileInputs = readProfileInputs(o);
    const auto files = collectFiles(o.paths);
    const std::vector<TensorResult> results = measureAll(files, o, ids, params);

    std::map<CodecId, Totals> totals;
    std::uint64_t totalElements = 0, totalZeros = 0, totalBytes = 0;
    nlohmann::json tensorsJson = nlohmann::json::array();
    std::ostringstream csv;
    csv << "file,elements,zero_fraction,codec,label,input_bytes,compressed_bytes,ratio,compress_gbps,"
           "decompress_gbps,rmse,max_abs_error,psnr_db\n";
    for (const auto& t : results) {
        totalElements += t.elements;
        totalZeros += t.zeros;
        totalBytes += t.bytes;
        const double zf = t.elements ? static_cast<double>(t.zeros) / static_cast<double>(t.elements) : 0.0;
        nlohmann::json codecs = nlohmann::json::object();
        for (const auto& [id, c] : t.codecs) {
            auto& tot = totals[id];
            tot.inputBytes += t.bytes;
            tot.bytes += c.bytes;
            tot.compressSeconds += c.compressSeconds;
            tot.decompressSeconds += c.decompressSeconds;
            tot.label = c.label;
            tot.lossless = c.lossless;
            const auto j = codecJson(c, t.bytes);
            codecs[std::string(codecName(id))] = j;
            csv << '"' << t.file << "\"," << t.elements << ',' << zf << ',' << codecName(id) << ',' << c.label << ','
                << t.bytes << ',' << c.bytes << ',' << j["ratio"].get<double>() << ','
                << j["compress_gbps"].get<double>() << ',' << j["decompress_gbps"].get<double>() << ',';
            if (c.error)
                csv << c.error->rmse << ',' << c.error->max_abs_error << ','
                    << (std::isfinite(c.error->psnr_db) ? std::to_string(c.error->psnr_db) : "inf");
            else
                csv << ",,";
            csv << '\n';
        }
        nlohmann::json tj = {{"file", t.file},        {"shape", t.shape},  {"dtype", t.dtype},
                             {"layout", t.layout},    {"elements", t.elements}, {"bytes", t.bytes},
                             {"zero_fraction", zf},   {"codecs", codecs}};
        if (!t.manifestLayer.empty()) tj["layer"] = t.manifestLayer;
        tensorsJson.push_back(tj);
    }
    nlohmann::json totalCodecs = nlohmann::json::object();
    for (const auto& [id, tot] : totals) {
        CodecResult c;
        c.label = tot.label;
        c.lossless = tot.lossless;
        c.bytes = tot.bytes;
        c.compressSeconds = tot.compressSeconds;
        c.decompressSeconds = tot.decompressSeconds;
        totalCodecs[std::string(codecName(id))] = codecJson(c, tot.inputBytes);
        totalCodecs[std::string(codecName(id))].erase("verified");
    }
    const nlohmann::json doc = {
        {"tensors", tensorsJson},
        {"totals",
         {{"tensors", results.size()},
          {"elements", totalElements},
          {"bytes", totalBytes},
          {"zero_fraction", totalElements ? static_cast<double>(totalZeros) / static_cast<double>(totalElements) : 0.0},
          {"codecs", totalCodecs}}},
        {"zvc_implementation", zvc::avx512Available() ? "avx512" : (zvc::avx2Available() ? "avx2" : "portable")}};

    if (!o.json.empty()) writeOutput(o.json, doc.dump(2) + "\n");
    if (!o.csv.empty()) writeOutput(o.csv, csv.str());
    if (o.json != "-" && o.csv != "-") {
        std::ostringstream out;
        char line[512];
        for (const auto& t : results) {
            const double zf = t.elements ? static_cast<double>(t.zeros) / static_cast<double>(t.elements) : 0.0;
            std::string shape;
            for (auto d : t.shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
            out << fs::path(t.file).filename().string() << "  [" << shape << " " << t.dtype << " " << t.layout << "]  "
                << t.elements << " elements, zero fraction " << formatFixed(zf, 4) << "\n";
            for (const auto& [id, c] : t.codecs) {
                std::snprintf(line, sizeof line, "  %-14s %12llu B  ratio %8.3f  comp %8.2f GB/s  decomp %8.2f GB/s",
                              c.label.c_str(), static_cast<unsigned long long>(c.bytes),
                              c.bytes ? static_cast<double>(t.bytes) / static_cast<double>(c.bytes) : 0.0,
                              gbps(t.bytes, c.compressSeconds), gbps(t.bytes, c.decompressSeconds));
                out << line;
                if (c.error)
                    out << "  rmse " << c.error->rmse << "  max " << c.error->max_abs_error << "  psnr "
                        << formatFixed(c.error->psnr_db, 1) << " dB";
                out << "\n";
            }
        }
        out << "\nTotals over " << results.size() << " tensors (" << formatMiB(static_cast<double>(totalBytes))
            << " MiB, zero fraction "
            << formatFixed(totalElements ? static_cast<double>(totalZeros) / static_cast<double>(totalElements) : 0.0, 4)
            << "):\n";
        for (const auto& [id, tot] : totals) {
            std::snprintf(line, sizeof line, "  %-14s %12llu B  ratio %8.3f  comp %8.2f GB/s  decomp %8.2f GB/s%s\n",
                          tot.label.c_str(), static_cast<unsigned long long>(tot.bytes),
                          tot.bytes ? static_cast<double>(tot.inputBytes) / static_cast<double>(tot.bytes) : 0.0,
                          gbps(tot.inputBytes, tot.compressSeconds), gbps(tot.inputBytes, tot.decompressSeconds),
                          tot.lossless ? "  (lossless, verified)" : "  (lossy)");
            out << line;
        }
        std::cout << out.str();
    }
    if (profileInputs) writeProfile(o, std::move(*profileInputs), results, ids);
    exitCode = kSuccess;
}

} // namespace

void addMeasureCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<MeasureOptions>();
    auto* cmd = app.add_subcommand("measure", "Measured compression ratios and speeds of real tensors (.npy, .npz)");
    cmd->add_option("paths", o->paths, ".npy or .npz files, or folders of them")->required();
    cmd->add_option("--codecs", o->codecs, "Comma-separated codecs: zvc,rle,zlib,lz4,zstd,jpeg-act,dpr,none");
    cmd->add_option("--layout", o->layout, "Layout of 4-D tensors (auto: manifest.json beside the files, else NCHW)")
        ->check(CLI::IsMember({"auto", "NCHW", "NHWC"}));
    cmd->add_option("--json", o->json, "Write JSON results to FILE, or - for stdout");
    cmd->add_option("--csv", o->csv, "Write CSV results (one row per tensor and codec) to FILE, or -");
    cmd->add_flag("--bf16", o->u2AsBf16, "Read '<u2' arrays as bfloat16 bits");
    cmd->add_option("--repeat", o->repeat, "Timed repetitions per measurement (best is kept)")
        ->check(CLI::Range(1, 1000));
    cmd->add_option("--jobs", o->jobs,
                    "Tensors measured at once (default 0: one per core; the results do not depend on it, "
                    "but speeds measured side by side share the memory bandwidth: --jobs 1 for speeds)")
        ->check(CLI::Range(0, 4096));
    cmd->add_option("--jpeg-quality", o->jpegQuality, "JPEG-ACT quality (95, 90, 80, 50, or 1..100)")
        ->check(CLI::Range(1, 100));
    cmd->add_flag("--jpeg-shift", o->jpegShift, "JPEG-ACT with power-of-two (shift) quantization tables");
    cmd->add_option("--dpr", o->dpr, "DPR storage format")->check(CLI::IsMember({"fp16", "bf16", "fp8"}));
    cmd->add_option("--profile", o->profile, "Write a network profile with measured sparsity and ratios");
    cmd->add_option("--network", o->network, "Network file the profile starts from");
    cmd->add_option("--map", o->map, "JSON mapping tensor files (or manifest layer names) to network layers; without it, the "
                    "manifest's layer names are the network's");
    cmd->callback([o, &exitCode] { runMeasure(*o, exitCode); });
}

} // namespace offload::cli
