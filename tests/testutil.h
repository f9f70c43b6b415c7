// Helpers shared by the tests: scratch directories and file writing.
#pragma once
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <string>

namespace testutil {

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

}  // namespace testutil

#define PP_EXPECT_ERROR(expr, fragment)                                                         \
  do {                                                                                          \
    const std::string _msg = testutil::errorOf([&] { (void)(expr); });                          \
    QVERIFY2(!_msg.empty(), "expected an error, none was thrown");                              \
    QVERIFY2(_msg.find(fragment) != std::string::npos, ("unexpected message: " + _msg).c_str()); \
  } while (0)
