// Internal: the tensors behind EncodedData.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cpu/forward.h"
#include "model/slicing.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/text_tokenizer.h"

namespace pp {

struct EncodedDataImpl {
  // The batches on `device` (copied once per device, from pinned memory).
  const std::vector<Batch>& batchesOn(const std::string& device) const;

  std::vector<Batch> batches;
  std::vector<std::vector<size_t>> batchIndex;  // original example index per row
  std::vector<int64_t> labels;                  // original order
  size_t count = 0;
  int64_t realTokens = 0, paddedTokens = 0;
  // A tagger's data: per example, each kept word's first piece (-1: none)
  // and gold label id; the sentences cut at the maximum length.
  bool tagging = false;
  std::vector<std::vector<int64_t>> wordPiece, wordTags;
  int64_t cutSentences = 0;
  mutable std::mutex deviceMutex;
  mutable std::map<std::string, std::vector<Batch>> deviceBatches;
};

// A sub-network made ready to run once per trial (prepareSubnet): its
// weights sliced or masked (or the model's own, for the full model) and
// prepared for the products of the chosen GEMM backend. One serves every
// evaluate() call of the trial and, when sliced, its latency.
struct PreparedSubnet {
  SubNetwork subnet;
  ExecMode mode = ExecMode::Sliced;
  std::string device;
  Precision precision = Precision::Float32;
  EncoderWeights weights;
  FusedAttention fused;
};

// A tagger's sentences aligned to pieces into `d` (eval/tagger_eval.cpp);
// the encodings to batch, in example order.
std::vector<Encoding> encodeTagged(const Model& model, const Dataset& data, int64_t maxLen,
                                   EncodedDataImpl& d);
// Each row's predicted label per kept word, from batch `b`'s logits [B, T, K].
// A word without pieces is predicted "O"; `seen` marks the rows.
void collectWordTags(const EncodedDataImpl& d, const ModelConfig& c, size_t b,
                     const torch::Tensor& logits, std::vector<std::vector<int64_t>>& wordTags,
                     std::vector<char>& seen);
// Each row's logits at its kept words' first pieces (zeros for a word
// without pieces), [words * K] per example, into out (computeLogits).
void appendWordLogits(const EncodedDataImpl& d, size_t b, const torch::Tensor& logits,
                      std::vector<std::vector<float>>& out);
// Entity metrics over the examples `seen`, into r.metrics and r.entities.
void taggerMetrics(const EncodedDataImpl& d, const ModelConfig& c, TagScheme scheme,
                   const std::vector<char>& seen, EvalResult& r);

// The GEMM plan evaluation uses for `c` on `device` at `p` (on the CPU:
// gemmChoiceFor; bf16 there is the seam's, the weights stay float32).
GemmPlan gemmPlanFor(const ModelConfig& c, const std::string& device, Precision p);

// The rates of measureExecRates(Model, ...) for weights `base` on `batch`'s
// device (benchmarks call it on weights of their own).
ExecRates measureExecRates(const EncoderWeights& base, const ModelConfig& c, Act act,
                           const Batch& batch, const std::vector<std::vector<int64_t>>& headOrder,
                           const std::vector<std::vector<int64_t>>& unitOrder, Precision precision);

// Runs weights `w` (on `device`: a model's, a sliced sub-network's, or the
// weights training is updating) over the batches of `data` under
// InferenceMode: fn(batch index, its logits as float32 on the CPU), over
// the batches `which` lists (empty: all). Stops
// early when `cancel` becomes true. evaluate() and training's validation
// both go through here.
void forEachBatch(const EncoderWeights& w, const ModelConfig& c, Act act, const EncodedData& data,
                  const std::string& device, const std::vector<size_t>& which,
                  const std::atomic<bool>* cancel,
                  const std::function<void(size_t, const torch::Tensor&)>& fn,
                  const FusedAttention* fused = nullptr);

}  // namespace pp
