// Model: a loaded encoder classifier of a supported family (BERT, ...) (config, weights, tokenizer
// and the head/unit importance order), read-only after loading and shared by every worker thread.
// Torch stays behind the pimpl.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "paretoprune/formats/config.h"

namespace pp {

class TextTokenizer;
struct ModelImpl;

class Model {
 public:
  // Loads config.json, model.safetensors and the tokenizer (loadTokenizer)
  // from `dir`.
  // Every expected tensor is checked by name and shape; throws pp::Error.
  static std::shared_ptr<const Model> load(const std::string& dir);
  ~Model();

  const ModelConfig& config() const;
  bool hasTokenizer() const;
  // The tokenizer its files hold, of the kind its family expects; throws
  // if the model has none.
  const TextTokenizer& tokenizer() const;
  const std::string& directory() const;
  // "sha256:" + hex over the weights, config.json and tokenizer files: ties
  // run logs and exports to their model (older logs hold FNV-1a of the
  // weights alone; model/checksum.h checks those too).
  const std::string& checksum() const;
  // Importance order: headOrder()[l][0] is the most important head of layer l.
  const std::vector<std::vector<int64_t>>& headOrder() const;
  const std::vector<std::vector<int64_t>>& unitOrder() const;

  ModelImpl& impl() const { return *impl_; }

 private:
  explicit Model(std::unique_ptr<ModelImpl> impl);
  std::unique_ptr<ModelImpl> impl_;
  friend struct ModelImpl;
};

}  // namespace pp
