// Internal: the model-family seam. A family (BERT, and next DistilBERT,
// RoBERTa, XLM-RoBERTa, ELECTRA) says how its Hugging Face checkpoints name
// and shape each tensor, which config.json keys it uses, and what its
// embeddings and head do; everything else (the encoder layers, slicing,
// the forward pass, search, training, exports) is shared. A new family is
// a file under model/families/ plus one line in model/families.cpp.
// Torch-free, so that parameter and FLOP counts use it too.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/formats/config.h"

namespace pp {

// Where a checkpoint tensor goes in the shared weights (model/weights.h).
enum class Part {
  WordEmbeddings,
  PositionEmbeddings,
  TypeEmbeddings,
  EmbeddingNormWeight,
  EmbeddingNormBias,
  EmbeddingProjectionWeight,  // ELECTRA: embedding_size -> hidden_size
  EmbeddingProjectionBias,
  Layer,  // with TensorSpec::layer and ::layerTensor
  HeadDenseWeight,
  HeadDenseBias,
  ClassifierWeight,
  ClassifierBias,
};

// A layer's tensors in LayerWeights::all()'s order.
enum class LayerTensor {
  QueryWeight,
  QueryBias,
  KeyWeight,
  KeyBias,
  ValueWeight,
  ValueBias,
  AttentionOutWeight,
  AttentionOutBias,
  AttentionNormWeight,
  AttentionNormBias,
  FeedForwardInWeight,
  FeedForwardInBias,
  FeedForwardOutWeight,
  FeedForwardOutBias,
  OutputNormWeight,
  OutputNormBias,
};
constexpr int kLayerTensors = 16;

struct TensorSpec {
  std::string name;            // in the checkpoint, with the family's base prefix
  std::vector<int64_t> shape;  // expected under the config
  Part part = Part::Layer;
  int64_t layer = -1;                                  // Part::Layer
  LayerTensor layerTensor = LayerTensor::QueryWeight;  // Part::Layer
  int64_t numel() const;
};

// What differs in the forward pass, and the tokenizer the family expects.
struct FamilyLayout {
  int64_t positionOffset = 0;           // position ids start here (RoBERTa: pad + 1)
  bool typeEmbeddings = true;           // token type embeddings are added
  std::string headActivation = "tanh";  // after the head's dense layer, if it has one
  bool headDense = true;                // a dense layer before the classifier
  std::string tokenizer = "wordpiece";  // TextTokenizer::kind() of its checkpoints
};

class ModelFamily {
 public:
  virtual ~ModelFamily() = default;
  // config.json's "model_type" ("bert").
  virtual std::string modelType() const = 0;
  // For people: "BERT".
  virtual std::string displayName() const = 0;
  // The Hugging Face class a sequence classifier loads as.
  virtual std::string architecture() const = 0;
  // The class a token classifier (tagger) loads as; by default the
  // sequence classifier's name with ForTokenClassification.
  virtual std::string tokenArchitecture() const;
  // The prefix of the encoder's tensors in a task checkpoint ("bert."); a
  // checkpoint of the bare encoder may lack it.
  virtual std::string basePrefix() const = 0;
  // The family's config.json keys into the shared fields of `c`, checked;
  // throws pp::Error with "config.json: ..." messages.
  virtual void readConfig(const nlohmann::json& j, ModelConfig& c) const = 0;
  // `c` in the family's config.json keys (labels and our extensions are
  // written by the caller).
  virtual void writeConfig(const ModelConfig& c, nlohmann::json& j) const = 0;
  // Every weight of a sequence classifier of config `c`, in checkpoint
  // order (modelTensors adapts the head to the task).
  virtual std::vector<TensorSpec> tensors(const ModelConfig& c) const = 0;
  // Checkpoint entries that are buffers, not weights (position_ids), or
  // weights the classifier does not use (RoBERTa's pooler): skipped.
  virtual bool isBuffer(const std::string& name) const = 0;
  virtual FamilyLayout layout(const ModelConfig& c) const = 0;
};

// The checkpoint names of a model's tensors by where they go in the shared
// weights, for exports that name their weights as the family does.
class TensorNames {
 public:
  explicit TensorNames(const ModelConfig& c);
  // The name of `p` ("bert.pooler.dense.weight"); empty if the family has none.
  const std::string& of(Part p) const;
  // Layer `l`'s tensor `t` ("bert.encoder.layer.3.attention.self.query.weight").
  const std::string& layer(int64_t l, LayerTensor t) const;

 private:
  std::vector<std::string> outer_;               // by Part
  std::vector<std::vector<std::string>> layer_;  // by layer, LayerTensor
};

// Through the family, for the config's task. Token classification (every
// family: ...ForTokenClassification) has no pooler or dense head layer,
// only "classifier" on every token's hidden state.
std::vector<TensorSpec> modelTensors(const ModelConfig& c);
FamilyLayout modelLayout(const ModelConfig& c);
// The Hugging Face class of `c` ("BertForTokenClassification").
std::string architectureOf(const ModelConfig& c);
// Checkpoint entries loading skips: the family's buffers and, for a
// tagger, a pooler some token-classification checkpoints still carry.
bool isSkippedTensor(const ModelConfig& c, const std::string& name);
// The task a config.json "architectures" entry names; Sequence for
// names that are not ...ForTokenClassification.
Task taskOfArchitecture(const std::string& name);

// "name.weight" or "name.bias" without its last part: "name".
std::string moduleOf(const std::string& tensorName);

// The family of config.json's model_type; throws pp::Error naming the
// supported ones.
const ModelFamily& familyFor(const std::string& modelType);
const ModelFamily& familyOf(const ModelConfig& c);

// Shared by the families: the specs of layer `l`'s 16 tensors under
// `prefix` ("bert.encoder.layer.3.") with the family's names for them.
std::vector<TensorSpec> layerSpecs(const ModelConfig& c, int64_t l, const std::string& prefix,
                                   const char* const (&names)[kLayerTensors]);

// Shared by the families that keep BERT's names (BERT, RoBERTa, ELECTRA):
// BERT's layer tensor names, its config.json keys, and its embeddings
// under `prefix` ("roberta.embeddings."), token types when `types`.
extern const char* const kBertLayerNames[kLayerTensors];
void readBertConfigKeys(const nlohmann::json& j, ModelConfig& c);
void writeBertConfigKeys(const ModelConfig& c, nlohmann::json& j);
std::vector<TensorSpec> bertEmbeddingSpecs(const ModelConfig& c, const std::string& prefix,
                                           bool types);

}  // namespace pp
