#include "paretoprune/formats/subnet.h"

#include <algorithm>

#include <sstream>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/formats/config.h"

namespace pp {

using nlohmann::json;

SubNetwork SubNetwork::full(const ModelConfig& c) {
  SubNetwork s;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l)
    s.layers.push_back({c.headsInLayer(l), c.unitsInLayer(l)});
  return s;
}

SubNetwork SubNetwork::uniform(const ModelConfig& c, int64_t numLayers, int64_t heads,
                               int64_t units) {
  if (numLayers < 0 || numLayers > c.num_hidden_layers)
    throw Error("sub-network: num_layers " + std::to_string(numLayers) + " is outside 0.." +
                std::to_string(c.num_hidden_layers));
  SubNetwork s;
  s.layers.assign(static_cast<size_t>(c.num_hidden_layers), LayerChoice{});
  // A pruned model's layers may have fewer heads or units than its config
  // names: each keeps at most what it has. More than the config names is
  // an error (validate says which).
  auto fit = [](int64_t want, int64_t nominal, int64_t here) {
    return want <= nominal ? std::min(want, here) : want;
  };
  for (int64_t l = 0; l < numLayers; ++l)
    s.layers[static_cast<size_t>(l)] = {fit(heads, c.num_attention_heads, c.headsInLayer(l)),
                                        fit(units, c.intermediate_size, c.unitsInLayer(l))};
  s.validate(c);
  return s;
}

namespace {
// A misspelt key ("num_head") must not be ignored: it would silently keep
// the model's full size for what the user meant to prune.
void refuseUnknownKeys(const json& j, std::initializer_list<const char*> known,
                       const std::string& where) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (ok) continue;
    std::string names;
    for (const char* k : known) names += std::string(names.empty() ? "" : ", ") + "\"" + k + "\"";
    throw Error(where + ": unknown key " + quoteText(shortText(it.key())) + " (known: " + names +
                ")");
  }
}
}  // namespace

SubNetwork SubNetwork::fromJson(const json& j, const ModelConfig& c) {
  const std::string where = "sub-network";
  if (!j.is_object()) throw Error(where + ": expected a JSON object");
  refuseUnknownKeys(j, {"layers", "num_layers", "num_heads", "num_units"}, where);
  if (j.contains("layers") &&
      (j.contains("num_layers") || j.contains("num_heads") || j.contains("num_units")))
    throw Error(where +
                ": give either \"layers\" or \"num_layers\", \"num_heads\" and "
                "\"num_units\", not both");
  if (j.contains("layers") && j["layers"].is_array()) {
    const auto& arr = j["layers"];
    if (static_cast<int64_t>(arr.size()) > c.num_hidden_layers)
      throw Error(where + ": lists " + std::to_string(arr.size()) + " layers, the model has " +
                  std::to_string(c.num_hidden_layers));
    SubNetwork s;
    s.layers.assign(static_cast<size_t>(c.num_hidden_layers), LayerChoice{});
    for (size_t i = 0; i < arr.size(); ++i) {
      const auto& e = arr[i];
      if (e.is_object())
        for (auto it = e.begin(); it != e.end(); ++it)
          if (it.key() != "heads" && it.key() != "units")
            throw Error(where + ": layer " + std::to_string(i) + ": unknown key \"" +
                        shortText(it.key()) + "\" (known: \"heads\", \"units\")");
      if (!e.is_object() || !e.contains("heads") || !e.contains("units"))
        throw Error(where + ": layer " + std::to_string(i) +
                    " must be {\"heads\": H, \"units\": U}");
      refuseUnknownKeys(e, {"heads", "units"}, where + ": layer " + std::to_string(i));
      s.layers[i] = {jsonutil::getInt(e, "heads", where), jsonutil::getInt(e, "units", where)};
    }
    s.validate(c);
    return s;
  }
  for (const char* key : {"num_layers", "num_heads", "num_units"})
    if (!j.contains(key))
      throw Error(
          where +
          ": needs \"num_layers\", \"num_heads\" and \"num_units\", or \"layers\" (missing \"" +
          key + "\")");
  return uniform(c, jsonutil::getInt(j, "num_layers", where),
                 jsonutil::getInt(j, "num_heads", where), jsonutil::getInt(j, "num_units", where));
}

