// Entity-level scores of a tagger, with the chunk rules of the CoNLL
// shared tasks' evaluation script (conlleval): a chunk starts at B- and
// S-, at an I- or E- after O, after an E- or S-, or after another type;
// it ends before B-, S- or O, after E- and S-, and where the type changes.
// The same rules read IOB1, IOB2 (BIO) and IOBES; the scheme, detected or
// named, checks that the tags fit it. Scores are micro-averaged over
// chunks (a chunk counts as found when its start, end and type all
// agree), with per-type scores and token accuracy. Torch-free.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pp {

enum class TagScheme { Auto, IOB1, IOB2, IOBES };
const char* tagSchemeName(TagScheme s);  // "auto", "IOB1", "IOB2", "IOBES"
// "auto", "iob1", "iob2", "bio", "iobes" (any case); throws pp::Error.
TagScheme parseTagScheme(const std::string& s);

// A tag split into its prefix ('B', 'I', 'E', 'S' or 'O') and type.
struct Tag {
  char prefix = 'O';
  std::string type;
};
// "B-PER" -> {B, PER}, "O" -> {O, ""}; a tag without a known prefix and
// dash ("PER") is an I- of that type, as conlleval reads raw types.
Tag splitTag(const std::string& tag);

// [begin, end) over the words of one sentence.
struct Chunk {
  int64_t begin = 0, end = 0;
  std::string type;
  bool operator==(const Chunk& o) const {
    return begin == o.begin && end == o.end && type == o.type;
  }
};
std::vector<Chunk> chunksOf(const std::vector<std::string>& tags);

// IOBES where a tag has E- or S-; IOB1 where a gold chunk starts with I-;
// else IOB2.
TagScheme detectTagScheme(const std::vector<std::vector<std::string>>& gold);
// Throws pp::Error naming the first tag that `scheme` has no place for
// (E- or S- outside IOBES; a gold chunk starting with I- under IOB2; B-
// not after the same type under IOB1 ... is allowed, as conlleval does).
void checkTagScheme(const std::vector<std::vector<std::string>>& tags, TagScheme scheme,
                    const std::string& what);

struct TypeScore {
  std::string type;
  double precision = 0, recall = 0, f1 = 0;
  int64_t gold = 0, predicted = 0, correct = 0;
};

struct EntityMetrics {
  double precision = 0, recall = 0, f1 = 0;
  double tokenAccuracy = 0;
  int64_t gold = 0, predicted = 0, correct = 0;  // chunks
  int64_t tokens = 0, sentences = 0;
  TagScheme scheme = TagScheme::IOB2;  // as used (detected where asked for Auto)
  std::vector<TypeScore> perType;      // sorted by type name
  double error() const { return 1.0 - f1; }
};

// Gold and predicted tags, sentence by sentence, of equal lengths.
// Precision is 0 with no predicted chunk, recall 0 with no gold chunk, F1
// 0 when both are (as conlleval reports them).
EntityMetrics entityMetrics(const std::vector<std::vector<std::string>>& gold,
                            const std::vector<std::vector<std::string>>& predicted,
                            TagScheme scheme = TagScheme::Auto);

}  // namespace pp
