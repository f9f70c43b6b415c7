// SubNetwork: which layers, attention heads and feed-forward units of a BERT
// super-network are kept. Heads and units are counts: the first k of the
// model's importance order are kept. A layer keeping no heads and no units is
// removed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pp {

struct ModelConfig;

struct LayerChoice {
  int64_t heads = 0;
  int64_t units = 0;
  bool kept() const { return heads > 0 || units > 0; }
  bool operator==(const LayerChoice& o) const { return heads == o.heads && units == o.units; }
};

struct SubNetwork {
  // One entry per layer of the source model (index = source layer).
  std::vector<LayerChoice> layers;

  static SubNetwork full(const ModelConfig& c);
  // Seed form: the first L layers, each with H heads and U units.
  static SubNetwork uniform(const ModelConfig& c, int64_t numLayers, int64_t heads, int64_t units);
  // Accepts {"num_layers","num_heads","num_units"} or {"layers":[{"heads","units"}...]}.
  static SubNetwork fromJson(const nlohmann::json& j, const ModelConfig& c);
  // A JSON text or the path of a file holding one.
  static SubNetwork parse(const std::string& textOrPath, const ModelConfig& c);

  // Seed form when the kept layers are the first L with equal sizes, else per-layer.
  nlohmann::json toJson() const;
  std::string key() const;      // canonical string, for de-duplication
  std::string summary() const;  // "6L x 6H x 1536U" or "4L per-layer"
  int64_t keptLayers() const;
  bool isFull(const ModelConfig& c) const;
  // Throws pp::Error if it asks for more than the model has.
  void validate(const ModelConfig& c) const;
  bool operator==(const SubNetwork& o) const { return layers == o.layers; }
  bool operator!=(const SubNetwork& o) const { return !(*this == o); }
};

}  // namespace pp
