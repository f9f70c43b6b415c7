// NSGA-II, steady state: the population is the best `populationSize`
// trials by non-dominated rank and crowding distance; each proposal is a
// child of two binary-tournament parents (crossover, then mutation).
// Under constraints the ranks are by constrained domination, as in
// constrained NSGA-II: feasible fronts first, then infeasible trials by
// how far they miss.
#include <algorithm>
#include <limits>

#include "paretoprune/base/constrained_pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/search/strategy.h"

namespace pp {
namespace {
class Nsga2Strategy : public Strategy {
 public:
  Nsga2Strategy(SearchSpace s, StrategyOptions o) : space_(std::move(s)), opts_(o) {}
  std::string name() const override { return "nsga2"; }
  SubNetwork propose(const History& h, Rng& rng) override {
    if (static_cast<int>(h.subnets.size()) < std::max(opts_.initialRandom, 2))
      return space_.sample(rng);
    // Select the population: whole fronts, the last one cut by crowding.
    struct Member {
      size_t index;
      size_t rank;
      double crowd;
    };
    std::vector<Member> pop;
    auto fronts = constrainedNonDominatedSort(h.objectives, h.violations);
    for (size_t r = 0; r < fronts.size() && static_cast<int>(pop.size()) < opts_.populationSize;
         ++r) {
      auto crowd = crowdingDistance(h.objectives, fronts[r]);
      std::vector<size_t> order(fronts[r].size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return crowd[a] > crowd[b]; });
      for (size_t i : order) {
        if (static_cast<int>(pop.size()) >= opts_.populationSize) break;
        pop.push_back({fronts[r][i], r, crowd[i]});
      }
    }
    auto tournament = [&]() -> const Member& {
      const Member& a = pop[rng.index(pop.size())];
      const Member& b = pop[rng.index(pop.size())];
      if (a.rank != b.rank) return a.rank < b.rank ? a : b;
      return a.crowd >= b.crowd ? a : b;
    };
    const SubNetwork& p1 = h.subnets[tournament().index];
    const SubNetwork& p2 = h.subnets[tournament().index];
    SubNetwork child = rng.bernoulli(opts_.crossoverRate) ? space_.crossover(p1, p2, rng) : p1;
    return space_.mutate(child, rng);
  }

 private:
  SearchSpace space_;
  StrategyOptions opts_;
};
}  // namespace

std::unique_ptr<Strategy> makeNsga2Strategy(const SearchSpace& s, const StrategyOptions& o) {
  return std::make_unique<Nsga2Strategy>(s, o);
}

}  // namespace pp
