#include "npz.h"

#include "core/input_error.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <limits>

namespace offload {

namespace {

constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint64_t kMaxArchiveBytes = std::uint64_t{16} << 30;
constexpr std::uint64_t kDeflateMaxRatio = 1032; // the format's own limit

std::string at(std::uint64_t offset)
{
    return "byte " + std::to_string(offset);
}

struct Member {
    std::string name;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0, uncompressed = 0;
    std::uint64_t localHeader = 0;
};

class Archive {
public:
    explicit Archive(const std::string& path) : path_(path)
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw InputError(path, "", "cannot open file");
        in.seekg(0, std::ios::end);
        const std::streamoff end = in.tellg();
        if (end < 0) throw InputError(path, "", "cannot determine the file size");
        if (static_cast<std::uint64_t>(end) > kMaxArchiveBytes)
            throw InputError(path, "", "archive larger than 16 GiB");
        bytes_.resize(static_cast<std::size_t>(end));
        in.seekg(0);
        if (!bytes_.empty()) in.read(reinterpret_cast<char*>(bytes_.data()), end);
        if (!in) throw InputError(path, "", "read error");
        readCentralDirectory();
    }

    const std::vector<Member>& members() const { return members_; }

    std::vector<std::uint8_t> extract(const Member& m) const
    {
        const std::string label = path_ + ":" + m.name;
        // Local header: 30 bytes, then the name and an extra field whose lengths may differ from
        // the central directory's (NumPy's zip64 extra).
        need(m.localHeader, 30, "local header of " + m.name);
        if (u32(m.localHeader) != kLocalHeader)
            throw InputError(label, at(m.localHeader), "no local header where the central directory points");
        const std::uint64_t data = m.localHeader + 30 + u16(m.localHeader + 26) + u16(m.localHeader + 28);
        need(data, m.compressed, "data of " + m.name);
        std::vector<std::uint8_t> out;
        if (m.method == 0) {
            if (m.compressed != m.uncompressed)
                throw InputError(label, at(m.localHeader), "stored member whose sizes differ");
            out.assign(bytes_.begin() + static_cast<std::ptrdiff_t>(data),
                       bytes_.begin() + static_cast<std::ptrdiff_t>(data + m.compressed));
        } else {
            if (m.uncompressed > m.compressed * kDeflateMaxRatio + 1024)
                throw InputError(label, at(m.localHeader), "stated size exceeds what deflate can encode in the data");
            out.resize(static_cast<std::size_t>(m.uncompressed));
            inflateRaw(label, data, m, out);
        }
        const auto crc = crc32Of(out);
        if (crc != m.crc)
            throw InputError(label, at(m.localHeader), "CRC-32 mismatch: the member is corrupt");
        return out;
    }

private:
    void need(std::uint64_t offset, std::uint64_t length, const std::string& what) const
    {
        if (offset > bytes_.size() || length > bytes_.size() - offset)
            throw InputError(path_, at(offset), what + " runs past the end of the archive (" +
                                                    std::to_string(bytes_.size()) + " bytes)");
    }
    std::uint16_t u16(std::uint64_t o) const
    {
        return static_cast<std::uint16_t>(bytes_[o] | (bytes_[o + 1] << 8));
    }
    std::uint32_t u32(std::uint64_t o) const
    {
        return static_cast<std::uint32_t>(u16(o)) | (static_cast<std::uint32_t>(u16(o + 2)) << 16);
    }

