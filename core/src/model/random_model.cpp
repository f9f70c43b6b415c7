#include "paretoprune/model/random_model.h"
#include "paretoprune/base/json_parse.h"

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "model/family.h"
#include "model/weights.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/formats/bpe_tokenizer.h"
#include "paretoprune/formats/sentencepiece_tokenizer.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/formats/unigram_tokenizer.h"
#include "paretoprune/model/model_config.h"

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

// GPT-2's printable character for each byte, in UTF-8 (bytes_to_unicode).
std::string byteChar(int b) {
  const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
  int cp = b;
  if (!printable) {
    int n = 0;
    for (int x = 0; x < b; ++x)
      if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174))) ++n;
    cp = 256 + n;
  }
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// A tiny byte-level BPE tokenizer.json as RoBERTa's: <s> <pad> </s> <unk>,
// the 256 bytes, merges spelling out a few words (with and without a
// leading space), <mask> last.
std::string tinyBpeTokenizerJson() {
  using ojson = nlohmann::ordered_json;
  ojson vocab = ojson::object();
  int64_t next = 0;
  for (const char* s : {"<s>", "<pad>", "</s>", "<unk>"}) vocab[s] = next++;
  for (int b = 0; b < 256; ++b) vocab[byteChar(b)] = next++;
  ojson merges = ojson::array();
  const std::string space = byteChar(' ');
  for (const char* w : {"the", "and", "is", "was", "it", "this", "not", "good", "bad", "great",
                        "food", "movie", "service", "place", "very", "to", "of", "ing", "ed"}) {
    for (const std::string& start : {space, std::string()}) {
      std::string word = start.empty() ? std::string(1, w[0]) : start;
      for (size_t i = start.empty() ? 1 : 0; w[i]; ++i) {
        const std::string piece = word + w[i];
        if (!vocab.contains(piece)) {
          merges.push_back(word + " " + std::string(1, w[i]));
          vocab[piece] = next++;
        }
        word = piece;
      }
    }
  }
  vocab["<mask>"] = next;
  ojson added = ojson::array();
  const std::vector<std::pair<std::string, int64_t>> specials = {
      {"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}, {"<mask>", next}};
  for (const auto& [content, id] : specials)
    added.push_back({{"id", id},
                     {"content", content},
                     {"single_word", false},
                     {"lstrip", id == next},
                     {"rstrip", false},
                     {"normalized", id != next},
                     {"special", true}});
  const ojson byteLevel = {{"type", "ByteLevel"},
                           {"add_prefix_space", false},
                           {"trim_offsets", true},
                           {"use_regex", true}};
  ojson j = {{"version", "1.0"},      {"truncation", nullptr}, {"padding", nullptr},
             {"added_tokens", added}, {"normalizer", nullptr}, {"pre_tokenizer", byteLevel}};
  j["post_processor"] = {{"type", "RobertaProcessing"},
                         {"sep", {"</s>", 2}},
                         {"cls", {"<s>", 0}},
                         {"trim_offsets", true},
                         {"add_prefix_space", false}};
  j["decoder"] = byteLevel;
  j["model"] = {{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", ""},
                {"end_of_word_suffix", ""},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"vocab", vocab},
                {"merges", merges}};
  return j.dump(1);
}

// A tiny Unigram tokenizer.json as XLM-RoBERTa's (its normalizer with NFKC
// in place of SentencePiece's precompiled charsmap): <s> <pad> </s> <unk>,
// "▁", single characters, whole words after "▁" and a few word ends,
// scored so that longer pieces win, <mask> last.
std::string tinyUnigramTokenizerJson() {
  using ojson = nlohmann::ordered_json;
  const std::string meta = "\xE2\x96\x81";  // U+2581, SentencePiece's space
  ojson vocab = ojson::array();
  for (const char* s : {"<s>", "<pad>", "</s>", "<unk>"}) vocab.push_back({s, 0.0});
  vocab.push_back({meta, -2.0});
  for (char c = 33; c < 127; ++c) vocab.push_back({std::string(1, c), -8.0});
  for (const char* c : {"\xC3\xA9", "\xC3\xBC", "\xC3\xA7", "\xC3\xA0", "\xC3\xB6", "\xE2\x80\x94"})
    vocab.push_back({c, -8.5});
  for (const char* w :
       {"the",   "and",  "is",    "was",     "it",    "this", "not",  "good",     "bad",
        "great", "food", "movie", "service", "place", "very", "to",   "of",       "a",
        "I",     "The",  "love",  "never",   "will",  "come", "back", "friendly", "actually"})
    vocab.push_back({meta + w, -3.0 - 0.1 * static_cast<double>(std::string(w).size())});
  for (const char* w : {"ing", "ed", "ly", "s", "er", "ful", "ible"}) vocab.push_back({w, -5.0});
  const auto mask = static_cast<int64_t>(vocab.size());
  vocab.push_back({"<mask>", 0.0});
  ojson added = ojson::array();
  const std::vector<std::pair<std::string, int64_t>> specials = {
      {"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}, {"<mask>", mask}};
  for (const auto& [content, id] : specials)
    added.push_back({{"id", id},
                     {"content", content},
                     {"single_word", false},
                     {"lstrip", id == mask},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  const ojson metaspace = {
      {"type", "Metaspace"}, {"replacement", meta}, {"prepend_scheme", "always"}, {"split", true}};
  ojson j = {
      {"version", "1.0"}, {"truncation", nullptr}, {"padding", nullptr}, {"added_tokens", added}};
  j["normalizer"] = {
      {"type", "Sequence"},
      {"normalizers",
       {{{"type", "NFKC"}},
        {{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}},
        {{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", meta}}}}};
  j["pre_tokenizer"] = metaspace;
  auto special = [](const char* s, int64_t id) {
    return ojson{{"id", s}, {"ids", {id}}, {"tokens", {s}}};
  };
  auto tok = [](const char* s) { return ojson{{"SpecialToken", {{"id", s}, {"type_id", 0}}}}; };
  auto seq = [](const char* s) { return ojson{{"Sequence", {{"id", s}, {"type_id", 0}}}}; };
  j["post_processor"] = {
      {"type", "TemplateProcessing"},
      {"single", {tok("<s>"), seq("A"), tok("</s>")}},
      {"pair", {tok("<s>"), seq("A"), tok("</s>"), tok("</s>"), seq("B"), tok("</s>")}},
      {"special_tokens", {{"<s>", special("<s>", 0)}, {"</s>", special("</s>", 2)}}}};
  j["decoder"] = metaspace;
  j["model"] = {{"type", "Unigram"}, {"unk_id", 3}, {"vocab", vocab}, {"byte_fallback", false}};
  return j.dump(1);
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
  for (const TensorSpec& spec : modelTensors(c)) {
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

namespace {
// The family's tokenizer for a random model, its files written into `dir`.
std::shared_ptr<const TextTokenizer> tinyTokenizer(const std::string& dir,
                                                   const TinyModelOptions& o) {
  if (o.modelType == "roberta") {
    if (!o.vocabFile.empty())
      throw Error("make-tiny: --vocab is a WordPiece vocab.txt; RoBERTa uses byte-level BPE");
    const std::string path = fileutil::joinPath(dir, "tokenizer.json");
    fileutil::writeFileAtomic(path, tinyBpeTokenizerJson() + "\n");
    return std::make_shared<ByteLevelBpeTokenizer>(ByteLevelBpeTokenizer::fromTokenizerJson(path));
  }
  if (o.modelType == "xlm-roberta" && !o.vocabFile.empty())  // a SentencePiece Unigram model
    return std::make_shared<SentencePieceTokenizer>(
        SentencePieceTokenizer::fromModelFile(o.vocabFile));  // saved as sentencepiece.bpe.model
  if (o.modelType == "xlm-roberta") {
    const std::string path = fileutil::joinPath(dir, "tokenizer.json");
    fileutil::writeFileAtomic(path, tinyUnigramTokenizerJson() + "\n");
    return std::make_shared<UnigramTokenizer>(UnigramTokenizer::fromTokenizerJson(path));
  }
  if (!o.vocabFile.empty())
    return std::make_shared<WordPieceTokenizer>(WordPieceTokenizer::fromVocabFile(o.vocabFile));
  std::string text;
  for (const auto& p : builtinVocab()) text += p + "\n";
  const std::string tmp = fileutil::joinPath(dir, "vocab.txt");
  fileutil::writeFileAtomic(tmp, text);
  return std::make_shared<WordPieceTokenizer>(WordPieceTokenizer::fromVocabFile(tmp));
}
}  // namespace

void writeRandomModel(const std::string& dir, const TinyModelOptions& o) {
  if (o.layers < 0 || o.hidden <= 0 || o.heads <= 0 || o.intermediate < 0 || o.labels < 1)
    throw Error("make-tiny: sizes must be positive");
  if (o.hidden % o.heads != 0)
    throw Error("make-tiny: hidden size must be divisible by the head count");
  std::filesystem::create_directories(dir);
  const std::shared_ptr<const TextTokenizer> tok = tinyTokenizer(dir, o);
  ModelConfig c;
  c.model_type = o.modelType;
  familyFor(c.model_type);  // refuses a type we do not know, naming the supported ones
  c.vocab_size = static_cast<int64_t>(tok->vocabSize());
  c.hidden_size = o.hidden;
  c.num_hidden_layers = o.layers;
  c.num_attention_heads = o.heads;
  c.intermediate_size = o.intermediate;
  c.hidden_act = o.hiddenAct;
  if (!isSupportedActivation(c.hidden_act))
    throw Error("make-tiny: unknown activation " + quoteText(c.hidden_act));
  c.max_position_embeddings = o.maxPositions;
  c.pad_token_id = tok->padId();
  if (c.model_type == "roberta" || c.model_type == "xlm-roberta") {  // positions after padding_idx
    c.max_position_embeddings += c.pad_token_id + 1;
    c.type_vocab_size = 1;
    c.layer_norm_eps = 1e-5;
  }
  if (c.model_type == "electra")
    c.embedding_size = o.embeddingSize > 0 ? o.embeddingSize : o.hidden / 2;
  c.initializer_range = o.initStd;
  for (int64_t i = 0; i < o.labels; ++i) c.id2label.push_back("LABEL_" + std::to_string(i));
  if (o.labels == 2) c.id2label = {"negative", "positive"};
  if (o.tokenClassification) {
    if (o.tagTypes.empty()) throw Error("make-tiny: a tagger needs at least one entity type");
    c.task = Task::TokenClassification;
    c.id2label = {"O"};
    for (const std::string& t : o.tagTypes) {
      if (t.empty() || t == "O")
        throw Error("make-tiny: entity type " + quoteText(t) + " is not a name");
      c.id2label.push_back("B-" + t);
      c.id2label.push_back("I-" + t);
    }
  }

  EncoderWeights w = randomWeights(c, o.initStd, o.seed);
  writeModelFiles(dir, c, w, tok.get(), identityOrder(c, true), identityOrder(c, false));
  // As a checkpoint that ships only its SentencePiece model: drop the
  // tokenizer.json that saving it wrote just now.
  if (dynamic_cast<const SentencePieceTokenizer*>(tok.get()))
    std::filesystem::remove(fileutil::joinPath(dir, "tokenizer.json"));
}

}  // namespace pp
