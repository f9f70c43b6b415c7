#include "train/augment.h"

#include <algorithm>
#include <numeric>

#include "paretoprune/base/rng.h"
#include "paretoprune/formats/tagging.h"

namespace pp {

namespace {

bool isSpecial(const std::vector<int64_t>& specials, int64_t id) {
  return std::find(specials.begin(), specials.end(), id) != specials.end();
}

// The runs of non-special pieces between special ones: [begin, end) each.
std::vector<std::pair<size_t, size_t>> segmentsOf(const std::vector<int64_t>& ids,
                                                  const std::vector<int64_t>& specials) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  while (i < ids.size()) {
    if (isSpecial(specials, ids[i])) {
      ++i;
      continue;
    }
    const size_t b = i;
    while (i < ids.size() && !isSpecial(specials, ids[i])) ++i;
    out.emplace_back(b, i);
  }
  return out;
}

TokenizedExample variantOf(const TokenizedExample& src, const std::vector<int64_t>& specials,
                           const std::vector<int64_t>& corpus, Rng& rng, const AugmentRules& r) {
  const auto& ids = src.enc.ids;
  const auto segments = segmentsOf(ids, specials);
  // What becomes of each position: kept as is, replaced, or left out.
  std::vector<int64_t> out(ids);
  std::vector<bool> keep(ids.size(), true);
  // One text: now and then only a short window of it (n-gram sampling).
  if (segments.size() == 1 && rng.bernoulli(r.window)) {
    const auto [b, e] = segments[0];
    const size_t n = static_cast<size_t>(rng.uniformInt(1, std::max<int64_t>(1, r.maxWindow)));
    if (e - b > n) {
      const size_t start =
          b + static_cast<size_t>(rng.uniformInt(0, static_cast<int64_t>(e - b - n)));
      for (size_t i = b; i < e; ++i) keep[i] = i >= start && i < start + n;
    }
  }
  for (const auto& [b, e] : segments) {
    bool any = false;
    for (size_t i = b; i < e; ++i) {
      if (!keep[i]) continue;
      const double u = rng.uniform01();
      if (u < r.drop) {
        keep[i] = false;
      } else if (u < r.drop + r.replace && !corpus.empty()) {
        out[i] = corpus[rng.index(corpus.size())];
      }
      any = any || keep[i];
    }
    if (!any) keep[b + rng.index(e - b)] = true;  // every segment keeps a piece
  }
  TokenizedExample v;
  v.label = kIgnoredLabel;
  for (size_t i = 0; i < ids.size(); ++i)
    if (keep[i]) {
      v.enc.ids.push_back(out[i]);
      v.enc.type_ids.push_back(src.enc.type_ids[i]);
    }
  return v;
}

}  // namespace

std::vector<TokenizedExample> augmentExamples(const std::vector<TokenizedExample>& train,
                                              const std::vector<int64_t>& specials, size_t count,
                                              uint64_t seed, const AugmentRules& rules) {
  std::vector<TokenizedExample> out;
  if (train.empty() || count == 0) return out;
  std::vector<int64_t> corpus;
  for (const auto& e : train)
    for (int64_t id : e.enc.ids)
      if (!isSpecial(specials, id)) corpus.push_back(id);
  Rng rng(seed * 104729 + 17);
  std::vector<size_t> order(train.size());
  std::iota(order.begin(), order.end(), size_t(0));
  out.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    if (k % order.size() == 0) rng.shuffle(order);
    out.push_back(variantOf(train[order[k % order.size()]], specials, corpus, rng, rules));
  }
  return out;
}

}  // namespace pp
