#include "capture_manifest.h"

#include "core/json_reader.h"

#include <system_error>

namespace offload {

std::map<std::string, CaptureManifestEntry> readCaptureManifest(const std::filesystem::path& dir)
{
    std::map<std::string, CaptureManifestEntry> out;
    const std::filesystem::path path = dir / "manifest.json";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return out;
    const nlohmann::json doc = parseJsonFile(path);
    const std::string label = path.string(); // the cursors refer to it
    const JsonCursor root(doc, "", label);
    if (!doc.is_array())
        root.fail("expected an array of tensor entries ({\"file\": ..., \"layer_name\": ..., \"layout\": ...})");
    // The capture tools that write manifests add keys of their own (shape, op, input...): only
    // the four read here are checked.
    for (const JsonCursor& e : root.elements()) {
        e.requireObject();
        const std::string file = e.required("file").nonEmptyString();
        CaptureManifestEntry m;
        if (auto layer = e.member("layer_name"))
            m.layer = layer->string();
        if (auto layout = e.member("layout")) {
            m.layout = layout->string();
            if (m.layout != "NCHW" && m.layout != "NHWC")
                layout->fail("layout must be \"NCHW\" or \"NHWC\", found \"" + m.layout + "\"");
        }
        if (auto progress = e.member("progress"))
            m.progress = progress->number(0.0, 1.0);
        out[file] = m;
    }
    return out;
}

} // namespace offload
