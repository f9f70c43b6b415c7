#include "paretoprune/search/search_space.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/formats/config.h"

namespace pp {

using nlohmann::json;

namespace {
void fillModel(SearchSpace& s, const ModelConfig& c) {
  s.numModelLayers = c.num_hidden_layers;
  s.modelHeads.clear();
  s.modelUnits.clear();
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    s.modelHeads.push_back(c.headsInLayer(l));
    s.modelUnits.push_back(c.unitsInLayer(l));
  }
}
// The smallest positive entry (a pruned model's layer may have no heads or
// no units; choices are made for the layers that have some), 0 if none.
int64_t minOf(const std::vector<int64_t>& v) {
  int64_t m = 0;
  for (int64_t x : v)
    if (x > 0 && (m == 0 || x < m)) m = x;
  return m;
}

// A layer the model left with no heads (or no units) keeps none; the
// choices fit every other layer (they come from the smallest of them).
SubNetwork fitToModel(SubNetwork s, const SearchSpace& space) {
  for (size_t l = 0; l < s.layers.size() && l < space.modelHeads.size(); ++l) {
    auto& x = s.layers[l];
    if (space.modelHeads[l] == 0) x.heads = 0;
    if (space.modelUnits[l] == 0) x.units = 0;
  }
  return s;
}

// The seed kind's shared (heads, units) of a sub-network: the largest kept
// values (a layer the model left empty keeps none, see fitToModel).
LayerChoice seedShape(const SubNetwork& s, LayerChoice none) {
  LayerChoice shape{0, 0};
  bool any = false;
  for (const auto& x : s.layers)
    if (x.kept()) {
      shape = {std::max(shape.heads, x.heads), std::max(shape.units, x.units)};
      any = true;
    }
  return any ? shape : none;
}

// Index of the choice nearest to v.
size_t nearestChoice(const std::vector<int64_t>& choices, int64_t v) {
  size_t best = 0;
  for (size_t i = 1; i < choices.size(); ++i)
    if (std::llabs(choices[i] - v) < std::llabs(choices[best] - v)) best = i;
  return best;
}
}  // namespace

SearchSpace SearchSpace::defaults(Kind kind, const ModelConfig& c) {
  SearchSpace s;
  s.kind = kind;
  fillModel(s, c);
  s.minLayers = 0;
  s.maxLayers = c.num_hidden_layers;
  const int64_t A = minOf(s.modelHeads);
  std::set<int64_t> heads;
  for (int64_t h : {1, 3, 6, 12}) {
    int64_t scaled =
        static_cast<int64_t>(std::llround(static_cast<double>(h) * static_cast<double>(A) / 12.0));
    heads.insert(std::clamp<int64_t>(scaled, 1, std::max<int64_t>(A, 1)));
  }
  s.headChoices.assign(heads.begin(), heads.end());
  s.minUnits = 0;
  s.maxUnits = minOf(s.modelUnits);
  return s;
}

std::string SearchSpace::kindName() const {
  switch (kind) {
    case Kind::Seed:
      return "seed";
    case Kind::PerLayer:
      return "per-layer";
    case Kind::Layers:
      return "layers";
  }
  return "?";
}

SearchSpace SearchSpace::parse(const std::string& nameOrPath, const ModelConfig& c) {
  if (nameOrPath == "seed") return defaults(Kind::Seed, c);
  if (nameOrPath == "per-layer") return defaults(Kind::PerLayer, c);
  if (nameOrPath == "layers") return defaults(Kind::Layers, c);
  if (!fileutil::exists(nameOrPath))
    throw Error("search space \"" + nameOrPath +
                "\" is neither seed, per-layer, layers nor a JSON file");
  return fromJson(jsonutil::parse(fileutil::readFile(nameOrPath), nameOrPath), c);
}

