// Adaptive: random search for the first trials (as many as local search
// samples before it starts mutating, so a trained model loses nothing),
// then local search around the Pareto set, unless those first trials'
// errors all lie within the noise of the validation set (a flat landscape, as on an untrained
// model): then random search throughout, which samples every size where local search would only
// mutate the few lucky points. Decided once, from the history alone, so it is reproducible.
#include <algorithm>
#include <cmath>

#include "paretoprune/pareto.h"
#include "paretoprune/rng.h"
#include "paretoprune/strategy.h"

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
      flat_ = isFlat(h, probe, opts_.validationExamples);
    }
    return flat_ ? space_.sample(rng) : local_->propose(h, rng);
  }

  // The first `n` errors (objective 0) span less than four binomial
  // standard errors at 50% on `examples` examples.
  static bool isFlat(const History& h, size_t n, int64_t examples) {
    if (examples <= 0 || h.objectives.empty() || h.objectives[0].empty()) return false;
    double lo = 1e30, hi = -1e30;
    for (size_t i = 0; i < n && i < h.objectives.size(); ++i) {
      lo = std::min(lo, h.objectives[i][0]);
      hi = std::max(hi, h.objectives[i][0]);
    }
    return hi - lo < 4.0 * std::sqrt(0.25 / static_cast<double>(examples));
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
