// SearchSpace: which sub-networks a search may sample, and the sampling,
// mutation and crossover operators the strategies use on them.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/formats/subnet.h"

namespace pp {

struct ModelConfig;
class Rng;

struct SearchSpace {
  enum class Kind { Seed, PerLayer, Layers };
  Kind kind = Kind::Seed;
  int64_t minLayers = 0, maxLayers = 0;
  std::vector<int64_t> headChoices;  // ascending; per-layer spaces also allow 0
  int64_t minUnits = 0, maxUnits = 0;
  int64_t numModelLayers = 0;                   // of the model the space was made for
  std::vector<int64_t> modelHeads, modelUnits;  // per layer

  // The recipe's space scaled to the model: layers 0..N, heads {1,3,6,12}
  // scaled to the model's head count, units 0..I.
  static SearchSpace defaults(Kind kind, const ModelConfig& c);
  // "seed", "per-layer", "layers", or a JSON file; validated against c.
  static SearchSpace parse(const std::string& nameOrPath, const ModelConfig& c);
  static SearchSpace fromJson(const nlohmann::json& j, const ModelConfig& c);
  nlohmann::json toJson() const;
  std::string kindName() const;

  SubNetwork sample(Rng& rng) const;
  SubNetwork smallest() const;
  SubNetwork largest() const;
  SubNetwork mutate(const SubNetwork& s, Rng& rng) const;
  SubNetwork crossover(const SubNetwork& a, const SubNetwork& b, Rng& rng) const;
  bool contains(const SubNetwork& s) const;
  // Number of sub-network descriptions, an upper bound on the distinct ones
  // (saturates at INT64_MAX).
  int64_t size() const;
  // Calls fn with every member (as sample() would return it; descriptions
  // that fit the model alike repeat) until fn returns false. Takes time in
  // proportion to size(): for small spaces only.
  void forEachMember(const std::function<bool(const SubNetwork&)>& fn) const;
};

}  // namespace pp
