// libFuzzer: a SentencePiece model file (XLM-RoBERTa's sentencepiece.bpe.model,
// read field by field from protobuf's wire format and converted), then one
// sentence pair encoded with it.
#include "fuzz_common.h"
#include "paretoprune/formats/sentencepiece_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ppfuzz::writeInput("sentencepiece.bpe.model", data, size);
  const std::string text = "The food was good, not bad! Très bien.", pair = "naïve <mask> café";
  return ppfuzz::accept([&] {
    auto t = pp::SentencePieceTokenizer::fromModelFile(path);
    t.encode(text, &pair, 32);
  });
}
