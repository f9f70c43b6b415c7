// Internal, Torch-level weights of an encoder classifier: the embeddings,
// the encoder layers (heads and feed-forward units, the prunable parts) and
// the head, with their Hugging Face names given by the model's family
// (model/family.h), loading and saving. Only core's .cpp files, tests and
// benches include this; public headers stay Torch-free.
#pragma once
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "paretoprune/formats/config.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/formats/text_tokenizer.h"

namespace pp {

class SafetensorsFile;
struct TensorSpec;

enum class Act { GeluErf, GeluTanh, Relu, Silu, Tanh };
Act activationFor(const std::string& hfName);

// One encoder layer. Attention: `heads` heads of headSize rows each in the
// query, key and value products, columns of the output projection;
// feed-forward: units() rows of the first product, columns of the second.
struct LayerWeights {
  torch::Tensor q_w, q_b, k_w, k_b, v_w, v_b;  // [heads*d, H], [heads*d]
  torch::Tensor o_w, o_b, ln1_w, ln1_b;        // [H, heads*d], [H]
  torch::Tensor i_w, i_b, out_w, out_b;        // [U, H], [U], [H, U], [H]
  torch::Tensor ln2_w, ln2_b;
  int64_t heads = 0;
  int64_t units() const { return i_w.size(0); }
  std::vector<torch::Tensor*> all();
};

// Embeddings: word + position (+ token type where the family has them),
// then LayerNorm (and ELECTRA's projection to the hidden size where its
// embedding_size differs). Undefined tensors are parts a family does not have.
struct EmbeddingWeights {
  torch::Tensor word, pos, type, ln_w, ln_b;
  torch::Tensor proj_w, proj_b;  // [H, E], [H]
};

// The classification head: an optional dense layer with its activation
// (BERT's pooler, RoBERTa's classifier.dense, DistilBERT's pre_classifier)
// on the first token, then the classifier.
struct HeadWeights {
  torch::Tensor dense_w, dense_b;  // [H, H], [H]; undefined: no dense layer
  torch::Tensor cls_w, cls_b;      // [labels, H], [labels]
};

struct EncoderWeights {
  EmbeddingWeights emb;
  std::vector<LayerWeights> layers;
  HeadWeights head;
  int64_t headSize = 0;
  // From the family's layout (model/family.h): where position ids start,
  // the activation after the head's dense layer.
  int64_t positionOffset = 0;
  Act headAct = Act::Tanh;
  // A tagger's head (ModelConfig::tokenClassification): the classifier on
  // every token, logits [B, T, labels]; else on the first token, [B, labels].
  bool tokenHead = false;
  // Every defined tensor (embeddings, layers, head).
  std::vector<torch::Tensor*> all();
  int64_t hidden() const { return emb.proj_w.defined() ? emb.proj_w.size(0) : emb.word.size(1); }
  int64_t embeddingSize() const { return emb.word.size(1); }
  const torch::Tensor& anyTensor() const { return emb.word; }
};

struct Batch {
  torch::Tensor ids, typeIds, mask;  // [B, T] int64, int64, float
};

// Where a checkpoint tensor lives in `w` (sized for its config).
torch::Tensor* tensorFor(EncoderWeights& w, const TensorSpec& s);
// Layers sized for `c` with no tensors yet, the family's layout applied.
EncoderWeights emptyWeights(const ModelConfig& c);

// All tensors of `w` copied to `device`.
EncoderWeights weightsTo(const EncoderWeights& w, const torch::Device& device);

std::vector<std::vector<int64_t>> identityOrder(const ModelConfig& c, bool heads);

// Loads and checks every tensor the family names for `c`; throws pp::Error
// naming the tensor, the expected and the actual shape.
EncoderWeights loadWeights(const SafetensorsFile& f, const ModelConfig& c);
// Under the family's Hugging Face names.
void saveWeights(const EncoderWeights& w, const ModelConfig& c, const std::string& path,
                 const std::map<std::string, std::string>& metadata = {});
// The Hugging Face name of every tensor of `w`, in the family's order.
std::vector<std::pair<std::string, torch::Tensor>> namedWeights(const EncoderWeights& w,
                                                                const ModelConfig& c);

struct ModelImpl {
  // The weights on `device` ("cpu": `weights` itself); other devices get
  // one copy each, made on first use and shared by every worker there.
  const EncoderWeights& weightsOn(const std::string& device) const;

  std::string dir;
  ModelConfig config;
  std::shared_ptr<const TextTokenizer> tokenizer;  // null: the directory has none
  EncoderWeights weights;
  Act act = Act::GeluErf;
  std::string checksum;
  std::vector<std::vector<int64_t>> headOrder, unitOrder;
  mutable std::mutex replicaMutex;
  mutable std::map<std::string, EncoderWeights> replicas;
};

// Writes a loadable model directory into the existing `dir`: config.json,
// model.safetensors, the tokenizer files and, unless identity, the
// importance order (paretoprune_order.json).
void writeModelFiles(const std::string& dir, const ModelConfig& c, const EncoderWeights& w,
                     const TextTokenizer* tok, const std::vector<std::vector<int64_t>>& headOrder,
                     const std::vector<std::vector<int64_t>>& unitOrder,
                     const std::map<std::string, std::string>& metadata = {});

// Weights drawn from N(0, stddev) with our platform-stable generator
// (LayerNorm weights 1 + N(0, stddev)): identical on every LibTorch version.
EncoderWeights randomWeights(const ModelConfig& c, double stddev, uint64_t seed);

// A two-label classifier's config of the given shape, for random weights
// in benchmarks and tests.
ModelConfig shapedConfig(int64_t layers, int64_t hidden, int64_t heads, int64_t units,
                         int64_t vocab, int64_t maxPositions = 512);

}  // namespace pp
