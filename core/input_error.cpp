#include "input_error.h"

namespace offload {

namespace {
std::string compose(const std::string& file, const std::string& place, const std::string& message)
{
    std::string text;
    if (!file.empty())
        text += file + ": ";
    if (!place.empty())
        text += place + ": ";
    return text + message;
}
} // namespace

InputError::InputError(std::string file, std::string place, std::string message)
    : std::runtime_error(compose(file, place, message)), file_(std::move(file)), place_(std::move(place)),
      message_(std::move(message))
{
}

} // namespace offload
