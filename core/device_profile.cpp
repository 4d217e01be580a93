#include "device_profile.h"

#include "network_json.h"

#include "json_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace offload {

namespace {

constexpr double kMaxRate = 1e16; // bytes or FLOP per second: far above any device, catches unit mix-ups

std::vector<BandwidthPoint> curveFromCursor(const JsonCursor& c)
{
    std::vector<BandwidthPoint> curve;
    for (const JsonCursor& p : c.elements(1, 4096)) {
        p.checkKeys({"bytes", "bytes_per_s"});
        BandwidthPoint point;
        point.bytes =
            static_cast<std::uint64_t>(p.required("bytes").integer(1, std::numeric_limits<std::int64_t>::max()));
        point.bytes_per_s = p.required("bytes_per_s").number(1, kMaxRate);
        if (!curve.empty() && point.bytes <= curve.back().bytes)
            p.required("bytes").fail("sizes must increase along the curve");
        curve.push_back(point);
    }
    return curve;
}

nlohmann::json curveToJson(const std::vector<BandwidthPoint>& curve)
{
    nlohmann::json a = nlohmann::json::array();
    for (const BandwidthPoint& p : curve)
        a.push_back({{"bytes", p.bytes}, {"bytes_per_s", p.bytes_per_s}});
    return a;
}

} // namespace

DeviceProfile deviceProfileFromJson(const nlohmann::json& document, const std::string& fileLabel)
{
    JsonCursor root(document, "", fileLabel);
    checkFormatHeader(root, kDeviceProfileFormat, kDeviceProfileVersion);
    root.checkKeys({"format", "version", "device", "gpu", "link", "zvc", "layers"});
    DeviceProfile p;

    const JsonCursor device = root.required("device");
    device.checkKeys({"name", "compute_capability", "sm_count", "measured_at", "tool"});
    p.device_name = device.required("name").nonEmptyString();
    p.compute_capability = device.stringOr("compute_capability", "");
    p.sm_count = static_cast<int>(device.integerOr("sm_count", 0, 0, 100000));
    p.measured_at = device.stringOr("measured_at", "");
    p.tool = device.stringOr("tool", "");

    const JsonCursor gpu = root.required("gpu");
    gpu.checkKeys({"peak_flops", "peak_flops_fp16", "dram_bytes_per_s", "memory_bytes", "compute_efficiency",
                   "dram_efficiency", "shared_bytes_per_sm", "l1_bytes_per_s", "l2_bytes", "l2_bytes_per_s", "citation"});
    p.gpu.peak_flops = gpu.required("peak_flops").number(1e6, kMaxRate);
    p.gpu.peak_flops_fp16 = gpu.numberOr("peak_flops_fp16", 0, 0, kMaxRate);
    p.gpu.dram_bytes_per_s = gpu.required("dram_bytes_per_s").number(1e6, kMaxRate);
    p.gpu.memory_bytes =
        static_cast<std::uint64_t>(gpu.required("memory_bytes").integer(1, std::numeric_limits<std::int64_t>::max()));
    p.gpu.compute_efficiency = gpu.numberOr("compute_efficiency", 0.7, 0.01, 1.0);
    p.gpu.dram_efficiency = gpu.numberOr("dram_efficiency", 0.8, 0.01, 1.0);
    // The memory hierarchy (delta compute model), optional: older profiles have none.
    p.gpu.sm_count = p.sm_count;
    p.gpu.shared_bytes_per_sm = static_cast<std::uint64_t>(gpu.integerOr("shared_bytes_per_sm", 0, 0, 1 << 30));
    p.gpu.l1_bytes_per_s = gpu.numberOr("l1_bytes_per_s", 0, 0, kMaxRate);
    p.gpu.l2_bytes = static_cast<std::uint64_t>(gpu.integerOr("l2_bytes", 0, 0, std::int64_t{1} << 40));
    p.gpu.l2_bytes_per_s = gpu.numberOr("l2_bytes_per_s", 0, 0, kMaxRate);
    p.gpu.citation = gpu.stringOr("citation", "");

    const JsonCursor link = root.required("link");
    link.checkKeys({"h2d", "d2h", "latency_s", "full_duplex"});
    p.h2d = curveFromCursor(link.required("h2d"));
    p.d2h = curveFromCursor(link.required("d2h"));
    p.link_latency_s = link.numberOr("latency_s", 0, 0, 1);
    p.full_duplex = link.booleanOr("full_duplex", true);

    if (auto zvc = root.member("zvc")) {
        for (const JsonCursor& z : zvc->elements(0, 1024)) {
            z.checkKeys(
                {"sparsity", "tensor_bytes", "compress_bytes_per_s", "decompress_bytes_per_s", "d2d_copy_bytes_per_s"});
            ZvcThroughput t;
            t.sparsity = z.required("sparsity").number(0, 1);
            t.tensor_bytes = static_cast<std::uint64_t>(
                z.required("tensor_bytes").integer(1, std::numeric_limits<std::int64_t>::max()));
            t.compress_bytes_per_s = z.required("compress_bytes_per_s").number(1, kMaxRate);
            t.decompress_bytes_per_s = z.required("decompress_bytes_per_s").number(1, kMaxRate);
            t.d2d_copy_bytes_per_s = z.numberOr("d2d_copy_bytes_per_s", 0, 0, kMaxRate);
            p.zvc.push_back(t);
        }
    }

    if (auto layers = root.member("layers")) {
        layers->checkKeys({"network", "method", "times"});
        p.layer_times_network = layers->stringOr("network", "");
        p.layer_times_method = layers->stringOr("method", "");
        const JsonCursor times = layers->required("times");
        times.requireObject();
        for (const auto& item : times.value().items()) {
            JsonCursor t(item.value(), times.pointer() + "/" + jsonPointerToken(item.key()), times.file());
            p.layer_times[item.key()] = measuredTimesFromCursor(t);
        }
    }
    return p;
}

