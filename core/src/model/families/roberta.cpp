// RoBERTa and DistilRoBERTa (model_type "roberta"): RobertaForSequenceClassification
// checkpoints. BERT's encoder and names under "roberta."; positions start
// after padding_idx (pad_token_id + 1); one token type; no pooler in the
// classifier (a checkpoint's pooler is skipped); the head is
// classifier.dense + tanh, then classifier.out_proj, on <s>. Byte-level BPE.
#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "model/family.h"

namespace pp {

namespace {

class RobertaFamily : public ModelFamily {
 public:
  std::string modelType() const override { return "roberta"; }
  std::string displayName() const override { return "RoBERTa"; }
  std::string architecture() const override { return "RobertaForSequenceClassification"; }
  std::string basePrefix() const override { return "roberta."; }

  void readConfig(const nlohmann::json& j, ModelConfig& c) const override {
    c.type_vocab_size = 1;
    c.layer_norm_eps = 1e-5;
    c.pad_token_id = 1;
    c.max_position_embeddings = 514;
    readBertConfigKeys(j, c);
    if (c.max_position_embeddings <= c.pad_token_id + 1)
      throw Error("config.json: max_position_embeddings " +
                  std::to_string(c.max_position_embeddings) +
                  " leaves no positions after padding_idx (pad_token_id " +
                  std::to_string(c.pad_token_id) + ")");
  }

  void writeConfig(const ModelConfig& c, nlohmann::json& j) const override {
    writeBertConfigKeys(c, j);
    j["architectures"] = {architecture()};
    j["model_type"] = modelType();
    j["bos_token_id"] = 0;
    j["eos_token_id"] = 2;
  }

  std::vector<TensorSpec> tensors(const ModelConfig& c) const override {
    const int64_t H = c.hidden_size, labels = c.numLabels();
    std::vector<TensorSpec> out = bertEmbeddingSpecs(c, "roberta.embeddings.", true);
    for (int64_t l = 0; l < c.num_hidden_layers; ++l)
      for (auto& s :
           layerSpecs(c, l, "roberta.encoder.layer." + std::to_string(l) + ".", kBertLayerNames))
        out.push_back(std::move(s));
    out.push_back({"classifier.dense.weight", {H, H}, Part::HeadDenseWeight});
    out.push_back({"classifier.dense.bias", {H}, Part::HeadDenseBias});
    out.push_back({"classifier.out_proj.weight", {labels, H}, Part::ClassifierWeight});
    out.push_back({"classifier.out_proj.bias", {labels}, Part::ClassifierBias});
    return out;
  }

  bool isBuffer(const std::string& name) const override {
    for (const char* b : {"embeddings.position_ids", "embeddings.token_type_ids",
                          "pooler.dense.weight", "pooler.dense.bias"})
      if (name == std::string("roberta.") + b || name == b) return true;
    return false;
  }

  FamilyLayout layout(const ModelConfig& c) const override {
    FamilyLayout l;
    l.positionOffset = c.pad_token_id + 1;
    l.tokenizer = "bpe";
    return l;
  }
};

}  // namespace

const ModelFamily& robertaFamily() {
  static const RobertaFamily family;
  return family;
}

}  // namespace pp
