// libFuzzer: a WordPiece vocab.txt, then sentences encoded with it (the
// input's own first line too, so pieces of the vocabulary meet text).
#include "fuzz_common.h"
#include "paretoprune/formats/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ppfuzz::writeInput("vocab.txt", data, size);
  const std::string own(reinterpret_cast<const char*>(data), std::min<size_t>(size, 256));
  return ppfuzz::accept([&] {
    auto t = pp::WordPieceTokenizer::fromVocabFile(path);
    t.encode("the food was good, not bad!", nullptr, 16);
    t.encode(own, &own, 64);
  });
}
