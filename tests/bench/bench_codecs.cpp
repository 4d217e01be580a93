// Codec throughput and ratio on the real MobileNetV1 activations of ../shared/data, with a memcpy
// of the same bytes in the same run as the baseline. Counters: GB/s of uncompressed bytes
// (compress: read; decompress: written) and the compression ratio. Single-threaded.
//
// Sets: "relu" = the fp32 ReLU6 outputs (what offloading stashes), "all" = every shipped tensor.
// Targets (docs/codecs.md): ZVC and DPR (every format) compress and decompress >= 50 % of memcpy
// on "relu", RLE >= 2 GB/s; ZVC >= 5x faster than LZ4's fastest setting at an equal or better
// ratio. Each path is also run forced (_portable, _avx2, _avx512) so every CPU level is seen.
#include "core/codecs/codec.h"
#include "core/codecs/codecs_internal.h"
#include "core/codecs/npy.h"
#include "core/codecs/zvc.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace offload;

namespace {

struct Tensor {
    std::string name;
    TensorDesc desc;
    std::vector<std::uint8_t> data;
};

std::vector<Tensor> loadSet(bool reluOnly)
{
    std::vector<Tensor> out;
    const std::filesystem::path dir = std::filesystem::path(OFFLOAD_SHARED_DATA_DIR) / "ssd_mobilenetv1";
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".npy") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        const std::string name = f.filename().string();
        if (reluOnly && name.find(".relu6.npy") == std::string::npos) continue;
        auto a = readNpyFile(f.string());
        Tensor t;
        t.name = name;
        t.desc.dtype = DType::fp32;
        t.desc.elements = a.elements();
        if (a.shape.size() == 4) {
            t.desc.n = static_cast<std::int64_t>(a.shape[0]);
            t.desc.h = static_cast<std::int64_t>(a.shape[1]);
            t.desc.w = static_cast<std::int64_t>(a.shape[2]);
            t.desc.c = static_cast<std::int64_t>(a.shape[3]);
            t.desc.layout = TensorLayout::nhwc;
        }
        t.data = std::move(a.data);
        out.push_back(std::move(t));
    }
    return out;
}

const std::vector<Tensor>& set(bool relu)
{
    static const std::vector<Tensor> reluSet = loadSet(true);
    static const std::vector<Tensor> allSet = loadSet(false);
    return relu ? reluSet : allSet;
}

std::uint64_t totalBytes(const std::vector<Tensor>& ts)
{
    std::uint64_t b = 0;
    for (const auto& t : ts) b += t.desc.bytes();
    return b;
}

