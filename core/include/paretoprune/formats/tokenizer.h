// WordPieceTokenizer: the BERT tokenizer (normalizer, pre-tokenizer,
// greedy longest-match WordPiece, [CLS]/[SEP] template), from vocab.txt or a
// Hugging Face tokenizer.json, behaving as BertTokenizerFast does.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "paretoprune/formats/text_tokenizer.h"

namespace pp {

struct NormalizerOptions {
  bool clean_text = true;
  bool handle_chinese_chars = true;
  bool lowercase = true;
  bool strip_accents = true;
};

class WordPieceTokenizer : public TextTokenizer {
 public:
  static WordPieceTokenizer fromVocabFile(const std::string& path, NormalizerOptions opts = {});
  static WordPieceTokenizer fromTokenizerJson(const std::string& path);
  // tokenizer.json if present, else vocab.txt (+ tokenizer_config.json).
  static WordPieceTokenizer fromDirectory(const std::string& dir);
  static bool existsIn(const std::string& dir);

  std::string kind() const override { return "wordpiece"; }
  // Word pieces of `text` (no special tokens around them).
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::vector<int64_t> tokenIds(const std::string& text) const;
  // [CLS] text [SEP] (pair [SEP]); maxLength > 0 truncates longest-first,
  // as tokenizers does: each text tokenized up to the word that reaches
  // maxLength tokens, then truncate_encodings.
  Encoding encode(const std::string& text, const std::string* pair = nullptr,
                  int64_t maxLength = 0) const;

  size_t vocabSize() const override { return pieces_.size(); }
  const std::string& piece(int64_t id) const override {
    return pieces_.at(static_cast<size_t>(id));
  }
  int64_t idOf(const std::string& piece) const;  // -1 if absent
  int64_t clsId() const override { return cls_; }
  int64_t sepId() const override { return sep_; }
  int64_t padId() const override { return pad_; }
  int64_t unkId() const override { return unk_; }
  const NormalizerOptions& options() const { return opts_; }
  const std::vector<std::string>& pieces() const { return pieces_; }

  // Writes vocab.txt, tokenizer_config.json, special_tokens_map.json and
  // tokenizer.json (what BertTokenizerFast and transformers.js read) into
  // `dir`; modelMaxLength: the model's position limit (clients truncate there).
  void save(const std::string& dir, int64_t modelMaxLength = 512) const override;
  // The tokenizers library's JSON form: BertNormalizer, BertPreTokenizer,
  // WordPiece, [CLS] A [SEP] (B [SEP]) template, specials as added tokens.
  std::string tokenizerJson() const;

 protected:
  Encoding encodeText(const std::string& text, const std::string* pair,
                      int64_t maxLength) const override {
    return encode(text, pair, maxLength);
  }

 private:
  void finish(const std::vector<std::string>& specials);
  void wordPiece(const std::u32string& word, std::vector<int64_t>& out) const;
  // `wordEnds` (if given): out.size() after each word.
  void normalizeAndSplit(const std::string& segment, std::vector<int64_t>& out,
                         std::vector<size_t>* wordEnds = nullptr) const;
  // tokenIds, stopping after the word that reaches `limit` tokens (0: none).
  std::vector<int64_t> tokenIds(const std::string& text, size_t limit) const;

  NormalizerOptions opts_;
  std::vector<std::string> pieces_;
  std::unordered_map<std::string, int64_t> index_;
  std::vector<std::pair<std::string, int64_t>> specials_;  // matched on raw text
  std::string prefix_ = "##";
  size_t maxWordChars_ = 100;
  // The pieces as a trie over code points: node 0 starts a word, node 1
  // continues one (pieces that begin with prefix_, the prefix taken off).
  // Greedy longest match is then one walk per piece found, so a word costs
  // its length times the longest piece at worst, whatever the vocabulary.
  struct TrieNode {
    int64_t id = -1;  // the piece that ends here, if any
  };
  std::vector<TrieNode> trie_;
  std::unordered_map<uint64_t, uint32_t> edges_;  // (node << 21 | code point) -> child
  uint32_t trieChild(uint32_t node, char32_t c) const;
  void trieInsert(uint32_t root, const std::u32string& piece, int64_t id);
  int64_t cls_ = -1, sep_ = -1, pad_ = -1, unk_ = -1;
};

}  // namespace pp
