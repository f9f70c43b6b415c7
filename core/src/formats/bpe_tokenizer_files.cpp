// Reading a ByteLevelBpeTokenizer from its files: tokenizer.json, or
// RoBERTa's vocab.json + merges.txt; every field checked, errors naming the file.
#include "paretoprune/formats/bpe_tokenizer.h"

#include <algorithm>
#include <functional>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "formats/post_processor.h"
#include "paretoprune/base/error.h"

namespace pp {

using nlohmann::json;

namespace {

// JSON text, refusing nesting deeper than 64 levels up front (what reads
// the values may recurse; no tokenizer file needs more than a few levels).
json parseJsonFile(const std::string& path) {
  const std::string text = fileutil::readFile(path);
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if ((c == '[' || c == '{') && ++depth > 64) {
      throw Error(path + ": JSON nested deeper than 64 levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return jsonutil::parse(text, path);
}

using Template = std::vector<ByteLevelBpeTokenizer::TemplatePiece>;

// "a b" (merges.txt, older tokenizer.json): exactly two pieces.
bool splitMerge(const std::string& line, std::pair<std::string, std::string>& out) {
  const size_t space = line.find(' ');
  if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
      line.find(' ', space + 1) != std::string::npos)
    return false;
  out = {line.substr(0, space), line.substr(space + 1)};
  return true;
}

using postproc::idOfPair;

// TemplateProcessing's "single" or "pair" (formats/post_processor.h).
Template readTemplate(const json& p, const char* key, const std::string& where) {
  Template out;
  for (const postproc::Step& s : postproc::readTemplate(p, key, where))
    out.push_back({s.sequence, s.ids, s.typeId});
  return out;
}

}  // namespace

void ByteLevelBpeTokenizer::readVocab(const json& vocab, const std::string& where) {
  if (!vocab.is_object() || vocab.empty())
    throw Error(where + " must be a non-empty object of piece: id");
  pieces_.assign(vocab.size(), std::string());
  std::vector<bool> seen(vocab.size(), false);
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    const json& v = it.value();
    const int64_t id = v.is_number_integer() ? v.get<int64_t>() : -1;
    if (id < 0 || id >= static_cast<int64_t>(vocab.size()) || seen[static_cast<size_t>(id)])
      throw Error(where + ": ids must be 0..n-1 without gaps or repeats (\"" +
                  jsonutil::shortText(it.key()) + "\" has " + jsonutil::describe(v) + ")");
    seen[static_cast<size_t>(id)] = true;
    pieces_[static_cast<size_t>(id)] = it.key();
  }
  for (size_t i = 0; i < pieces_.size(); ++i) index_.emplace(pieces_[i], static_cast<int64_t>(i));
}

// Each merge joins two pieces of the vocabulary into a third; rank = order.
// A pair listed twice keeps its last rank, as tokenizers does.
void ByteLevelBpeTokenizer::readMerges(const std::vector<std::pair<std::string, std::string>>& m,
                                       const std::function<std::string(size_t)>& where) {
  for (size_t i = 0; i < m.size(); ++i) {
    const std::string joined = m[i].first + m[i].second;
    for (const std::string* part : {&m[i].first, &m[i].second, &joined})
      if (!index_.count(*part))
        throw Error(where(i) + ": the merge \"" + jsonutil::shortText(m[i].first) + " " +
                    jsonutil::shortText(m[i].second) + "\" needs \"" + jsonutil::shortText(*part) +
                    "\", which is not in the vocabulary");
    merges_[pairKey(index_[m[i].first], index_[m[i].second])] = {static_cast<uint32_t>(i),
                                                                 index_[joined]};
  }
}

ByteLevelBpeTokenizer ByteLevelBpeTokenizer::fromVocabAndMerges(const std::string& vocabJson,
                                                                const std::string& mergesTxt,
                                                                BpeOptions opts) {
  ByteLevelBpeTokenizer t;
  t.opts_ = opts;
  t.readVocab(parseJsonFile(vocabJson), vocabJson);
  const std::string text = fileutil::readFile(mergesTxt);
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<size_t> lines;
  size_t start = 0;
  for (size_t line = 1; start < text.size(); ++line) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string l = text.substr(start, end - start);
    start = end + 1;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.rfind("#version", 0) == 0) continue;
    merges.emplace_back();
    if (!splitMerge(l, merges.back()))
      throw Error(mergesTxt + ": line " + std::to_string(line) + " is not two pieces (\"" +
                  jsonutil::shortText(l) + "\")");
    lines.push_back(line);
  }
  if (merges.empty()) throw Error(mergesTxt + ": no merges");
  t.readMerges(merges, [&](size_t i) { return mergesTxt + ": line " + std::to_string(lines[i]); });
  // What RobertaTokenizerFast makes of these files.
  for (const char* s : {"<s>", "<pad>", "</s>", "<unk>", "<mask>"}) {
    if (!t.index_.count(s))
      throw Error(vocabJson + ": no " + s + " in the vocabulary (RoBERTa's files have it)");
    const bool mask = s == std::string("<mask>");
    t.added_.push_back({s, t.index_[s], mask, false, !mask, true});
  }
  const int64_t cls = t.index_["<s>"], sep = t.index_["</s>"];
  t.single_ = {{-1, {cls}, 0}, {0, {}, 0}, {-1, {sep}, 0}};
  t.pair_ = {{-1, {cls}, 0}, {0, {}, 0}, {-1, {sep}, 0},
             {-1, {sep}, 0}, {1, {}, 0}, {-1, {sep}, 0}};
  if (opts.trim_offsets) t.trimSteps_.push_back(opts.add_prefix_space);
  t.finish(vocabJson);
  t.files_ = {{"vocab.json", fileutil::readFile(vocabJson)}, {"merges.txt", text}};
  t.files_["tokenizer.json"] = t.robertaTokenizerJson(merges);
  return t;
}

