// The Unigram tokenizer from tokenizer.json, run as tokenizers'
// Tokenizer::encode runs it: added tokens split off the raw text, the
// normalizer on the text between them (then the normalized added tokens
// split off), Metaspace, the Unigram model, truncation, the post-processor.
#include "paretoprune/formats/unigram_tokenizer.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "formats/post_processor.h"
#include "formats/text_normalizer.h"
#include "formats/unigram_model.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

using nlohmann::json;

struct AddedPiece {
  std::string content;
  int64_t id = -1;
  bool lstrip = false, rstrip = false, normalized = true, special = false;
};

struct UnigramTokenizer::Impl {
  std::optional<UnigramModel> model;
  TextNormalizer normalizer;
  Metaspace metaspace;
  std::vector<AddedPiece> added;
  std::vector<std::string> pieces;  // by id: the model's, then added tokens past it
  postproc::Template single{{0, {}, 0}}, pair{{0, {}, 0}, {1, {}, 1}};
  int64_t cls = -1, sep = -1, pad = -1, mask = -1;
  std::string fileText;

  void readModel(const json& m, const std::string& where);
  void readPreTokenizer(const json& p, const std::string& where);
  void readPostProcessor(const json& p, const std::string& where);
  void readAdded(const json& list, const std::string& where);
  void finish(const std::string& where);
  int64_t idOf(const std::string& piece) const;
  // Ids of one text; stops after the pre-token that reaches `limit` (0: none).
  std::vector<int64_t> encodeSequence(const std::string& text, size_t limit) const;
};

namespace {

bool spaceAt(const std::string& s, size_t i, size_t& len) {
  std::u32string cp;
  len = 1;
  while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
  return unicode::decodeUtf8(std::string_view(s).substr(i, len), cp) && cp.size() == 1 &&
         unicode::isWhitespace(cp[0]);
}

// A piece of a text: an added token (id >= 0) or text to tokenize.
struct Part {
  int64_t id;
  size_t start, end;
};

// tokenizers' split_with_indices: leftmost-longest matches of the added
// tokens that are `normalized` (or not), widened over spaces by lstrip and
// rstrip, and the text between them.
std::vector<Part> splitAdded(const std::vector<AddedPiece>& added, const std::string& text,
                             bool normalized) {
  std::vector<Part> out;
  size_t from = 0;
  for (size_t p = 0; p < text.size();) {
    const AddedPiece* best = nullptr;
    for (const auto& a : added)
      if (a.normalized == normalized && a.content.size() <= text.size() - p &&
          (!best || a.content.size() > best->content.size()) &&
          text.compare(p, a.content.size(), a.content) == 0)
        best = &a;
    if (!best) {
      ++p;
      continue;
    }
    size_t start = p, stop = p + best->content.size(), len = 0;
    while (best->lstrip && start > from) {
      size_t j = start - 1;
      while (j > from && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) --j;
      if (!spaceAt(text, j, len) || j + len != start) break;
      start = j;
    }
    while (best->rstrip && stop < text.size() && spaceAt(text, stop, len)) stop += len;
    if (from < start) out.push_back({-1, from, start});
    out.push_back({best->id, start, stop});
    from = p = stop;
  }
  if (from < text.size()) out.push_back({-1, from, text.size()});
  return out;
}

}  // namespace

void UnigramTokenizer::Impl::readModel(const json& m, const std::string& where) {
  const std::string type = jsonutil::getString(m, "type", where);
  if (type != "Unigram") throw Error(where + ": model type " + quoteText(type) + " is not Unigram");
  const json& vocab = jsonutil::field(m, "vocab", where);
  if (!vocab.is_array()) throw Error(where + ": model.vocab must be a list of [piece, score]");
  std::vector<std::pair<std::string, double>> v;
  v.reserve(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    const json& e = vocab[i];
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number())
      throw Error(where + ": model.vocab[" + std::to_string(i) + "] must be [piece, score], got " +
                  jsonutil::describe(e));
    v.emplace_back(e[0].get<std::string>(), e[1].get<double>());
  }
  const int64_t unk = jsonutil::optInt(m, "unk_id", where + ": model", -1, 0, INT32_MAX);
  for (const auto& [p, score] : v) pieces.push_back(p);
  model.emplace(std::move(v), unk, jsonutil::optBool(m, "byte_fallback", where, false), where);
}

