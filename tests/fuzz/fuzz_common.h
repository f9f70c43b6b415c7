// Shared by the libFuzzer targets (one per reader): the input is written to
// a scratch file, since the readers take paths as the program does; a small
// model configuration for the readers that check against one. The rule each
// target enforces: a reader accepts its input or throws pp::Error. Any other
// exception, a crash, a hang or a sanitizer report is a finding.
#pragma once
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/model/model_config.h"

namespace ppfuzz {

// A private directory for this process's scratch files, removed at exit
// (its name is never destroyed: the exit handler outlives static strings).
inline std::string scratch(const std::string& name) {
  static const std::string* const dir = [] {
    auto* d = new std::string(std::filesystem::temp_directory_path().string() + "/pp-fuzz-XXXXXX");
    if (!::mkdtemp(d->data())) std::abort();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
    });
    return d;
  }();
  return name.empty() ? *dir : *dir + "/" + name;
}

// The input as the file `name` in the scratch directory; its path.
inline std::string writeInput(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// A one-layer BERT classifier with two labels (as make-tiny writes it).
inline const pp::ModelConfig& tinyConfig() {
  static const pp::ModelConfig c = pp::modelConfigFromJson(pp::parseJson(
      "{\"architectures\":[\"BertForSequenceClassification\"],\"hidden_act\":\"gelu\","
      "\"attention_probs_dropout_prob\":0.1,\"hidden_dropout_prob\":0.1,\"hidden_size\":8,"
      "\"id2label\":{\"0\":\"negative\",\"1\":\"positive\"},\"intermediate_size\":8,"
      "\"label2id\":{\"negative\":0,\"positive\":1},\"layer_norm_eps\":1e-12,"
      "\"max_position_embeddings\":16,\"model_type\":\"bert\",\"num_attention_heads\":2,"
      "\"num_hidden_layers\":1,\"pad_token_id\":0,\"type_vocab_size\":2,\"vocab_size\":129}",
      "fuzz config"));
  return c;
}

// Runs `fn`; a pp::Error is a clean refusal. Other exceptions escape to
// libFuzzer, which reports them (with the input) as a crash.
template <class Fn>
int accept(Fn&& fn) {
  try {
    fn();
  } catch (const pp::Error& e) {
    if (!*e.what()) std::abort();  // an error says what went wrong
  }
  return 0;
}

}  // namespace ppfuzz
