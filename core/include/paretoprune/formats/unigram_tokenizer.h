// UnigramTokenizer: the SentencePiece Unigram tokenizer of XLM-RoBERTa (and
// of T5, ALBERT and mBART checkpoints), read from a Hugging Face
// tokenizer.json (model type "Unigram"): its normalizer (Precompiled
// charsmap, NFKC, Strip, Replace, ...), the Metaspace pre-tokenizer, Viterbi
// segmentation with byte fallback, added tokens, and the post-processor
// (<s> A </s></s> B </s> for XLM-RoBERTa), behaving as the tokenizers
// library does.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/formats/text_tokenizer.h"

namespace pp {

class UnigramTokenizer : public TextTokenizer {
 public:
  // Throws pp::Error naming the file and the field it cannot use.
  static UnigramTokenizer fromTokenizerJson(const std::string& path);
  // The same from the text of a tokenizer.json; `where` names it in errors.
  static UnigramTokenizer fromJsonText(const std::string& text, const std::string& where);

  std::string kind() const override { return "unigram"; }
  std::vector<std::string> tokenize(const std::string& text) const override;
  // Ids of `text` without the special tokens around it.
  std::vector<int64_t> tokenIds(const std::string& text) const;
  size_t vocabSize() const override;
  const std::string& piece(int64_t id) const override;
  int64_t idOf(const std::string& piece) const;  // -1 if absent
  int64_t clsId() const override;                // <s> (the template's first token)
  int64_t sepId() const override;                // </s> (its last)
  int64_t padId() const override;                // <pad>
  int64_t unkId() const override;
  int64_t maskId() const;  // <mask>
  // tokenizer.json as it was read, with tokenizer_config.json
  // (XLMRobertaTokenizer) and special_tokens_map.json.
  void save(const std::string& dir, int64_t modelMaxLength = 512) const override;

  struct Impl;  // unigram_tokenizer.cpp

 protected:
  Encoding encodeText(const std::string& text, const std::string* pair,
                      int64_t maxLength) const override;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace pp
