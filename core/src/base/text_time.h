// Two helpers that several wings of the engine need: an error message's first
// line and seconds on the steady clock. (Kept here, not as private copies: the
// sanitizer build compiles each wing's plain sources as one translation unit.)
#pragma once
#include <chrono>
#include <string>

namespace pp {

// The first line of an error message (LibTorch and libpq append more lines).
inline std::string firstLine(std::string s) {
  const size_t nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

// Seconds since `t` on the steady clock.
inline double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace pp