void setCounters(benchmark::State& state, std::uint64_t bytes, std::uint64_t compressed)
{
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.counters["GB/s"] = benchmark::Counter(static_cast<double>(bytes) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["ratio"] = static_cast<double>(bytes) / static_cast<double>(compressed);
    state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_memcpy(benchmark::State& state, bool relu)
{
    const auto& ts = set(relu);
    if (ts.empty()) return state.SkipWithError("shared data not found");
    std::vector<std::vector<std::uint8_t>> dst;
    for (const auto& t : ts) dst.emplace_back(t.data.size());
    for (auto _ : state) {
        for (std::size_t i = 0; i < ts.size(); ++i) std::memcpy(dst[i].data(), ts[i].data.data(), ts[i].data.size());
        benchmark::ClobberMemory();
    }
    const auto b = totalBytes(ts);
    setCounters(state, b, b);
}

// A codec under test: compress and decompress through callables so ZVC's paths and LZ4's
// extreme acceleration (not reachable through CodecParams' defaults) fit the same harness.
struct Subject {
    std::unique_ptr<Codec> codec;
    zvc::Path zvcPath = zvc::Path::automatic;
    bool direct = false; // call zvc:: directly with the chosen path
};

std::size_t compressOne(const Subject& s, const Tensor& t, std::vector<std::uint8_t>& out)
{
    if (s.direct) return zvc::compress(t.data.data(), t.desc.elements, 4, out, s.zvcPath);
    return s.codec->compress(t.desc, t.data.data(), out);
}

void decompressOne(const Subject& s, const Tensor& t, std::span<const std::uint8_t> in, std::uint8_t* out)
{
    if (s.direct) return zvc::decompress(in, t.desc.elements, 4, out, s.zvcPath);
    s.codec->decompress(t.desc, in, out);
}

// Which conversions DPR and RLE use: as the CPU allows, forced portable, or AVX2 (skipped
// without it). ZVC's paths are zvc::Path.
enum class Simd { automatic, portable, avx2 };

std::unique_ptr<Codec> makeSubjectCodec(CodecId id, const CodecParams& params, Simd simd)
{
    if (simd == Simd::automatic) return makeCodec(id, params);
    const bool vector = simd == Simd::avx2;
    if (id == CodecId::dpr) return detail::makeDprCodec(params.dpr, vector);
    if (id == CodecId::rle) return detail::makeRleCodec(vector);
    return makeCodec(id, params);
}

void BM_codec(benchmark::State& state, bool relu, CodecId id, CodecParams params, zvc::Path path, Simd simd,
              bool compress)
{
    const auto& ts = set(relu);
    if (ts.empty()) return state.SkipWithError("shared data not found");
    if (path == zvc::Path::avx512 && !zvc::avx512Available()) return state.SkipWithError("no AVX-512 VBMI2");
    if (path == zvc::Path::avx2 && !zvc::avx2Available()) return state.SkipWithError("no AVX2");
    if (simd == Simd::avx2 && !detail::dprAvx2Available()) return state.SkipWithError("no AVX2");
    if (simd == Simd::avx2 && id == CodecId::dpr && params.dpr == DprFormat::fp16 && !detail::f16cAvailable())
        return state.SkipWithError("no F16C");
    Subject s;
    s.codec = makeSubjectCodec(id, params, simd);
    s.direct = id == CodecId::zvc;
    s.zvcPath = path;
    std::vector<std::vector<std::uint8_t>> streams, outs;
    std::vector<std::size_t> sizes;
    std::uint64_t compressed = 0;
    for (const auto& t : ts) {
        streams.emplace_back(s.codec->maxCompressedBytes(t.desc));
        sizes.push_back(compressOne(s, t, streams.back()));
        compressed += sizes.back();
        outs.emplace_back(t.data.size());
    }
    if (compress) {
        for (auto _ : state)
            for (std::size_t i = 0; i < ts.size(); ++i) benchmark::DoNotOptimize(compressOne(s, ts[i], streams[i]));
    } else {
        for (auto _ : state) {
            for (std::size_t i = 0; i < ts.size(); ++i)
                decompressOne(s, ts[i], std::span<const std::uint8_t>(streams[i].data(), sizes[i]), outs[i].data());
            benchmark::ClobberMemory();
        }
        for (std::size_t i = 0; i < ts.size(); ++i)
            if (s.codec->lossless() && outs[i] != ts[i].data) return state.SkipWithError("round trip mismatch");
    }
    setCounters(state, totalBytes(ts), compressed);
}

struct Entry {
    std::string name;
    CodecId id;
    CodecParams params;
    zvc::Path path = zvc::Path::automatic;
    Simd simd = Simd::automatic;
};

std::vector<Entry> entries()
{
    std::vector<Entry> e;
    e.push_back({"zvc", CodecId::zvc, {}});
    e.push_back({"zvc_portable", CodecId::zvc, {}, zvc::Path::portable});
    e.push_back({"zvc_avx512", CodecId::zvc, {}, zvc::Path::avx512});
    e.push_back({"zvc_avx2", CodecId::zvc, {}, zvc::Path::avx2});
    e.push_back({"rle", CodecId::rle, {}});
    e.push_back({"rle_portable", CodecId::rle, {}, zvc::Path::automatic, Simd::portable});
    e.push_back({"rle_avx2", CodecId::rle, {}, zvc::Path::automatic, Simd::avx2});
    CodecParams p;
    p.lz4_acceleration = 1;
    e.push_back({"lz4_a1", CodecId::lz4, p});
    // Higher accelerations trade ratio for speed; these show where LZ4's ratio meets ZVC's.
    for (int a : {4, 16, 64}) {
        p.lz4_acceleration = a;
        static const char* names[] = {"lz4_a4", "lz4_a16", "lz4_a64"};
        e.push_back({names[a == 4 ? 0 : a == 16 ? 1 : 2], CodecId::lz4, p});
    }
    p.lz4_acceleration = 65537; // LZ4_ACCELERATION_MAX in lz4.c: larger values are clamped to it
    e.push_back({"lz4_fastest", CodecId::lz4, p});
    p = {};
    p.zlib_level = 1;
    e.push_back({"zlib_1", CodecId::zlib, p});
    p.zlib_level = 6;
    e.push_back({"zlib_6", CodecId::zlib, p});
    p = {};
    p.zstd_level = 1;
    e.push_back({"zstd_1", CodecId::zstd, p});
    p.zstd_level = 3;
    e.push_back({"zstd_3", CodecId::zstd, p});
    p = {};
    p.jpeg_quality = 90;
    e.push_back({"jpeg_act_q90", CodecId::jpeg_act, p});
    p = {};
    for (auto [format, name] : {std::pair{DprFormat::fp16, "fp16"}, std::pair{DprFormat::bf16, "bf16"},
                                std::pair{DprFormat::fp8_e4m3, "fp8"}}) {
        p.dpr = format;
        const std::string base = std::string("dpr_") + name;
        e.push_back({base, CodecId::dpr, p});
        e.push_back({base + "_portable", CodecId::dpr, p, zvc::Path::automatic, Simd::portable});
        e.push_back({base + (format == DprFormat::fp16 ? "_f16c" : "_avx2"), CodecId::dpr, p, zvc::Path::automatic,
                     Simd::avx2});
    }
    return e;
}

const bool registered = [] {
    for (bool relu : {true, false}) {
        const std::string setName = relu ? "relu" : "all";
        benchmark::RegisterBenchmark(("memcpy/" + setName).c_str(), BM_memcpy, relu);
        for (const auto& en : entries())
            for (bool compress : {true, false})
                benchmark::RegisterBenchmark((en.name + (compress ? "/compress/" : "/decompress/") + setName).c_str(),
                                             BM_codec, relu, en.id, en.params, en.path, en.simd, compress);
    }
    return true;
}();

} // namespace

BENCHMARK_MAIN();
