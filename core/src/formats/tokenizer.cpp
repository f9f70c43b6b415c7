#include "paretoprune/formats/tokenizer.h"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "formats/post_processor.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

using nlohmann::json;

namespace {
// Hugging Face's default is 100; a word longer than this is [UNK] anyway.
constexpr int64_t kMaxWordCharsLimit = 100000;
// The longest vocabulary piece that can match a word (bert-base-uncased's
// is 18 characters): a word then costs at most its length times this.
constexpr size_t kMaxPieceChars = 1000;

// Decodes UTF-8, turning each malformed byte into U+FFFD (which cleaning drops).
std::u32string decodeLossy(const std::string& s) {
  std::u32string out;
  if (unicode::decodeUtf8(s, out)) return out;
  out.clear();
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    unsigned char b = static_cast<unsigned char>(s[i]);
    if ((b & 0xE0) == 0xC0)
      len = 2;
    else if ((b & 0xF0) == 0xE0)
      len = 3;
    else if ((b & 0xF8) == 0xF0)
      len = 4;
    std::u32string one;
    if (i + len <= s.size() && unicode::decodeUtf8(std::string_view(s).substr(i, len), one)) {
      out += one;
      i += len;
    } else {
      out.push_back(0xFFFD);
      ++i;
    }
  }
  return out;
}

const std::vector<std::string> kDefaultSpecials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

}  // namespace

void WordPieceTokenizer::finish(const std::vector<std::string>& specials) {
  if (pieces_.empty()) throw Error("vocabulary is empty");
  index_.clear();
  for (size_t i = 0; i < pieces_.size(); ++i) {
    if (!index_.emplace(pieces_[i], static_cast<int64_t>(i)).second)
      throw Error("vocabulary holds the piece " + quoteText(pieces_[i]) + " twice (ids " +
                  std::to_string(index_[pieces_[i]]) + " and " + std::to_string(i) + ")");
  }
  for (const char* required : {"[UNK]", "[CLS]", "[SEP]"})
    if (!index_.count(required))
      throw Error(std::string("vocabulary lacks the special token ") + required +
                  " that BERT needs");
  trie_.assign(2, TrieNode{});
  edges_.clear();
  std::u32string chars;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const std::string& p = pieces_[i];
    chars.clear();
    if (!unicode::decodeUtf8(p, chars) || chars.empty()) continue;  // can never match a word
    trieInsert(0, chars, static_cast<int64_t>(i));
    if (prefix_.empty())
      trieInsert(1, chars, static_cast<int64_t>(i));  // no mark: any piece goes on
    if (prefix_.empty() || p.size() <= prefix_.size() || p.compare(0, prefix_.size(), prefix_) != 0)
      continue;
    chars.clear();
    if (unicode::decodeUtf8(std::string_view(p).substr(prefix_.size()), chars))
      trieInsert(1, chars, static_cast<int64_t>(i));
  }
  unk_ = index_["[UNK]"];
  cls_ = index_["[CLS]"];
  sep_ = index_["[SEP]"];
  pad_ = index_.count("[PAD]") ? index_["[PAD]"] : 0;
  specials_.clear();
  for (const auto& s : specials) {
    auto it = index_.find(s);
    if (it != index_.end() && !s.empty()) specials_.emplace_back(s, it->second);
  }
}

WordPieceTokenizer WordPieceTokenizer::fromVocabFile(const std::string& path,
                                                     NormalizerOptions opts) {
  std::string text = fileutil::readFile(path);
  WordPieceTokenizer t;
  t.opts_ = opts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!unicode::isValidUtf8(line))
      throw Error(path + ": line " + std::to_string(t.pieces_.size() + 1) + " is not valid UTF-8");
    t.pieces_.push_back(std::move(line));
    start = end + 1;
  }
  try {
    t.finish(kDefaultSpecials);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return t;
}