SearchSpace SearchSpace::fromJson(const json& j, const ModelConfig& c) {
  const std::string where = "search space";
  if (!j.is_object()) throw Error(where + ": expected a JSON object");
  std::string kind = j.contains("kind") ? jsonutil::getString(j, "kind", where) : "seed";
  SearchSpace s;
  if (kind == "seed")
    s = defaults(Kind::Seed, c);
  else if (kind == "per-layer")
    s = defaults(Kind::PerLayer, c);
  else if (kind == "layers")
    s = defaults(Kind::Layers, c);
  else
    throw Error(where + ": unknown kind " + quoteText(kind) + " (seed, per-layer or layers)");
  if (j.contains("layers")) {
    const auto& l = j["layers"];
    if (!l.is_array() || l.size() != 2 || !l[0].is_number_integer() || !l[1].is_number_integer())
      throw Error(where + ": \"layers\" must be [min, max]");
    s.minLayers = l[0].get<int64_t>();
    s.maxLayers = l[1].get<int64_t>();
  }
  if (j.contains("heads")) {
    if (!j["heads"].is_array() || j["heads"].empty())
      throw Error(where + ": \"heads\" must be a non-empty list");
    std::set<int64_t> h;
    for (const auto& v : j["heads"]) {
      if (!v.is_number_integer()) throw Error(where + ": \"heads\" must hold integers");
      h.insert(v.get<int64_t>());
    }
    s.headChoices.assign(h.begin(), h.end());
  }
  if (j.contains("units")) {
    const auto& u = j["units"];
    if (!u.is_array() || u.size() != 2 || !u[0].is_number_integer() || !u[1].is_number_integer())
      throw Error(where + ": \"units\" must be [min, max]");
    s.minUnits = u[0].get<int64_t>();
    s.maxUnits = u[1].get<int64_t>();
  }
  const int64_t A = minOf(s.modelHeads), I = minOf(s.modelUnits);
  if (s.minLayers < 0 || s.maxLayers > c.num_hidden_layers || s.minLayers > s.maxLayers)
    throw Error(where + ": layers [" + std::to_string(s.minLayers) + ", " +
                std::to_string(s.maxLayers) + "] must lie within 0.." +
                std::to_string(c.num_hidden_layers));
  for (int64_t h : s.headChoices)
    if (h < 1 || h > A)
      throw Error(where + ": head choice " + std::to_string(h) + " is outside 1.." +
                  std::to_string(A) + " (the model has " + std::to_string(A) + " heads per layer)");
  if (s.minUnits < 0 || s.maxUnits > I || s.minUnits > s.maxUnits)
    throw Error(where + ": units [" + std::to_string(s.minUnits) + ", " +
                std::to_string(s.maxUnits) + "] must lie within 0.." + std::to_string(I));
  return s;
}

json SearchSpace::toJson() const {
  return {{"kind", kindName()},
          {"layers", {minLayers, maxLayers}},
          {"heads", headChoices},
          {"units", {minUnits, maxUnits}}};
}

SubNetwork SearchSpace::sample(Rng& rng) const {
  SubNetwork s;
  s.layers.assign(static_cast<size_t>(numModelLayers), LayerChoice{});
  switch (kind) {
    case Kind::Seed: {
      const int64_t L = rng.uniformInt(minLayers, maxLayers);
      const int64_t H = headChoices[static_cast<size_t>(
          rng.uniformInt(0, static_cast<int64_t>(headChoices.size()) - 1))];
      const int64_t U = rng.uniformInt(minUnits, maxUnits);
      for (int64_t l = 0; l < L; ++l) s.layers[static_cast<size_t>(l)] = {H, U};
      break;
    }
    case Kind::PerLayer: {
      const int64_t L = rng.uniformInt(minLayers, maxLayers);
      for (int64_t l = 0; l < L; ++l) {
        // 0 heads is allowed per layer: an FFN-only layer.
        const int64_t k = rng.uniformInt(0, static_cast<int64_t>(headChoices.size()));
        const int64_t H = k == 0 ? 0 : headChoices[static_cast<size_t>(k - 1)];
        s.layers[static_cast<size_t>(l)] = {H, rng.uniformInt(minUnits, maxUnits)};
      }
      break;
    }
    case Kind::Layers: {
      const int64_t L = rng.uniformInt(minLayers, maxLayers);
      for (int64_t l = 0; l < L; ++l)
        s.layers[static_cast<size_t>(l)] = {modelHeads[static_cast<size_t>(l)],
                                            modelUnits[static_cast<size_t>(l)]};
      break;
    }
  }
  return fitToModel(s, *this);
}

SubNetwork SearchSpace::smallest() const {
  SubNetwork s;
  s.layers.assign(static_cast<size_t>(numModelLayers), LayerChoice{});
  const int64_t H = kind == Kind::PerLayer ? 0 : headChoices.front();
  for (int64_t l = 0; l < minLayers; ++l)
    s.layers[static_cast<size_t>(l)] =
        kind == Kind::Layers
            ? LayerChoice{modelHeads[static_cast<size_t>(l)], modelUnits[static_cast<size_t>(l)]}
            : LayerChoice{H, minUnits};
  // A per-layer layer with 0 heads and 0 units is removed; keep the count honest.
  if (kind == Kind::PerLayer && minUnits == 0)
    for (int64_t l = 0; l < minLayers; ++l)
      s.layers[static_cast<size_t>(l)] = {headChoices.front(), 0};
  return fitToModel(s, *this);
}

