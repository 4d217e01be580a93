#pragma once
// The one error type for bad user input (files, command-line values). It carries where the
// problem is so that every front end (CLI, GUI dialog, tests) can say it the same way:
// "<file>: <place>: <what is wrong>".
#include <stdexcept>
#include <string>

namespace offload {

class InputError : public std::runtime_error {
public:
    // `place` is a JSON pointer ("/layers/7/kernel"), "line L, column C", a byte offset, or empty.
    InputError(std::string file, std::string place, std::string message);

    const std::string& file() const noexcept { return file_; }
    const std::string& place() const noexcept { return place_; }
    const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    std::string place_;
    std::string message_;
};

} // namespace offload
