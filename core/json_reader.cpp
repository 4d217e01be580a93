#include "json_reader.h"

#include "join.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace offload {

namespace {

std::string describeType(const nlohmann::json& v)
{
    if (v.is_null())
        return "null";
    if (v.is_boolean())
        return v.get<bool>() ? "true" : "false";
    if (v.is_number())
        return "the number " + v.dump();
    if (v.is_string()) {
        std::string s = v.get<std::string>();
        if (s.size() > 40)
            s = s.substr(0, 37) + "...";
        return "the string \"" + s + "\"";
    }
    if (v.is_array())
        return "an array";
    return "an object";
}

std::string formatNumber(double x)
{
    std::ostringstream out;
    out << x;
    return out.str();
}

// Line and column (1-based) of a byte offset, for syntax errors.
std::string lineColumn(std::string_view text, std::size_t byteOffset)
{
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < byteOffset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

} // namespace

nlohmann::json parseJsonText(std::string_view text, const std::string& fileLabel)
{
    // Depth is checked by one scan of the text before parsing, so that the parser never builds
    // a deep tree. (nlohmann's parser with a callback would check it as it goes, but its
    // callback mode costs time quadratic in the length of a long array: minutes for a network
    // of a million layers.)
    struct TooDeep {
    };
    try {
        int depth = 0;
        bool inString = false;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (inString) {
                if (c == '\\')
                    ++i; // an escaped character, whatever it is, does not end the string
                else if (c == '"')
                    inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > kMaxJsonDepth)
                    throw TooDeep{};
            } else if (c == '}' || c == ']') {
                --depth;
            }
        }
        return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true,
                                     /*ignore_comments=*/false);
    } catch (const TooDeep&) {
        throw InputError(fileLabel, "", "the document is nested more than " + std::to_string(kMaxJsonDepth) +
                                            " levels deep; no valid file of this format is");
    } catch (const nlohmann::json::parse_error& e) {
        // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
        std::string what = e.what();
        auto colon = what.find(": ");
        std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
        std::size_t offset = e.byte == 0 ? 0 : e.byte - 1;
        throw InputError(fileLabel, lineColumn(text, offset), "not valid JSON: " + detail);
    } catch (const nlohmann::json::out_of_range& e) {
        // A number beyond double's range ("1e999"): the library names the literal, not where it
        // is; the first occurrence of the literal in the text is where.
        const std::string what = e.what();
        const auto open = what.find('\'');
        const auto close = what.rfind('\'');
        const std::string literal = open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
        const auto at = literal.empty() ? std::string_view::npos : text.find(literal);
        throw InputError(fileLabel, lineColumn(text, at == std::string_view::npos ? 0 : at),
                         "not valid JSON: the number " + (literal.empty() ? std::string("here") : literal) +
                             " is too large to represent");
    }
}

std::string readFileLimited(const std::filesystem::path& path, std::uintmax_t maxBytes)
{
    const std::string label = path.string();
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        throw InputError(label, "", "cannot open the file: it does not exist");
    if (std::filesystem::is_directory(status))
        throw InputError(label, "", "is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(label, "", std::string("cannot open the file: ") + std::strerror(errno));
    std::string text;
    char buffer[1 << 16];
    while (in) {
        in.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > maxBytes)
            throw InputError(label, "", "the file is larger than " + std::to_string(maxBytes >> 20) +
                                            " MiB; that is far beyond any valid file of this kind");
    }
    return text;
}

nlohmann::json parseJsonFile(const std::filesystem::path& path)
{
    return parseJsonText(readFileLimited(path, kMaxJsonFileBytes), path.string());
}