// Metaspace (replacement, prepend_scheme or the older add_prefix_space, split).
void UnigramTokenizer::Impl::readPreTokenizer(const json& p, const std::string& where) {
  const std::string w = where + ": pre_tokenizer";
  if (!p.is_object() || p.value("type", std::string()) != "Metaspace")
    throw Error(w + " must be Metaspace, got " + jsonutil::describe(p));
  metaspace.replacement = jsonutil::getString(p, "replacement", w);
  std::u32string cp;
  if (!unicode::decodeUtf8(metaspace.replacement, cp) || cp.size() != 1)
    throw Error(w + ": replacement must be one character");
  const std::string scheme = jsonutil::optString(p, "prepend_scheme", w, "always");
  if (scheme == "always")
    metaspace.prepend = Metaspace::Prepend::Always;
  else if (scheme == "first")
    metaspace.prepend = Metaspace::Prepend::First;
  else if (scheme == "never")
    metaspace.prepend = Metaspace::Prepend::Never;
  else
    throw Error(w + ": prepend_scheme \"" + jsonutil::shortText(scheme) +
                "\" is not always, first or never");
  if (!jsonutil::optBool(p, "add_prefix_space", w, true)) {
    if (metaspace.prepend != Metaspace::Prepend::Never)
      throw Error(w + ": add_prefix_space false does not match prepend_scheme " +
                  quoteText(scheme));
  }
  metaspace.split = jsonutil::optBool(p, "split", w, true);
}

void UnigramTokenizer::Impl::readPostProcessor(const json& p, const std::string& where) {
  if (p.is_null()) return;
  const std::string w = where + ": post_processor";
  const std::string type = jsonutil::getString(p, "type", w);
  if (type == "TemplateProcessing") {
    single = postproc::readTemplate(p, "single", w);
    pair = postproc::readTemplate(p, "pair", w);
  } else if (type == "RobertaProcessing" || type == "BertProcessing") {
    const int64_t c = postproc::idOfPair(p, "cls", w), s = postproc::idOfPair(p, "sep", w);
    const int64_t second = type == "BertProcessing" ? 1 : 0;
    single = {{-1, {c}, 0}, {0, {}, 0}, {-1, {s}, 0}};
    pair = {{-1, {c}, 0}, {0, {}, 0}, {-1, {s}, 0}};
    if (second == 0) pair.push_back({-1, {s}, 0});
    pair.push_back({1, {}, second});
    pair.push_back({-1, {s}, second});
  } else {
    throw Error(
        w + " \"" + jsonutil::shortText(type) +
        "\" is not supported (TemplateProcessing, RobertaProcessing and BertProcessing are)");
  }
}

void UnigramTokenizer::Impl::readAdded(const json& list, const std::string& where) {
  for (const auto& a : postproc::readAddedTokens(list, where))
    added.push_back({a.content, a.id, a.lstrip, a.rstrip, a.normalized, a.special});
}

// Added tokens keep their ids (those in the model's vocabulary must be its
// pieces); those past it follow without gaps.
void UnigramTokenizer::Impl::finish(const std::string& where) {
  const size_t modelSize = pieces.size();
  std::vector<bool> taken(modelSize + added.size(), false);
  for (const auto& a : added) {
    const auto id = static_cast<size_t>(a.id);
    if (id < modelSize && pieces[id] != a.content)
      throw Error(where + ": added token " + quoteText(a.content) + " has id " +
                  std::to_string(a.id) + ", the model's piece " + quoteText(pieces[id]));
    if (id >= taken.size() || (id >= modelSize && taken[id]))
      throw Error(where + ": added token " + quoteText(a.content) + " has id " +
                  std::to_string(a.id) + ", taken or past the vocabulary");
    taken[id] = true;
  }
  size_t size = modelSize;
  while (size < taken.size() && taken[size]) ++size;
  for (size_t i = size; i < taken.size(); ++i)
    if (taken[i]) throw Error(where + ": added token ids leave a gap at " + std::to_string(size));
  pieces.resize(size);
  for (const auto& a : added) pieces[static_cast<size_t>(a.id)] = a.content;
  for (const postproc::Template* t : {&single, &pair})
    for (const auto& p : *t)
      for (int64_t id : p.ids)
        if (id < 0 || id >= static_cast<int64_t>(size))
          throw Error(where + ": the post-processor adds id " + std::to_string(id) +
                      ", outside the vocabulary of " + std::to_string(size));
  for (const auto& p : single)
    if (p.sequence == 1) throw Error(where + ": the single-text template names the pair");
  if (single.size() > 1 && single.front().sequence < 0) cls = single.front().ids.front();
  if (single.size() > 1 && single.back().sequence < 0) sep = single.back().ids.back();
  pad = idOf("<pad>");
  mask = idOf("<mask>");
}

int64_t UnigramTokenizer::Impl::idOf(const std::string& piece) const {
  for (const auto& a : added)
    if (a.content == piece) return a.id;
  return model->idOf(piece);
}

