// Adaptive: random search for the first trials (as many as local search
// samples before it starts mutating, so a trained model loses nothing),
// then local search around the Pareto set, unless none of those first
// trials beat chance (the majority label's error) by more than the
// validation set's noise, as on an untrained model: then random search
// throughout, which samples every size where local search would only
// mutate the few lucky points. Decided once, from the history alone, so it
// is reproducible.
#include <algorithm>
#include <cmath>

#include "paretoprune/base/pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/search/strategy.h"

namespace pp {
namespace {
class AdaptiveStrategy : public Strategy {
 public:
  AdaptiveStrategy(SearchSpace s, StrategyOptions o)
      : space_(std::move(s)), opts_(o), local_(makeLocalStrategy(space_, o)) {}
  std::string name() const override { return "adaptive"; }
  SubNetwork propose(const History& h, Rng& rng) override {
    const size_t probe = static_cast<size_t>(std::max(opts_.initialRandom, 8));
    if (h.subnets.size() < probe) return space_.sample(rng);
    if (!decided_) {
      decided_ = true;
      flat_ = isFlat(h, probe, opts_.validationExamples, opts_.chanceError);
    }
    return flat_ ? space_.sample(rng) : local_->propose(h, rng);
  }

  // None of the first `n` errors (objective 0) lies three binomial
  // standard errors or more below chance on `examples` examples. (A range
  // test, "all errors alike", was tried first: twelve random sub-networks
  // of the trained demo model often lie within 0.08 of each other, and the
  // demo went random.)
  static bool isFlat(const History& h, size_t n, int64_t examples, double chance) {
    if (examples <= 0 || chance < 0 || h.objectives.empty() || h.objectives[0].empty())
      return false;
    const double se =
        std::sqrt(std::max(chance * (1 - chance), 1e-4) / static_cast<double>(examples));
    for (size_t i = 0; i < n && i < h.objectives.size(); ++i)
      if (h.objectives[i][0] < chance - 3.0 * se) return false;
    return true;
  }

 private:
  SearchSpace space_;
  StrategyOptions opts_;
  std::unique_ptr<Strategy> local_;
  bool decided_ = false, flat_ = false;
};
}  // namespace

std::unique_ptr<Strategy> makeAdaptiveStrategy(const SearchSpace& s, const StrategyOptions& o) {
  return std::make_unique<AdaptiveStrategy>(s, o);
}

}  // namespace pp
