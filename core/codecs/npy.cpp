#include "npy.h"

#include "float_formats.h"

#include "core/input_error.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <functional>
#include <optional>

namespace offload {

namespace {

// NumPy itself refuses headers above 10 000 bytes unless told otherwise; allow more, but
// bounded, so a forged length cannot make us read a huge header.
constexpr std::uint64_t kMaxHeaderBytes = 1u << 20;
constexpr std::size_t kMaxDims = 32; // NumPy's own NPY_MAXDIMS is 32 (64 in NumPy 2)

std::string at(std::uint64_t offset)
{
    return "byte " + std::to_string(offset);
}

struct Prefix {
    int major = 0;
    std::uint64_t headerOffset = 0; // where the dictionary starts
    std::uint64_t headerLength = 0;
};

// Reads magic, version and header length from the first 12 bytes (or fewer if the file is short).
Prefix parsePrefix(std::span<const std::uint8_t> head, std::uint64_t fileSize, const std::string& name)
{
    static const std::uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (head.size() < 10 || std::memcmp(head.data(), kMagic, 6) != 0)
        throw InputError(name, at(0), "not a NumPy .npy file (magic \\x93NUMPY missing)");
    Prefix p;
    p.major = head[6];
    if (p.major < 1 || p.major > 3 || head[7] != 0)
        throw InputError(name, at(6),
                         "unsupported .npy format version " + std::to_string(head[6]) + "." + std::to_string(head[7]) +
                             " (1.0, 2.0 and 3.0 are read)");
    if (p.major == 1) {
        p.headerLength = static_cast<std::uint64_t>(head[8]) | (static_cast<std::uint64_t>(head[9]) << 8);
        p.headerOffset = 10;
    } else {
        if (head.size() < 12) throw InputError(name, at(8), "file ends inside the header length");
        p.headerLength = static_cast<std::uint64_t>(head[8]) | (static_cast<std::uint64_t>(head[9]) << 8) |
                         (static_cast<std::uint64_t>(head[10]) << 16) | (static_cast<std::uint64_t>(head[11]) << 24);
        p.headerOffset = 12;
    }
    if (p.headerLength > kMaxHeaderBytes)
        throw InputError(name, at(8), "header length " + std::to_string(p.headerLength) + " is implausibly large");
    if (p.headerLength > fileSize - p.headerOffset)
        throw InputError(name, at(8),
                         "header length " + std::to_string(p.headerLength) + " runs past the end of the file (" +
                             std::to_string(fileSize) + " bytes)");
    return p;
}

struct Header {
    std::string descr;
    bool fortran = false;
    std::vector<std::uint64_t> shape;
};

// A strict parser of the header's Python dict literal, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (1, 128, 128, 64), }
class HeaderParser {
public:
    HeaderParser(std::string_view text, std::uint64_t base, const std::string& name)
        : s_(text), base_(base), name_(name)
    {
    }

