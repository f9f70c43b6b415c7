// ModelConfig: the architecture of a Hugging Face encoder classifier, in the
// fields every family shares (a family maps its own config.json keys onto
// them: model/family.h). Read and written by loadModelConfig and
// saveModelConfig (paretoprune/model/model_config.h).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pp {

// What the head does: one label per text on its first token (sequence
// classification), or one label per token (token classification: NER
// taggers). Read from config.json's "architectures" (...ForTokenClassification).
enum class Task { SequenceClassification, TokenClassification };

struct ModelConfig {
  std::string model_type = "bert";  // config.json's model_type: the family
  Task task = Task::SequenceClassification;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t intermediate_size = 0;
  int64_t embedding_size = 0;  // ELECTRA's embedding width; 0: hidden_size
  std::string hidden_act = "gelu";
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  double initializer_range = 0.02;
  std::vector<std::string> id2label;                     // size == num_labels
  std::map<int64_t, std::vector<int64_t>> pruned_heads;  // layer -> removed heads
  // Per-layer feed-forward width when it differs between layers (our own
  // extension, "paretoprune_intermediate_sizes"; empty = intermediate_size).
  std::vector<int64_t> layer_intermediate_sizes;

  bool tokenClassification() const { return task == Task::TokenClassification; }
  int64_t numLabels() const { return static_cast<int64_t>(id2label.size()); }
  int64_t headSize() const { return hidden_size / num_attention_heads; }
  int64_t embeddingSize() const { return embedding_size > 0 ? embedding_size : hidden_size; }
  // Heads present in `layer` once pruned_heads are applied.
  int64_t headsInLayer(int64_t layer) const;
  int64_t unitsInLayer(int64_t layer) const;
  // Index of a label name, or -1.
  int64_t labelId(const std::string& name) const;
};

// Activations we implement, by their Hugging Face names.
bool isSupportedActivation(const std::string& name);

}  // namespace pp
