#include "paretoprune/base/json_parse.h"

#include <string>

#include "base/text_time.h"
#include "paretoprune/base/error.h"

namespace pp {

int jsonNestingDepth(std::string_view text, int stopAt) {
  int depth = 0, deepest = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest && (deepest = depth) >= stopAt) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

namespace {
// nlohmann's message for people: "[json.exception.parse_error.101] parse
// error at line 1, column 25: syntax error while parsing value - invalid
// literal; last read: 'x'" becomes "at column 25: invalid literal; last
// read: 'x'" (the line is the caller's to name; one line of text has one).
std::string plainParseError(std::string m, bool oneLine) {
  if (m.rfind("[json.exception.", 0) == 0 && m.find("] ") != std::string::npos)
    m.erase(0, m.find("] ") + 2);
  if (m.rfind("parse error ", 0) == 0) m.erase(0, 12);
  if (oneLine && m.rfind("at line 1, ", 0) == 0) m.replace(0, 11, "at ");
  if (size_t syn = m.find("syntax error while parsing "); syn != std::string::npos)
    if (size_t dash = m.find(" - ", syn); dash != std::string::npos) m.erase(syn, dash + 3 - syn);
  // "last read: '...'" is everything read of the last token: a whole
  // unterminated string of a hostile file. Its start is enough.
  static const std::string kLastRead = "last read: '";
  if (size_t at = m.find(kLastRead); at != std::string::npos) {
    at += kLastRead.size();
    const size_t end = m.size() > at && m.back() == '\'' ? m.size() - 1 : m.size();
    m = m.substr(0, at) + shortText(std::string_view(m).substr(at, end - at), 40) + m.substr(end);
  }
  return m;
}
}  // namespace

std::optional<nlohmann::json> tryParseJson(std::string_view text, std::string* error) {
  if (jsonNestingDepth(text) > kMaxJsonDepth) {
    if (error) *error = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's message quotes the last token it read (cut short above).
    if (error)
      *error = "not valid JSON (" +
               plainParseError(e.what(), text.find('\n') == std::string_view::npos) + ")";
    return std::nullopt;
  }
}

nlohmann::json parseJson(std::string_view text, const std::string& where) {
  std::string error;
  auto j = tryParseJson(text, &error);
  if (!j) throw Error(where + ": " + error);
  return std::move(*j);
}

std::string shortText(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  return std::string(text.substr(0, utf8Start(text, max))) + "...";
}

std::string quoteText(std::string_view text, size_t max) {
  return "\"" + shortText(text, max) + "\"";
}

}  // namespace pp
