#pragma once
// Text and file names between Qt and the plain C++ of core and sim. Core and sim hold text
// (names, messages, file names) as UTF-8 in std::string, std::string_view and
// std::filesystem::path; the window and the charts hold QString. Header-only, Qt Core only, so
// that every app library (the studio model, the plots, the window) can use it.
#include <QString>

#include <filesystem>
#include <string_view>

namespace offload {

// A name or message of core or sim (codecName(), dtypeName(), ...) as a QString.
inline QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// A file name typed or picked in the window, for the readers and writers of core and sim.
inline std::filesystem::path toPath(const QString& fileName)
{
    return std::filesystem::path(fileName.toStdString());
}

// A path of core or sim, to show or to hand to QFileInfo.
inline QString pathToQString(const std::filesystem::path& path)
{
    return QString::fromStdString(path.string());
}

} // namespace offload
