// Small helpers for strict, well-named JSON field access (internal).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "paretoprune/error.h"

namespace pp::jsonutil {

// Reads an integer field; `where` names the file for messages.
inline int64_t getInt(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = j.at(key);
  if (!v.is_number_integer())
    throw Error(where + ": \"" + key + "\" must be an integer, got " + v.dump());
  return v.get<int64_t>();
}

inline double getNumber(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = j.at(key);
  if (!v.is_number()) throw Error(where + ": \"" + key + "\" must be a number, got " + v.dump());
  return v.get<double>();
}

inline std::string getString(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = j.at(key);
  if (!v.is_string()) throw Error(where + ": \"" + key + "\" must be a string, got " + v.dump());
  return v.get<std::string>();
}

// Parses JSON text, turning parse errors into pp::Error naming `where`.
inline nlohmann::json parse(const std::string& text, const std::string& where) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": not valid JSON (" + e.what() + ")");
  }
}

}  // namespace pp::jsonutil