SubNetwork SearchSpace::largest() const {
  SubNetwork s;
  s.layers.assign(static_cast<size_t>(numModelLayers), LayerChoice{});
  for (int64_t l = 0; l < maxLayers; ++l)
    s.layers[static_cast<size_t>(l)] =
        kind == Kind::Layers
            ? LayerChoice{modelHeads[static_cast<size_t>(l)], modelUnits[static_cast<size_t>(l)]}
            : LayerChoice{headChoices.back(), maxUnits};
  return fitToModel(s, *this);
}

SubNetwork SearchSpace::mutate(const SubNetwork& in, Rng& rng) const {
  const int64_t unitStep = std::max<int64_t>(1, (maxUnits - minUnits) / 8);
  auto stepUnits = [&](int64_t u) {
    const int64_t size = rng.uniformInt(1, unitStep);  // draws in a fixed order
    const int64_t delta = rng.bernoulli(0.5) ? size : -size;
    return std::clamp(u + delta, minUnits, maxUnits);
  };
  auto stepHeads = [&](int64_t h, bool allowZero) {
    if (allowZero && rng.bernoulli(0.15)) return h == 0 ? headChoices.front() : int64_t(0);
    size_t i = nearestChoice(headChoices, h);
    if (rng.bernoulli(0.5) && i + 1 < headChoices.size())
      ++i;
    else if (i > 0)
      --i;
    else if (i + 1 < headChoices.size())
      ++i;
    return headChoices[i];
  };
  int64_t L = 0;
  for (size_t i = 0; i < in.layers.size(); ++i)
    if (in.layers[i].kept()) L = static_cast<int64_t>(i) + 1;
  auto stepLayers = [&](int64_t l) {
    const int64_t size = rng.uniformInt(1, 2);
    const int64_t delta = rng.bernoulli(0.5) ? size : -size;
    return std::clamp(l + delta, minLayers, maxLayers);
  };
  SubNetwork out;
  out.layers.assign(in.layers.size(), LayerChoice{});
  switch (kind) {
    case Kind::Seed: {
      LayerChoice shape = seedShape(in, LayerChoice{headChoices.front(), minUnits});
      // Change one or more genes; at least one.
      bool changed = false;
      int64_t newL = L;
      while (!changed) {
        if (rng.bernoulli(0.4)) newL = stepLayers(newL), changed = true;
        if (rng.bernoulli(0.4)) shape.heads = stepHeads(shape.heads, false), changed = true;
        if (rng.bernoulli(0.4)) shape.units = stepUnits(shape.units), changed = true;
      }
      if (shape.heads == 0) shape.heads = headChoices.front();
      for (int64_t l = 0; l < newL; ++l) out.layers[static_cast<size_t>(l)] = shape;
      break;
    }
    case Kind::PerLayer: {
      out = in;
      if (maxLayers == 0) break;  // the space holds only the empty network
      const double p = 1.0 / std::max<double>(1.0, static_cast<double>(std::max<int64_t>(L, 1)));
      bool changed = false;
      while (!changed) {
        if (rng.bernoulli(0.2)) {
          const int64_t newL = stepLayers(L);
          // Removed layers are cleared; added ones copy the last kept layer.
          const LayerChoice fill = L > 0 ? out.layers[static_cast<size_t>(L - 1)]
                                         : LayerChoice{headChoices.back(), maxUnits};
          for (int64_t l = newL; l < L; ++l) out.layers[static_cast<size_t>(l)] = LayerChoice{};
          for (int64_t l = L; l < newL; ++l) out.layers[static_cast<size_t>(l)] = fill;
          changed = newL != L;
          L = newL;
        }
        for (int64_t l = 0; l < L; ++l) {
          auto& x = out.layers[static_cast<size_t>(l)];
          if (rng.bernoulli(p)) x.heads = stepHeads(x.heads, true), changed = true;
          if (rng.bernoulli(p)) x.units = stepUnits(x.units), changed = true;
          if (!x.kept()) x.heads = headChoices.front();  // keep the layer count
        }
      }
      break;
    }
    case Kind::Layers: {
      const int64_t newL = stepLayers(L);
      for (int64_t l = 0; l < newL; ++l)
        out.layers[static_cast<size_t>(l)] = {modelHeads[static_cast<size_t>(l)],
                                              modelUnits[static_cast<size_t>(l)]};
      break;
    }
  }
  return fitToModel(out, *this);
}

