// libFuzzer: tagged data for a token classifier (NER). The first byte picks
// the format (CoNLL columns or JSON lines of tokens and tags), the rest is
// the file; read against a tagger that knows the CoNLL-2003 tags.
#include "fuzz_common.h"
#include "paretoprune/formats/tagging.h"

namespace {
const pp::ModelConfig& taggerConfig() {
  static const pp::ModelConfig c = pp::modelConfigFromJson(pp::parseJson(
      "{\"architectures\":[\"BertForTokenClassification\"],\"hidden_act\":\"gelu\","
      "\"attention_probs_dropout_prob\":0.1,\"hidden_dropout_prob\":0.1,\"hidden_size\":8,"
      "\"id2label\":{\"0\":\"O\",\"1\":\"B-PER\",\"2\":\"I-PER\",\"3\":\"B-ORG\",\"4\":\"I-ORG\","
      "\"5\":\"B-LOC\",\"6\":\"I-LOC\",\"7\":\"B-MISC\",\"8\":\"I-MISC\"},"
      "\"intermediate_size\":8,\"layer_norm_eps\":1e-12,\"max_position_embeddings\":16,"
      "\"model_type\":\"bert\",\"num_attention_heads\":2,\"num_hidden_layers\":1,"
      "\"pad_token_id\":0,\"type_vocab_size\":2,\"vocab_size\":129}",
      "fuzz tagger config"));
  return c;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool jsonLines = data[0] % 2 == 1;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string path =
      ppfuzz::writeInput(jsonLines ? "ner.jsonl" : "ner.conll", data + 1, size - 1);
  return ppfuzz::accept([&] {
    pp::parseTaggedData(text, "fuzz", jsonLines, taggerConfig());
    if (pp::isTaggedDataFile(path)) pp::loadTaggedData(path, taggerConfig());
  });
}
