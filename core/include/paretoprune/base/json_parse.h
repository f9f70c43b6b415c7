// Parsing untrusted JSON text (run logs, study rows, config.json,
// tokenizer.json, search spaces, data lines). Nesting is measured before
// nlohmann's parser sees the text, so that no file can exhaust the stack
// when its value is parsed, printed or destroyed; errors name where the
// text came from and quote at most a short prefix of it.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pp {

// Deeper nesting than any file of ours has (tokenizer.json: under 10).
constexpr int kMaxJsonDepth = 100;

// The deepest nesting of arrays and objects in `text` (brackets outside
// strings), counting up to `stopAt` at most.
int jsonNestingDepth(std::string_view text, int stopAt = kMaxJsonDepth + 1);

// The value, or nullopt with *error saying why ("not valid JSON (...)",
// "nested deeper than 100 levels").
std::optional<nlohmann::json> tryParseJson(std::string_view text, std::string* error = nullptr);

// The value; pp::Error "<where>: ..." otherwise.
nlohmann::json parseJson(std::string_view text, const std::string& where);

// At most `max` bytes of untrusted text for a message, "..." after a cut
// (never in the middle of a UTF-8 sequence).
std::string shortText(std::string_view text, size_t max = 40);
// The same in double quotes: a name, key or value read from a file.
std::string quoteText(std::string_view text, size_t max = 60);

}  // namespace pp
