// Tagged sentences for token classification (NER taggers): CoNLL-style
// files (one token per line, its tag in the last column, a blank line
// between sentences, -DOCSTART- lines skipped) and JSON lines
// ({"tokens": [...], "tags": [...]}), tags named as in the model's
// id2label; and the alignment of words to word pieces (a word's label on
// its first piece, the others ignored, as transformers' examples do).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pp {

struct ModelConfig;
class TextTokenizer;

struct TaggedSentence {
  std::vector<std::string> words;
  std::vector<int64_t> tags;  // label ids of the model (id2label), one per word
  int64_t line = 0;           // 1-based line of its first word, for messages
};

struct TaggedData {
  std::vector<TaggedSentence> sentences;
  std::string source;
  std::vector<std::string> warnings;
  int64_t words() const;
};

// Whether `path` is read as tagged data: a .conll, .conllu, .bio, .iob or
// .ner file, or JSON lines whose first record has "tokens".
bool isTaggedDataFile(const std::string& path);

// Reads CoNLL (any extension but .jsonl/.json/.ndjson) or JSON lines
// ("tokens" or "words"; "tags" or "ner_tags", names or label ids). Throws
// pp::Error naming the file and line: a missing tag column, a tag the
// model does not know, a record without tokens, no sentence at all.
TaggedData loadTaggedData(const std::string& path, const ModelConfig& config);
// The same from text already in memory (`source` names it in messages).
TaggedData parseTaggedData(const std::string& text, const std::string& source, bool jsonLines,
                           const ModelConfig& config);

// Label of pieces that loss and metrics ignore (transformers' -100).
constexpr int64_t kIgnoredLabel = -100;

// One sentence as the model sees it: the tokenizer's special tokens
// around the words' pieces, each word's label on its first piece.
struct AlignedSentence {
  std::vector<int64_t> ids, typeIds;
  std::vector<int64_t> labels;  // per piece; kIgnoredLabel on specials and later pieces
  // Per kept word (a prefix of the sentence's words): the index of its
  // first piece; -1 for a word with no pieces (scored as predicted "O").
  std::vector<int64_t> wordPiece;
  bool cut = false;  // words past maxLength were left out
};

// Words that do not fit in maxLength pieces (with the special tokens) are
// left out whole, and `cut` says so: evaluation scores the words kept.
// A word with no pieces gets the unknown token. Byte-level BPE tokenizers
// see each word with a space before it (transformers' add_prefix_space).
AlignedSentence alignWords(const TextTokenizer& tok, const TaggedSentence& s, int64_t maxLength);

}  // namespace pp
