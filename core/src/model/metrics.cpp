#include "paretoprune/model/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "model/family.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/subnet.h"

namespace pp {

namespace {
int64_t layerParams(const ModelConfig& c, int64_t heads, int64_t units) {
  const int64_t H = c.hidden_size, a = heads * c.headSize();
  const int64_t attn = 3 * (H * a + a) + (a * H + H) + 2 * H;
  const int64_t ffn = (H * units + units) + (units * H + H) + 2 * H;
  return attn + ffn;
}
// Embeddings and head: every tensor the family has outside the layers.
int64_t outerParams(const ModelConfig& c) {
  int64_t n = 0;
  for (const TensorSpec& t : modelTensors(c))
    if (t.part != Part::Layer) n += t.numel();
  return n;
}
}  // namespace

int64_t parameterCount(const ModelConfig& c) {
  return parameterCount(c, SubNetwork::full(c));
}

int64_t parameterCount(const ModelConfig& c, const SubNetwork& s) {
  s.validate(c);
  int64_t n = outerParams(c);
  for (const auto& l : s.layers)
    if (l.kept()) n += layerParams(c, l.heads, l.units);
  return n;
}

int64_t flopCount(const ModelConfig& c, const SubNetwork& s, int64_t T) {
  s.validate(c);
  const int64_t H = c.hidden_size, d = c.headSize();
  int64_t f = 0;
  for (const auto& l : s.layers) {
    if (!l.kept()) continue;
    const int64_t a = l.heads * d;
    f += 2 * T * H * 3 * a;            // Q, K, V projections
    f += 2 * 2 * l.heads * T * T * d;  // scores and context
    f += 2 * T * a * H;                // attention output
    f += 2 * 2 * T * H * l.units;      // feed-forward in and out
  }
  if (c.embeddingSize() != H) f += 2 * T * c.embeddingSize() * H;  // ELECTRA's projection
  if (modelLayout(c).headDense) f += 2 * H * H;  // the head's dense layer (pooler) on [CLS]
  // The classifier: on [CLS], or on every token of a tagger.
  f += 2 * H * c.numLabels() * (c.tokenClassification() ? T : 1);
  return f;
}

double majorityError(const std::vector<int64_t>& labels) {
  if (labels.empty()) return 1;
  std::map<int64_t, int64_t> counts;
  int64_t most = 0;
  for (int64_t l : labels) most = std::max(most, ++counts[l]);
  return 1.0 - static_cast<double>(most) / static_cast<double>(labels.size());
}

ClassificationMetrics classificationMetrics(const std::vector<int64_t>& predicted,
                                            const std::vector<int64_t>& truth, int64_t K) {
  if (predicted.size() != truth.size())
    throw Error("metrics: predictions and labels differ in count");
  ClassificationMetrics m;
  m.count = static_cast<int64_t>(truth.size());
  if (truth.empty() || K <= 0) return m;
  std::vector<double> conf(static_cast<size_t>(K * K), 0.0);
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= K || predicted[i] < 0 || predicted[i] >= K)
      throw Error("metrics: label outside 0.." + std::to_string(K - 1));
    conf[static_cast<size_t>(truth[i] * K + predicted[i])] += 1;
  }
  const double s = static_cast<double>(truth.size());
  double correct = 0, sumPT = 0, sumP2 = 0, sumT2 = 0, f1sum = 0;
  for (int64_t k = 0; k < K; ++k) {
    double tk = 0, pk = 0, tp = conf[static_cast<size_t>(k * K + k)];
    for (int64_t j = 0; j < K; ++j) {
      tk += conf[static_cast<size_t>(k * K + j)];
      pk += conf[static_cast<size_t>(j * K + k)];
    }
    correct += tp;
    sumPT += pk * tk;
    sumP2 += pk * pk;
    sumT2 += tk * tk;
    const double f1 = (pk + tk) > 0 ? 2 * tp / (pk + tk) : 0.0;
    f1sum += f1;
    if (K == 2 && k == 1) m.f1 = f1;
  }
  if (K != 2) m.f1 = f1sum / static_cast<double>(K);
  m.accuracy = correct / s;
  m.error = 1.0 - m.accuracy;
  const double denom = std::sqrt((s * s - sumP2) * (s * s - sumT2));
  m.mcc = denom > 0 ? (correct * s - sumPT) / denom : 0.0;
  return m;
}

}  // namespace pp
