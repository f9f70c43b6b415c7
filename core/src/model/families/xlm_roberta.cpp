// XLM-RoBERTa (model_type "xlm-roberta"): XLMRobertaForSequenceClassification
// checkpoints. RoBERTa's network under the same "roberta." names (positions
// after padding_idx, one token type, the head classifier.dense + tanh, then
// classifier.out_proj, on <s>) with a SentencePiece Unigram vocabulary.
#include <nlohmann/json.hpp>

#include "model/family.h"

namespace pp {

const ModelFamily& robertaFamily();

namespace {

class XlmRobertaFamily : public ModelFamily {
 public:
  std::string modelType() const override { return "xlm-roberta"; }
  std::string displayName() const override { return "XLM-RoBERTa"; }
  std::string architecture() const override { return "XLMRobertaForSequenceClassification"; }
  std::string basePrefix() const override { return roberta().basePrefix(); }

  void readConfig(const nlohmann::json& j, ModelConfig& c) const override {
    roberta().readConfig(j, c);
  }

  void writeConfig(const ModelConfig& c, nlohmann::json& j) const override {
    roberta().writeConfig(c, j);
    j["architectures"] = {architecture()};
    j["model_type"] = modelType();
  }

  std::vector<TensorSpec> tensors(const ModelConfig& c) const override {
    return roberta().tensors(c);
  }

  bool isBuffer(const std::string& name) const override { return roberta().isBuffer(name); }

  FamilyLayout layout(const ModelConfig& c) const override {
    FamilyLayout l = roberta().layout(c);
    l.tokenizer = "unigram";
    return l;
  }

 private:
  static const ModelFamily& roberta() { return robertaFamily(); }
};

}  // namespace

const ModelFamily& xlmRobertaFamily() {
  static const XlmRobertaFamily family;
  return family;
}

}  // namespace pp