WordPieceTokenizer WordPieceTokenizer::fromTokenizerJson(const std::string& path) {
  json j = jsonutil::parse(fileutil::readFile(path), path);
  WordPieceTokenizer t;
  try {
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
      throw Error("no \"model\" object");
    const json& model = j["model"];
    if (model.value("type", std::string("WordPiece")) != "WordPiece")
      throw Error("model type " + quoteText(model.value("type", std::string())) +
                  " is not WordPiece");
    if (!model.contains("vocab") || !model["vocab"].is_object())
      throw Error("model.vocab must be an object");
    const json& vocab = model["vocab"];
    t.pieces_.assign(vocab.size(), std::string());
    std::vector<bool> seen(vocab.size(), false);
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
      if (!it.value().is_number_integer())
        throw Error("vocab id of " + quoteText(it.key()) + " is not an integer");
      int64_t id = it.value().get<int64_t>();
      if (id < 0 || id >= static_cast<int64_t>(vocab.size()) || seen[static_cast<size_t>(id)])
        throw Error("vocab ids must be 0..n-1 without gaps or repeats (" + quoteText(it.key()) +
                    " has " + std::to_string(id) + ")");
      seen[static_cast<size_t>(id)] = true;
      t.pieces_[static_cast<size_t>(id)] = it.key();
    }
    if (model.contains("continuing_subword_prefix") &&
        model["continuing_subword_prefix"].is_string())
      t.prefix_ = model["continuing_subword_prefix"].get<std::string>();
    if (model.contains("max_input_chars_per_word")) {
      const json& m = model["max_input_chars_per_word"];
      if (!m.is_number_integer() || m.get<int64_t>() < 1 || m.get<int64_t>() > kMaxWordCharsLimit)
        throw Error("max_input_chars_per_word must be a whole number from 1 to " +
                    std::to_string(kMaxWordCharsLimit) + ", got " + jsonutil::describe(m));
      t.maxWordChars_ = m.get<size_t>();
    }
    if (j.contains("normalizer") && !j["normalizer"].is_null()) {
      const json& n = j["normalizer"];
      if (n.value("type", std::string()) != "BertNormalizer")
        throw Error("normalizer " + quoteText(n.value("type", std::string())) +
                    " is not supported (BertNormalizer is)");
      t.opts_.clean_text = n.value("clean_text", true);
      t.opts_.handle_chinese_chars = n.value("handle_chinese_chars", true);
      t.opts_.lowercase = n.value("lowercase", true);
      t.opts_.strip_accents = (n.contains("strip_accents") && n["strip_accents"].is_boolean())
                                  ? n["strip_accents"].get<bool>()
                                  : t.opts_.lowercase;
    } else {
      t.opts_ = {false, false, false, false};
    }
    std::vector<std::string> specials;
    if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
      for (const auto& a : j["added_tokens"])
        if (a.is_object() && a.contains("content") && a["content"].is_string())
          specials.push_back(a["content"].get<std::string>());
    } else {
      specials = kDefaultSpecials;
    }
    t.finish(specials);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  } catch (const json::exception& e) {
    throw Error(path + ": unexpected structure (" + e.what() + ")");
  }
  return t;
}

bool WordPieceTokenizer::existsIn(const std::string& dir) {
  return fileutil::exists(fileutil::joinPath(dir, "tokenizer.json")) ||
         fileutil::exists(fileutil::joinPath(dir, "vocab.txt"));
}

WordPieceTokenizer WordPieceTokenizer::fromDirectory(const std::string& dir) {
  const std::string tj = fileutil::joinPath(dir, "tokenizer.json");
  if (fileutil::exists(tj)) return fromTokenizerJson(tj);
  const std::string vocab = fileutil::joinPath(dir, "vocab.txt");
  if (!fileutil::exists(vocab))
    throw Error(dir + ": no tokenizer (neither tokenizer.json nor vocab.txt is there)");
  NormalizerOptions opts;
  const std::string cfg = fileutil::joinPath(dir, "tokenizer_config.json");
  if (fileutil::exists(cfg)) {
    json c = jsonutil::parse(fileutil::readFile(cfg), cfg);
    if (c.is_object()) {
      if (c.contains("do_lower_case") && c["do_lower_case"].is_boolean())
        opts.lowercase = c["do_lower_case"].get<bool>();
      opts.strip_accents = (c.contains("strip_accents") && c["strip_accents"].is_boolean())
                               ? c["strip_accents"].get<bool>()
                               : opts.lowercase;
      if (c.contains("tokenize_chinese_chars") && c["tokenize_chinese_chars"].is_boolean())
        opts.handle_chinese_chars = c["tokenize_chinese_chars"].get<bool>();
    }
  }
  return fromVocabFile(vocab, opts);
}

int64_t WordPieceTokenizer::idOf(const std::string& piece) const {
  auto it = index_.find(piece);
  return it == index_.end() ? -1 : it->second;
}

uint32_t WordPieceTokenizer::trieChild(uint32_t node, char32_t c) const {
  auto it = edges_.find(static_cast<uint64_t>(node) << 21 | static_cast<uint64_t>(c));
  return it == edges_.end() ? 0 : it->second;  // 0: none (the root is nobody's child)
}

