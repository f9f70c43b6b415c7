// Human-readable number formatting for the command line.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace ppcli {

inline std::string thousands(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  return v < 0 ? "-" + out : out;
}

inline std::string si(double v) {
  const char* units[] = {"", " k", " M", " G", " T", " P"};
  int u = 0;
  while (v >= 1000.0 && u < 5) {
    v /= 1000.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%s", v, units[u]);
  return buf;
}

inline std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// 42s, 3m12s, 2.5h
inline std::string duration(double s) {
  if (s < 90) return fixed(s, 0) + "s";
  if (s < 5400)
    return std::to_string(static_cast<int>(s / 60)) + "m" +
           std::to_string(static_cast<int>(s) % 60) + "s";
  return fixed(s / 3600, 1) + "h";
}

// Shortest text that reads back as the same float.
inline std::string exactFloat(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

// A CSV field in double quotes, quotes doubled.
inline std::string csvQuote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// A latency in milliseconds; runs with --latency-runs 0 did not measure it (0).
inline std::string latencyText(double ms) {
  return ms > 0 ? fixed(ms, 2) + " ms" : std::string("not measured");
}

}  // namespace ppcli
