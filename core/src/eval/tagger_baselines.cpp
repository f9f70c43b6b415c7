#include "paretoprune/eval/tagger_baselines.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/dataset.h"

namespace pp {

namespace {
void checkSet(const Dataset& d, const char* what, size_t numLabels) {
  if (!d.tagged)
    throw Error("baseline: the " + std::string(what) + " set " + d.source +
                " holds labelled texts, not a tagger's sentences");
  if (d.examples.empty())
    throw Error("baseline: the " + std::string(what) + " set " + d.source + " is empty");
  for (const auto& e : d.examples)
    for (int64_t t : e.tags)
      if (t < 0 || static_cast<size_t>(t) >= numLabels)
        throw Error(d.source + ":" + std::to_string(e.line) + ": tag outside the model's labels");
}

std::vector<std::vector<std::string>> goldTags(const Dataset& val,
                                               const std::vector<std::string>& labels) {
  std::vector<std::vector<std::string>> out;
  for (const auto& e : val.examples) {
    out.emplace_back();
    for (int64_t t : e.tags) out.back().push_back(labels[static_cast<size_t>(t)]);
  }
  return out;
}

// The label named "O", else the training set's most frequent one.
size_t outsideLabel(const Dataset& train, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == "O") return i;
  const auto counts = train.labelCounts(static_cast<int64_t>(labels.size()));
  return static_cast<size_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
}
}  // namespace

std::vector<TaggerBaselineResult> taggerBaselines(const Dataset& train, const Dataset& val,
                                                  const std::vector<std::string>& labels,
                                                  TagScheme scheme) {
  checkSet(train, "training", labels.size());
  checkSet(val, "validation", labels.size());
  const auto gold = goldTags(val, labels);
  const size_t outside = outsideLabel(train, labels);
  std::vector<std::vector<std::string>> none;
  for (const auto& g : gold) none.emplace_back(g.size(), labels[outside]);

  // Each word's tag counts in training (case kept: "Apple" and "apple" differ).
  std::unordered_map<std::string, std::map<int64_t, int64_t>> seen;
  for (const auto& e : train.examples)
    for (size_t i = 0; i < e.words.size() && i < e.tags.size(); ++i) ++seen[e.words[i]][e.tags[i]];
  std::vector<std::vector<std::string>> memo;
  for (const auto& e : val.examples) {
    memo.emplace_back();
    for (const auto& w : e.words) {
      const auto it = seen.find(w);
      size_t tag = outside;
      if (it != seen.end())  // the most frequent; ties to the lower label id
        tag = static_cast<size_t>(
            std::max_element(it->second.begin(), it->second.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; })
                ->first);
      memo.back().push_back(labels[tag]);
    }
  }
  return {{"every word " + labels[outside], entityMetrics(gold, none, scheme),
           "tags every word " + labels[outside] + ": finds no entity (chance level)"},
          {"most frequent tag per word", entityMetrics(gold, memo, scheme),
           "each word's most frequent tag in " + std::to_string(train.examples.size()) +
               " training sentences (" + std::to_string(seen.size()) + " words), unseen words " +
               labels[outside]}};
}

}  // namespace pp
