#include "paretoprune/search/strategy.h"
#include "paretoprune/base/json_parse.h"

#include "paretoprune/base/error.h"

namespace pp {

std::vector<std::string> strategyNames() {
  return {"random", "local", "nsga2", "morea", "adaptive"};
}

std::unique_ptr<Strategy> makeStrategy(const std::string& name, const SearchSpace& space,
                                       const StrategyOptions& o) {
  if (name == "random") return makeRandomStrategy(space);
  if (name == "local") return makeLocalStrategy(space, o);
  if (name == "nsga2") return makeNsga2Strategy(space, o);
  if (name == "morea") return makeMoreaStrategy(space, o);
  if (name == "adaptive") return makeAdaptiveStrategy(space, o);
  throw Error("unknown strategy " + quoteText(name) + " (random, local, nsga2, morea or adaptive)");
}

}  // namespace pp
