#pragma once
// Lists in messages and tables: "zvc, rle, zlib", "1x3x224x224".
#include <string>
#include <string_view>

namespace offload {

// The items' texts with `separator` between them; `text(item)` gives an item's text (anything
// that can be appended to a std::string). No items: "".
template <class Range, class Text>
std::string joined(const Range& items, std::string_view separator, Text text)
{
    std::string out;
    bool first = true;
    for (const auto& item : items) {
        if (!first)
            out += separator;
        first = false;
        out += text(item);
    }
    return out;
}

// Items that are text already (std::string, std::string_view, C strings).
template <class Range>
std::string joined(const Range& items, std::string_view separator)
{
    return joined(items, separator, [](const auto& item) { return std::string_view(item); });
}

} // namespace offload