void WordPieceTokenizer::trieInsert(uint32_t root, const std::u32string& piece, int64_t id) {
  // Longer than a word can be: never matched, left out. A piece that can
  // match is walked at every position of a word; past kMaxPieceChars a
  // hostile vocabulary could make each word cost its length squared.
  if (piece.size() > maxWordChars_) return;
  if (piece.size() > kMaxPieceChars)
    throw Error("vocabulary piece " + std::to_string(id) + " is " + std::to_string(piece.size()) +
                " characters long (" + quoteText(pieces_[static_cast<size_t>(id)]) +
                "); pieces of up to " + std::to_string(kMaxPieceChars) + " are read");
  uint32_t node = root;
  for (char32_t c : piece) {
    const uint64_t key = static_cast<uint64_t>(node) << 21 | static_cast<uint64_t>(c & 0x1FFFFF);
    auto it = edges_.find(key);
    if (it == edges_.end()) {
      it = edges_.emplace(key, static_cast<uint32_t>(trie_.size())).first;
      trie_.push_back({});
    }
    node = it->second;
  }
  if (trie_[node].id < 0) trie_[node].id = id;  // the first of equal pieces, as the index has it
}

// Greedy longest match first (Hugging Face's WordPiece): the longest piece
// the word starts with, then the longest continuing piece, and so on; a
// word with a part no piece matches is [UNK] whole.
void WordPieceTokenizer::wordPiece(const std::u32string& word, std::vector<int64_t>& out) const {
  if (word.size() > maxWordChars_) {
    out.push_back(unk_);
    return;
  }
  const size_t before = out.size();
  size_t start = 0;
  while (start < word.size()) {
    uint32_t node = start == 0 ? 0 : 1;
    int64_t found = -1;
    size_t end = start;
    for (size_t i = start; i < word.size(); ++i) {
      node = trieChild(node, word[i]);
      if (node == 0) break;
      if (trie_[node].id >= 0) {
        found = trie_[node].id;
        end = i + 1;
      }
    }
    if (found < 0) {
      out.resize(before);
      out.push_back(unk_);
      return;
    }
    out.push_back(found);
    start = end;
  }
}

void WordPieceTokenizer::normalizeAndSplit(const std::string& segment, std::vector<int64_t>& out,
                                           std::vector<size_t>* wordEnds) const {
  std::u32string in = decodeLossy(segment);
  std::u32string a;
  a.reserve(in.size());
  for (char32_t c : in) {
    if (opts_.clean_text) {
      if (c == 0 || c == 0xFFFD || unicode::isControl(c)) continue;
      if (unicode::isWhitespace(c)) c = U' ';
    }
    if (opts_.handle_chinese_chars && unicode::isCjk(c)) {
      a.push_back(U' ');
      a.push_back(c);
      a.push_back(U' ');
    } else {
      a.push_back(c);
    }
  }
  if (opts_.strip_accents) {
    std::u32string b, d;
    b.reserve(a.size());
    for (char32_t c : a) {
      d.clear();
      unicode::appendNfd(d, c);
      for (char32_t x : d)
        if (!unicode::isNonSpacingMark(x)) b.push_back(x);
    }
    a.swap(b);
  }
  if (opts_.lowercase) {
    std::u32string b;
    b.reserve(a.size());
    for (char32_t c : a) unicode::appendLower(b, c);
    a.swap(b);
  }
  // BertPreTokenizer: split on whitespace, isolate each punctuation character.
  std::u32string word;
  auto flush = [&] {
    if (!word.empty()) {
      wordPiece(word, out);
      if (wordEnds) wordEnds->push_back(out.size());
    }
    word.clear();
  };
  for (char32_t c : a) {
    if (unicode::isWhitespace(c)) {
      flush();
    } else if (unicode::isPunctuation(c)) {
      flush();
      word.push_back(c);
      flush();
    } else {
      word.push_back(c);
    }
  }
  flush();
}

std::vector<int64_t> WordPieceTokenizer::tokenIds(const std::string& text) const {
  return tokenIds(text, 0);
}

std::vector<int64_t> WordPieceTokenizer::tokenIds(const std::string& text, size_t limit) const {
  std::vector<int64_t> out;
  std::vector<size_t> ends;  // after each word (not after special tokens, as in tokenizers)
  // Special tokens are matched on the raw text first (leftmost, then longest).
  size_t pos = 0, segStart = 0;
  while (pos < text.size()) {
    size_t bestLen = 0;
    int64_t bestId = -1;
    for (const auto& [s, id] : specials_) {
      if (s.size() > bestLen && text.compare(pos, s.size(), s) == 0) {
        bestLen = s.size();
        bestId = id;
      }
    }
    if (bestLen > 0) {
      if (pos > segStart) normalizeAndSplit(text.substr(segStart, pos - segStart), out, &ends);
      out.push_back(bestId);
      pos += bestLen;
      segStart = pos;
    } else {
      ++pos;
    }
  }
  if (segStart < text.size()) normalizeAndSplit(text.substr(segStart), out, &ends);
  for (size_t end : ends)
    if (limit > 0 && end >= limit) {
      out.resize(end);
      break;
    }
  return out;
}

