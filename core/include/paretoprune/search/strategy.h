// Strategy: proposes the next sub-network to evaluate from the trials
// finished so far. Seeded and reproducible: the same seed and the same
// history give the same proposals. A new strategy is one new .cpp file plus
// a line in makeStrategy().
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/search/search_space.h"

namespace pp {

class Rng;

struct History {
  std::vector<SubNetwork> subnets;              // finished, successful trials
  std::vector<std::vector<double>> objectives;  // same order, minimised
  // Same order: how far each misses the run's constraints (0: feasible;
  // search/constraint.h). Empty: no constraints, every trial feasible.
  // Strategies rank by constrained domination (base/constrained_pareto.h).
  std::vector<double> violations;
};

struct StrategyOptions {
  int populationSize = 16;  // NSGA-II population, MO-REA population
  int sampleSize = 8;       // MO-REA tournament sample
  int initialRandom = 12;   // random trials before the model-based strategies start
  double crossoverRate = 0.7;
  // For the adaptive strategy: the validation set's size (its noise level)
  // and, when the first objective is the error, the majority-label error
  // (chance); negative: unknown, and the adaptive strategy never goes random.
  int64_t validationExamples = 0;
  double chanceError = -1;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string name() const = 0;
  virtual SubNetwork propose(const History& h, Rng& rng) = 0;
};

std::unique_ptr<Strategy> makeStrategy(const std::string& name, const SearchSpace& space,
                                       const StrategyOptions& opts = {});
std::vector<std::string> strategyNames();

// The individual strategies (one file each).
std::unique_ptr<Strategy> makeRandomStrategy(const SearchSpace& s);
std::unique_ptr<Strategy> makeLocalStrategy(const SearchSpace& s, const StrategyOptions& o);
std::unique_ptr<Strategy> makeNsga2Strategy(const SearchSpace& s, const StrategyOptions& o);
std::unique_ptr<Strategy> makeMoreaStrategy(const SearchSpace& s, const StrategyOptions& o);
std::unique_ptr<Strategy> makeAdaptiveStrategy(const SearchSpace& s, const StrategyOptions& o);

}  // namespace pp
