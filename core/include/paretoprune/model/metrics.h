// Pure functions: exact parameter and FLOP counts of a sub-network from the
// configuration alone, and classification metrics.
#pragma once
#include <cstdint>
#include <vector>

namespace pp {

struct ModelConfig;
struct SubNetwork;

int64_t parameterCount(const ModelConfig& c);
int64_t parameterCount(const ModelConfig& c, const SubNetwork& s);

// Floating-point operations (2 per multiply-add) of one forward pass of one
// sequence of `seqLen` tokens: every matrix product (Q, K, V, scores,
// context, output, feed-forward, pooler, classifier). Embedding look-ups,
// LayerNorm, softmax and activations are not counted.
int64_t flopCount(const ModelConfig& c, const SubNetwork& s, int64_t seqLen);

struct ClassificationMetrics {
  double accuracy = 0;
  double error = 1;
  double mcc = 0;  // Matthews correlation (multi-class: Gorodkin's R_K)
  double f1 = 0;   // binary: F1 of class 1; multi-class: macro F1
  int64_t count = 0;
};

// The error of predicting the most frequent label for every example (the
// chance level a model that learnt nothing reaches at best); 1 when empty.
double majorityError(const std::vector<int64_t>& labels);

ClassificationMetrics classificationMetrics(const std::vector<int64_t>& predicted,
                                            const std::vector<int64_t>& truth, int64_t numLabels);

}  // namespace pp
