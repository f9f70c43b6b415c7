// Model: a loaded BERT sequence classifier (config, weights, tokenizer and
// the head/unit importance order), read-only after loading and shared by
// every worker thread. Torch stays behind the pimpl.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/config.h"

namespace pp {

class WordPieceTokenizer;
struct ModelImpl;

class Model {
 public:
  // Loads config.json, model.safetensors and the tokenizer from `dir`.
  // Every expected tensor is checked by name and shape; throws pp::Error.
  static std::shared_ptr<const Model> load(const std::string& dir);
  ~Model();

  const BertConfig& config() const;
  bool hasTokenizer() const;
  const WordPieceTokenizer& tokenizer() const;  // throws if the model has none
  const std::string& directory() const;
  // FNV-1a 64 of model.safetensors, hex; identifies the source of exports.
  const std::string& checksum() const;
  // Importance order: headOrder()[l][0] is the most important head of layer l.
  const std::vector<std::vector<int64_t>>& headOrder() const;
  const std::vector<std::vector<int64_t>>& unitOrder() const;

  ModelImpl& impl() const { return *impl_; }

 private:
  explicit Model(std::unique_ptr<ModelImpl> impl);
  std::unique_ptr<ModelImpl> impl_;
  friend struct ModelImpl;
};

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

// Sets LibTorch's intra-op threads and OpenBLAS's threads deliberately.
// blasThreads <= 0 leaves OpenBLAS as it is. (The evaluation team stays
// as it is: see useComputeThreads.)
void setComputeThreads(int torchThreads, int blasThreads);

// How `threads` CPU threads are put to work (docs/performance.md).
// Evaluation: the forward pass runs on a team of `threads` threads, each
// with LibTorch and OpenBLAS at one thread (one pool busy, not two
// competing). Training (autograd): one LibTorch thread, OpenBLAS on
// `threads` threads, no team.
enum class ComputeUse { Evaluation, Training };
void useComputeThreads(ComputeUse use, int threads);
int hardwareThreads();
std::string torchVersion();
// OpenBLAS's kernel set for the matrix products ("Haswell", ...), with
// " (chosen by ParetoPrune)" where we corrected OpenBLAS's own choice
// (blas_core.cpp: AMD Zen 4); "" where the BLAS is not a runtime-dispatching
// OpenBLAS.
std::string blasCoreName();

}  // namespace pp
