// libFuzzer: tokenizer.json (WordPiece, byte-level BPE and Unigram), then one
// sentence pair encoded with what was read.
#include "fuzz_common.h"
#include "paretoprune/formats/bpe_tokenizer.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/formats/unigram_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ppfuzz::writeInput("tokenizer.json", data, size);
  const std::string text = "The food was good, not bad! Très bien.", pair = "naïve café";
  ppfuzz::accept([&] {
    auto t = pp::WordPieceTokenizer::fromTokenizerJson(path);
    t.encode(text, &pair, 32);
  });
  ppfuzz::accept([&] {
    auto t = pp::ByteLevelBpeTokenizer::fromTokenizerJson(path);
    t.encode(text, &pair, 32);
  });
  return ppfuzz::accept([&] {
    auto t = pp::UnigramTokenizer::fromTokenizerJson(path);
    t.encode(text, &pair, 32);
  });
}
