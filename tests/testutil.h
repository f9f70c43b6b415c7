// Helpers shared by the tests: scratch directories and file writing.
#pragma once
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/base/rng.h"

namespace testutil {

struct Run {
  int code = -1;  // -1: crashed or did not finish
  std::string out, err;
};

// Runs `program` with `args` to its end (`timeoutMs` at most), `input` on
// its standard input.
inline Run runProgram(const QString& program, const QStringList& args, const QByteArray& input = {},
                      int timeoutMs = 120000) {
  QProcess p;
  p.start(program, args);
  if (!input.isNull()) p.write(input);
  p.closeWriteChannel();
  p.waitForFinished(timeoutMs);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}

inline void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs `fn` and returns the pp::Error message it throws ("" if none).
template <class Fn>
std::string errorOf(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

// A type mutation of JSON-lines text: one field of one line (at any depth)
// replaced by a value of another type or out of any sane range. The lines
// stay valid JSON, so only the readers' field checks stand between such a
// file and a crash.
inline std::string mutateJsonLines(const std::string& text, pp::Rng& r) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  if (lines.empty()) return text;
  const size_t which = r.index(lines.size());
  nlohmann::json j = nlohmann::json::parse(lines[which], nullptr, false);
  if (j.is_discarded()) return text;
  static const nlohmann::json kOdd[] = {nlohmann::json(nullptr),
                                        true,
                                        0,
                                        -1,
                                        -7,
                                        1e300,
                                        -1e300,
                                        0.5,
                                        18446744073709551615ull,
                                        9223372036854775807ll,
                                        "",
                                        "text",
                                        nlohmann::json::array(),
                                        nlohmann::json::array({1, 2}),
                                        nlohmann::json::object(),
                                        nlohmann::json({{"a", 1}})};
  nlohmann::json* v = &j;
  for (int depth = 0; depth < 4; ++depth) {
    if (v->is_object() && !v->empty() && (depth == 0 || r.bernoulli(0.6))) {
      auto it = v->begin();
      std::advance(it, static_cast<long>(r.index(v->size())));
      v = &it.value();
    } else if (v->is_array() && !v->empty() && r.bernoulli(0.6)) {
      v = &(*v)[r.index(v->size())];
    } else {
      break;
    }
  }
  *v = kOdd[r.index(sizeof kOdd / sizeof kOdd[0])];
  lines[which] = j.dump();
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace testutil

#define PP_EXPECT_ERROR(expr, fragment)                                                          \
  do {                                                                                           \
    const std::string _msg = testutil::errorOf([&] { (void)(expr); });                           \
    QVERIFY2(!_msg.empty(), "expected an error, none was thrown");                               \
    QVERIFY2(_msg.find(fragment) != std::string::npos, ("unexpected message: " + _msg).c_str()); \
  } while (0)
