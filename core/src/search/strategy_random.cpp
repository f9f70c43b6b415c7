// Random search, as the original recipe ran it: the baseline.
#include "paretoprune/base/rng.h"
#include "paretoprune/search/strategy.h"

namespace pp {
namespace {
class RandomStrategy : public Strategy {
 public:
  explicit RandomStrategy(SearchSpace s) : space_(std::move(s)) {}
  std::string name() const override { return "random"; }
  SubNetwork propose(const History&, Rng& rng) override { return space_.sample(rng); }

 private:
  SearchSpace space_;
};
}  // namespace

std::unique_ptr<Strategy> makeRandomStrategy(const SearchSpace& s) {
  return std::make_unique<RandomStrategy>(s);
}

}  // namespace pp
