// Evaluation of taggers: sentences aligned to word pieces, logits on every
// piece read back at each word's first piece, entity-level metrics.
#include "eval/evaluator_impl.h"
#include "model/batching.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/tagging.h"
#include "paretoprune/model/model.h"

namespace pp {

std::vector<Encoding> encodeTagged(const Model& model, const Dataset& data, int64_t maxLen,
                                   EncodedDataImpl& d) {
  if (!data.tagged)
    throw Error(data.source + ": " + familyDisplayName(model.config()) +
                " tagger needs tagged sentences (CoNLL, or JSON lines with \"tokens\" and "
                "\"tags\"), not labelled texts");
  const TextTokenizer& tok = model.tokenizer();
  d.tagging = true;
  std::vector<Encoding> enc;
  enc.reserve(data.examples.size());
  for (const Example& e : data.examples) {
    TaggedSentence s;
    s.words = e.words;
    s.tags = e.tags;
    AlignedSentence a = alignWords(tok, s, maxLen);
    Encoding en;
    en.ids = std::move(a.ids);
    en.type_ids = std::move(a.typeIds);
    checkEncoding(en, model.config());
    d.cutSentences += a.cut ? 1 : 0;
    d.wordTags.emplace_back(e.tags.begin(),
                            e.tags.begin() + static_cast<std::ptrdiff_t>(a.wordPiece.size()));
    d.wordPiece.push_back(std::move(a.wordPiece));
    d.labels.push_back(-1);
    enc.push_back(std::move(en));
  }
  return enc;
}

void collectWordTags(const EncodedDataImpl& d, const ModelConfig& c, size_t b,
                     const torch::Tensor& logits, std::vector<std::vector<int64_t>>& wordTags,
                     std::vector<char>& seen) {
  const auto am = logits.argmax(2).contiguous();  // [B, T]
  const int64_t T = am.size(1);
  const int64_t* p = am.data_ptr<int64_t>();
  const int64_t outside = std::max<int64_t>(c.labelId("O"), 0);
  for (size_t r = 0; r < d.batchIndex[b].size(); ++r) {
    const size_t idx = d.batchIndex[b][r];
    std::vector<int64_t> tags;
    for (int64_t piece : d.wordPiece[idx])
      tags.push_back(piece >= 0 ? p[static_cast<int64_t>(r) * T + piece] : outside);
    wordTags[idx] = std::move(tags);
    seen[idx] = 1;
  }
}

void appendWordLogits(const EncodedDataImpl& d, size_t b, const torch::Tensor& logits,
                      std::vector<std::vector<float>>& out) {
  const int64_t T = logits.size(1), K = logits.size(2);
  const float* p = logits.data_ptr<float>();
  for (size_t r = 0; r < d.batchIndex[b].size(); ++r) {
    const size_t idx = d.batchIndex[b][r];
    std::vector<float>& o = out[idx];
    for (int64_t piece : d.wordPiece[idx]) {
      if (piece < 0) {
        o.insert(o.end(), static_cast<size_t>(K), 0.0f);
        continue;
      }
      const float* row = p + (static_cast<int64_t>(r) * T + piece) * K;
      o.insert(o.end(), row, row + K);
    }
  }
}

void taggerMetrics(const EncodedDataImpl& d, const ModelConfig& c, TagScheme scheme,
                   const std::vector<char>& seen, EvalResult& r) {
  std::vector<std::vector<std::string>> gold, pred;
  std::vector<int64_t> goldIds, predIds;
  auto name = [&](int64_t id) { return c.id2label.at(static_cast<size_t>(id)); };
  for (size_t i = 0; i < d.count; ++i) {
    if (!seen[i]) continue;
    std::vector<std::string> g, p;
    for (size_t w = 0; w < d.wordTags[i].size(); ++w) {
      g.push_back(name(d.wordTags[i][w]));
      p.push_back(name(r.wordTags[i][w]));
      goldIds.push_back(d.wordTags[i][w]);
      predIds.push_back(r.wordTags[i][w]);
    }
    gold.push_back(std::move(g));
    pred.push_back(std::move(p));
  }
  if (scheme != TagScheme::Auto) checkTagScheme(gold, scheme, "the validation tags");
  r.tagger = true;
  r.entities = entityMetrics(gold, pred, scheme);
  r.metrics = classificationMetrics(predIds, goldIds, c.numLabels());
  r.metrics.accuracy = r.entities.tokenAccuracy;
  r.metrics.f1 = r.entities.f1;
  r.metrics.error = r.entities.error();
  r.metrics.count = static_cast<int64_t>(gold.size());
}

}  // namespace pp
