// XLM-RoBERTa's tokenizer from its SentencePiece model file, encoded by
// Debian's libsentencepiece, with the ids, special tokens and templates of
// transformers' XLMRobertaTokenizer.
#include "paretoprune/formats/sentencepiece_tokenizer.h"

#include <algorithm>

#include <openssl/evp.h>
#include <sentencepiece_processor.h>
#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "formats/post_processor.h"
#include "formats/sentencepiece_proto.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

struct SentencePieceTokenizer::Impl {
  sentencepiece::SentencePieceProcessor sp;
  std::string path, bytes;
  spmproto::Summary summary;
  std::vector<std::string> pieces;  // by our id: fairseq's four, the model's from 3 on, <mask>

  // Our id of the model's id `i` (fairseq's offset of one; the model's <unk> is ours).
  int64_t idOfModel(int i) const { return i == 0 ? 3 : i + 1; }
  int64_t mask() const { return static_cast<int64_t>(pieces.size()) - 1; }
  void encodeChunk(std::string chunk, std::vector<int64_t>& out) const;
  std::string tokenizerJson() const;
  std::vector<int64_t> encodeSequence(const std::string& raw) const;
};

namespace {

bool whitespaceBefore(const std::string& s, size_t end, size_t& start) {
  size_t j = end;
  if (j == 0) return false;
  --j;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  std::u32string cp;
  if (!unicode::decodeUtf8(std::string_view(s).substr(j, end - j), cp) || cp.size() != 1 ||
      !unicode::isWhitespace(cp[0]))
    return false;
  start = j;
  return true;
}

// XLMRobertaTokenizer's special tokens, each split off the raw text; <mask>
// strips the spaces on its left (lstrip).
struct Special {
  const char* text;
  bool lstrip;
};
const Special kSpecials[] = {
    {"<s>", false}, {"<pad>", false}, {"</s>", false}, {"<unk>", false}, {"<mask>", true}};

}  // namespace

// transformers' converted tokenizer strips every Unicode space on the right of
// a text (SentencePiece itself only ASCII spaces); then the model.
void SentencePieceTokenizer::Impl::encodeChunk(std::string chunk, std::vector<int64_t>& out) const {
  size_t end = chunk.size(), start = 0;
  while (whitespaceBefore(chunk, end, start)) end = start;
  chunk.resize(end);
  if (chunk.empty()) return;
  std::vector<int> ids;
  const auto status = sp.Encode(chunk, &ids);
  if (!status.ok())
    throw Error(path + ": SentencePiece could not encode a text: " + status.ToString());
  for (int i : ids) out.push_back(idOfModel(i));
}

std::vector<int64_t> SentencePieceTokenizer::Impl::encodeSequence(const std::string& raw) const {
  const std::string text = unicode::isValidUtf8(raw) ? raw : unicode::lossyUtf8(raw);
  std::vector<int64_t> out;
  size_t from = 0;
  for (size_t p = 0; p < text.size();) {
    int best = -1;
    size_t bestLen = 0;
    for (int k = 0; k < 5; ++k) {
      const size_t len = std::char_traits<char>::length(kSpecials[k].text);
      if (len > bestLen && text.compare(p, len, kSpecials[k].text) == 0) {
        best = k;
        bestLen = len;
      }
    }
    if (best < 0) {
      ++p;
      continue;
    }
    size_t start = p, before = 0;
    while (kSpecials[best].lstrip && start > from && whitespaceBefore(text, start, before) &&
           before >= from)
      start = before;
    encodeChunk(text.substr(from, start - from), out);
    out.push_back(best == 4 ? mask() : best);
    from = p = p + bestLen;
  }
  encodeChunk(text.substr(from), out);
  return out;
}

namespace {
std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}
}  // namespace

