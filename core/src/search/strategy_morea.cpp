// Multi-objective regularised evolution (MO-REA): the population is the
// most recent `populationSize` trials (oldest age out); a random sample of
// it is drawn, a random member of the sample's Pareto front is the parent,
// and its mutation is the proposal. One proposal in five mutates a member
// of the whole history's Pareto set instead: regularised evolution forgets
// old trials, and on a flat front the extremes (the smallest sub-networks)
// age out and are not found again. Under constraints, "Pareto front" is
// by constrained domination (feasible first, then the least violation).
#include <algorithm>

#include "paretoprune/base/constrained_pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/search/strategy.h"

namespace pp {
namespace {
class MoreaStrategy : public Strategy {
 public:
  MoreaStrategy(SearchSpace s, StrategyOptions o) : space_(std::move(s)), opts_(o) {}
  std::string name() const override { return "morea"; }
  SubNetwork propose(const History& h, Rng& rng) override {
    const size_t n = h.subnets.size();
    if (static_cast<int>(n) < std::max(opts_.initialRandom, 2)) return space_.sample(rng);
    if (rng.uniform01() < kEliteShare) {
      const auto best = constrainedFront(h.objectives, h.violations);
      return space_.mutate(h.subnets[best[rng.index(best.size())]], rng);
    }
    const size_t popStart = n > static_cast<size_t>(opts_.populationSize)
                                ? n - static_cast<size_t>(opts_.populationSize)
                                : 0;
    std::vector<size_t> sample;
    for (int i = 0; i < opts_.sampleSize; ++i) sample.push_back(popStart + rng.index(n - popStart));
    std::vector<Point> pts;
    std::vector<double> viol;
    for (size_t i : sample) {
      pts.push_back(h.objectives[i]);
      if (!h.violations.empty()) viol.push_back(h.violations[i]);
    }
    auto front = constrainedFront(pts, viol);
    const size_t parent = sample[front[rng.index(front.size())]];
    return space_.mutate(h.subnets[parent], rng);
  }

 private:
  static constexpr double kEliteShare = 0.2;
  SearchSpace space_;
  StrategyOptions opts_;
};
}  // namespace

std::unique_ptr<Strategy> makeMoreaStrategy(const SearchSpace& s, const StrategyOptions& o) {
  return std::make_unique<MoreaStrategy>(s, o);
}

}  // namespace pp
