// Local search around the current Pareto set (of the feasible trials, under
// constraints, with one parent in four from the whole front): mutate a
// random member of the front, with an occasional random restart.
#include "paretoprune/base/constrained_pareto.h"
#include "paretoprune/base/pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/search/strategy.h"

namespace pp {
namespace {
class LocalStrategy : public Strategy {
 public:
  LocalStrategy(SearchSpace s, StrategyOptions o) : space_(std::move(s)), opts_(o) {}
  std::string name() const override { return "local"; }
  SubNetwork propose(const History& h, Rng& rng) override {
    if (static_cast<int>(h.subnets.size()) < opts_.initialRandom || rng.bernoulli(0.1))
      return space_.sample(rng);
    // Under constraints, one parent in four comes from the front of every
    // trial, infeasible ones included: its members just past a limit that
    // needs the evaluation (accuracy) border the best feasible ones.
    // (Proposals still meet the limits counted from the shape: the runner
    // proposes again otherwise.)
    const bool wide = !h.violations.empty() && rng.bernoulli(kWideShare);
    auto front = wide ? paretoFront(h.objectives) : constrainedFront(h.objectives, h.violations);
    const size_t pick = front[rng.index(front.size())];
    return space_.mutate(h.subnets[pick], rng);
  }

 private:
  static constexpr double kWideShare = 0.25;
  SearchSpace space_;
  StrategyOptions opts_;
};
}  // namespace

std::unique_ptr<Strategy> makeLocalStrategy(const SearchSpace& s, const StrategyOptions& o) {
  return std::make_unique<LocalStrategy>(s, o);
}

}  // namespace pp
