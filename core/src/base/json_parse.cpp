#include "paretoprune/base/json_parse.h"

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

std::optional<nlohmann::json> tryParseJson(std::string_view text, std::string* error) {
  if (jsonNestingDepth(text) > kMaxJsonDepth) {
    if (error) *error = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's message quotes at most the last token it read.
    if (error) *error = std::string("not valid JSON (") + e.what() + ")";
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
  size_t cut = max;
  // Back to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace pp
