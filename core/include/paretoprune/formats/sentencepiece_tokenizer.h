// SentencePieceTokenizer: an XLM-RoBERTa tokenizer read from the
// SentencePiece model file it ships (sentencepiece.bpe.model) where a model
// directory has no tokenizer.json. As transformers' XLMRobertaTokenizerFast
// does, the model is converted into the tokenizer.json its
// XLMRobertaConverter writes (fairseq's <s> 0, <pad> 1, </s> 2, <unk> 3, the
// model's pieces from its fourth (id 3) on one id higher, <mask> last; the
// model's precompiled charsmap, Strip right, runs of spaces to one "▁";
// Metaspace; <s> A </s> and <s> A </s></s> B </s>) and run by our Unigram
// tokenizer. (Debian's libsentencepiece is not linked: it exports its own
// copy of protobuf, which crashes any program that also loads LibTorch's
// libprotobuf; it judges this path in test_sentencepiece instead.)
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/formats/unigram_tokenizer.h"

namespace pp {

class SentencePieceTokenizer : public TextTokenizer {
 public:
  // Throws pp::Error with one line naming the file and what is wrong with it
  // (not a SentencePiece model, not Unigram, not XLM-RoBERTa's first pieces).
  static SentencePieceTokenizer fromModelFile(const std::string& path);

  std::string kind() const override { return "unigram"; }
  std::vector<std::string> tokenize(const std::string& text) const override;
  // Ids of `text` without the special tokens around it.
  std::vector<int64_t> tokenIds(const std::string& text) const;
  size_t vocabSize() const override;
  const std::string& piece(int64_t id) const override;
  int64_t clsId() const override;  // <s>
  int64_t sepId() const override;  // </s>
  int64_t padId() const override;  // <pad>
  int64_t unkId() const override;  // <unk>
  int64_t maskId() const;          // <mask>: the last id
  // The tokenizer.json it was converted into.
  const std::string& tokenizerJson() const { return json_; }
  // sentencepiece.bpe.model as it was read, the tokenizer.json (for
  // transformers.js and the fast tokenizer), tokenizer_config.json
  // (XLMRobertaTokenizer) and special_tokens_map.json.
  void save(const std::string& dir, int64_t modelMaxLength = 512) const override;

 protected:
  Encoding encodeText(const std::string& text, const std::string* pair,
                      int64_t maxLength) const override;

 private:
  SentencePieceTokenizer(std::string bytes, std::string json, UnigramTokenizer unigram)
      : bytes_(std::move(bytes)), json_(std::move(json)), unigram_(std::move(unigram)) {}
  std::string bytes_, json_;
  UnigramTokenizer unigram_;
};

}  // namespace pp
