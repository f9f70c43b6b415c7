// Internal: what the tokenizers share of tokenizer.json's added tokens,
// post-processor and truncation: TemplateProcessing's templates (special tokens and the texts,
// each with its type id), RobertaProcessing's and BertProcessing's
// [piece, id] pairs, and truncate_encodings' longest-first split of a budget.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pp::postproc {

// A step of a template: special tokens, or the text (0) or the pair (1).
struct Step {
  int sequence = -1;  // -1: the special tokens `ids`
  std::vector<int64_t> ids;
  int64_t typeId = 0;
};
using Template = std::vector<Step>;

// TemplateProcessing's "single" or "pair" of `p`.
Template readTemplate(const nlohmann::json& p, const char* key, const std::string& where);
// RobertaProcessing's and BertProcessing's "cls" and "sep": [piece, id].
int64_t idOfPair(const nlohmann::json& p, const char* key, const std::string& where);
// How many special tokens a template adds.
size_t specialCount(const Template& t);
// tokenizers' truncate_encodings, longest first: the lengths `n1` and `n2`
// of the text and the pair cut to `budget` tokens in all.
void truncateLengths(size_t& n1, size_t& n2, bool hasPair, size_t budget);

// One of tokenizer.json's "added_tokens" (single_word ones are refused).
struct Added {
  std::string content;
  int64_t id = -1;
  bool lstrip = false, rstrip = false, normalized = true, special = false;
};
// The "added_tokens" list, each entry checked; throws pp::Error naming `where`.
std::vector<Added> readAddedTokens(const nlohmann::json& list, const std::string& where);

}  // namespace pp::postproc
