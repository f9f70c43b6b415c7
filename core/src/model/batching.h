// Internal: tokenised examples and padded batches for training and for the
// importance estimate (evaluation uses EncodedData's fixed buckets instead),
// and moving a batch to a device.
#pragma once
#include <algorithm>
#include <vector>

#include "model/weights.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/tagging.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"

namespace pp {

// Refuses ids the model's embeddings do not have: a token outside the
// vocabulary, or a pair's second segment (token type 1) on a model with
// one token type, which would read past the embedding table.
inline void checkEncoding(const Encoding& enc, const ModelConfig& c) {
  for (int64_t id : enc.ids)
    if (id < 0 || id >= c.vocab_size)
      throw Error("token id " + std::to_string(id) + " is outside the model's vocabulary");
  for (int64_t t : enc.type_ids)
    if (t < 0 || t >= c.type_vocab_size)
      throw Error("the data holds text pairs (token type " + std::to_string(t) +
                  "), but this model has " + std::to_string(c.type_vocab_size) +
                  " token type(s) (type_vocab_size in config.json); give it single texts");
}

struct TokenizedExample {
  Encoding enc;
  int64_t label = 0;
  // A tagger's sentence: a label per piece (kIgnoredLabel on special
  // tokens and on every piece of a word but its first); empty otherwise.
  std::vector<int64_t> pieceLabels{};
};

inline std::vector<TokenizedExample> tokenizeExamples(const Model& m, const Dataset& d,
                                                      int64_t maxLength) {
  const auto& tok = m.tokenizer();
  const int64_t maxLen =
      std::min<int64_t>(maxLength > 0 ? maxLength : 512, maxSequenceLength(m.config()));
  std::vector<TokenizedExample> out;
  out.reserve(d.examples.size());
  if (m.config().tokenClassification()) {
    if (!d.tagged)
      throw Error(d.source +
                  ": a tagger needs tagged sentences (CoNLL, or JSON lines with "
                  "\"tokens\" and \"tags\")");
    for (const auto& e : d.examples) {
      AlignedSentence a = alignWords(tok, TaggedSentence{e.words, e.tags, e.line}, maxLen);
      TokenizedExample t;
      t.enc.ids = std::move(a.ids);
      t.enc.type_ids = std::move(a.typeIds);
      t.pieceLabels = std::move(a.labels);
      checkEncoding(t.enc, m.config());
      out.push_back(std::move(t));
    }
    return out;
  }
  for (const auto& e : d.examples) {
    if (e.label < 0 || e.label >= m.config().numLabels())
      throw Error(d.source + ":" + std::to_string(e.line) + ": label " + std::to_string(e.label) +
                  " is outside the model's " + std::to_string(m.config().numLabels()) + " labels");
    out.push_back(
        {tok.encode(e.text, d.hasPair && !e.single ? &e.pair : nullptr, maxLen), e.label});
    checkEncoding(out.back().enc, m.config());
  }
  return out;
}

// Rows order[begin, end) padded to the longest; labels into *labels.
inline Batch makeBatch(const std::vector<TokenizedExample>& ex, const std::vector<size_t>& order,
                       size_t begin, size_t end, int64_t pad, torch::Tensor* labels) {
  size_t T = 0;
  for (size_t i = begin; i < end; ++i) T = std::max(T, ex[order[i]].enc.ids.size());
  const int64_t B = static_cast<int64_t>(end - begin), TT = static_cast<int64_t>(T);
  Batch b;
  b.ids = torch::full({B, TT}, pad, torch::kLong);
  b.typeIds = torch::zeros({B, TT}, torch::kLong);
  b.mask = torch::zeros({B, TT}, torch::kFloat32);
  const bool tagger = B > 0 && !ex[order[begin]].pieceLabels.empty();
  if (tagger) {  // labels [B, T], padding ignored
    auto tl = torch::full({B, TT}, kIgnoredLabel, torch::kLong);
    auto a = tl.accessor<int64_t, 2>();
    for (size_t i = begin; i < end; ++i) {
      const auto& pl = ex[order[i]].pieceLabels;
      for (size_t t = 0; t < pl.size(); ++t)
        a[static_cast<int64_t>(i - begin)][static_cast<int64_t>(t)] = pl[t];
    }
    if (labels) *labels = tl;
  }
  auto lab = torch::empty({B}, torch::kLong);
  auto ia = b.ids.accessor<int64_t, 2>();
  auto ta = b.typeIds.accessor<int64_t, 2>();
  auto ma = b.mask.accessor<float, 2>();
  auto la = lab.accessor<int64_t, 1>();
  for (size_t i = begin; i < end; ++i) {
    const auto& e = ex[order[i]];
    const int64_t r = static_cast<int64_t>(i - begin);
    for (size_t t = 0; t < e.enc.ids.size(); ++t) {
      ia[r][static_cast<int64_t>(t)] = e.enc.ids[t];
      ta[r][static_cast<int64_t>(t)] = e.enc.type_ids[t];
      ma[r][static_cast<int64_t>(t)] = 1.0f;
    }
    la[r] = e.label;
  }
  if (labels && !tagger) *labels = lab;
  return b;
}

// Cross-entropy of logits [B, K] against labels [B], or of a tagger's
// logits [B, T, K] against labels [B, T] (kIgnoredLabel left out).
inline torch::Tensor labelLoss(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (logits.dim() == 2) return torch::cross_entropy_loss(logits, labels);
  return torch::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}), labels.reshape({-1}), {},
                                   at::Reduction::Mean, kIgnoredLabel);
}

// `b` on `device` (itself on the CPU); copied from pinned memory, so the
// copies overlap with what the device is still doing.
inline Batch batchTo(const Batch& b, const torch::Device& device) {
  if (device.is_cpu()) return b;
  return {b.ids.pin_memory().to(device, true), b.typeIds.pin_memory().to(device, true),
          b.mask.pin_memory().to(device, true)};
}

}  // namespace pp
