// Error: the one exception type core/ throws. Its message says what went
// wrong, where (file, line, tensor name), and when possible what to do.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace pp {

// Longest message an Error keeps whole. Messages quote what they read
// (names, keys, values from files, databases and servers); a reader should
// quote those short (shortText, json_parse.h), and this bound makes sure no
// message ever carries a hostile file's megabytes to a terminal or a label:
// the start and the end are kept, the middle is said to be cut.
inline constexpr size_t kMaxErrorChars = 2000;
std::string boundedMessage(std::string_view message, size_t max = kMaxErrorChars);

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(boundedMessage(what)) {}
};

}  // namespace pp
