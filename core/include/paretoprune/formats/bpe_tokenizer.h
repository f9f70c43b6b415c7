// ByteLevelBpeTokenizer: the byte-level BPE tokenizer of GPT-2, RoBERTa and
// DistilRoBERTa (GPT-2's pre-tokenizer regex, each byte as a character,
// merges by rank, <s> A </s></s> B </s>), from a Hugging Face tokenizer.json
// or from vocab.json + merges.txt, behaving as the tokenizers library does.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/formats/text_tokenizer.h"

namespace pp {

// An Encoding with, for each token, the bytes [first, second) of the text
// (or, for the pair's tokens, of the pair) it came from, as Hugging Face's
// offsets; the special tokens the post-processor adds have (0, 0).
struct OffsetEncoding : Encoding {
  std::vector<std::pair<int64_t, int64_t>> offsets;
};

// How vocab.json + merges.txt are read; the defaults are RoBERTa's.
struct BpeOptions {
  bool add_prefix_space = false;  // a space before each text, so its first word reads as any other
  bool trim_offsets = true;       // offsets leave out the spaces a token starts or ends with
};

class ByteLevelBpeTokenizer : public TextTokenizer {
 public:
  // RoBERTa's files; the vocabulary must hold <s> </s> <pad> <unk> <mask>.
  static ByteLevelBpeTokenizer fromVocabAndMerges(const std::string& vocabJson,
                                                  const std::string& mergesTxt,
                                                  BpeOptions opts = {});
  // A BPE model with the ByteLevel pre-tokenizer; post-processor
  // RobertaProcessing, TemplateProcessing, ByteLevel, a Sequence of those, or none.
  static ByteLevelBpeTokenizer fromTokenizerJson(const std::string& path);
  // tokenizer.json if present, else vocab.json + merges.txt (+ tokenizer_config.json).
  static ByteLevelBpeTokenizer fromDirectory(const std::string& dir);
  static bool existsIn(const std::string& dir);

  std::string kind() const override { return "bpe"; }
  // Pieces of `text` (no special tokens around them).
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::vector<int64_t> tokenIds(const std::string& text) const;
  // <s> text </s> (</s> pair </s>); maxLength > 0 truncates the texts longest
  // first and keeps the special tokens (when maxLength leaves room for them).
  OffsetEncoding encode(const std::string& text, const std::string* pair = nullptr,
                        int64_t maxLength = 0) const;
  // The text of `ids`: bytes back from their characters, malformed UTF-8 as
  // U+FFFD; ids outside the vocabulary are skipped (as Hugging Face does).
  std::string decode(const std::vector<int64_t>& ids, bool skipSpecialTokens = false) const;

  size_t vocabSize() const override { return pieces_.size(); }
  const std::string& piece(int64_t id) const override {
    return pieces_.at(static_cast<size_t>(id));
  }
  int64_t idOf(const std::string& piece) const;    // -1 if absent
  int64_t clsId() const override { return cls_; }  // <s>; -1 if the tokenizer adds none
  int64_t sepId() const override { return sep_; }  // </s>; -1 if none
  int64_t padId() const override { return pad_; }  // <pad>; -1 if none (GPT-2)
  int64_t unkId() const override { return unk_; }  // <unk>; -1 if none
  int64_t maskId() const { return mask_; }         // <mask>; -1 if none
  // The files it was read from (tokenizer.json, or vocab.json and
  // merges.txt), as they were, with RoBERTa's tokenizer_config.json and
  // special_tokens_map.json; from vocab.json and merges.txt, also the
  // tokenizer.json RobertaTokenizerFast converts them to.
  void save(const std::string& dir, int64_t modelMaxLength = 512) const override;
  const BpeOptions& options() const { return opts_; }
  const std::vector<std::string>& pieces() const { return pieces_; }

  // A token added to the vocabulary, matched on the raw text before BPE.
  struct AddedToken {
    std::string content;
    int64_t id = -1;
    bool lstrip = false, rstrip = false, normalized = false, special = true;
  };
  // A step of the post-processor's template: a special token or a text.
  struct TemplatePiece {
    int sequence = -1;  // -1: the special token `ids`; 0: the text; 1: the pair
    std::vector<int64_t> ids;
    int64_t typeId = 0;
  };

 protected:
  Encoding encodeText(const std::string& text, const std::string* pair,
                      int64_t maxLength) const override {
    return encode(text, pair, maxLength);
  }

 private:
  struct Span;       // a token of one text (bpe_tokenizer.cpp)
  struct WordCache;  // words already split into pieces
  using Pieces = std::vector<std::pair<int32_t, uint32_t>>;  // a word's BPE: (id, bytes)
  static uint64_t pairKey(int64_t a, int64_t b) {
    return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
  }

  // Loading (bpe_tokenizer_files.cpp), then finish() checks and indexes.
  void readVocab(const nlohmann::json& vocab, const std::string& where);
  void readMerges(const std::vector<std::pair<std::string, std::string>>& merges,
                  const std::function<std::string(size_t)>& where);
  void readModel(const nlohmann::json& model, const std::string& where);
  void readPostProcessor(const nlohmann::json& p, const std::string& where, bool& templated);
  void readAddedTokens(const nlohmann::json& list, const std::string& where);
  void finish(const std::string& where);
  std::string robertaTokenizerJson(
      const std::vector<std::pair<std::string, std::string>>& merges) const;

  std::vector<Span> encodeSequence(const std::string& text, size_t limit) const;
  void splitAdded(const std::string& text, size_t begin, size_t end, bool normalized,
                  std::vector<Span>& out) const;
  bool encodeSegment(const std::string& text, size_t begin, size_t end, size_t limit,
                     std::vector<Span>& out) const;
  void bpeWord(const std::string& word, Pieces& out) const;
  void mergeWord(const std::string& word, Pieces& out) const;
  static void trimSpans(std::vector<Span>& spans, const std::string& text, bool prefixSpace);
  static const std::string& bytePiece(int byte);  // GPT-2's character for a byte, in UTF-8
  static std::pair<uint16_t, uint16_t> spaceCounts(const std::string& piece);
  static std::shared_ptr<WordCache> newCache();
  static void truncateSpans(std::vector<Span>& a, std::vector<Span>& b, bool hasPair,
                            size_t budget);

  BpeOptions opts_;
  bool useRegex_ = true;
  std::vector<std::string> pieces_;                 // by id: the model's, then added tokens
  std::unordered_map<std::string, int64_t> index_;  // the model's vocabulary
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> merges_;  // pair -> rank, new id
  int32_t byteIds_[256] = {};  // each byte's piece; -1 if absent (then unk)
  bool ignoreMerges_ = false, fuseUnk_ = false;
  int64_t modelUnk_ = -1;
  std::vector<AddedToken> added_;
  std::vector<bool> special_;                          // by id
  std::vector<std::pair<uint16_t, uint16_t>> spaces_;  // by id: spaces at start, end
  std::vector<TemplatePiece> single_, pair_;           // the post-processor's templates
  std::vector<bool> trimSteps_;  // its offset trimmings, each with its add_prefix_space
  bool byteLevelDecoder_ = true;
  int64_t cls_ = -1, sep_ = -1, pad_ = -1, unk_ = -1, mask_ = -1;
  std::shared_ptr<WordCache> cache_;
  std::map<std::string, std::string> files_;  // file name -> text, for save()
};

}  // namespace pp