std::vector<int64_t> UnigramTokenizer::Impl::encodeSequence(const std::string& raw,
                                                            size_t limit) const {
  const std::string text = unicode::isValidUtf8(raw) ? raw : unicode::lossyUtf8(raw);
  std::vector<int64_t> out;
  for (const Part& r : splitAdded(added, text, false)) {
    if (r.id >= 0) {
      out.push_back(r.id);
      continue;
    }
    const std::string norm = normalizer.apply(text.substr(r.start, r.end - r.start));
    for (const Part& n : splitAdded(added, norm, true)) {
      if (n.id >= 0) {
        out.push_back(n.id);
        continue;
      }
      const bool first = r.start == 0 && n.start == 0;
      for (const std::string& word :
           metaspace.apply(norm.substr(n.start, n.end - n.start), first)) {
        model->encode(word, out);
        if (limit > 0 && out.size() >= limit) return out;
      }
    }
  }
  return out;
}

// ---- The public face

UnigramTokenizer UnigramTokenizer::fromTokenizerJson(const std::string& path) {
  return fromJsonText(fileutil::readFile(path), path);
}

UnigramTokenizer UnigramTokenizer::fromJsonText(const std::string& text, const std::string& path) {
  const json j = jsonutil::parse(text, path);
  auto impl = std::make_shared<Impl>();
  try {
    if (!j.is_object()) throw Error(path + ": expected a JSON object");
    impl->readModel(jsonutil::field(j, "model", path), path);
    impl->normalizer = TextNormalizer::fromJson(j.value("normalizer", json()), path);
    impl->readPreTokenizer(jsonutil::field(j, "pre_tokenizer", path), path);
    impl->readPostProcessor(j.value("post_processor", json()), path);
    impl->readAdded(j.value("added_tokens", json::array()), path);
    impl->finish(path);
  } catch (const json::exception& e) {
    throw Error(path + ": unexpected structure (" + e.what() + ")");
  }
  impl->fileText = text;
  UnigramTokenizer t;
  t.impl_ = std::move(impl);
  return t;
}

std::vector<int64_t> UnigramTokenizer::tokenIds(const std::string& text) const {
  return impl_->encodeSequence(text, 0);
}

std::vector<std::string> UnigramTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (int64_t id : tokenIds(text)) out.push_back(piece(id));
  return out;
}

Encoding UnigramTokenizer::encodeText(const std::string& text, const std::string* pair,
                                      int64_t maxLength) const {
  const size_t limit = static_cast<size_t>(std::max<int64_t>(0, maxLength));
  std::vector<int64_t> a = impl_->encodeSequence(text, limit), b;
  if (pair) b = impl_->encodeSequence(*pair, limit);
  const postproc::Template& t = pair ? impl_->pair : impl_->single;
  if (maxLength > 0) {
    const auto specials = static_cast<int64_t>(postproc::specialCount(t));
    size_t n1 = a.size(), n2 = b.size();
    postproc::truncateLengths(n1, n2, pair != nullptr,
                              static_cast<size_t>(std::max<int64_t>(0, maxLength - specials)));
    a.resize(n1);
    b.resize(n2);
  }
  Encoding e;
  for (const postproc::Step& p : t) {
    for (int64_t id : p.ids) {
      e.ids.push_back(id);
      e.type_ids.push_back(p.typeId);
    }
    if (p.sequence < 0) continue;
    for (int64_t id : p.sequence == 0 ? a : b) {
      e.ids.push_back(id);
      e.type_ids.push_back(p.typeId);
    }
  }
  return e;
}

size_t UnigramTokenizer::vocabSize() const {
  return impl_->pieces.size();
}
const std::string& UnigramTokenizer::piece(int64_t id) const {
  return impl_->pieces.at(static_cast<size_t>(id));
}
int64_t UnigramTokenizer::idOf(const std::string& piece) const {
  return impl_->idOf(piece);
}
int64_t UnigramTokenizer::clsId() const {
  return impl_->cls;
}
int64_t UnigramTokenizer::sepId() const {
  return impl_->sep;
}
int64_t UnigramTokenizer::padId() const {
  return impl_->pad;
}
int64_t UnigramTokenizer::unkId() const {
  return impl_->model->unkId();
}
int64_t UnigramTokenizer::maskId() const {
  return impl_->mask;
}

void UnigramTokenizer::save(const std::string& dir, int64_t modelMaxLength) const {
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "tokenizer.json"), impl_->fileText);
  json specials = json::object();
  const std::pair<const char*, int64_t> roles[] = {{"bos_token", clsId()},  {"cls_token", clsId()},
                                                   {"eos_token", sepId()},  {"sep_token", sepId()},
                                                   {"unk_token", unkId()},  {"pad_token", padId()},
                                                   {"mask_token", maskId()}};
  for (const auto& [role, id] : roles)
    if (id >= 0) specials[role] = piece(id);
  json cfg = specials;
  cfg["tokenizer_class"] = "XLMRobertaTokenizer";
  cfg["model_max_length"] = modelMaxLength;
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "tokenizer_config.json"), cfg.dump(2) + "\n");
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "special_tokens_map.json"),
                            specials.dump(2) + "\n");
}

}  // namespace pp
