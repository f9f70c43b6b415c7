// Reads the lines that tokenize and predict take on stdin: JSON objects
// {"text": ..., "pair": ...} or plain text, one example a line.
#pragma once
#include <functional>
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"

namespace ppcli {

struct TextInput {
  std::string text, pair;
  bool hasPair = false;
  int64_t line = 0;
};

// A line that starts with '{' is a JSON object with a string "text" (and
// optionally "pair"); any other non-blank line is the text itself. Throws a
// pp::Error naming the line when a JSON line is malformed.
inline TextInput parseTextLine(const std::string& line, int64_t no) {
  const std::string where = "stdin line " + std::to_string(no);
  TextInput t;
  t.line = no;
  size_t first = line.find_first_not_of(" \t\r");
  if (line[first] != '{') {
    t.text = line;
    if (!t.text.empty() && t.text.back() == '\r') t.text.pop_back();
    return t;
  }
  nlohmann::json j = pp::parseJson(line, where);
  if (!j.is_object() || !j.contains("text") || !j["text"].is_string())
    throw pp::Error(where + ": expected {\"text\": \"...\"} (or a line of plain text)");
  t.text = j["text"].get<std::string>();
  if (j.contains("pair")) {
    if (!j["pair"].is_string()) throw pp::Error(where + ": \"pair\" must be a string");
    t.hasPair = true;
    t.pair = j["pair"].get<std::string>();
  }
  return t;
}

// Calls fn(TextInput) per non-blank line. A bad line goes to onBad(line
// number, message) when given, and reading goes on; without onBad it is
// thrown as a pp::Error. idle() is called whenever no further input is
// buffered, so a caller that batches can answer an interactive user at once.
template <class Fn>
void forEachTextLine(std::istream& in, Fn&& fn,
                     const std::function<void(int64_t, const std::string&)>& onBad = {},
                     const std::function<void()>& idle = {}) {
  std::string line;
  int64_t no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      TextInput t;
      bool ok = true;
      try {
        t = parseTextLine(line, no);
      } catch (const pp::Error& e) {
        if (!onBad) throw;
        onBad(no, e.what());
        ok = false;
      }
      if (ok) fn(t);
    }
    if (idle && in.rdbuf()->in_avail() <= 0) idle();
  }
}

}  // namespace ppcli
