// ShapeConstraints: the constraints of a run whose metric is known before a
// sub-network is evaluated (params, params_share, flops, flops_share,
// size_mb), counted from its shape and the model's configuration alone
// (model/metrics.h). The search runner proposes only sub-networks that meet
// them, so no evaluation is spent on one known to be infeasible; the other
// constraints (latency, accuracy, drops) need the evaluation and rank
// trials by constrained domination (docs/search.md "Constraints").
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/search/constraint.h"

namespace pp {

struct ModelConfig;
struct SearchSpace;
struct SubNetwork;

// True for the metrics counted from the shape: params, params_share, flops,
// flops_share, size_mb.
bool knownBeforeEvaluation(const Constraint& c);

class ShapeConstraints {
 public:
  ShapeConstraints() = default;
  // Keeps the constraints of `cs` known before evaluation; FLOPs are
  // counted for one sequence of `flopsLength` tokens, shares against the
  // full model's counts.
  ShapeConstraints(const std::vector<Constraint>& cs, const ModelConfig& c, int64_t flopsLength);
  bool empty() const { return cs_.empty(); }
  const std::vector<Constraint>& constraints() const { return cs_; }
  // The violation of these constraints (constraint.h's measure); 0: met.
  double violation(const SubNetwork& s) const;
  bool met(const SubNetwork& s) const { return violation(s) <= 0; }
  // Throws pp::Error with one line when no member of the space can meet a
  // constraint: an upper bound below the space's smallest sub-network, a
  // lower bound above its largest.
  void checkReachable(const SearchSpace& space) const;
  // "params_share<=0.5, flops<=2e9" (for messages).
  std::string text() const;

 private:
  Trial counted(const SubNetwork& s) const;
  std::vector<Constraint> cs_;
  std::shared_ptr<const ModelConfig> config_;
  int64_t flopsLength_ = 0;
  Trial full_;
};

}  // namespace pp
