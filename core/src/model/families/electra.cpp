// ELECTRA discriminators (model_type "electra"): ElectraForSequenceClassification
// checkpoints. BERT's encoder and names under "electra."; embeddings of
// width embedding_size, projected to hidden_size by embeddings_project
// where the two differ; the head is classifier.dense + GELU, then
// classifier.out_proj, on [CLS]. WordPiece, as BERT.
#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "model/family.h"

namespace pp {

namespace {

class ElectraFamily : public ModelFamily {
 public:
  std::string modelType() const override { return "electra"; }
  std::string displayName() const override { return "ELECTRA"; }
  std::string architecture() const override { return "ElectraForSequenceClassification"; }
  std::string basePrefix() const override { return "electra."; }

  void readConfig(const nlohmann::json& j, ModelConfig& c) const override {
    readBertConfigKeys(j, c);
    c.embedding_size = c.hidden_size;
    if (j.contains("embedding_size"))
      c.embedding_size = jsonutil::getInt(j, "embedding_size", "config.json");
    if (c.embedding_size <= 0 || c.embedding_size > (int64_t(1) << 20))
      throw Error("config.json: \"embedding_size\" must be positive and plausible, got " +
                  std::to_string(c.embedding_size));
  }

  void writeConfig(const ModelConfig& c, nlohmann::json& j) const override {
    writeBertConfigKeys(c, j);
    j["architectures"] = {architecture()};
    j["model_type"] = modelType();
    j["embedding_size"] = c.embeddingSize();
    j["summary_type"] = "first";
    j["summary_use_proj"] = true;
    j["summary_activation"] = "gelu";
    j["summary_last_dropout"] = 0.1;
  }

  std::vector<TensorSpec> tensors(const ModelConfig& c) const override {
    const int64_t H = c.hidden_size, E = c.embeddingSize(), labels = c.numLabels();
    std::vector<TensorSpec> out = bertEmbeddingSpecs(c, "electra.embeddings.", true);
    if (E != H) {
      out.push_back({"electra.embeddings_project.weight", {H, E}, Part::EmbeddingProjectionWeight});
      out.push_back({"electra.embeddings_project.bias", {H}, Part::EmbeddingProjectionBias});
    }
    for (int64_t l = 0; l < c.num_hidden_layers; ++l)
      for (auto& s :
           layerSpecs(c, l, "electra.encoder.layer." + std::to_string(l) + ".", kBertLayerNames))
        out.push_back(std::move(s));
    out.push_back({"classifier.dense.weight", {H, H}, Part::HeadDenseWeight});
    out.push_back({"classifier.dense.bias", {H}, Part::HeadDenseBias});
    out.push_back({"classifier.out_proj.weight", {labels, H}, Part::ClassifierWeight});
    out.push_back({"classifier.out_proj.bias", {labels}, Part::ClassifierBias});
    return out;
  }

  bool isBuffer(const std::string& name) const override {
    for (const char* b : {"embeddings.position_ids", "embeddings.token_type_ids"})
      if (name == std::string("electra.") + b || name == b) return true;
    return false;
  }

  FamilyLayout layout(const ModelConfig&) const override {
    FamilyLayout l;
    l.headActivation = "gelu";
    return l;
  }
};

}  // namespace

const ModelFamily& electraFamily() {
  static const ElectraFamily family;
  return family;
}

}  // namespace pp
