#pragma once
// Strict reading of our JSON formats: every value is checked for type and range, every
// object for unknown keys, and every error names the file and the JSON pointer of the value.
#include "input_error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace offload {

// Deeper documents are rejected while parsing (a 100,000-level document must not exhaust the
// stack anywhere, including in the destructor of the parsed value).
inline constexpr int kMaxJsonDepth = 64;
// The largest documents are generated networks for scale tests: a million layers are about
// 110 MB of JSON (offload-sim generate --blocks 200000). A file over 512 MiB is a mistake (or
// an attack) and is refused before reading.
inline constexpr std::uintmax_t kMaxJsonFileBytes = 512ull << 20;

nlohmann::json parseJsonText(std::string_view text, const std::string& fileLabel);
nlohmann::json parseJsonFile(const std::filesystem::path& path);

// Escapes a key for use in a JSON pointer (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string jsonPointerToken(std::string_view key);

// A value in a document together with where it is. Cheap to copy.
class JsonCursor {
public:
    JsonCursor(const nlohmann::json& value, std::string pointer, const std::string& file);

    const nlohmann::json& value() const { return *value_; }
    const std::string& pointer() const { return pointer_; }
    const std::string& file() const { return *file_; }

    [[noreturn]] void fail(const std::string& message) const;

    // Object access. `member` returns nullopt when the key is absent (or null).
    void requireObject() const;
    // Fails on the first key not in `allowed`, naming it and listing what is accepted.
    void checkKeys(std::span<const std::string_view> allowed) const;
    void checkKeys(std::initializer_list<std::string_view> allowed) const
    {
        checkKeys(std::span<const std::string_view>(allowed.begin(), allowed.size()));
    }
    bool has(std::string_view key) const;
    std::optional<JsonCursor> member(std::string_view key) const;
    JsonCursor required(std::string_view key) const;

    // Array access.
    std::vector<JsonCursor> elements() const;
    std::vector<JsonCursor> elements(std::size_t minCount, std::size_t maxCount) const;

    // Scalars, with the range in the error message.
    double number() const;
    double number(double min, double max) const;
    std::int64_t integer(std::int64_t min, std::int64_t max) const;
    std::string string() const;
    std::string nonEmptyString() const;
    bool boolean() const;

    // Optional members with defaults.
    double numberOr(std::string_view key, double fallback, double min, double max) const;
    std::int64_t integerOr(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
    std::string stringOr(std::string_view key, std::string fallback) const;
    bool booleanOr(std::string_view key, bool fallback) const;

private:
    const nlohmann::json* value_;
    std::string pointer_;
    const std::string* file_;
};

// Checks "format" and "version" of a document root.
void checkFormatHeader(const JsonCursor& root, std::string_view expectedFormat, int supportedVersion);

// Writes `text` to `path` atomically (temporary file in the same folder, then rename), so a
// failed or interrupted save never leaves a truncated file behind.
void writeFileAtomically(const std::filesystem::path& path, std::string_view text);

std::string readFileLimited(const std::filesystem::path& path, std::uintmax_t maxBytes);

} // namespace offload
