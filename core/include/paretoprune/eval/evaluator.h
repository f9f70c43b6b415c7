// Evaluation of sub-networks on validation data tokenized once: logits,
// classification metrics, parameters, FLOPs and measured latency.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/eval/entity_metrics.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/model/metrics.h"

namespace pp {

class Model;
struct Dataset;
struct EncodedDataImpl;

enum class ExecMode { Auto, Masked, Sliced };
const char* execModeName(ExecMode m);
ExecMode parseExecMode(const std::string& s);

// Arithmetic of evaluation: float32, or bfloat16 / float16 weights and
// activations (logits compared in float32). float16 needs a GPU. Int8: the
// encoder's products as the onnx-int8 export runs them in ONNX Runtime
// (CPU only; evaluation, not training).
enum class Precision { Float32, BFloat16, Float16, Int8 };
const char* precisionName(Precision p);
Precision parsePrecision(const std::string& s);  // fp32, bf16, fp16, int8

struct EncodeOptions {
  int64_t maxLength = 128;
  int64_t batchSize = 32;
  bool bucketByLength = true;  // sort by length so batches pad little
};

// A data set tokenized once and cut into padded batches (cached per run).
// For a tagger (ModelConfig::tokenClassification) the set must be tagged
// (Dataset::tagged): each sentence's words aligned to word pieces
// (alignWords), sentences longer than maxLength cut to the words that fit.
class EncodedData {
 public:
  EncodedData(const Model& model, const Dataset& data, const EncodeOptions& opts = {});
  ~EncodedData();
  EncodedData(EncodedData&&) noexcept;
  EncodedData& operator=(EncodedData&&) noexcept;
  size_t size() const;
  size_t numBatches() const;
  const std::vector<int64_t>& labels() const;  // in original example order
  double paddingFraction() const;              // padded tokens / all tokens
  double meanLength() const;
  bool tagging() const;          // a tagger's sentences
  int64_t cutSentences() const;  // a tagger's sentences cut to maxLength
  EncodedDataImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<EncodedDataImpl> impl_;
};

struct LatencyOptions {
  std::string device = "cpu";
  int64_t batchSize = 1;
  int64_t seqLen = 128;
  int warmup = 2;
  int runs = 10;
};

struct LatencyStats {
  double medianMs = 0;
  double p95Ms = 0;
};

// Devices evaluation can run on: "cpu", then "cuda:0", "cuda:1", ... for
// each CUDA device this LibTorch sees.
std::vector<std::string> availableDevices();
// "auto" (every CUDA device, else the CPU), "cpu", "cuda" (every CUDA
// device) or "cuda:N"; throws pp::Error naming what is available.
std::vector<std::string> resolveDevices(const std::string& spec);

// How fast the two ways of running a sub-network go on one device and
// precision, in FLOP/s of the work each does: sliced computes the
// sub-network's FLOPs on smaller matrices; masked computes its kept layers
// at full width (never more than the full model). 0 = not measured.
struct ExecRates {
  double sliced = 0, masked = 0;
  bool measured() const { return sliced > 0 && masked > 0; }
};

struct EvalOptions {
  std::string device = "cpu";  // one device: "cpu" or "cuda:N"
  ExecMode mode = ExecMode::Auto;
  ExecRates rates;  // what Auto compares (measureExecRates); unmeasured: sliced
  Precision precision = Precision::Float32;
  bool measureLatency = true;
  LatencyOptions latency;
  // Non-empty: only these batches of the encoded data (multi-fidelity;
  // see screening.h); metrics then cover only the batches evaluated.
  std::vector<size_t> batches;
  // A tagger's chunk rules' scheme (entity_metrics.h); Auto: from the gold tags.
  TagScheme tagScheme = TagScheme::Auto;
};

// For a tagger, `metrics` holds entity-level scores: error = 1 - entity F1,
// f1 = entity F1, accuracy = token (word) accuracy, mcc over word tags;
// `entities` the whole of them (per-type table).
struct EvalResult {
  ClassificationMetrics metrics;
  bool tagger = false;
  EntityMetrics entities;
  std::vector<std::vector<int64_t>> wordTags;  // a tagger's predicted label per kept word
  int64_t params = 0;
  int64_t flops = 0;  // per sequence at the latency sequence length
  LatencyStats latency;
  double evalSeconds = 0;
  ExecMode modeUsed = ExecMode::Sliced;
  std::vector<int64_t> predictions;  // original example order
};

// Logits [n][numLabels] in original example order; for a tagger, each
// sentence's logits at its kept words' first pieces, [n][words * numLabels].
std::vector<std::vector<float>> computeLogits(const Model& m, const SubNetwork& s,
                                              const EncodedData& data,
                                              ExecMode mode = ExecMode::Auto,
                                              Precision precision = Precision::Float32);

// A sub-network sliced (or masked, as opts resolve its mode) and its
// weights prepared for the matrix products once, to serve every evaluate()
// of one trial and its latency (eval/evaluator_impl.h).
struct PreparedSubnet;
std::shared_ptr<const PreparedSubnet> prepareSubnet(const Model& m, const SubNetwork& s,
                                                    const EvalOptions& opts = {});

// Throws pp::Error on an invalid sub-network; returns early (metrics over
// what was done) if `cancel` becomes true. `prepared` (from prepareSubnet
// with the same sub-network, device and precision): run on it instead of
// preparing again.
EvalResult evaluate(const Model& m, const SubNetwork& s, const EncodedData& data,
                    const EvalOptions& opts = {}, const std::atomic<bool>* cancel = nullptr,
                    const PreparedSubnet* prepared = nullptr);

// Latency of the sliced sub-network on random tokens of the given shape
// (on `prepared` where it is that sub-network sliced on that device).
LatencyStats measureLatency(const Model& m, const SubNetwork& s, const LatencyOptions& opts,
                            const PreparedSubnet* prepared = nullptr);

// Times one batch of `data` (at most 8 rows) run both ways on a
// mid-sized sub-network (every layer, half the heads and units) on
// opts.device at opts.precision.
ExecRates measureExecRates(const Model& m, const EncodedData& data, const EvalOptions& opts = {});

// Sliced or masked, whichever `rates` predict faster for `s` from the FLOPs
// each computes (sliced when not measured, and where there is nothing to
// mask, as for the full model: both would run the same weights).
ExecMode fasterMode(const ModelConfig& c, const SubNetwork& s, const ExecRates& rates,
                    int64_t seqLen);

// The mode opts.mode asks for; Auto: fasterMode with opts.rates.
ExecMode resolveMode(const Model& m, const SubNetwork& s, const EvalOptions& opts);

}  // namespace pp