    Header parse()
    {
        Header h;
        bool haveDescr = false, haveFortran = false, haveShape = false;
        skipSpace();
        expect('{');
        skipSpace();
        while (peek() != '}') {
            const std::size_t keyPos = i_;
            const std::string key = parseString();
            skipSpace();
            expect(':');
            skipSpace();
            if (key == "descr") {
                if (haveDescr) fail(keyPos, "duplicate key 'descr'");
                h.descr = parseString();
                haveDescr = true;
            } else if (key == "fortran_order") {
                if (haveFortran) fail(keyPos, "duplicate key 'fortran_order'");
                h.fortran = parseBool();
                haveFortran = true;
            } else if (key == "shape") {
                if (haveShape) fail(keyPos, "duplicate key 'shape'");
                h.shape = parseShape();
                haveShape = true;
            } else {
                fail(keyPos, "unexpected key '" + key + "' (only descr, fortran_order, shape)");
            }
            skipSpace();
            if (peek() == ',') {
                ++i_;
                skipSpace();
            } else if (peek() != '}') {
                fail(i_, "expected ',' or '}'");
            }
        }
        ++i_;
        if (!haveDescr) fail(i_, "header has no 'descr'");
        if (!haveFortran) fail(i_, "header has no 'fortran_order'");
        if (!haveShape) fail(i_, "header has no 'shape'");
        // NumPy pads with spaces and ends the header with a newline.
        while (i_ < s_.size() && s_[i_] == ' ') ++i_;
        if (i_ + 1 != s_.size() || s_[i_] != '\n')
            fail(i_, "header must end with spaces and a newline after the dictionary");
        return h;
    }

private:
    [[noreturn]] void fail(std::size_t pos, const std::string& what) const
    {
        throw InputError(name_, at(base_ + pos), "header: " + what);
    }
    char peek() const
    {
        if (i_ >= s_.size()) fail(i_, "header ends early");
        return s_[i_];
    }
    void expect(char c)
    {
        if (peek() != c) fail(i_, std::string("expected '") + c + "'");
        ++i_;
    }
    void skipSpace()
    {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    std::string parseString()
    {
        const char q = peek();
        if (q != '\'' && q != '"') fail(i_, "expected a quoted string");
        ++i_;
        std::string out;
        while (peek() != q) {
            if (s_[i_] == '\\' || s_[i_] == '\n') fail(i_, "unsupported character in string");
            out.push_back(s_[i_++]);
            if (out.size() > 64) fail(i_, "string too long");
        }
        ++i_;
        return out;
    }
    bool parseBool()
    {
        if (s_.substr(i_, 4) == "True") {
            i_ += 4;
            return true;
        }
        if (s_.substr(i_, 5) == "False") {
            i_ += 5;
            return false;
        }
        fail(i_, "'fortran_order' must be True or False");
    }
    std::vector<std::uint64_t> parseShape()
    {
        const std::size_t start = i_;
        expect('(');
        std::vector<std::uint64_t> dims;
        skipSpace();
        bool trailingComma = false;
        while (peek() != ')') {
            const std::size_t numPos = i_;
            if (peek() < '0' || peek() > '9') fail(i_, "'shape' must hold non-negative integers");
            std::uint64_t v = 0;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
                const auto digit = static_cast<std::uint64_t>(s_[i_] - '0');
                if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) fail(numPos, "dimension overflows");
                v = v * 10 + digit;
                ++i_;
            }
            if (i_ < s_.size() && s_[i_] == 'L') ++i_; // Python 2 long suffix, still written by old files
            dims.push_back(v);
            if (dims.size() > kMaxDims) fail(numPos, "more than 32 dimensions");
            skipSpace();
            trailingComma = false;
            if (peek() == ',') {
                ++i_;
                trailingComma = true;
                skipSpace();
            } else if (peek() != ')') {
                fail(i_, "expected ',' or ')' in 'shape'");
            }
        }
        ++i_;
        if (dims.size() == 1 && !trailingComma) fail(start, "'shape' (n) must be written (n,)");
        return dims;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    std::uint64_t base_;
    const std::string& name_;
};

struct ElementInfo {
    NpyElement element;
    std::uint64_t bytes;
};

ElementInfo elementOf(const std::string& descr, const NpyOptions& o, std::uint64_t place, const std::string& name)
{
    if (descr == "<f4") return {NpyElement::f32, 4};
    if (descr == "<f2") return {NpyElement::f16, 2};
    if (descr == "|u1") return {NpyElement::u8, 1};
    if (descr == "<u2") {
        if (o.u2_as_bf16) return {NpyElement::bf16, 2};
        throw InputError(name, at(place) + ", field 'descr'",
                         "dtype '<u2' is read only as bfloat16 bits (enable the bf16 option)");
    }
    throw InputError(name, at(place) + ", field 'descr'",
                     "unsupported dtype '" + descr + "' (accepted: '<f4', '<f2', '<u2' as bf16, '|u1')");
}

// Reorders a Fortran-order array into C order.
std::vector<std::uint8_t> fortranToC(const std::vector<std::uint8_t>& in, const std::vector<std::uint64_t>& shape,
                                     std::uint64_t item)
{
    std::vector<std::uint8_t> out(in.size());
    const std::size_t d = shape.size();
    if (in.empty() || d < 2) return in;
    // Fortran strides (in elements): the first index varies fastest.
    std::vector<std::uint64_t> fstride(d);
    std::uint64_t s = 1;
    for (std::size_t k = 0; k < d; ++k) {
        fstride[k] = s;
        s *= shape[k];
    }
    std::vector<std::uint64_t> idx(d, 0);
    const std::uint64_t total = in.size() / item;
    std::uint64_t src = 0;
    for (std::uint64_t dstIndex = 0; dstIndex < total; ++dstIndex) {
        std::memcpy(out.data() + dstIndex * item, in.data() + src * item, item);
        // C-order odometer: the last index varies fastest.
        for (std::size_t k = d; k-- > 0;) {
            ++idx[k];
            src += fstride[k];
            if (idx[k] < shape[k]) break;
            src -= fstride[k] * idx[k];
            idx[k] = 0;
        }
    }
    return out;
}

// Validates everything up to the data; returns the header and the data's offset and size.
struct Layout {
    Header header;
    ElementInfo info{};
    std::uint64_t dataOffset = 0;
    std::uint64_t dataBytes = 0;
    int major = 1;
};

Layout checkLayout(std::span<const std::uint8_t> headBytes, std::uint64_t fileSize, const std::string& name,
                   const NpyOptions& o, const std::function<std::string(std::uint64_t, std::uint64_t)>& readHeader)
{
    const Prefix p = parsePrefix(headBytes, fileSize, name);
    const std::string text = readHeader(p.headerOffset, p.headerLength);
    Layout l;
    l.major = p.major;
    if (p.major < 3) // versions 1 and 2 are Latin-1 text; anything else is not NumPy's output
        for (std::size_t i = 0; i < text.size(); ++i)
            if (static_cast<unsigned char>(text[i]) >= 0x80)
                throw InputError(name, at(p.headerOffset + i), "header: non-ASCII byte");
    l.header = HeaderParser(text, p.headerOffset, name).parse();
    const auto descrPos = p.headerOffset + text.find("descr");
    l.info = elementOf(l.header.descr, o, descrPos, name);
    l.dataOffset = p.headerOffset + p.headerLength;
    const std::uint64_t available = fileSize - l.dataOffset;
    std::uint64_t count = 1;
    for (std::uint64_t dim : l.header.shape) {
        if (dim != 0 && count > available / dim) // a product above the file size cannot match
            throw InputError(name, at(p.headerOffset + text.find("shape")) + ", field 'shape'",
                             "shape holds more elements than the file has bytes");
        count *= dim;
    }
    if (count > available / l.info.bytes || count * l.info.bytes != available)
        throw InputError(name, at(l.dataOffset) + ", field 'shape'",
                         "shape needs " + std::to_string(count) + " x " + std::to_string(l.info.bytes) +
                             " data bytes but the file has " + std::to_string(available) + " after the header");
    l.dataBytes = available;
    return l;
}

NpyArray finish(Layout&& l, std::vector<std::uint8_t>&& data, const std::string& name)
{
    NpyArray a;
    a.file = name;
    a.major_version = l.major;
    a.descr = l.header.descr;
    a.element = l.info.element;
    a.fortran_order = l.header.fortran;
    a.shape = std::move(l.header.shape);
    a.data = a.fortran_order ? fortranToC(data, a.shape, l.info.bytes) : std::move(data);
    return a;
}

} // namespace

std::uint64_t NpyArray::elements() const
{
    std::uint64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

std::uint64_t NpyArray::itemBytes() const
{
    switch (element) {
    case NpyElement::f32: return 4;
    case NpyElement::f16:
    case NpyElement::bf16: return 2;
    case NpyElement::u8: return 1;
    }
    return 1;
}

bool NpyArray::codecDType(DType& out) const
{
    switch (element) {
    case NpyElement::f32: out = DType::fp32; return true;
    case NpyElement::f16: out = DType::fp16; return true;
    case NpyElement::bf16: out = DType::bf16; return true;
    case NpyElement::u8: return false;
    }
    return false;
}

std::vector<float> NpyArray::toFloat32() const
{
    const std::uint64_t n = data.size() / itemBytes();
    std::vector<float> out(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        switch (element) {
        case NpyElement::f32: std::memcpy(&out[i], data.data() + i * 4, 4); break;
        case NpyElement::f16:
        case NpyElement::bf16: {
            std::uint16_t h;
            std::memcpy(&h, data.data() + i * 2, 2);
            out[i] = element == NpyElement::f16 ? halfToFloat(h) : bf16ToFloat(h);
            break;
        }
        case NpyElement::u8: out[i] = data[i]; break;
        }
    }
    return out;
}

std::string_view npyElementName(NpyElement e)
{
    switch (e) {
    case NpyElement::f32: return "fp32";
    case NpyElement::f16: return "fp16";
    case NpyElement::bf16: return "bf16";
    case NpyElement::u8: return "u8";
    }
    return "?";
}

NpyArray parseNpy(std::span<const std::uint8_t> bytes, const std::string& name, const NpyOptions& options)
{
    Layout l = checkLayout(bytes.first(std::min<std::size_t>(bytes.size(), 12)), bytes.size(), name, options,
                           [&](std::uint64_t off, std::uint64_t len) {
                               return std::string(reinterpret_cast<const char*>(bytes.data() + off),
                                                  static_cast<std::size_t>(len));
                           });
    std::vector<std::uint8_t> data(bytes.begin() + static_cast<std::ptrdiff_t>(l.dataOffset), bytes.end());
    return finish(std::move(l), std::move(data), name);
}

NpyArray readNpyFile(const std::string& path, const NpyOptions& options)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "", "cannot open file");
    in.seekg(0, std::ios::end);
    const std::streamoff end = in.tellg();
    if (end < 0) throw InputError(path, "", "cannot determine the file size");
    const auto fileSize = static_cast<std::uint64_t>(end);
    in.seekg(0);
    std::uint8_t head[12] = {};
    const auto headLen = static_cast<std::size_t>(std::min<std::uint64_t>(fileSize, 12));
    in.read(reinterpret_cast<char*>(head), static_cast<std::streamsize>(headLen));
    if (!in) throw InputError(path, at(0), "read error");
    Layout l = checkLayout(std::span<const std::uint8_t>(head, headLen), fileSize, path, options,
                           [&](std::uint64_t off, std::uint64_t len) {
                               // len is at most kMaxHeaderBytes and within the file: checked.
                               std::string text(static_cast<std::size_t>(len), '\0');
                               in.seekg(static_cast<std::streamoff>(off));
                               in.read(text.data(), static_cast<std::streamsize>(len));
                               if (!in) throw InputError(path, at(off), "read error in header");
                               return text;
                           });
    // Only now, with the size proven against the file, is the data buffer allocated.
    std::vector<std::uint8_t> data(static_cast<std::size_t>(l.dataBytes));
    in.seekg(static_cast<std::streamoff>(l.dataOffset));
    if (!data.empty()) in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!in) throw InputError(path, at(l.dataOffset), "read error in data");
    return finish(std::move(l), std::move(data), path);
}

} // namespace offload
