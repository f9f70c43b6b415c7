// SentencePieceTokenizer: an XLM-RoBERTa tokenizer read from the
// SentencePiece model file it ships (sentencepiece.bpe.model) where a model
// directory has no tokenizer.json, run by Debian's libsentencepiece. Ids
// follow transformers' XLMRobertaTokenizer: fairseq's <s> 0, <pad> 1, </s> 2,
// <unk> 3, the model's pieces from its fourth (id 3) on one id higher, its
// <unk> as 3, <mask> last; the special tokens in a text are split off first
// (<mask> takes the spaces before it); texts are <s> A </s> and
// <s> A </s></s> B </s>, truncated longest first.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/formats/text_tokenizer.h"

namespace pp {

class SentencePieceTokenizer : public TextTokenizer {
 public:
  // Throws pp::Error with one line naming the file and what is wrong with it.
  static SentencePieceTokenizer fromModelFile(const std::string& path);

  // "unigram" for a Unigram model (XLM-RoBERTa's), "sentencepiece-bpe" for
  // a BPE one (no family takes that).
  std::string kind() const override;
  std::vector<std::string> tokenize(const std::string& text) const override;
  // Ids of `text` without the special tokens around it.
  std::vector<int64_t> tokenIds(const std::string& text) const;
  size_t vocabSize() const override;
  const std::string& piece(int64_t id) const override;
  int64_t clsId() const override { return 0; }  // <s>
  int64_t sepId() const override { return 2; }  // </s>
  int64_t padId() const override { return 1; }  // <pad>
  int64_t unkId() const override { return 3; }  // <unk>
  int64_t maskId() const;                       // <mask>: the last id
  // sentencepiece.bpe.model as it was read, the tokenizer.json transformers'
  // XLMRobertaConverter makes of it (for transformers.js and the fast
  // tokenizer), tokenizer_config.json (XLMRobertaTokenizer) and
  // special_tokens_map.json.
  void save(const std::string& dir, int64_t modelMaxLength = 512) const override;

  struct Impl;  // sentencepiece_tokenizer.cpp

 protected:
  Encoding encodeText(const std::string& text, const std::string* pair,
                      int64_t maxLength) const override;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace pp