std::string jsonPointerToken(std::string_view key)
{
    std::string out;
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

JsonCursor::JsonCursor(const nlohmann::json& value, std::string pointer, const std::string& file)
    : value_(&value), pointer_(std::move(pointer)), file_(&file)
{
}

void JsonCursor::fail(const std::string& message) const
{
    throw InputError(*file_, pointer_.empty() ? std::string("/") : pointer_, message);
}

void JsonCursor::requireObject() const
{
    if (!value_->is_object())
        fail("expected an object, found " + describeType(*value_));
}

void JsonCursor::checkKeys(std::span<const std::string_view> allowed) const
{
    requireObject();
    for (const auto& item : value_->items()) {
        bool known = false;
        for (auto key : allowed)
            known = known || key == item.key();
        if (!known) {
            JsonCursor(item.value(), pointer_ + "/" + jsonPointerToken(item.key()), *file_)
                .fail("unknown key \"" + item.key() + "\" (accepted here: " + joined(allowed, ", ") + ")");
        }
    }
}

bool JsonCursor::has(std::string_view key) const
{
    if (!value_->is_object())
        return false;
    auto it = value_->find(key);
    return it != value_->end() && !it->is_null();
}

std::optional<JsonCursor> JsonCursor::member(std::string_view key) const
{
    requireObject();
    auto it = value_->find(key);
    if (it == value_->end() || it->is_null())
        return std::nullopt;
    return JsonCursor(*it, pointer_ + "/" + jsonPointerToken(key), *file_);
}

JsonCursor JsonCursor::required(std::string_view key) const
{
    auto m = member(key);
    if (!m)
        fail("the required key \"" + std::string(key) + "\" is missing");
    return *m;
}

std::vector<JsonCursor> JsonCursor::elements() const
{
    if (!value_->is_array())
        fail("expected an array, found " + describeType(*value_));
    std::vector<JsonCursor> out;
    out.reserve(value_->size());
    for (std::size_t i = 0; i < value_->size(); ++i)
        out.emplace_back((*value_)[i], pointer_ + "/" + std::to_string(i), *file_);
    return out;
}

std::vector<JsonCursor> JsonCursor::elements(std::size_t minCount, std::size_t maxCount) const
{
    auto out = elements();
    if (out.size() < minCount || out.size() > maxCount) {
        if (minCount == maxCount)
            fail("expected an array of " + std::to_string(minCount) + " elements, found " +
                 std::to_string(out.size()));
        fail("expected an array of " + std::to_string(minCount) + " to " + std::to_string(maxCount) +
             " elements, found " + std::to_string(out.size()));
    }
    return out;
}

double JsonCursor::number() const
{
    if (!value_->is_number())
        fail("expected a number, found " + describeType(*value_));
    double x = value_->get<double>();
    if (!std::isfinite(x))
        fail("expected a finite number");
    return x;
}

double JsonCursor::number(double min, double max) const
{
    double x = number();
    if (x < min || x > max)
        fail("must be between " + formatNumber(min) + " and " + formatNumber(max) + ", found " + formatNumber(x));
    return x;
}

std::int64_t JsonCursor::integer(std::int64_t min, std::int64_t max) const
{
    if (value_->is_number_float()) {
        double x = value_->get<double>();
        if (!std::isfinite(x) || std::floor(x) != x)
            fail("expected a whole number, found " + describeType(*value_));
        if (x < static_cast<double>(min) || x > static_cast<double>(max))
            fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " +
                 formatNumber(x));
        return static_cast<std::int64_t>(x);
    }
    if (value_->is_number_unsigned()) {
        auto u = value_->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(max) || (min > 0 && u < static_cast<std::uint64_t>(min)))
            fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " +
                 std::to_string(u));
        return static_cast<std::int64_t>(u);
    }
    if (!value_->is_number_integer())
        fail("expected a whole number, found " + describeType(*value_));
    auto v = value_->get<std::int64_t>();
    if (v < min || v > max)
        fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " +
             std::to_string(v));
    return v;
}

std::string JsonCursor::string() const
{
    if (!value_->is_string())
        fail("expected a string, found " + describeType(*value_));
    return value_->get<std::string>();
}

std::string JsonCursor::nonEmptyString() const
{
    auto s = string();
    if (s.empty())
        fail("must not be empty");
    return s;
}

bool JsonCursor::boolean() const
{
    if (!value_->is_boolean())
        fail("expected true or false, found " + describeType(*value_));
    return value_->get<bool>();
}

double JsonCursor::numberOr(std::string_view key, double fallback, double min, double max) const
{
    auto m = member(key);
    return m ? m->number(min, max) : fallback;
}

std::int64_t JsonCursor::integerOr(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) const
{
    auto m = member(key);
    return m ? m->integer(min, max) : fallback;
}

std::string JsonCursor::stringOr(std::string_view key, std::string fallback) const
{
    auto m = member(key);
    return m ? m->string() : std::move(fallback);
}

bool JsonCursor::booleanOr(std::string_view key, bool fallback) const
{
    auto m = member(key);
    return m ? m->boolean() : fallback;
}

void checkFormatHeader(const JsonCursor& root, std::string_view expectedFormat, int supportedVersion)
{
    root.requireObject();
    auto format = root.required("format");
    if (format.string() != expectedFormat)
        format.fail("expected \"" + std::string(expectedFormat) + "\", found \"" + format.string() +
                    "\"; is this the right kind of file?");
    auto version = root.required("version");
    auto v = version.integer(1, 1'000'000);
    if (v > supportedVersion)
        version.fail("version " + std::to_string(v) + " is newer than this program reads (up to " +
                     std::to_string(supportedVersion) + "); update Offload Studio");
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view text)
{
    namespace fs = std::filesystem;
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        throw InputError(path.string(), "", std::string("cannot create a temporary file beside it: ") +
                                                std::strerror(errno));
    const char* data = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(fd, data, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            ::close(fd);
            ::unlink(tmpl.c_str());
            throw InputError(path.string(), "", std::string("cannot write: ") + std::strerror(err));
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        throw InputError(path.string(), "", std::string("cannot write: ") + std::strerror(err));
    }
    ::chmod(tmpl.c_str(), 0644);
    if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmpl.c_str());
        throw InputError(path.string(), "", std::string("cannot replace the file: ") + std::strerror(err));
    }
}

} // namespace offload
