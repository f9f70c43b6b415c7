// BERT (model_type "bert"): BertForSequenceClassification checkpoints.
// Embeddings word + position + token type, LayerNorm; the head is the
// pooler (dense + tanh on [CLS]) and the classifier.
#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "model/family.h"

namespace pp {

const char* const kBertLayerNames[kLayerTensors] = {"attention.self.query.weight",
                                                    "attention.self.query.bias",
                                                    "attention.self.key.weight",
                                                    "attention.self.key.bias",
                                                    "attention.self.value.weight",
                                                    "attention.self.value.bias",
                                                    "attention.output.dense.weight",
                                                    "attention.output.dense.bias",
                                                    "attention.output.LayerNorm.weight",
                                                    "attention.output.LayerNorm.bias",
                                                    "intermediate.dense.weight",
                                                    "intermediate.dense.bias",
                                                    "output.dense.weight",
                                                    "output.dense.bias",
                                                    "output.LayerNorm.weight",
                                                    "output.LayerNorm.bias"};

void readBertConfigKeys(const nlohmann::json& j, ModelConfig& c) {
  const std::string where = "config.json";
  using jsonutil::getInt;
  using jsonutil::getNumber;
  for (const char* key : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                          "intermediate_size"}) {
    if (!j.contains(key))
      throw Error(where + ": required key \"" + std::string(key) + "\" is missing");
  }
  c.vocab_size = getInt(j, "vocab_size", where);
  c.hidden_size = getInt(j, "hidden_size", where);
  c.num_hidden_layers = getInt(j, "num_hidden_layers", where);
  c.num_attention_heads = getInt(j, "num_attention_heads", where);
  c.intermediate_size = getInt(j, "intermediate_size", where);
  if (j.contains("hidden_act")) c.hidden_act = jsonutil::getString(j, "hidden_act", where);
  if (j.contains("max_position_embeddings"))
    c.max_position_embeddings = getInt(j, "max_position_embeddings", where);
  if (j.contains("type_vocab_size")) c.type_vocab_size = getInt(j, "type_vocab_size", where);
  if (j.contains("layer_norm_eps")) c.layer_norm_eps = getNumber(j, "layer_norm_eps", where);
  if (j.contains("pad_token_id") && !j["pad_token_id"].is_null())
    c.pad_token_id = getInt(j, "pad_token_id", where);
  if (j.contains("hidden_dropout_prob"))
    c.hidden_dropout_prob = getNumber(j, "hidden_dropout_prob", where);
  if (j.contains("attention_probs_dropout_prob"))
    c.attention_probs_dropout_prob = getNumber(j, "attention_probs_dropout_prob", where);
  if (j.contains("initializer_range"))
    c.initializer_range = getNumber(j, "initializer_range", where);
}

void writeBertConfigKeys(const ModelConfig& c, nlohmann::json& j) {
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["num_hidden_layers"] = c.num_hidden_layers;
  j["num_attention_heads"] = c.num_attention_heads;
  j["intermediate_size"] = c.intermediate_size;
  j["hidden_act"] = c.hidden_act;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["type_vocab_size"] = c.type_vocab_size;
  j["layer_norm_eps"] = c.layer_norm_eps;
  j["pad_token_id"] = c.pad_token_id;
  j["hidden_dropout_prob"] = c.hidden_dropout_prob;
  j["attention_probs_dropout_prob"] = c.attention_probs_dropout_prob;
  j["initializer_range"] = c.initializer_range;
  j["position_embedding_type"] = "absolute";
  j["classifier_dropout"] = nullptr;
  j["torch_dtype"] = "float32";
}

std::vector<TensorSpec> bertEmbeddingSpecs(const ModelConfig& c, const std::string& prefix,
                                           bool types) {
  const int64_t E = c.embeddingSize();
  std::vector<TensorSpec> out = {
      {prefix + "word_embeddings.weight", {c.vocab_size, E}, Part::WordEmbeddings},
      {prefix + "position_embeddings.weight",
       {c.max_position_embeddings, E},
       Part::PositionEmbeddings}};
  if (types)
    out.push_back(
        {prefix + "token_type_embeddings.weight", {c.type_vocab_size, E}, Part::TypeEmbeddings});
  out.push_back({prefix + "LayerNorm.weight", {E}, Part::EmbeddingNormWeight});
  out.push_back({prefix + "LayerNorm.bias", {E}, Part::EmbeddingNormBias});
  return out;
}

namespace {

class BertFamily : public ModelFamily {
 public:
  std::string modelType() const override { return "bert"; }
  std::string displayName() const override { return "BERT"; }
  std::string architecture() const override { return "BertForSequenceClassification"; }
  std::string basePrefix() const override { return "bert."; }

  void readConfig(const nlohmann::json& j, ModelConfig& c) const override {
    readBertConfigKeys(j, c);
  }

  void writeConfig(const ModelConfig& c, nlohmann::json& j) const override {
    writeBertConfigKeys(c, j);
    j["architectures"] = {architecture()};
    j["model_type"] = modelType();
  }

  std::vector<TensorSpec> tensors(const ModelConfig& c) const override {
    const int64_t H = c.hidden_size, labels = c.numLabels();
    std::vector<TensorSpec> out = bertEmbeddingSpecs(c, "bert.embeddings.", true);
    for (int64_t l = 0; l < c.num_hidden_layers; ++l)
      for (auto& s :
           layerSpecs(c, l, "bert.encoder.layer." + std::to_string(l) + ".", kBertLayerNames))
        out.push_back(std::move(s));
    out.push_back({"bert.pooler.dense.weight", {H, H}, Part::HeadDenseWeight});
    out.push_back({"bert.pooler.dense.bias", {H}, Part::HeadDenseBias});
    out.push_back({"classifier.weight", {labels, H}, Part::ClassifierWeight});
    out.push_back({"classifier.bias", {labels}, Part::ClassifierBias});
    return out;
  }

  bool isBuffer(const std::string& name) const override {
    return name == "bert.embeddings.position_ids" || name == "embeddings.position_ids";
  }

  FamilyLayout layout(const ModelConfig&) const override { return {}; }
};

}  // namespace

const ModelFamily& bertFamily() {
  static const BertFamily family;
  return family;
}

}  // namespace pp
