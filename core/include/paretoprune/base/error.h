// Error: the one exception type core/ throws. Its message says what went
// wrong, where (file, line, tensor name), and when possible what to do.
#pragma once
#include <stdexcept>
#include <string>

namespace pp {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace pp
