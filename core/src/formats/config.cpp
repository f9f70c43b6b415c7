#include "paretoprune/formats/config.h"

#include "formats/config_json.h"

#include <set>

#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "paretoprune/base/error.h"

namespace pp {

using jsonutil::getInt;
using nlohmann::json;

bool isSupportedActivation(const std::string& name) {
  static const std::set<std::string> kActs = {
      "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu", "swish", "tanh"};
  return kActs.count(name) > 0;
}

int64_t ModelConfig::headsInLayer(int64_t layer) const {
  auto it = pruned_heads.find(layer);
  return num_attention_heads -
         (it == pruned_heads.end() ? 0 : static_cast<int64_t>(it->second.size()));
}

int64_t ModelConfig::unitsInLayer(int64_t layer) const {
  if (!layer_intermediate_sizes.empty())
    return layer_intermediate_sizes.at(static_cast<size_t>(layer));
  return intermediate_size;
}

int64_t ModelConfig::labelId(const std::string& name) const {
  for (size_t i = 0; i < id2label.size(); ++i)
    if (id2label[i] == name) return static_cast<int64_t>(i);
  return -1;
}

namespace configjson {
namespace {
const std::string kWhere = "config.json";
}  // namespace
constexpr int64_t kLimit = int64_t(1) << 24;

// Sizes that make a model at all: positive, plausible, heads dividing the width.
void checkSizes(const ModelConfig& c) {
  const std::string& where = kWhere;
  auto positive = [&](const char* name, int64_t v) {
    if (v <= 0)
      throw Error(where + ": " + quoteText(name) + " must be positive, got " + std::to_string(v));
  };
  positive("vocab_size", c.vocab_size);
  positive("hidden_size", c.hidden_size);
  positive("num_attention_heads", c.num_attention_heads);
  positive("max_position_embeddings", c.max_position_embeddings);
  positive("type_vocab_size", c.type_vocab_size);
  if (c.num_hidden_layers < 0) throw Error(where + ": \"num_hidden_layers\" must not be negative");
  if (c.intermediate_size < 0) throw Error(where + ": \"intermediate_size\" must not be negative");
  for (int64_t v : {c.vocab_size, c.hidden_size, c.num_hidden_layers, c.num_attention_heads,
                    c.intermediate_size, c.max_position_embeddings, c.type_vocab_size})
    if (v > kLimit) throw Error(where + ": size " + std::to_string(v) + " is implausibly large");
  if (c.hidden_size % c.num_attention_heads != 0)
    throw Error(where + ": hidden_size " + std::to_string(c.hidden_size) +
                " is not divisible by num_attention_heads " +
                std::to_string(c.num_attention_heads));
  if (!isSupportedActivation(c.hidden_act))
    throw Error(where + ": unknown hidden_act \"" + c.hidden_act +
                "\" (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, tanh)");
  if (!(c.layer_norm_eps > 0)) throw Error(where + ": \"layer_norm_eps\" must be positive");
  if (c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size)
    throw Error(where + ": pad_token_id " + std::to_string(c.pad_token_id) +
                " is outside the vocabulary");
}

// Labels: names and count from id2label, num_labels or label2id.
void readLabels(const json& j, ModelConfig& c) {
  const std::string& where = kWhere;
  // Labels: id2label wins, then num_labels, then label2id, else 2.
  int64_t numLabels = -1;
  if (j.contains("id2label")) {
    const auto& m = j["id2label"];
    if (!m.is_object()) throw Error(where + ": \"id2label\" must be an object");
    numLabels = static_cast<int64_t>(m.size());
    c.id2label.assign(static_cast<size_t>(numLabels), "");
    for (auto it = m.begin(); it != m.end(); ++it) {
      int64_t id = -1;
      try {
        size_t pos = 0;
        id = std::stoll(it.key(), &pos);
        if (pos != it.key().size()) id = -1;
      } catch (...) {
      }
      if (id < 0 || id >= numLabels)
        throw Error(where + ": id2label key \"" + jsonutil::shortText(it.key()) +
                    "\" is not an id in 0.." + std::to_string(numLabels - 1));
      if (!it.value().is_string()) throw Error(where + ": id2label values must be strings");
      c.id2label[static_cast<size_t>(id)] = it.value().get<std::string>();
    }
  }
  if (j.contains("num_labels")) {
    int64_t n = getInt(j, "num_labels", where);
    if (numLabels >= 0 && n != numLabels)
      throw Error(where + ": num_labels " + std::to_string(n) + " disagrees with id2label (" +
                  std::to_string(numLabels) + " entries)");
    numLabels = n;
  }
  if (numLabels < 0 && j.contains("label2id") && j["label2id"].is_object())
    numLabels = static_cast<int64_t>(j["label2id"].size());
  if (numLabels < 0) numLabels = 2;
  if (numLabels < 1 || numLabels > 100000)
    throw Error(where + ": number of labels must be at least 1, got " + std::to_string(numLabels));
  if (c.id2label.empty()) {
    for (int64_t i = 0; i < numLabels; ++i) c.id2label.push_back("LABEL_" + std::to_string(i));
  }
  std::set<std::string> seen;
  for (const auto& l : c.id2label)
    if (!seen.insert(l).second)
      throw Error(where + ": label name " + quoteText(l) + " appears twice in id2label");
}

// Heads already pruned (Hugging Face's pruned_heads) per layer.
void readPrunedHeads(const json& j, ModelConfig& c) {
  const std::string& where = kWhere;
  if (j.contains("pruned_heads") && !j["pruned_heads"].is_null()) {
    const auto& ph = j["pruned_heads"];
    if (!ph.is_object()) throw Error(where + ": \"pruned_heads\" must be an object");
    for (auto it = ph.begin(); it != ph.end(); ++it) {
      int64_t layer = -1;
      try {
        layer = std::stoll(it.key());
      } catch (...) {
      }
      if (layer < 0 || layer >= c.num_hidden_layers)
        throw Error(where + ": pruned_heads names layer \"" + jsonutil::shortText(it.key()) +
                    "\", which does not exist");
      if (!it.value().is_array())
        throw Error(where + ": pruned_heads values must be lists of heads");
      std::set<int64_t> heads;
      for (const auto& h : it.value()) {
        if (!h.is_number_integer() || h.get<int64_t>() < 0 ||
            h.get<int64_t>() >= c.num_attention_heads)
          throw Error(where + ": pruned_heads of layer " + jsonutil::shortText(it.key()) +
                      " holds invalid head " + jsonutil::describe(h));
        heads.insert(h.get<int64_t>());
      }
      if (!heads.empty()) c.pruned_heads[layer] = std::vector<int64_t>(heads.begin(), heads.end());
    }
  }
}

// Per-layer feed-forward widths of a ParetoPrune export.
void readLayerSizes(const json& j, ModelConfig& c) {
  const std::string& where = kWhere;
  if (j.contains("paretoprune_intermediate_sizes")) {
    const auto& a = j["paretoprune_intermediate_sizes"];
    if (!a.is_array() || static_cast<int64_t>(a.size()) != c.num_hidden_layers)
      throw Error(where + ": paretoprune_intermediate_sizes must list one size per layer");
    for (const auto& v : a) {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kLimit)
        throw Error(where +
                    ": invalid entry in paretoprune_intermediate_sizes: " + jsonutil::describe(v));
      c.layer_intermediate_sizes.push_back(v.get<int64_t>());
    }
  }
}
void writeShared(const ModelConfig& c, json& j) {
  json id2 = json::object(), l2id = json::object();
  for (size_t i = 0; i < c.id2label.size(); ++i) {
    id2[std::to_string(i)] = c.id2label[i];
    l2id[c.id2label[i]] = i;
  }
  j["id2label"] = id2;
  j["label2id"] = l2id;
  json ph = json::object();
  for (const auto& [layer, heads] : c.pruned_heads) ph[std::to_string(layer)] = heads;
  j["pruned_heads"] = ph;
  if (!c.layer_intermediate_sizes.empty())
    j["paretoprune_intermediate_sizes"] = c.layer_intermediate_sizes;
}

}  // namespace configjson

}  // namespace pp
