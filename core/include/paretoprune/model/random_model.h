// Random-initialised classifiers of any size, for `paretoprune-cli
// make-tiny`, tests and benchmarks.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pp {

// Options for `paretoprune-cli make-tiny`: a random-initialised classifier.
struct TinyModelOptions {
  std::string modelType = "bert";  // the family: bert, distilbert, roberta, electra, xlm-roberta
  int64_t layers = 2;
  int64_t hidden = 32;
  int64_t heads = 4;
  int64_t intermediate = 64;
  int64_t labels = 2;
  // A tagger (...ForTokenClassification) instead: labels O, then B-T and
  // I-T for each entity type T of tagTypes (`labels` is not used).
  bool tokenClassification = false;
  std::vector<std::string> tagTypes = {"PER", "LOC", "ORG", "MISC"};
  int64_t maxPositions = 128;
  int64_t embeddingSize = 0;  // ELECTRA's embedding width; 0: half the hidden size
  std::string vocabFile;      // WordPiece vocab.txt (XLM-RoBERTa: a SentencePiece .model);
                              // empty: a small built-in vocabulary
  std::string hiddenAct = "gelu";
  double initStd = 0.02;
  uint64_t seed = 0;

  // `layers` layers of width `hidden`, `heads` heads, `intermediate` units.
  static TinyModelOptions shaped(int64_t layers, int64_t hidden, int64_t heads,
                                 int64_t intermediate) {
    TinyModelOptions o;
    o.layers = layers;
    o.hidden = hidden;
    o.heads = heads;
    o.intermediate = intermediate;
    return o;
  }
};
// Writes config.json, model.safetensors and the family's tokenizer files
// (WordPiece: vocab.txt and tokenizer.json; RoBERTa: a small byte-level BPE
// tokenizer.json; XLM-RoBERTa: a small Unigram tokenizer.json, or with
// vocabFile a SentencePiece Unigram model saved as sentencepiece.bpe.model)
// into `dir`.
void writeRandomModel(const std::string& dir, const TinyModelOptions& opts);

}  // namespace pp