// What RobertaTokenizerFast converts these files to, so that exports carry a
// tokenizer.json (transformers.js reads only that).
std::string ByteLevelBpeTokenizer::robertaTokenizerJson(
    const std::vector<std::pair<std::string, std::string>>& merges) const {
  using ojson = nlohmann::ordered_json;
  std::vector<std::pair<int64_t, std::string>> byId;
  for (const auto& [piece, id] : index_) byId.emplace_back(id, piece);
  std::sort(byId.begin(), byId.end());
  std::vector<std::pair<std::string, int64_t>> entries;
  entries.reserve(byId.size());
  for (const auto& [id, piece] : byId) entries.emplace_back(piece, id);
  const ojson vocab = jsonutil::orderedObject(entries);
  ojson mergeList = ojson::array();
  for (const auto& [a, b] : merges) mergeList.push_back({a, b});
  ojson added = ojson::array();
  for (const AddedToken& a : added_)
    added.push_back({{"id", a.id},
                     {"content", a.content},
                     {"single_word", false},
                     {"lstrip", a.lstrip},
                     {"rstrip", a.rstrip},
                     {"normalized", a.normalized},
                     {"special", a.special}});
  const ojson byteLevel = {{"type", "ByteLevel"},
                           {"add_prefix_space", opts_.add_prefix_space},
                           {"trim_offsets", opts_.trim_offsets},
                           {"use_regex", true}};
  ojson j = {{"version", "1.0"},      {"truncation", nullptr}, {"padding", nullptr},
             {"added_tokens", added}, {"normalizer", nullptr}, {"pre_tokenizer", byteLevel}};
  j["post_processor"] = {{"type", "RobertaProcessing"},
                         {"sep", {piece(sep_), sep_}},
                         {"cls", {piece(cls_), cls_}},
                         {"trim_offsets", opts_.trim_offsets},
                         {"add_prefix_space", opts_.add_prefix_space}};
  j["decoder"] = byteLevel;
  j["model"] = {{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", ""},
                {"end_of_word_suffix", ""},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"ignore_merges", false},
                {"vocab", vocab},
                {"merges", mergeList}};
  return j.dump(1) + "\n";
}