    void readCentralDirectory()
    {
        if (bytes_.size() < 22) throw InputError(path_, at(0), "not a ZIP archive (too short for its directory)");
        // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
        std::uint64_t eocd = std::numeric_limits<std::uint64_t>::max();
        const std::uint64_t lowest = bytes_.size() > 22 + 65535 ? bytes_.size() - 22 - 65535 : 0;
        for (std::uint64_t o = bytes_.size() - 22 + 1; o-- > lowest;)
            if (u32(o) == kEndOfCentralDirectory && o + 22 + u16(o + 20) == bytes_.size()) {
                eocd = o;
                break;
            }
        if (eocd == std::numeric_limits<std::uint64_t>::max())
            throw InputError(path_, at(0), "not a ZIP archive (no end of central directory record)");
        if (u16(eocd + 4) != 0 || u16(eocd + 6) != 0 || u16(eocd + 8) != u16(eocd + 10))
            throw InputError(path_, at(eocd), "multi-disk archives are not read");
        const std::uint64_t count = u16(eocd + 10);
        const std::uint64_t size = u32(eocd + 12), offset = u32(eocd + 16);
        if (size == 0xffffffff || offset == 0xffffffff || count == 0xffff)
            throw InputError(path_, at(eocd), "ZIP64 central directory (archives over 4 GiB) is not read");
        need(offset, size, "central directory");
        std::uint64_t o = offset;
        for (std::uint64_t k = 0; k < count; ++k) {
            need(o, 46, "central directory entry " + std::to_string(k));
            if (u32(o) != kCentralHeader)
                throw InputError(path_, at(o), "central directory entry " + std::to_string(k) + " has a bad signature");
            Member m;
            const std::uint16_t flags = u16(o + 8);
            m.method = u16(o + 10);
            m.crc = u32(o + 16);
            m.compressed = u32(o + 20);
            m.uncompressed = u32(o + 24);
            const std::uint64_t nameLength = u16(o + 28), extra = u16(o + 30), comment = u16(o + 32);
            m.localHeader = u32(o + 42);
            need(o + 46, nameLength + extra + comment, "central directory entry " + std::to_string(k));
            m.name.assign(reinterpret_cast<const char*>(bytes_.data() + o + 46), nameLength);
            if (flags & 1)
                throw InputError(path_ + ":" + m.name, at(o), "encrypted members are not read");
            if (m.method != 0 && m.method != 8)
                throw InputError(path_ + ":" + m.name, at(o),
                                 "compression method " + std::to_string(m.method) + " (only stored and deflate)");
            if (m.compressed == 0xffffffff || m.uncompressed == 0xffffffff || m.localHeader == 0xffffffff)
                throw InputError(path_ + ":" + m.name, at(o), "ZIP64 member (over 4 GiB) is not read");
            members_.push_back(std::move(m));
            o += 46 + nameLength + extra + comment;
        }
    }

    void inflateRaw(const std::string& label, std::uint64_t data, const Member& m, std::vector<std::uint8_t>& out) const
    {
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw InputError(label, "", "zlib could not start");
        z.next_in = const_cast<Bytef*>(bytes_.data() + data);
        z.next_out = out.data();
        int rc = Z_OK;
        std::uint64_t inLeft = m.compressed, outLeft = out.size();
        // zlib counts in 32-bit units: feed and drain at most 1 GiB at a time.
        while (rc == Z_OK) {
            const uInt inChunk = static_cast<uInt>(std::min<std::uint64_t>(inLeft, 1u << 30));
            const uInt outChunk = static_cast<uInt>(std::min<std::uint64_t>(outLeft, 1u << 30));
            z.avail_in = inChunk;
            z.avail_out = outChunk;
            rc = inflate(&z, Z_NO_FLUSH);
            inLeft -= inChunk - z.avail_in;
            outLeft -= outChunk - z.avail_out;
            if (rc == Z_OK && z.avail_in == inChunk && z.avail_out == outChunk) rc = Z_BUF_ERROR; // no progress
        }
        inflateEnd(&z);
        if (rc != Z_STREAM_END || outLeft != 0)
            throw InputError(label, at(data), outLeft != 0 && rc == Z_STREAM_END
                                                  ? "deflate data ends before the stated size"
                                                  : "deflate data is corrupt or longer than the stated size");
    }

    static std::uint32_t crc32Of(const std::vector<std::uint8_t>& v)
    {
        uLong crc = crc32(0L, Z_NULL, 0);
        std::size_t done = 0;
        while (done < v.size()) {
            const auto chunk = static_cast<uInt>(std::min<std::size_t>(v.size() - done, 1u << 30));
            crc = crc32(crc, v.data() + done, chunk);
            done += chunk;
        }
        return static_cast<std::uint32_t>(crc);
    }

    std::string path_;
    std::vector<std::uint8_t> bytes_;
    std::vector<Member> members_;
};

bool endsWithNpy(const std::string& name)
{
    return name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0;
}

} // namespace

std::vector<std::string> listNpzMembers(const std::string& path)
{
    const Archive archive(path);
    std::vector<std::string> names;
    for (const auto& m : archive.members())
        if (endsWithNpy(m.name)) names.push_back(m.name);
    if (names.empty()) throw InputError(path, "", "the archive holds no .npy member");
    return names;
}

NpyArray readNpzMember(const std::string& path, const std::string& member, const NpyOptions& options)
{
    const Archive archive(path);
    for (const auto& m : archive.members())
        if (m.name == member) {
            const auto bytes = archive.extract(m);
            return parseNpy(bytes, path + ":" + member, options);
        }
    throw InputError(path, "", "no member named \"" + member + "\"");
}

} // namespace offload
