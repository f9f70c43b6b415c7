// A tagger's results in the CLI's words: eval's per-type table (and its
// JSON), and predict's entities with character spans and scores.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/eval/entity_metrics.h"

namespace ppcli {

// "entity F1 0.8123 (P 0.80, R 0.82), 120 gold entities ..." and one line per type.
void printEntityTable(std::ostream& out, const pp::EntityMetrics& m, int64_t cutSentences);
nlohmann::json entityJson(const pp::EntityMetrics& m, int64_t cutSentences);

// A word of a line split at white space, with its span in characters
// (Unicode code points) and in bytes.
struct WordSpan {
  std::string word;
  int64_t start = 0, end = 0;         // characters, end exclusive
  size_t byteStart = 0, byteEnd = 0;  // bytes
};
std::vector<WordSpan> splitWords(const std::string& text);

// predict's answer for one line: {"entities": [{"entity_group", "word",
// "start", "end", "score"}], "tags": [...], "scores": [...]} (each word's
// tag and its probability), from its per-word logits
// [words * labels] (computeLogits). Entities are the predicted tags'
// chunks (conlleval's rules); an entity's score is the mean over its words
// of the predicted tag's probability, as transformers' "simple"
// aggregation averages its tokens'.
nlohmann::json taggedLine(const std::string& text, const std::vector<WordSpan>& words,
                          const std::vector<float>& logits,
                          const std::vector<std::string>& id2label);

}  // namespace ppcli