SubNetwork SearchSpace::crossover(const SubNetwork& a, const SubNetwork& b, Rng& rng) const {
  auto layersOf = [](const SubNetwork& s) {
    int64_t L = 0;
    for (size_t i = 0; i < s.layers.size(); ++i)
      if (s.layers[i].kept()) L = static_cast<int64_t>(i) + 1;
    return L;
  };
  const int64_t La = layersOf(a), Lb = layersOf(b);
  const int64_t L = rng.bernoulli(0.5) ? La : Lb;
  SubNetwork out;
  out.layers.assign(a.layers.size(), LayerChoice{});
  if (kind == Kind::Seed) {
    const LayerChoice sa = seedShape(a, LayerChoice{headChoices.front(), minUnits});
    const LayerChoice sb = seedShape(b, LayerChoice{headChoices.front(), minUnits});
    LayerChoice shape{rng.bernoulli(0.5) ? sa.heads : sb.heads,
                      rng.bernoulli(0.5) ? sa.units : sb.units};
    for (int64_t l = 0; l < L; ++l) out.layers[static_cast<size_t>(l)] = shape;
  } else if (kind == Kind::PerLayer) {
    for (int64_t l = 0; l < L; ++l) {
      const auto& pa = a.layers[static_cast<size_t>(l)];
      const auto& pb = b.layers[static_cast<size_t>(l)];
      const LayerChoice& pick = (!pb.kept() || (pa.kept() && rng.bernoulli(0.5))) ? pa : pb;
      out.layers[static_cast<size_t>(l)] =
          pick.kept() ? pick : LayerChoice{headChoices.front(), minUnits};
    }
  } else {
    for (int64_t l = 0; l < L; ++l)
      out.layers[static_cast<size_t>(l)] = {modelHeads[static_cast<size_t>(l)],
                                            modelUnits[static_cast<size_t>(l)]};
  }
  return fitToModel(out, *this);
}

bool SearchSpace::contains(const SubNetwork& s) const {
  if (static_cast<int64_t>(s.layers.size()) != numModelLayers) return false;
  const int64_t L = s.keptLayers();
  if (L < minLayers || L > maxLayers) return false;
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const auto& x = s.layers[i];
    if (!x.kept()) continue;
    if (kind == Kind::Layers) {
      if (x.heads != modelHeads[i] || x.units != modelUnits[i]) return false;
      continue;
    }
    // A layer the model left with no heads or no units has none here either.
    const bool headOk =
        std::find(headChoices.begin(), headChoices.end(), x.heads) != headChoices.end() ||
        (x.heads == 0 && (kind == Kind::PerLayer || modelHeads[i] == 0));
    const bool unitsOk =
        (x.units >= minUnits && x.units <= maxUnits) || (x.units == 0 && modelUnits[i] == 0);
    if (!headOk || !unitsOk) return false;
  }
  return true;
}

void SearchSpace::forEachMember(const std::function<bool(const SubNetwork&)>& fn) const {
  SubNetwork s;
  s.layers.assign(static_cast<size_t>(numModelLayers), LayerChoice{});
  auto emit = [&] { return fn(fitToModel(s, *this)); };
  auto setLayers = [&](int64_t L, LayerChoice shape) {
    for (int64_t l = 0; l < numModelLayers; ++l)
      s.layers[static_cast<size_t>(l)] = l < L ? shape : LayerChoice{};
  };
  // Per-layer: every layer l < L takes any (heads or 0, units) pair.
  std::function<bool(int64_t, int64_t)> perLayer = [&](int64_t l, int64_t L) {
    if (l == L) return emit();
    for (size_t k = 0; k <= headChoices.size(); ++k)
      for (int64_t u = minUnits; u <= maxUnits; ++u) {
        s.layers[static_cast<size_t>(l)] = {k == 0 ? 0 : headChoices[k - 1], u};
        if (!perLayer(l + 1, L)) return false;
      }
    return true;
  };
  for (int64_t L = minLayers; L <= maxLayers; ++L) {
    switch (kind) {
      case Kind::Seed:
        for (int64_t h : headChoices)
          for (int64_t u = minUnits; u <= maxUnits; ++u) {
            setLayers(L, {h, u});
            if (!emit()) return;
          }
        break;
      case Kind::PerLayer:
        setLayers(0, {});
        if (!perLayer(0, L)) return;
        break;
      case Kind::Layers:
        for (int64_t l = 0; l < numModelLayers; ++l)
          s.layers[static_cast<size_t>(l)] = l < L ? LayerChoice{modelHeads[static_cast<size_t>(l)],
                                                                 modelUnits[static_cast<size_t>(l)]}
                                                   : LayerChoice{};
        if (!emit()) return;
        break;
    }
  }
}

int64_t SearchSpace::size() const {
  const double layers = static_cast<double>(maxLayers - minLayers + 1);
  const double units = static_cast<double>(maxUnits - minUnits + 1);
  const double heads = static_cast<double>(headChoices.size());
  double n = 0;
  if (kind == Kind::Layers)
    n = layers;
  else if (kind == Kind::Seed)
    n = layers * heads * units;
  else
    n = std::pow((heads + 1) * units, static_cast<double>(maxLayers));
  return n >= 9.2e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(n);
}

}  // namespace pp
