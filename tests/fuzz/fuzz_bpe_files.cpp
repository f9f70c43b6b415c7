// libFuzzer: a byte-level BPE tokenizer from RoBERTa's two files. The input
// is vocab.json, a NUL byte, then merges.txt; texts are encoded with it
// (a fixed sentence, and the input's own start as a pair).
#include <algorithm>

#include "fuzz_common.h"
#include "paretoprune/formats/bpe_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t* nul = std::find(data, data + size, uint8_t{0});
  const size_t vocabSize = static_cast<size_t>(nul - data);
  const std::string vocab = ppfuzz::writeInput("vocab.json", data, vocabSize);
  const size_t rest = vocabSize < size ? vocabSize + 1 : size;
  const std::string merges = ppfuzz::writeInput("merges.txt", data + rest, size - rest);
  const std::string own(reinterpret_cast<const char*>(data), std::min<size_t>(size, 256));
  return ppfuzz::accept([&] {
    auto t = pp::ByteLevelBpeTokenizer::fromVocabAndMerges(vocab, merges);
    t.encode("The food was good, not bad!", nullptr, 16);
    t.encode(own, &own, 64);
    t.decode(t.tokenIds(own));
  });
}
