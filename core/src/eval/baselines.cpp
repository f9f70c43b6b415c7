#include "paretoprune/eval/baselines.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/dataset.h"

namespace pp {

std::vector<std::string> bagOfWords(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    while (!cur.empty() && cur.back() == '\'') cur.pop_back();
    size_t s = 0;
    while (s < cur.size() && cur[s] == '\'') ++s;
    if (s < cur.size()) out.push_back(cur.substr(s));
    cur.clear();
  };
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '\'' || c >= 0x80) {
      cur.push_back(static_cast<char>(std::tolower(c)));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

namespace {
void checkSets(const Dataset& train, const Dataset& val, int64_t K) {
  if (train.examples.empty()) throw Error("baseline: the training set is empty");
  if (val.examples.empty()) throw Error("baseline: the validation set is empty");
  if (train.tagged || val.tagged)
    throw Error("baseline: the baselines are for text classifiers, not yet for taggers");
  if (K < 2) throw Error("baseline: at least two labels are needed");
  for (const auto* d : {&train, &val})
    for (const auto& e : d->examples)
      if (e.label < 0 || e.label >= K)
        throw Error(d->source + ":" + std::to_string(e.line) +
                    ": label outside the model's labels");
}

double accuracyOf(const std::vector<int64_t>& pred, const Dataset& val) {
  int64_t ok = 0;
  for (size_t i = 0; i < pred.size(); ++i) ok += pred[i] == val.examples[i].label;
  return static_cast<double>(ok) / static_cast<double>(val.examples.size());
}
}  // namespace

BaselineResult majorityBaseline(const Dataset& train, const Dataset& val, int64_t K) {
  checkSets(train, val, K);
  auto counts = train.labelCounts(K);
  const int64_t best = std::max_element(counts.begin(), counts.end()) - counts.begin();
  std::vector<int64_t> pred(val.examples.size(), best);
  return {"majority class", accuracyOf(pred, val), "always label " + std::to_string(best)};
}

BaselineResult logisticRegressionBaseline(const Dataset& train, const Dataset& val, int64_t K,
                                          const LogRegOptions& o) {
  checkSets(train, val, K);
  // Vocabulary from the training set only.
  std::map<std::string, int64_t> counts;
  auto words = [](const Example& e) {
    auto w = bagOfWords(e.text);
    for (auto& p : bagOfWords(e.pair)) w.push_back("b:" + p);
    std::sort(w.begin(), w.end());
    w.erase(std::unique(w.begin(), w.end()), w.end());
    return w;
  };
  for (const auto& e : train.examples)
    for (const auto& w : words(e)) ++counts[w];
  std::unordered_map<std::string, size_t> index;
  for (const auto& [w, n] : counts)
    if (n >= o.minCount) index.emplace(w, index.size());
  const size_t V = index.size() + 1;  // last feature: bias
  auto features = [&](const Example& e) {
    std::vector<size_t> f;
    for (const auto& w : words(e))
      if (auto it = index.find(w); it != index.end()) f.push_back(it->second);
    f.push_back(V - 1);
    return f;
  };
  std::vector<std::vector<size_t>> X;
  for (const auto& e : train.examples) X.push_back(features(e));
  const size_t Ku = static_cast<size_t>(K), n = X.size();
  std::vector<double> W(V * Ku, 0.0), G(V * Ku), m(V * Ku, 0.0), v(V * Ku, 0.0);
  std::vector<double> p(Ku);
  // Full-batch Adam on mean cross-entropy + 0.5 * l2 * ||W||^2 (bias not decayed).
  for (int it = 1; it <= o.iterations; ++it) {
    std::fill(G.begin(), G.end(), 0.0);
    for (size_t i = 0; i < n; ++i) {
      double mx = -1e300;
      for (size_t k = 0; k < Ku; ++k) {
        double z = 0;
        for (size_t f : X[i]) z += W[f * Ku + k];
        p[k] = z;
        mx = std::max(mx, z);
      }
      double sum = 0;
      for (auto& z : p) sum += (z = std::exp(z - mx));
      for (size_t k = 0; k < Ku; ++k) {
        const double g =
            (p[k] / sum - (static_cast<int64_t>(k) == train.examples[i].label ? 1.0 : 0.0)) /
            static_cast<double>(n);
        for (size_t f : X[i]) G[f * Ku + k] += g;
      }
    }
    const double b1 = 0.9, b2 = 0.999;
    for (size_t j = 0; j < W.size(); ++j) {
      if (j / Ku != V - 1) G[j] += o.l2 * W[j];
      m[j] = b1 * m[j] + (1 - b1) * G[j];
      v[j] = b2 * v[j] + (1 - b2) * G[j] * G[j];
      const double mh = m[j] / (1 - std::pow(b1, it)), vh = v[j] / (1 - std::pow(b2, it));
      W[j] -= o.learningRate * mh / (std::sqrt(vh) + 1e-8);
    }
  }
  std::vector<int64_t> pred;
  for (const auto& e : val.examples) {
    auto f = features(e);
    int64_t best = 0;
    double bestZ = -1e300;
    for (size_t k = 0; k < Ku; ++k) {
      double z = 0;
      for (size_t j : f) z += W[j * Ku + k];
      if (z > bestZ) bestZ = z, best = static_cast<int64_t>(k);
    }
    pred.push_back(best);
  }
  return {"bag-of-words logistic regression", accuracyOf(pred, val),
          std::to_string(V - 1) + " words, L2 " + std::to_string(o.l2)};
}

}  // namespace pp
