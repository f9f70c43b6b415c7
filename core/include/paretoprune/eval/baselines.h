// Baselines that a trained classifier should beat, computed on the same
// split: the majority class, and logistic regression on a bag of words.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pp {

struct Dataset;

// Lower-cased words: runs of letters, digits and apostrophes inside words.
std::vector<std::string> bagOfWords(const std::string& text);

struct BaselineResult {
  std::string name;
  double accuracy = 0;
  std::string detail;
};

// Predicts the training set's most frequent label for everything.
BaselineResult majorityBaseline(const Dataset& train, const Dataset& validation, int64_t numLabels);

struct LogRegOptions {
  double l2 = 1e-3;      // weight of 0.5 * ||w||^2 in the mean loss
  int iterations = 300;  // full-batch gradient steps (Adam)
  double learningRate = 0.1;
  int64_t minCount = 1;  // words seen fewer times in training are dropped
};
// Multinomial logistic regression on binary word features (text and pair).
BaselineResult logisticRegressionBaseline(const Dataset& train, const Dataset& validation,
                                          int64_t numLabels, const LogRegOptions& opts = {});

}  // namespace pp