void ByteLevelBpeTokenizer::readModel(const json& model, const std::string& where) {
  const std::string type = jsonutil::optString(model, "type", where, "BPE");
  if (type != "BPE") throw Error(where + ": model type " + quoteText(type) + " is not BPE");
  readVocab(jsonutil::field(model, "vocab", where), where + ": model.vocab");
  const json& list = jsonutil::field(model, "merges", where);
  if (!list.is_array()) throw Error(where + ": model.merges must be a list");
  std::vector<std::pair<std::string, std::string>> merges(list.size());
  auto name = [&](size_t i) { return where + ": model.merges[" + std::to_string(i) + "]"; };
  for (size_t i = 0; i < list.size(); ++i) {
    const json& m = list[i];
    const bool ok = m.is_string()
                        ? splitMerge(m.get<std::string>(), merges[i])
                        : m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string();
    if (!ok)
      throw Error(name(i) + " must be \"a b\" or [\"a\", \"b\"], got " + jsonutil::describe(m));
    if (m.is_array()) merges[i] = {m[0].get<std::string>(), m[1].get<std::string>()};
  }
  readMerges(merges, name);
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (!jsonutil::optString(model, key, where).empty())
      throw Error(where + ": model." + key + " is not supported (byte-level BPE has none)");
  if (jsonutil::optNumber(model, "dropout", where, 0, 0, 1) != 0)
    throw Error(where + ": BPE dropout is not supported (it is for training)");
  if (jsonutil::optBool(model, "byte_fallback", where, false))
    throw Error(where + ": model.byte_fallback is not supported (byte-level BPE needs none)");
  fuseUnk_ = jsonutil::optBool(model, "fuse_unk", where, false);
  ignoreMerges_ = jsonutil::optBool(model, "ignore_merges", where, false);
  const std::string unk = jsonutil::optString(model, "unk_token", where);
  if (!unk.empty() && !index_.count(unk))
    throw Error(where + ": model.unk_token " + quoteText(unk) + " is not in the vocabulary");
  modelUnk_ = unk.empty() ? -1 : index_[unk];
}

// RobertaProcessing, TemplateProcessing, ByteLevel, a Sequence of those, or
// none; `templated`: a step that adds special tokens has been read.
void ByteLevelBpeTokenizer::readPostProcessor(const json& p, const std::string& where,
                                              bool& templated) {
  if (p.is_null()) return;
  const std::string type = jsonutil::getString(p, "type", where + ": post_processor");
  const bool adds = type == "RobertaProcessing" || type == "TemplateProcessing";
  if (templated && (adds || type == "ByteLevel"))
    throw Error(where + ": post_processor steps after the one that adds special tokens are " +
                "not supported");
  if (type == "ByteLevel" || type == "RobertaProcessing") {
    if (jsonutil::optBool(p, "trim_offsets", where, true))
      trimSteps_.push_back(jsonutil::optBool(p, "add_prefix_space", where, true));
  }
  if (type == "RobertaProcessing") {
    const int64_t cls = idOfPair(p, "cls", where), sep = idOfPair(p, "sep", where);
    single_ = {{-1, {cls}, 0}, {0, {}, 0}, {-1, {sep}, 0}};
    pair_ = {{-1, {cls}, 0}, {0, {}, 0}, {-1, {sep}, 0},
             {-1, {sep}, 0}, {1, {}, 0}, {-1, {sep}, 0}};
  } else if (type == "TemplateProcessing") {
    single_ = readTemplate(p, "single", where + ": post_processor");
    pair_ = readTemplate(p, "pair", where + ": post_processor");
  } else if (type == "Sequence") {
    const json& steps = jsonutil::field(p, "processors", where + ": post_processor");
    if (!steps.is_array()) throw Error(where + ": post_processor.processors must be a list");
    for (const json& step : steps) readPostProcessor(step, where, templated);
  } else if (type != "ByteLevel") {
    throw Error(where + ": post_processor " + quoteText(type) +
                " is not supported (RobertaProcessing, " +
                "TemplateProcessing, ByteLevel and Sequence are)");
  }
  templated = templated || adds;
}

