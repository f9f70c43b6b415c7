// Importance of heads and feed-forward units, and the reordering it drives.
#include <algorithm>
#include <numeric>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "eval/importance_impl.h"
#include "model/slicing.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/eval/evaluator.h"

namespace pp {

Importance estimateImportance(const EncoderWeights& w, const ModelConfig& c, Act act,
                              const std::vector<TokenizedExample>& ex, const ImportanceOptions& o) {
  if (ex.empty()) throw Error("importance: the data set is empty");
  if (o.batches <= 0 || o.batchSize <= 0)
    throw Error("importance: batches and batch size must be positive");
  const torch::Device dev = w.emb.word.device();
  std::vector<size_t> order(ex.size());
  std::iota(order.begin(), order.end(), 0);
  Rng rng(o.seed);
  rng.shuffle(order);

  // Masks of ones on every head and unit output; |dL/dmask| measures how much
  // the loss depends on that head or unit (gradient times activation).
  SubnetMasks masks;
  const size_t L = w.layers.size();
  const auto maskOpts = torch::TensorOptions().device(dev).requires_grad(true);
  for (size_t l = 0; l < L; ++l) {
    masks.heads.push_back(torch::ones({w.layers[l].heads}, maskOpts));
    masks.units.push_back(torch::ones({w.layers[l].units()}, maskOpts));
  }
  Importance imp;
  imp.heads.resize(L);
  imp.units.resize(L);
  for (size_t l = 0; l < L; ++l) {
    imp.heads[l].assign(static_cast<size_t>(masks.heads[l].numel()), 0.0);
    imp.units[l].assign(static_cast<size_t>(masks.units[l].numel()), 0.0);
  }
  const size_t bs = static_cast<size_t>(o.batchSize);
  int64_t done = 0;
  for (size_t s = 0; s < order.size() && done < o.batches; s += bs, ++done) {
    torch::Tensor labels;
    Batch b = batchTo(
        makeBatch(ex, order, s, std::min(order.size(), s + bs), c.pad_token_id, &labels), dev);
    for (size_t l = 0; l < L; ++l) {
      if (masks.heads[l].grad().defined()) masks.heads[l].mutable_grad().zero_();
      if (masks.units[l].grad().defined()) masks.units[l].mutable_grad().zero_();
    }
    auto logits = encoderForward(w, act, c.layer_norm_eps, b, &masks);
    labelLoss(logits, labels.to(dev)).backward();
    for (size_t l = 0; l < L; ++l) {
      for (auto [mask, out] :
           {std::pair{&masks.heads[l], &imp.heads[l]}, std::pair{&masks.units[l], &imp.units[l]}}) {
        if (!mask->grad().defined()) continue;
        auto g = mask->grad().abs().to(torch::kCPU, torch::kFloat32).contiguous();
        const float* p = g.data_ptr<float>();
        for (size_t i = 0; i < out->size(); ++i) (*out)[i] += static_cast<double>(p[i]);
      }
    }
  }
  for (auto* v : {&imp.heads, &imp.units})
    for (auto& layer : *v)
      for (auto& x : layer) x /= static_cast<double>(std::max<int64_t>(1, done));
  return imp;
}

Importance estimateImportance(const Model& m, const Dataset& data, const ImportanceOptions& o) {
  if (data.examples.empty()) throw Error("importance: the data set is empty");
  const ModelImpl& mi = m.impl();
  const std::string device = resolveDevices(o.device).front();
  return estimateImportance(mi.weightsOn(device), mi.config, mi.act,
                            tokenizeExamples(m, data, o.maxLength), o);
}

std::vector<std::vector<int64_t>> importanceOrder(const std::vector<std::vector<double>>& scores) {
  std::vector<std::vector<int64_t>> out;
  for (const auto& layer : scores) {
    std::vector<int64_t> idx(layer.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
      return layer[static_cast<size_t>(a)] > layer[static_cast<size_t>(b)];
    });
    out.push_back(std::move(idx));
  }
  return out;
}

void writeReordered(const Model& m, const Importance& imp, const std::string& outDir, bool force) {
  const ModelImpl& mi = m.impl();
  EncoderWeights w =
      permuteWeights(mi.weights, importanceOrder(imp.heads), importanceOrder(imp.units));
  const TextTokenizer* tok = mi.tokenizer.get();
  fileutil::replaceDirectory(
      outDir, force,
      [&](const std::string& dir) {
        writeModelFiles(dir, mi.config, w, tok, identityOrder(mi.config, true),
                        identityOrder(mi.config, false), {{"paretoprune_reordered", "importance"}});
        nlohmann::json j = {{"source", m.directory()},
                            {"source_checksum", m.checksum()},
                            {"head_importance", imp.heads},
                            {"unit_importance", imp.units}};
        fileutil::writeFileAtomic(fileutil::joinPath(dir, "paretoprune_importance.json"),
                                  j.dump() + "\n");
      },
      "paretoprune_importance.json");
}

}  // namespace pp