SubNetwork SubNetwork::parse(const std::string& textOrPath, const ModelConfig& c) {
  size_t first = textOrPath.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && textOrPath[first] == '{')
    return fromJson(jsonutil::parse(textOrPath, "sub-network"), c);
  return fromJson(jsonutil::parse(fileutil::readFile(textOrPath), textOrPath), c);
}

void SubNetwork::validate(const ModelConfig& c) const {
  if (static_cast<int64_t>(layers.size()) != c.num_hidden_layers)
    throw Error("sub-network describes " + std::to_string(layers.size()) +
                " layers, the model has " + std::to_string(c.num_hidden_layers));
  for (size_t l = 0; l < layers.size(); ++l) {
    const auto& x = layers[l];
    const int64_t maxH = c.headsInLayer(static_cast<int64_t>(l));
    const int64_t maxU = c.unitsInLayer(static_cast<int64_t>(l));
    if (x.heads < 0 || x.heads > maxH)
      throw Error("sub-network: layer " + std::to_string(l) + " asks for " +
                  std::to_string(x.heads) + " heads, the model has " + std::to_string(maxH));
    if (x.units < 0 || x.units > maxU)
      throw Error("sub-network: layer " + std::to_string(l) + " asks for " +
                  std::to_string(x.units) + " feed-forward units, the model has " +
                  std::to_string(maxU));
  }
}

int64_t SubNetwork::keptLayers() const {
  int64_t n = 0;
  for (const auto& l : layers) n += l.kept();
  return n;
}

bool SubNetwork::isFull(const ModelConfig& c) const {
  return *this == full(c);
}

namespace {
// Kept layers form a prefix 0..L-1 and all have the same sizes.
bool seedShaped(const SubNetwork& s, LayerChoice& shape, int64_t& L) {
  L = 0;
  while (L < static_cast<int64_t>(s.layers.size()) && s.layers[static_cast<size_t>(L)].kept()) ++L;
  for (size_t i = static_cast<size_t>(L); i < s.layers.size(); ++i)
    if (s.layers[i].kept()) return false;
  shape = L > 0 ? s.layers[0] : LayerChoice{};
  for (int64_t i = 0; i < L; ++i)
    if (!(s.layers[static_cast<size_t>(i)] == shape)) return false;
  return true;
}
}  // namespace

json SubNetwork::toJson() const {
  LayerChoice shape;
  int64_t L = 0;
  if (seedShaped(*this, shape, L) && L > 0)
    return {{"num_layers", L}, {"num_heads", shape.heads}, {"num_units", shape.units}};
  json arr = json::array();
  size_t last = layers.size();
  while (last > 0 && !layers[last - 1].kept()) --last;
  for (size_t i = 0; i < last; ++i)
    arr.push_back({{"heads", layers[i].heads}, {"units", layers[i].units}});
  return {{"layers", arr}};
}

std::string SubNetwork::key() const {
  std::string k;
  for (const auto& l : layers) k += std::to_string(l.heads) + ":" + std::to_string(l.units) + ";";
  return k;
}

std::string SubNetwork::summary() const {
  LayerChoice shape;
  int64_t L = 0;
  std::ostringstream ss;
  if (seedShaped(*this, shape, L)) {
    if (L == 0) return "0 layers";
    ss << L << "L x " << shape.heads << "H x " << shape.units << "U";
    return ss.str();
  }
  int64_t heads = 0, units = 0, kept = keptLayers();
  for (const auto& l : layers) {
    heads += l.heads;
    units += l.units;
  }
  ss << kept << "L per-layer (" << heads << (heads == 1 ? " head, " : " heads, ") << units
     << (units == 1 ? " unit)" : " units)");
  return ss.str();
}

}  // namespace pp