void ByteLevelBpeTokenizer::readAddedTokens(const json& list, const std::string& where) {
  for (const auto& a : postproc::readAddedTokens(list, where))
    added_.push_back({a.content, a.id, a.lstrip, a.rstrip, a.normalized, a.special});
}

ByteLevelBpeTokenizer ByteLevelBpeTokenizer::fromTokenizerJson(const std::string& path) {
  const json j = parseJsonFile(path);
  ByteLevelBpeTokenizer t;
  try {
    if (!j.is_object()) throw Error(path + ": expected a JSON object");
    t.readModel(jsonutil::field(j, "model", path), path);
    if (j.contains("normalizer") && !j["normalizer"].is_null())
      throw Error(path + ": normalizer " + jsonutil::describe(j["normalizer"]) +
                  " is not supported (byte-level BPE has none)");
    const json& pre = jsonutil::field(j, "pre_tokenizer", path);
    if (!pre.is_object() || pre.value("type", std::string()) != "ByteLevel")
      throw Error(path + ": pre_tokenizer must be ByteLevel, got " + jsonutil::describe(pre));
    t.opts_.add_prefix_space = jsonutil::optBool(pre, "add_prefix_space", path, true);
    t.useRegex_ = jsonutil::optBool(pre, "use_regex", path, true);
    t.single_ = {{0, {}, 0}};  // no post-processor: the texts, the pair's of type 1
    t.pair_ = {{0, {}, 0}, {1, {}, 1}};
    bool templated = false;
    if (j.contains("post_processor")) t.readPostProcessor(j["post_processor"], path, templated);
    t.opts_.trim_offsets = !t.trimSteps_.empty();
    const json decoder = j.value("decoder", json());
    if (!decoder.is_null() && decoder.value("type", std::string()) != "ByteLevel")
      throw Error(path + ": decoder " + jsonutil::describe(decoder) + " is not supported");
    t.byteLevelDecoder_ = !decoder.is_null();
    t.readAddedTokens(j.value("added_tokens", json::array()), path);
    t.finish(path);
  } catch (const json::exception& e) {
    throw Error(path + ": unexpected structure (" + e.what() + ")");
  }
  t.files_ = {{"tokenizer.json", fileutil::readFile(path)}};
  return t;
}

bool ByteLevelBpeTokenizer::existsIn(const std::string& dir) {
  return fileutil::exists(fileutil::joinPath(dir, "tokenizer.json")) ||
         (fileutil::exists(fileutil::joinPath(dir, "vocab.json")) &&
          fileutil::exists(fileutil::joinPath(dir, "merges.txt")));
}

ByteLevelBpeTokenizer ByteLevelBpeTokenizer::fromDirectory(const std::string& dir) {
  const std::string tj = fileutil::joinPath(dir, "tokenizer.json");
  if (fileutil::exists(tj)) return fromTokenizerJson(tj);
  if (!existsIn(dir))
    throw Error(dir + ": no tokenizer (neither tokenizer.json nor vocab.json + merges.txt)");
  BpeOptions opts;
  const std::string cfg = fileutil::joinPath(dir, "tokenizer_config.json");
  if (fileutil::exists(cfg)) {
    const json c = parseJsonFile(cfg);
    opts.add_prefix_space = jsonutil::optBool(c, "add_prefix_space", cfg, opts.add_prefix_space);
    opts.trim_offsets = jsonutil::optBool(c, "trim_offsets", cfg, opts.trim_offsets);
  }
  return fromVocabAndMerges(fileutil::joinPath(dir, "vocab.json"),
                            fileutil::joinPath(dir, "merges.txt"), opts);
}

// ---- After loading