DeviceProfile loadDeviceProfileFile(const std::filesystem::path& path)
{
    return deviceProfileFromJson(parseJsonFile(path), path.string());
}

nlohmann::json deviceProfileToJson(const DeviceProfile& p)
{
    nlohmann::json j;
    j["format"] = kDeviceProfileFormat;
    j["version"] = kDeviceProfileVersion;
    j["device"] = {{"name", p.device_name},
                   {"compute_capability", p.compute_capability},
                   {"sm_count", p.sm_count},
                   {"measured_at", p.measured_at},
                   {"tool", p.tool}};
    j["gpu"] = {{"peak_flops", p.gpu.peak_flops},
                {"peak_flops_fp16", p.gpu.peak_flops_fp16},
                {"dram_bytes_per_s", p.gpu.dram_bytes_per_s},
                {"memory_bytes", p.gpu.memory_bytes},
                {"compute_efficiency", p.gpu.compute_efficiency},
                {"dram_efficiency", p.gpu.dram_efficiency},
                {"citation", p.gpu.citation}};
    if (p.gpu.l2_bytes > 0) {
        j["gpu"]["shared_bytes_per_sm"] = p.gpu.shared_bytes_per_sm;
        j["gpu"]["l1_bytes_per_s"] = p.gpu.l1_bytes_per_s;
        j["gpu"]["l2_bytes"] = p.gpu.l2_bytes;
        j["gpu"]["l2_bytes_per_s"] = p.gpu.l2_bytes_per_s;
    }
    j["link"] = {{"h2d", curveToJson(p.h2d)},
                 {"d2h", curveToJson(p.d2h)},
                 {"latency_s", p.link_latency_s},
                 {"full_duplex", p.full_duplex}};
    if (!p.zvc.empty()) {
        nlohmann::json a = nlohmann::json::array();
        for (const ZvcThroughput& t : p.zvc)
            a.push_back({{"sparsity", t.sparsity},
                         {"tensor_bytes", t.tensor_bytes},
                         {"compress_bytes_per_s", t.compress_bytes_per_s},
                         {"decompress_bytes_per_s", t.decompress_bytes_per_s},
                         {"d2d_copy_bytes_per_s", t.d2d_copy_bytes_per_s}});
        j["zvc"] = a;
    }
    if (!p.layer_times.empty()) {
        nlohmann::json times = nlohmann::json::object();
        for (const auto& [name, m] : p.layer_times)
            times[name] = measuredTimesToJson(m);
        j["layers"] = {{"network", p.layer_times_network}, {"method", p.layer_times_method}, {"times", times}};
    }
    return j;
}

