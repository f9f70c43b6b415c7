#include "paretoprune/model/random_model.h"

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "model/family.h"
#include "model/weights.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/formats/tokenizer.h"

namespace pp {

using nlohmann::json;

namespace {
std::vector<std::string> builtinVocab() {
  std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (char c = 33; c < 127; ++c)
    if (!std::isalnum(static_cast<unsigned char>(c))) v.push_back(std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) v.push_back(std::string(1, c));
  for (char c = 'a'; c <= 'z'; ++c) v.push_back(std::string(1, c));
  for (char c = '0'; c <= '9'; ++c) v.push_back("##" + std::string(1, c));
  for (char c = 'a'; c <= 'z'; ++c) v.push_back("##" + std::string(1, c));
  for (const char* w :
       {"the",  "and",   "is",      "was",   "it",   "this", "not", "good", "bad",   "great",
        "food", "movie", "service", "place", "very", "to",   "of",  "##ed", "##ing", "##ly"})
    v.push_back(w);
  return v;
}

// Standard normal from our platform-stable generator (Box-Muller).
float normal(Rng& r) {
  double u1 = r.uniform01(), u2 = r.uniform01();
  if (u1 < 1e-300) u1 = 1e-300;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}
}  // namespace

ModelConfig shapedConfig(int64_t layers, int64_t hidden, int64_t heads, int64_t units,
                         int64_t vocab, int64_t maxPositions) {
  ModelConfig c;
  c.vocab_size = vocab;
  c.hidden_size = hidden;
  c.num_hidden_layers = layers;
  c.num_attention_heads = heads;
  c.intermediate_size = units;
  c.max_position_embeddings = maxPositions;
  c.id2label = {"a", "b"};
  return c;
}

EncoderWeights randomWeights(const ModelConfig& c, double stddev, uint64_t seed) {
  Rng rng(seed);
  EncoderWeights w = emptyWeights(c);
  auto randn = [&](const std::vector<int64_t>& shape) {
    auto t = torch::empty(shape, torch::kFloat32);
    float* p = t.data_ptr<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = normal(rng) * static_cast<float>(stddev);
    return t;
  };
  // In the family's checkpoint order, so that a seed gives the same
  // weights on every run: the embeddings' LayerNorm at 1 and 0, the
  // layers' at 1 + N(0, stddev) and N(0, stddev).
  for (const TensorSpec& spec : familyOf(c).tensors(c)) {
    torch::Tensor& t = *tensorFor(w, spec);
    const bool layerNorm =
        spec.part == Part::Layer && (spec.layerTensor == LayerTensor::AttentionNormWeight ||
                                     spec.layerTensor == LayerTensor::OutputNormWeight);
    if (spec.part == Part::EmbeddingNormWeight)
      t = torch::ones(spec.shape);
    else if (spec.part == Part::EmbeddingNormBias)
      t = torch::zeros(spec.shape);
    else if (layerNorm)
      t = torch::ones(spec.shape) + randn(spec.shape);
    else
      t = randn(spec.shape);
  }
  return w;
}

void writeRandomModel(const std::string& dir, const TinyModelOptions& o) {
  if (o.layers < 0 || o.hidden <= 0 || o.heads <= 0 || o.intermediate < 0 || o.labels < 1)
    throw Error("make-tiny: sizes must be positive");
  if (o.hidden % o.heads != 0)
    throw Error("make-tiny: hidden size must be divisible by the head count");
  std::filesystem::create_directories(dir);
  WordPieceTokenizer tok = [&] {
    if (!o.vocabFile.empty()) return WordPieceTokenizer::fromVocabFile(o.vocabFile);
    std::string text;
    for (const auto& p : builtinVocab()) text += p + "\n";
    const std::string tmp = fileutil::joinPath(dir, "vocab.txt");
    fileutil::writeFileAtomic(tmp, text);
    return WordPieceTokenizer::fromVocabFile(tmp);
  }();
  ModelConfig c;
  c.vocab_size = static_cast<int64_t>(tok.vocabSize());
  c.hidden_size = o.hidden;
  c.num_hidden_layers = o.layers;
  c.num_attention_heads = o.heads;
  c.intermediate_size = o.intermediate;
  c.hidden_act = o.hiddenAct;
  if (!isSupportedActivation(c.hidden_act))
    throw Error("make-tiny: unknown activation \"" + c.hidden_act + "\"");
  c.max_position_embeddings = o.maxPositions;
  c.pad_token_id = tok.padId();
  c.initializer_range = o.initStd;
  for (int64_t i = 0; i < o.labels; ++i) c.id2label.push_back("LABEL_" + std::to_string(i));
  if (o.labels == 2) c.id2label = {"negative", "positive"};

  EncoderWeights w = randomWeights(c, o.initStd, o.seed);
  writeModelFiles(dir, c, w, &tok, identityOrder(c, true), identityOrder(c, false));
}

}  // namespace pp
