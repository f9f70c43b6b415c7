// Internal: the Unigram model of Hugging Face tokenizers (SentencePiece's
// unigram language model): pieces with log-probability scores, the best
// segmentation of a pre-token by Viterbi over a trie of the pieces,
// unknown characters fused into one <unk>, byte fallback to <0xXX> pieces.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pp {

class UnigramModel {
 public:
  // Throws pp::Error naming `where` for an empty vocabulary or an unk_id
  // outside it; unkId -1: none.
  UnigramModel(std::vector<std::pair<std::string, double>> vocab, int64_t unkId, bool byteFallback,
               const std::string& where);
  // The ids of one pre-token, appended to `out`; throws pp::Error when a
  // character has no piece and there is no unk_id.
  void encode(const std::string& word, std::vector<int64_t>& out) const;
  size_t size() const { return vocab_.size(); }
  const std::string& piece(size_t id) const { return vocab_[id].first; }
  int64_t idOf(const std::string& piece) const;  // -1 if absent
  int64_t unkId() const { return unk_; }

 private:
  // The pieces in a byte trie: child of (node, byte), and each node's piece id.
  int32_t child(int32_t node, unsigned char b) const;
  std::vector<std::string> viterbi(const std::string& word) const;

  std::vector<std::pair<std::string, double>> vocab_;
  std::unordered_map<std::string, int64_t> index_;  // a repeated piece: its last id
  std::unordered_map<uint64_t, int32_t> edges_;
  std::vector<int64_t> nodeId_;  // by trie node: the piece ending there, -1 if none
  double unkScore_ = 0;
  int64_t unk_ = -1;
  bool byteFallback_ = false;
};

// The Metaspace pre-tokenizer: spaces become `replacement` ("▁"), which is
// prepended ("always", or "first": only to the text's first segment) and
// then starts each pre-token (split), or the segment stays whole.
struct Metaspace {
  std::string replacement = "\xE2\x96\x81";
  enum class Prepend { Always, First, Never } prepend = Prepend::Always;
  bool split = true;
  // The pre-tokens of a normalized segment; `first`: it starts the text.
  std::vector<std::string> apply(const std::string& segment, bool first) const;
};

}  // namespace pp
