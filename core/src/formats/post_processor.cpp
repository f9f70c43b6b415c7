// tokenizer.json post-processor templates and truncation, shared by the
// byte-level BPE and Unigram tokenizers.
#include "formats/post_processor.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "paretoprune/base/error.h"

namespace pp::postproc {

using nlohmann::json;

int64_t idOfPair(const json& p, const char* key, const std::string& where) {
  const json& v = jsonutil::field(p, key, where);
  if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_number_integer())
    throw Error(where + ": " + quoteText(key) + " must be [piece, id], got " +
                jsonutil::describe(v));
  return v[1].get<int64_t>();
}

Template readTemplate(const json& p, const char* key, const std::string& where) {
  const json& list = jsonutil::field(p, key, where);
  const json& specials = jsonutil::field(p, "special_tokens", where);
  if (!list.is_array()) throw Error(where + ": " + quoteText(key) + " must be a list");
  Template out;
  for (const json& item : list) {
    if (!item.is_object() || item.size() != 1)
      throw Error(where + ": a piece of " + quoteText(key) +
                  " must be {\"SpecialToken\": ...} or " + "{\"Sequence\": ...}, got " +
                  jsonutil::describe(item));
    const std::string kind = item.begin().key();
    const json& body = item.begin().value();
    const std::string id = jsonutil::getString(body, "id", where);
    Step piece;
    piece.typeId = jsonutil::optInt(body, "type_id", where, 0, 0, 65535);
    if (kind == "Sequence" && (id == "A" || id == "B")) {
      piece.sequence = id == "A" ? 0 : 1;
    } else if (kind == "SpecialToken") {
      const json& ids = jsonutil::field(jsonutil::field(specials, id.c_str(), where), "ids", where);
      if (!ids.is_array() || ids.empty())
        throw Error(where + ": special token " + quoteText(id) + " must list its ids");
      for (const json& i : ids) {
        if (!i.is_number_integer())
          throw Error(where + ": ids of " + quoteText(id) + " must be integers");
        piece.ids.push_back(i.get<int64_t>());
      }
    } else {
      throw Error(where + ": template piece " + jsonutil::describe(item) + " is not supported");
    }
    out.push_back(piece);
  }
  return out;
}

size_t specialCount(const Template& t) {
  size_t n = 0;
  for (const auto& p : t)
    if (p.sequence < 0) n += p.ids.size();
  return n;
}

void truncateLengths(size_t& a, size_t& b, bool hasPair, size_t budget) {
  if (a + b <= budget) return;
  if (!hasPair) {
    a = std::min(a, budget);
    return;
  }
  size_t n1 = a, n2 = b;
  const bool swapped = n1 > n2;
  if (swapped) std::swap(n1, n2);
  n2 = n1 > budget ? n1 : std::max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = budget / 2;
    n2 = n1 + budget % 2;
  }
  if (swapped) std::swap(n1, n2);
  a = std::min(a, n1);
  b = std::min(b, n2);
}

std::vector<Added> readAddedTokens(const nlohmann::json& list, const std::string& where) {
  if (!list.is_array()) throw Error(where + ": added_tokens must be a list");
  std::vector<Added> out;
  for (const nlohmann::json& a : list) {
    Added t;
    t.content = jsonutil::getString(a, "content", where + ": added_tokens");
    t.id = jsonutil::getInt(a, "id", where + ": added_tokens");
    if (t.content.empty() || t.id < 0)
      throw Error(where + ": added token " + jsonutil::describe(a) + " has no text or no id");
    if (jsonutil::optBool(a, "single_word", where, false))
      throw Error(where + ": added token " + quoteText(t.content) +
                  " is single_word, not supported");
    t.lstrip = jsonutil::optBool(a, "lstrip", where, false);
    t.rstrip = jsonutil::optBool(a, "rstrip", where, false);
    t.normalized = jsonutil::optBool(a, "normalized", where, true);
    t.special = jsonutil::optBool(a, "special", where, false);
    out.push_back(t);
  }
  return out;
}

}  // namespace pp::postproc
