// XLM-RoBERTa's tokenizer from its SentencePiece model file: the model read
// field by field (sentencepiece_proto), converted as transformers'
// XLMRobertaConverter converts it, run by the Unigram tokenizer.
#include "paretoprune/formats/sentencepiece_tokenizer.h"

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "formats/sentencepiece_proto.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

namespace {

using ojson = nlohmann::ordered_json;

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

ojson addedTokens(int64_t mask) {
  ojson added = ojson::array();
  const char* names[] = {"<s>", "<pad>", "</s>", "<unk>"};
  for (int64_t id = 0; id <= 4; ++id)
    added.push_back({{"id", id < 4 ? id : mask},
                     {"content", id < 4 ? names[id] : "<mask>"},
                     {"single_word", false},
                     {"lstrip", id == 4},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  return added;
}

ojson postProcessor() {
  auto special = [](const char* id) {
    return ojson{{"SpecialToken", {{"id", id}, {"type_id", 0}}}};
  };
  auto text = [](const char* id) { return ojson{{"Sequence", {{"id", id}, {"type_id", 0}}}}; };
  return {
      {"type", "TemplateProcessing"},
      {"single", {special("<s>"), text("A"), special("</s>")}},
      {"pair",
       {special("<s>"), text("A"), special("</s>"), special("</s>"), text("B"), special("</s>")}},
      {"special_tokens",
       {{"</s>", {{"id", "</s>"}, {"ids", {2}}, {"tokens", {"</s>"}}}},
        {"<s>", {{"id", "<s>"}, {"ids", {0}}, {"tokens", {"<s>"}}}}}}};
}

// The tokenizer.json transformers' XLMRobertaConverter makes of the model.
std::string converted(const spmproto::Model& m) {
  ojson vocab = ojson::array();
  for (const char* s : {"<s>", "<pad>", "</s>", "<unk>"}) vocab.push_back({s, 0.0});
  for (size_t i = 3; i < m.pieces.size(); ++i)
    vocab.push_back({m.pieces[i].piece, double{m.pieces[i].score}});
  vocab.push_back({"<mask>", 0.0});
  ojson norms = {{{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}},
                 {{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", "\u2581"}}};
  if (!m.precompiledCharsmap.empty())
    norms.insert(norms.begin(), ojson{{"type", "Precompiled"},
                                      {"precompiled_charsmap", base64(m.precompiledCharsmap)}});
  const ojson meta = {{"type", "Metaspace"},
                      {"replacement", "\u2581"},
                      {"prepend_scheme", "always"},
                      {"split", true}};
  const ojson j = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", addedTokens(static_cast<int64_t>(vocab.size()) - 1)},
      {"normalizer", {{"type", "Sequence"}, {"normalizers", norms}}},
      {"pre_tokenizer", meta},
      {"post_processor", postProcessor()},
      {"decoder", meta},
      {"model", {{"type", "Unigram"}, {"unk_id", 3}, {"vocab", vocab}, {"byte_fallback", false}}}};
  return j.dump(1) + "\n";
}

}  // namespace

SentencePieceTokenizer SentencePieceTokenizer::fromModelFile(const std::string& path) {
  std::string bytes = fileutil::readFile(path);
  const spmproto::Model m = spmproto::read(bytes, path);
  if (m.modelType != spmproto::kUnigram)
    throw Error(path + ": a SentencePiece model of type " + std::to_string(m.modelType) +
                ", not Unigram (1) as XLM-RoBERTa's");
  if (m.pieces.size() < 4 || m.pieces[0].type != spmproto::kUnknown ||
      m.pieces[1].type != spmproto::kControl || m.pieces[2].type != spmproto::kControl)
    throw Error(path + ": the model's first pieces are not <unk> <s> </s>, as XLM-RoBERTa's are");
  for (size_t i = 0; i < m.pieces.size(); ++i)
    if (!unicode::isValidUtf8(m.pieces[i].piece))
      throw Error(path + ": piece " + std::to_string(i) + " is not UTF-8");
  std::string json = converted(m);
  UnigramTokenizer unigram =
      UnigramTokenizer::fromJsonText(json, path + " (as transformers converts it)");
  return SentencePieceTokenizer(std::move(bytes), std::move(json), std::move(unigram));
}

std::vector<int64_t> SentencePieceTokenizer::tokenIds(const std::string& text) const {
  return unigram_.tokenIds(text);
}
std::vector<std::string> SentencePieceTokenizer::tokenize(const std::string& text) const {
  return unigram_.tokenize(text);
}
Encoding SentencePieceTokenizer::encodeText(const std::string& text, const std::string* pair,
                                            int64_t maxLength) const {
  return unigram_.encode(text, pair, maxLength);
}
size_t SentencePieceTokenizer::vocabSize() const {
  return unigram_.vocabSize();
}
const std::string& SentencePieceTokenizer::piece(int64_t id) const {
  return unigram_.piece(id);
}
int64_t SentencePieceTokenizer::clsId() const {
  return unigram_.clsId();
}
int64_t SentencePieceTokenizer::sepId() const {
  return unigram_.sepId();
}
int64_t SentencePieceTokenizer::padId() const {
  return unigram_.padId();
}
int64_t SentencePieceTokenizer::unkId() const {
  return unigram_.unkId();
}
int64_t SentencePieceTokenizer::maskId() const {
  return unigram_.maskId();
}

void SentencePieceTokenizer::save(const std::string& dir, int64_t modelMaxLength) const {
  unigram_.save(dir, modelMaxLength);  // tokenizer.json and the two small files
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "sentencepiece.bpe.model"), bytes_);
}

}  // namespace pp