void saveDeviceProfileFile(const DeviceProfile& profile, const std::filesystem::path& path)
{
    writeFileAtomically(path, deviceProfileToJson(profile).dump(2) + "\n");
}

GpuSpec gpuSpecFromProfile(const DeviceProfile& profile)
{
    GpuSpec g = profile.gpu;
    g.id = "measured";
    g.name = "measured: " + profile.device_name;
    if (g.citation.empty())
        g.citation = "measured by " + (profile.tool.empty() ? std::string("offload-probe") : profile.tool) +
                     (profile.measured_at.empty() ? "" : " at " + profile.measured_at);
    return g;
}

LinkSpec linkSpecFromProfile(const DeviceProfile& profile)
{
    LinkSpec l;
    l.id = "measured";
    l.name = "measured: " + profile.device_name + " host link";
    // The largest copy's rate still includes the fixed cost once; with tens of MiB that is
    // below 0.1 %, and it keeps the figure what a user sees for a large activation.
    l.d2h_bytes_per_s = profile.d2h.empty() ? 0 : profile.d2h.back().bytes_per_s;
    l.h2d_bytes_per_s = profile.h2d.empty() ? 0 : profile.h2d.back().bytes_per_s;
    l.latency_s = profile.link_latency_s;
    l.full_duplex = profile.full_duplex;
    l.citation = "pinned cudaMemcpyAsync measured by " +
                 (profile.tool.empty() ? std::string("offload-probe") : profile.tool) +
                 (profile.measured_at.empty() ? "" : " at " + profile.measured_at);
    return l;
}

double bandwidthAt(const std::vector<BandwidthPoint>& curve, std::uint64_t bytes)
{
    if (curve.empty())
        return 0;
    if (bytes <= curve.front().bytes)
        return curve.front().bytes_per_s;
    if (bytes >= curve.back().bytes)
        return curve.back().bytes_per_s;
    auto hi = std::upper_bound(curve.begin(), curve.end(), bytes,
                               [](std::uint64_t b, const BandwidthPoint& p) { return b < p.bytes; });
    auto lo = hi - 1;
    const double x = std::log(static_cast<double>(bytes));
    const double x0 = std::log(static_cast<double>(lo->bytes));
    const double x1 = std::log(static_cast<double>(hi->bytes));
    const double t = (x - x0) / (x1 - x0);
    return lo->bytes_per_s + t * (hi->bytes_per_s - lo->bytes_per_s);
}

double zvcEngineBytesPerSecond(const DeviceProfile& profile)
{
    double rate = 0;
    for (const ZvcThroughput& t : profile.zvc) {
        const double r = std::min(t.compress_bytes_per_s, t.decompress_bytes_per_s);
        rate = rate == 0 ? r : std::min(rate, r);
    }
    return rate;
}

AppliedLayerTimes applyMeasuredLayerTimes(Network& network, const DeviceProfile& profile)
{
    AppliedLayerTimes result;
    std::set<std::string> seen;
    for (Layer& layer : network.layers) {
        auto it = profile.layer_times.find(layer.name);
        if (it == profile.layer_times.end())
            continue;
        layer.measured_times = it->second;
        seen.insert(layer.name);
        ++result.applied;
    }
    for (const auto& [name, times] : profile.layer_times)
        if (!seen.count(name))
            result.unknown_layers.push_back(name);
    return result;
}

} // namespace offload