std::vector<std::string> WordPieceTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (int64_t id : tokenIds(text)) out.push_back(piece(id));
  return out;
}

Encoding WordPieceTokenizer::encode(const std::string& text, const std::string* pair,
                                    int64_t maxLength) const {
  const size_t limit = static_cast<size_t>(std::max<int64_t>(0, maxLength));
  std::vector<int64_t> a = tokenIds(text, limit);
  std::vector<int64_t> b;
  if (pair) b = tokenIds(*pair, limit);
  if (maxLength > 0) {
    const int64_t specials = pair ? 3 : 2;
    size_t n1 = a.size(), n2 = b.size();
    postproc::truncateLengths(n1, n2, pair != nullptr,
                              static_cast<size_t>(std::max<int64_t>(0, maxLength - specials)));
    a.resize(n1);
    b.resize(n2);
  }
  Encoding e;
  e.ids.reserve(a.size() + b.size() + 3);
  e.ids.push_back(cls_);
  e.ids.insert(e.ids.end(), a.begin(), a.end());
  e.ids.push_back(sep_);
  e.type_ids.assign(e.ids.size(), 0);
  if (pair) {
    e.ids.insert(e.ids.end(), b.begin(), b.end());
    e.ids.push_back(sep_);
    e.type_ids.resize(e.ids.size(), 1);
  }
  return e;
}

void WordPieceTokenizer::save(const std::string& dir, int64_t modelMaxLength) const {
  std::string vocab;
  for (const auto& p : pieces_) vocab += p + "\n";
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "vocab.txt"), vocab);
  json cfg = {{"tokenizer_class", "BertTokenizer"},
              {"do_lower_case", opts_.lowercase},
              {"strip_accents",
               opts_.strip_accents == opts_.lowercase ? json(nullptr) : json(opts_.strip_accents)},
              {"tokenize_chinese_chars", opts_.handle_chinese_chars},
              {"unk_token", "[UNK]"},
              {"sep_token", "[SEP]"},
              {"pad_token", "[PAD]"},
              {"cls_token", "[CLS]"},
              {"mask_token", "[MASK]"},
              {"model_max_length", modelMaxLength}};
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "tokenizer_config.json"), cfg.dump(2) + "\n");
  json sm = {{"unk_token", "[UNK]"},
             {"sep_token", "[SEP]"},
             {"pad_token", "[PAD]"},
             {"cls_token", "[CLS]"},
             {"mask_token", "[MASK]"}};
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "special_tokens_map.json"), sm.dump(2) + "\n");
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "tokenizer.json"), tokenizerJson() + "\n");
}

std::string WordPieceTokenizer::tokenizerJson() const {
  using ojson = nlohmann::ordered_json;
  ojson added = ojson::array();
  for (const auto& [content, id] : specials_)
    added.push_back({{"id", id},
                     {"content", content},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  auto special = [](const std::string& name, int64_t type) {
    return ojson{{"SpecialToken", {{"id", name}, {"type_id", type}}}};
  };
  auto sequence = [](const char* name, int64_t type) {
    return ojson{{"Sequence", {{"id", name}, {"type_id", type}}}};
  };
  const std::string cls = piece(cls_), sep = piece(sep_);
  ojson single = {special(cls, 0), sequence("A", 0), special(sep, 0)};
  ojson pair = single;
  pair.push_back(sequence("B", 1));
  pair.push_back(special(sep, 1));
  ojson specialTokens = ojson::object();
  for (const auto& [name, id] : {std::make_pair(cls, cls_), std::make_pair(sep, sep_)})
    specialTokens[name] = {{"id", name}, {"ids", {id}}, {"tokens", {name}}};
  std::vector<std::pair<std::string, int64_t>> entries;
  entries.reserve(pieces_.size());
  for (size_t i = 0; i < pieces_.size(); ++i)
    entries.emplace_back(pieces_[i], static_cast<int64_t>(i));
  const ojson vocab = jsonutil::orderedObject(entries);
  ojson j = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer",
       {{"type", "BertNormalizer"},
        {"clean_text", opts_.clean_text},
        {"handle_chinese_chars", opts_.handle_chinese_chars},
        // null: follow lowercase (as the tokenizers library writes it)
        {"strip_accents",
         opts_.strip_accents == opts_.lowercase ? ojson(nullptr) : ojson(opts_.strip_accents)},
        {"lowercase", opts_.lowercase}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", single},
        {"pair", pair},
        {"special_tokens", specialTokens}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", prefix_}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", piece(unk_)},
        {"continuing_subword_prefix", prefix_},
        {"max_input_chars_per_word", maxWordChars_},
        {"vocab", vocab}}}};
  return j.dump(2);
}

}  // namespace pp
