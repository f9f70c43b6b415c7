// Small helpers for strict, well-named JSON field access (internal).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"

namespace pp::jsonutil {

using pp::shortText;

inline std::string describe(const nlohmann::json& v) {
  std::string d = v.dump();
  return d.size() > 40 ? d.substr(0, 37) + "..." : d;
}

// A required field of an object; pp::Error naming `where` when j is not an
// object or lacks the field.
inline const nlohmann::json& field(const nlohmann::json& j, const char* key,
                                   const std::string& where) {
  if (!j.is_object()) throw Error(where + ": expected a JSON object, got " + describe(j));
  const auto it = j.find(key);
  if (it == j.end()) throw Error(where + ": field \"" + key + "\" is missing");
  return *it;
}

// Reads an integer field; `where` names the file for messages.
inline int64_t getInt(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = field(j, key, where);
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)))
    throw Error(where + ": \"" + key + "\" must be an integer, got " + describe(v));
  return v.get<int64_t>();
}

inline double getNumber(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = field(j, key, where);
  if (!v.is_number()) throw Error(where + ": \"" + key + "\" must be a number, got " + describe(v));
  return v.get<double>();
}

inline std::string getString(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = field(j, key, where);
  if (!v.is_string()) throw Error(where + ": \"" + key + "\" must be a string, got " + describe(v));
  return v.get<std::string>();
}

// Optional fields, checked for type and range; a missing or null field
// gives `def`. Messages name `where` and the field: a number out of range is
// refused, never cast.
inline int64_t optInt(const nlohmann::json& j, const char* key, const std::string& where,
                      int64_t def, int64_t lo, int64_t hi) {
  if (!j.contains(key) || j[key].is_null()) return def;
  const auto& v = j[key];
  if (!v.is_number_integer())
    throw Error(where + ": field \"" + key + "\" must be an integer, got " + describe(v));
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi))
    throw Error(where + ": field \"" + key + "\" is " + describe(v) + ", outside " +
                std::to_string(lo) + ".." + std::to_string(hi));
  const int64_t x = v.get<int64_t>();
  if (x < lo || x > hi)
    throw Error(where + ": field \"" + key + "\" is " + std::to_string(x) + ", outside " +
                std::to_string(lo) + ".." + std::to_string(hi));
  return x;
}

inline uint64_t optUnsigned(const nlohmann::json& j, const char* key, const std::string& where,
                            uint64_t def) {
  if (!j.contains(key) || j[key].is_null()) return def;
  const auto& v = j[key];
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0))
    throw Error(where + ": field \"" + key + "\" must be a non-negative integer, got " +
                describe(v));
  return v.get<uint64_t>();
}

inline double optNumber(const nlohmann::json& j, const char* key, const std::string& where,
                        double def, double lo, double hi) {
  if (!j.contains(key) || j[key].is_null()) return def;
  const auto& v = j[key];
  if (!v.is_number())
    throw Error(where + ": field \"" + key + "\" must be a number, got " + describe(v));
  const double x = v.get<double>();
  if (!(x >= lo && x <= hi))
    throw Error(where + ": field \"" + key + "\" is " + describe(v) + ", outside " +
                nlohmann::json(lo).dump() + ".." + nlohmann::json(hi).dump());
  return x;
}

inline std::string optString(const nlohmann::json& j, const char* key, const std::string& where,
                             const std::string& def = {}) {
  if (!j.contains(key) || j[key].is_null()) return def;
  const auto& v = j[key];
  if (!v.is_string())
    throw Error(where + ": field \"" + key + "\" must be text, got " + describe(v));
  return v.get<std::string>();
}

inline bool optBool(const nlohmann::json& j, const char* key, const std::string& where, bool def) {
  if (!j.contains(key) || j[key].is_null()) return def;
  const auto& v = j[key];
  if (!v.is_boolean())
    throw Error(where + ": field \"" + key + "\" must be true or false, got " + describe(v));
  return v.get<bool>();
}

inline std::vector<std::string> optStrings(const nlohmann::json& j, const char* key,
                                           const std::string& where,
                                           const std::vector<std::string>& def) {
  if (!j.contains(key) || j[key].is_null()) return def;
  const auto& v = j[key];
  if (!v.is_array())
    throw Error(where + ": field \"" + key + "\" must be a list of text, got " + describe(v));
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string())
      throw Error(where + ": field \"" + key + "\" must list text only, got " + describe(e));
    out.push_back(e.get<std::string>());
  }
  return out;
}

// Parses JSON text, turning parse errors into pp::Error naming `where`.
// Nesting limited (paretoprune/base/json_parse.h).
inline nlohmann::json parse(const std::string& text, const std::string& where) {
  return parseJson(text, where);
}

// An ordered object of `entries` in their order (a tokenizer.json's vocab),
// built in linear time: ordered_json's own insertion searches its keys one
// by one, which is quadratic (seconds for a 50,000-piece vocabulary, minutes
// under a sanitizer). A repeated key keeps its first place and takes the
// later value, as operator[] would.
inline nlohmann::ordered_json orderedObject(
    const std::vector<std::pair<std::string, int64_t>>& entries) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  auto& obj = out.get_ref<nlohmann::ordered_json::object_t&>();
  obj.reserve(entries.size());
  std::unordered_map<std::string, size_t> at;
  at.reserve(entries.size());
  for (const auto& [key, value] : entries) {
    const auto [it, fresh] = at.emplace(key, obj.size());
    if (fresh)
      obj.emplace_back(key, value);
    else
      (obj.begin() + static_cast<std::ptrdiff_t>(it->second))->second = value;
  }
  return out;
}

}  // namespace pp::jsonutil
