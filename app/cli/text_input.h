// Reads JSON lines {"text": ..., "pair": ...} from a stream, as tokenize and
// predict take them on stdin.
#pragma once
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

// Calls fn(TextInput) per non-blank line; a bad line is a pp::Error naming it.
template <class Fn>
void forEachTextLine(std::istream& in, Fn&& fn) {
  std::string line;
  int64_t no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json j = pp::parseJson(line, "stdin line " + std::to_string(no));
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string())
      throw pp::Error("stdin line " + std::to_string(no) + ": expected {\"text\": \"...\"}");
    TextInput t;
    t.text = j["text"].get<std::string>();
    t.hasPair = j.contains("pair") && j["pair"].is_string();
    if (t.hasPair) t.pair = j["pair"].get<std::string>();
    t.line = no;
    fn(t);
  }
}

}  // namespace ppcli
