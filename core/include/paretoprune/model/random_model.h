// Random-initialised classifiers of any size, for `paretoprune-cli
// make-tiny`, tests and benchmarks.
#pragma once
#include <cstdint>
#include <string>

namespace pp {

// Options for `paretoprune-cli make-tiny`: a random-initialised classifier.
struct TinyModelOptions {
  int64_t layers = 2;
  int64_t hidden = 32;
  int64_t heads = 4;
  int64_t intermediate = 64;
  int64_t labels = 2;
  int64_t maxPositions = 128;
  std::string vocabFile;  // empty: a small built-in vocabulary
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
void writeRandomModel(const std::string& dir, const TinyModelOptions& opts);

}  // namespace pp
