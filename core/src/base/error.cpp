#include "paretoprune/base/error.h"

#include "base/text_time.h"

namespace pp {

std::string boundedMessage(std::string_view m, size_t max) {
  if (m.size() <= max) return std::string(m);
  // The start says what and where; the end often says what to do.
  const size_t head = utf8Start(m, max * 3 / 4), tailFrom = utf8Start(m, m.size() - max / 5);
  return std::string(m.substr(0, head)) + " [... " + std::to_string(tailFrom - head) +
         " characters cut ...] " + std::string(m.substr(tailFrom));
}

}  // namespace pp
