// Internal: tokenizer.json's "normalizer" as Hugging Face tokenizers runs it
// before pre-tokenization: Sequence, Precompiled (a SentencePiece
// precompiled_charsmap), NFC/NFD/NFKC/NFKD, Lowercase, Strip, Replace and
// Prepend. Only the text is kept (no alignments): the tokenizers that use
// it give ids, not offsets.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pp {

class TextNormalizer {
 public:
  // `j` (null: no normalizer); throws pp::Error naming `where` and the
  // step it does not support.
  static TextNormalizer fromJson(const nlohmann::json& j, const std::string& where);
  // `text` (valid UTF-8) normalized.
  std::string apply(const std::string& text) const;
  bool empty() const { return steps_.empty(); }

 private:
  struct Step {
    enum Kind { Precompiled, NormalForm, Lowercase, Strip, Replace, ReplaceRuns, Prepend };
    Kind kind = Lowercase;
    int form = 0;                      // NormalForm: unicode::NormalForm
    bool left = false, right = false;  // Strip
    std::string pattern, content;      // Replace, ReplaceRuns (pattern: the character), Prepend
    int64_t minRun = 0;                // ReplaceRuns: "c{n,}"
    std::vector<uint32_t> trie;        // Precompiled: the double array
    std::string normalized;            // Precompiled: its replacement texts, each ended by '\0'
  };
  void read(const nlohmann::json& j, const std::string& where);
  static Step readPrecompiled(const nlohmann::json& j, const std::string& where);
  static Step readReplace(const nlohmann::json& j, const std::string& where);
  static void precompiled(const Step& s, const std::string& in, std::string& out);
  static bool transform(const Step& s, const char* chunk, size_t size, std::string& out);
  std::vector<Step> steps_;
};

}  // namespace pp
