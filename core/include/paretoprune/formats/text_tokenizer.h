// TextTokenizer: what a model's tokenizer gives the rest of ParetoPrune,
// whatever its kind (WordPiece for BERT, DistilBERT and ELECTRA; byte-level
// BPE for RoBERTa; Unigram for XLM-RoBERTa, from tokenizer.json or its
// SentencePiece model file): ids of a text or a pair with the family's special
// tokens, the special ids, the vocabulary size, and its files for exports.
// loadTokenizer picks the kind from a model directory's files.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pp {

struct Encoding {
  std::vector<int64_t> ids;
  std::vector<int64_t> type_ids;
};

class TextTokenizer {
 public:
  virtual ~TextTokenizer() = default;
  // "wordpiece", "bpe" or "unigram" (ModelFamily's layout says which a
  // family expects).
  virtual std::string kind() const = 0;
  // The text (and pair) with the special tokens around them; maxLength > 0
  // truncates the texts longest first.
  Encoding encode(const std::string& text, const std::string* pair = nullptr,
                  int64_t maxLength = 0) const {
    return encodeText(text, pair, maxLength);
  }
  // Pieces of `text` (no special tokens around them).
  virtual std::vector<std::string> tokenize(const std::string& text) const = 0;
  virtual size_t vocabSize() const = 0;
  virtual const std::string& piece(int64_t id) const = 0;
  virtual int64_t clsId() const = 0;  // [CLS] or <s>; -1 if none
  virtual int64_t sepId() const = 0;  // [SEP] or </s>; -1 if none
  virtual int64_t padId() const = 0;  // -1 if none
  virtual int64_t unkId() const = 0;  // -1 if none
  // Writes the files transformers (and transformers.js) load this
  // tokenizer from into `dir`; modelMaxLength: clients truncate there.
  virtual void save(const std::string& dir, int64_t modelMaxLength = 512) const = 0;

 protected:
  virtual Encoding encodeText(const std::string& text, const std::string* pair,
                              int64_t maxLength) const = 0;
};

// The tokenizer of a model directory: tokenizer.json by its model type
// (WordPiece, BPE or Unigram), else vocab.txt (WordPiece), else vocab.json +
// merges.txt (byte-level BPE), else XLM-RoBERTa's SentencePiece model
// sentencepiece.bpe.model (SentencePieceTokenizer: converted as
// transformers converts it, run as Unigram).
// Throws pp::Error naming what is missing, or spiece.model (ALBERT's and
// T5's SentencePiece layout, no supported family's).
std::shared_ptr<const TextTokenizer> loadTokenizer(const std::string& dir);
// Whether `dir` holds tokenizer files loadTokenizer reads.
bool tokenizerExistsIn(const std::string& dir);

}  // namespace pp