// The tokenizer.json transformers' XLMRobertaConverter makes of the model
// (what transformers.js and XLMRobertaTokenizerFast load).
std::string SentencePieceTokenizer::Impl::tokenizerJson() const {
  using ojson = nlohmann::ordered_json;
  ojson vocab = ojson::array();
  for (size_t i = 0; i < pieces.size(); ++i) {
    const bool model = i >= 4 && i + 1 < pieces.size();
    vocab.push_back({pieces[i], model ? double{sp.GetScore(static_cast<int>(i) - 1)} : 0.0});
  }
  ojson added = ojson::array();
  for (int64_t id : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{3}, mask()})
    added.push_back({{"id", id},
                     {"content", pieces[static_cast<size_t>(id)]},
                     {"single_word", false},
                     {"lstrip", id == mask()},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  ojson norms = {{{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}},
                 {{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", "\u2581"}}};
  if (!summary.precompiledCharsmap.empty())
    norms.insert(norms.begin(),
                 ojson{{"type", "Precompiled"},
                       {"precompiled_charsmap", base64(summary.precompiledCharsmap)}});
  const ojson meta = {{"type", "Metaspace"},
                      {"replacement", "\u2581"},
                      {"prepend_scheme", "always"},
                      {"split", true}};
  auto special = [](const char* id) {
    return ojson{{"SpecialToken", {{"id", id}, {"type_id", 0}}}};
  };
  auto text = [](const char* id) { return ojson{{"Sequence", {{"id", id}, {"type_id", 0}}}}; };
  ojson post = {
      {"type", "TemplateProcessing"},
      {"single", {special("<s>"), text("A"), special("</s>")}},
      {"pair",
       {special("<s>"), text("A"), special("</s>"), special("</s>"), text("B"), special("</s>")}},
      {"special_tokens",
       {{"</s>", {{"id", "</s>"}, {"ids", {2}}, {"tokens", {"</s>"}}}},
        {"<s>", {{"id", "<s>"}, {"ids", {0}}, {"tokens", {"<s>"}}}}}}};
  ojson j = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer", {{"type", "Sequence"}, {"normalizers", norms}}},
      {"pre_tokenizer", meta},
      {"post_processor", post},
      {"decoder", meta},
      {"model", {{"type", "Unigram"}, {"unk_id", 3}, {"vocab", vocab}, {"byte_fallback", false}}}};
  return j.dump(1) + "\n";
}

SentencePieceTokenizer SentencePieceTokenizer::fromModelFile(const std::string& path) {
  auto impl = std::make_shared<Impl>();
  impl->path = path;
  impl->bytes = fileutil::readFile(path);
  impl->summary = spmproto::summarize(impl->bytes, path);
  const auto status = impl->sp.LoadFromSerializedProto(impl->bytes);
  if (!status.ok()) throw Error(path + ": not a SentencePiece model (" + status.ToString() + ")");
  const int n = impl->sp.GetPieceSize();
  if (n < 4 || !impl->sp.IsUnknown(0) || !impl->sp.IsControl(1) || !impl->sp.IsControl(2))
    throw Error(path + ": the model's first pieces are not <unk> <s> </s>, as XLM-RoBERTa's are");
  impl->pieces = {"<s>", "<pad>", "</s>", "<unk>"};
  for (int i = 3; i < n; ++i) impl->pieces.push_back(impl->sp.IdToPiece(i));
  impl->pieces.push_back("<mask>");
  SentencePieceTokenizer t;
  t.impl_ = std::move(impl);
  return t;
}

std::string SentencePieceTokenizer::kind() const {
  switch (impl_->summary.modelType) {
    case spmproto::kUnigram:
      return "unigram";
    case spmproto::kBpe:
      return "sentencepiece-bpe";
    default:
      return "sentencepiece-" + std::to_string(impl_->summary.modelType);
  }
}

std::vector<int64_t> SentencePieceTokenizer::tokenIds(const std::string& text) const {
  return impl_->encodeSequence(text);
}

std::vector<std::string> SentencePieceTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (int64_t id : tokenIds(text)) out.push_back(piece(id));
  return out;
}

Encoding SentencePieceTokenizer::encodeText(const std::string& text, const std::string* pair,
                                            int64_t maxLength) const {
  std::vector<int64_t> a = tokenIds(text), b;
  if (pair) b = tokenIds(*pair);
  if (maxLength > 0) {
    const int64_t specials = pair ? 4 : 2;
    size_t n1 = a.size(), n2 = b.size();
    postproc::truncateLengths(n1, n2, pair != nullptr,
                              static_cast<size_t>(std::max<int64_t>(0, maxLength - specials)));
    a.resize(n1);
    b.resize(n2);
  }
  Encoding e;
  e.ids.push_back(clsId());
  e.ids.insert(e.ids.end(), a.begin(), a.end());
  e.ids.push_back(sepId());
  if (pair) {
    e.ids.push_back(sepId());
    e.ids.insert(e.ids.end(), b.begin(), b.end());
    e.ids.push_back(sepId());
  }
  e.type_ids.assign(e.ids.size(), 0);
  return e;
}

size_t SentencePieceTokenizer::vocabSize() const {
  return impl_->pieces.size();
}
const std::string& SentencePieceTokenizer::piece(int64_t id) const {
  return impl_->pieces.at(static_cast<size_t>(id));
}
int64_t SentencePieceTokenizer::maskId() const {
  return impl_->mask();
}

void SentencePieceTokenizer::save(const std::string& dir, int64_t modelMaxLength) const {
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "sentencepiece.bpe.model"), impl_->bytes);
  if (kind() == "unigram")
    fileutil::writeFileAtomic(fileutil::joinPath(dir, "tokenizer.json"), impl_->tokenizerJson());
  nlohmann::json specials = {{"bos_token", "<s>"},    {"cls_token", "<s>"},
                             {"eos_token", "</s>"},   {"sep_token", "</s>"},
                             {"unk_token", "<unk>"},  {"pad_token", "<pad>"},
                             {"mask_token", "<mask>"}};
  nlohmann::json cfg = specials;
  cfg["tokenizer_class"] = "XLMRobertaTokenizer";
  cfg["model_max_length"] = modelMaxLength;
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "tokenizer_config.json"), cfg.dump(2) + "\n");
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "special_tokens_map.json"),
                            specials.dump(2) + "\n");
}

}  // namespace pp