void ByteLevelBpeTokenizer::finish(const std::string& where) {
  // Added tokens keep their ids; those past the model's vocabulary follow it without gaps.
  const size_t modelSize = pieces_.size();
  std::vector<bool> taken(modelSize + added_.size(), false);
  for (const auto& a : added_) {
    if (a.id >= static_cast<int64_t>(taken.size()) || taken[static_cast<size_t>(a.id)])
      throw Error(where + ": added token " + quoteText(a.content) + " has id " +
                  std::to_string(a.id) + ", taken or past the vocabulary of " +
                  std::to_string(modelSize) + " pieces and the added tokens after it");
    taken[static_cast<size_t>(a.id)] = true;
  }
  size_t size = modelSize;
  while (size < taken.size() && taken[size]) ++size;
  for (size_t i = size; i < taken.size(); ++i)
    if (taken[i]) throw Error(where + ": added token ids leave a gap at " + std::to_string(size));
  pieces_.resize(size);
  special_.assign(size, false);
  for (const auto& a : added_) {
    pieces_[static_cast<size_t>(a.id)] = a.content;
    special_[static_cast<size_t>(a.id)] = a.special;
  }
  spaces_.resize(size);
  for (size_t i = 0; i < size; ++i) spaces_[i] = spaceCounts(pieces_[i]);
  for (int b = 0; b < 256; ++b) {
    auto it = index_.find(bytePiece(b));
    byteIds_[b] = it == index_.end() ? -1 : static_cast<int32_t>(it->second);
    if (byteIds_[b] < 0 && modelUnk_ < 0)
      throw Error(where + ": the vocabulary lacks " + quoteText(bytePiece(b)) + ", the piece of" +
                  " byte " + std::to_string(b) + ", and has no unk_token for it");
  }
  for (const std::vector<TemplatePiece>* t : {&single_, &pair_})
    for (const auto& p : *t)
      for (int64_t id : p.ids)
        if (id < 0 || id >= static_cast<int64_t>(size))
          throw Error(where + ": the post-processor adds id " + std::to_string(id) +
                      ", outside the vocabulary of " + std::to_string(size));
  for (const auto& p : single_)
    if (p.sequence == 1) throw Error(where + ": the single-text template names the pair");
  if (single_.size() > 1 && single_.front().sequence < 0) cls_ = single_.front().ids.front();
  if (single_.size() > 1 && single_.back().sequence < 0) sep_ = single_.back().ids.back();
  pad_ = idOf("<pad>");
  unk_ = modelUnk_ >= 0 ? modelUnk_ : idOf("<unk>");
  mask_ = idOf("<mask>");
  cache_ = newCache();
}

void ByteLevelBpeTokenizer::save(const std::string& dir, int64_t modelMaxLength) const {
  for (const auto& [name, text] : files_)
    fileutil::writeFileAtomic(fileutil::joinPath(dir, name), text);
  json specials = json::object();
  const std::pair<const char*, int64_t> roles[] = {
      {"bos_token", cls_}, {"cls_token", cls_}, {"eos_token", sep_},  {"sep_token", sep_},
      {"unk_token", unk_}, {"pad_token", pad_}, {"mask_token", mask_}};
  for (const auto& [role, id] : roles)
    if (id >= 0) specials[role] = piece(id);
  json cfg = specials;
  cfg["tokenizer_class"] = "RobertaTokenizer";
  cfg["add_prefix_space"] = opts_.add_prefix_space;
  cfg["trim_offsets"] = opts_.trim_offsets;
  cfg["model_max_length"] = modelMaxLength;
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "tokenizer_config.json"), cfg.dump(2) + "\n");
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "special_tokens_map.json"),
                            specials.dump(2) + "\n");
}

int64_t ByteLevelBpeTokenizer::idOf(const std::string& piece) const {
  for (const auto& a : added_)
    if (a.content == piece) return a.id;
  auto it = index_.find(piece);
  return it == index_.end() ? -1 : it->second;
}

}  // namespace pp
