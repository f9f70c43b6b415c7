// DistilBERT (model_type "distilbert"): DistilBertForSequenceClassification
// checkpoints. Embeddings word + position (learned or sinusoidal: both are
// stored as position_embeddings.weight), LayerNorm, no token types; layers
// q_lin/k_lin/v_lin/out_lin, sa_layer_norm, ffn.lin1/lin2,
// output_layer_norm; the head is pre_classifier + ReLU, then the
// classifier, on [CLS]. One n_heads and hidden_dim for every layer.
// WordPiece, as BERT.
#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "model/family.h"

namespace pp {

namespace {

const char* const kLayerNames[kLayerTensors] = {
    "attention.q_lin.weight",   "attention.q_lin.bias",   "attention.k_lin.weight",
    "attention.k_lin.bias",     "attention.v_lin.weight", "attention.v_lin.bias",
    "attention.out_lin.weight", "attention.out_lin.bias", "sa_layer_norm.weight",
    "sa_layer_norm.bias",       "ffn.lin1.weight",        "ffn.lin1.bias",
    "ffn.lin2.weight",          "ffn.lin2.bias",          "output_layer_norm.weight",
    "output_layer_norm.bias"};

class DistilBertFamily : public ModelFamily {
 public:
  std::string modelType() const override { return "distilbert"; }
  std::string displayName() const override { return "DistilBERT"; }
  std::string architecture() const override { return "DistilBertForSequenceClassification"; }
  std::string basePrefix() const override { return "distilbert."; }

  void readConfig(const nlohmann::json& j, ModelConfig& c) const override {
    const std::string where = "config.json";
    using jsonutil::getInt;
    using jsonutil::getNumber;
    for (const char* key : {"vocab_size", "dim", "n_layers", "n_heads", "hidden_dim"})
      if (!j.contains(key))
        throw Error(where + ": required key \"" + std::string(key) + "\" is missing");
    c.vocab_size = getInt(j, "vocab_size", where);
    c.hidden_size = getInt(j, "dim", where);
    c.num_hidden_layers = getInt(j, "n_layers", where);
    c.num_attention_heads = getInt(j, "n_heads", where);
    c.intermediate_size = getInt(j, "hidden_dim", where);
    if (j.contains("activation")) c.hidden_act = jsonutil::getString(j, "activation", where);
    if (j.contains("max_position_embeddings"))
      c.max_position_embeddings = getInt(j, "max_position_embeddings", where);
    if (j.contains("pad_token_id") && !j["pad_token_id"].is_null())
      c.pad_token_id = getInt(j, "pad_token_id", where);
    if (j.contains("dropout")) c.hidden_dropout_prob = getNumber(j, "dropout", where);
    if (j.contains("attention_dropout"))
      c.attention_probs_dropout_prob = getNumber(j, "attention_dropout", where);
    if (j.contains("initializer_range"))
      c.initializer_range = getNumber(j, "initializer_range", where);
    c.layer_norm_eps = 1e-12;  // fixed in DistilBERT's modules
  }

  void writeConfig(const ModelConfig& c, nlohmann::json& j) const override {
    j["architectures"] = {architecture()};
    j["model_type"] = modelType();
    j["vocab_size"] = c.vocab_size;
    j["dim"] = c.hidden_size;
    j["n_layers"] = c.num_hidden_layers;
    j["n_heads"] = c.num_attention_heads;
    j["hidden_dim"] = c.intermediate_size;
    j["activation"] = c.hidden_act;
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["pad_token_id"] = c.pad_token_id;
    j["dropout"] = c.hidden_dropout_prob;
    j["attention_dropout"] = c.attention_probs_dropout_prob;
    j["initializer_range"] = c.initializer_range;
    j["seq_classif_dropout"] = 0.2;
    j["qa_dropout"] = 0.1;
    j["sinusoidal_pos_embds"] = false;  // the table is stored either way
    j["tie_weights_"] = true;
    j["torch_dtype"] = "float32";
  }

  std::vector<TensorSpec> tensors(const ModelConfig& c) const override {
    const int64_t H = c.hidden_size, labels = c.numLabels();
    std::vector<TensorSpec> out = bertEmbeddingSpecs(c, "distilbert.embeddings.", false);
    for (int64_t l = 0; l < c.num_hidden_layers; ++l)
      for (auto& s :
           layerSpecs(c, l, "distilbert.transformer.layer." + std::to_string(l) + ".", kLayerNames))
        out.push_back(std::move(s));
    out.push_back({"pre_classifier.weight", {H, H}, Part::HeadDenseWeight});
    out.push_back({"pre_classifier.bias", {H}, Part::HeadDenseBias});
    out.push_back({"classifier.weight", {labels, H}, Part::ClassifierWeight});
    out.push_back({"classifier.bias", {labels}, Part::ClassifierBias});
    return out;
  }

  bool isBuffer(const std::string& name) const override {
    return name == "distilbert.embeddings.position_ids" || name == "embeddings.position_ids";
  }

  FamilyLayout layout(const ModelConfig&) const override {
    FamilyLayout l;
    l.typeEmbeddings = false;
    l.headActivation = "relu";
    return l;
  }
};

}  // namespace

const ModelFamily& distilbertFamily() {
  static const DistilBertFamily family;
  return family;
}

}  // namespace pp
