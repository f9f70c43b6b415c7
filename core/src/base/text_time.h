// Helpers that several wings of the engine need: an error message's first
// line, a cut of text that keeps UTF-8 whole, and seconds on the steady
// clock. (Kept here, not as private copies: the sanitizer build compiles
// each wing's plain sources as one translation unit.)
#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace pp {

// The first line of an error message (LibTorch and libpq append more lines).
inline std::string firstLine(std::string s) {
  const size_t nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

// `at`, or the start of the UTF-8 sequence `at` falls inside (continuation
// bytes are 10xxxxxx): where text may be cut without splitting a character.
inline size_t utf8Start(std::string_view s, size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
  return at;
}

// Seconds since `t` on the steady clock.
inline double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace pp
