#include "paretoprune/formats/tagging.h"
#include "paretoprune/base/json_parse.h"

#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/text_tokenizer.h"

namespace pp {

using nlohmann::json;

int64_t TaggedData::words() const {
  int64_t n = 0;
  for (const auto& s : sentences) n += static_cast<int64_t>(s.words.size());
  return n;
}

namespace {

bool jsonLinesExtension(const std::string& ext) {
  return ext == ".jsonl" || ext == ".json" || ext == ".ndjson";
}

// The model's labels for a message: "O, B-PER, I-PER, ..." (at most 12).
std::string labelList(const ModelConfig& c) {
  std::string out;
  for (size_t i = 0; i < c.id2label.size() && i < 12; ++i) out += (i ? ", " : "") + c.id2label[i];
  if (c.id2label.size() > 12) out += ", ...";
  return out;
}

int64_t tagId(const std::string& tag, const ModelConfig& c, const std::string& where) {
  const int64_t id = c.labelId(tag);
  if (id < 0)
    throw Error(where + ": tag " + quoteText(tag) + " is not one of the model's labels (" +
                labelList(c) + ")");
  return id;
}

std::vector<std::string> splitWhitespace(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

void parseConll(const std::string& text, const std::string& source, const ModelConfig& c,
                TaggedData& d) {
  TaggedSentence cur;
  auto flush = [&] {
    if (!cur.words.empty()) d.sentences.push_back(std::move(cur));
    cur = TaggedSentence();
  };
  size_t start = 0;
  int64_t no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto cols = splitWhitespace(line);
    if (cols.empty()) {
      flush();
      continue;
    }
    if (cols[0] == "-DOCSTART-") continue;
    const std::string where = source + ":" + std::to_string(no);
    if (cols.size() < 2)
      throw Error(where + ": \"" + cols[0] +
                  "\" has no tag column (expected a token, then its tag in the last column)");
    if (cur.words.empty()) cur.line = no;
    cur.words.push_back(cols.front());
    cur.tags.push_back(tagId(cols.back(), c, where));
  }
  flush();
}

std::vector<std::string> stringsOf(const json& v, const std::string& where, const char* key) {
  if (!v.is_array()) throw Error(where + ": " + quoteText(key) + " must be a list");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) throw Error(where + ": " + quoteText(key) + " must hold strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<int64_t> tagsOf(const json& v, const std::string& where, const char* key,
                            const ModelConfig& c) {
  if (!v.is_array()) throw Error(where + ": " + quoteText(key) + " must be a list");
  std::vector<int64_t> out;
  for (const auto& e : v) {
    if (e.is_string()) {
      out.push_back(tagId(e.get<std::string>(), c, where));
    } else if (e.is_number_integer()) {
      const int64_t id = e.get<int64_t>();
      if (id < 0 || id >= c.numLabels())
        throw Error(where + ": tag id " + std::to_string(id) + " is outside the model's " +
                    std::to_string(c.numLabels()) + " labels");
      out.push_back(id);
    } else {
      throw Error(where + ": " + quoteText(key) + " must hold tag names or label ids");
    }
  }
  return out;
}

const char* firstKey(const json& j, const char* a, const char* b) {
  return j.contains(a) ? a : j.contains(b) ? b : nullptr;
}

void parseJsonLines(const std::string& text, const std::string& source, const ModelConfig& c,
                    TaggedData& d) {
  size_t start = 0;
  int64_t no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source + ":" + std::to_string(no);
    std::string why;
    const std::optional<json> parsed = tryParseJson(line, &why);
    if (!parsed) throw Error(where + ": " + why);
    const json& j = *parsed;
    if (!j.is_object()) throw Error(where + ": not a JSON object");
    const char* wk = firstKey(j, "tokens", "words");
    const char* tk = firstKey(j, "tags", "ner_tags");
    if (!wk) throw Error(where + ": no \"tokens\" list");
    if (!tk) throw Error(where + ": no \"tags\" list");
    TaggedSentence s;
    s.line = no;
    s.words = stringsOf(j[wk], where, wk);
    s.tags = tagsOf(j[tk], where, tk, c);
    if (s.words.size() != s.tags.size())
      throw Error(where + ": " + std::to_string(s.words.size()) + " tokens but " +
                  std::to_string(s.tags.size()) + " tags");
    for (const auto& w : s.words)
      if (w.empty()) throw Error(where + ": an empty token");
    if (!s.words.empty()) d.sentences.push_back(std::move(s));
  }
}

}  // namespace

bool isTaggedDataFile(const std::string& path) {
  const std::string ext = fileutil::extension(path);
  if (ext == ".conll" || ext == ".conllu" || ext == ".bio" || ext == ".iob" || ext == ".ner")
    return true;
  if (!jsonLinesExtension(ext)) return false;
  std::ifstream in(path);
  std::string first;
  while (std::getline(in, first))
    if (first.find_first_not_of(" \t\r") != std::string::npos) break;
  const std::optional<json> j = tryParseJson(first);
  return j && j->is_object() && (j->contains("tokens") || j->contains("words"));
}

TaggedData parseTaggedData(const std::string& text, const std::string& source, bool jsonLines,
                           const ModelConfig& c) {
  TaggedData d;
  d.source = source;
  if (jsonLines)
    parseJsonLines(text, source, c, d);
  else
    parseConll(text, source, c, d);
  if (d.sentences.empty()) throw Error(source + ": no tagged sentences");
  return d;
}

TaggedData loadTaggedData(const std::string& path, const ModelConfig& c) {
  return parseTaggedData(fileutil::readFile(path), path,
                         jsonLinesExtension(fileutil::extension(path)), c);
}

namespace {
// The word's pieces without the special tokens encode() puts around them.
std::vector<int64_t> piecesOf(const TextTokenizer& tok, const std::string& word) {
  const bool bpe = tok.kind() == "bpe";
  std::vector<int64_t> ids = tok.encode(bpe ? " " + word : word).ids;
  if (!ids.empty() && tok.clsId() >= 0 && ids.front() == tok.clsId()) ids.erase(ids.begin());
  if (!ids.empty() && tok.sepId() >= 0 && ids.back() == tok.sepId()) ids.pop_back();
  if (ids.empty() && tok.unkId() >= 0) ids.push_back(tok.unkId());
  return ids;
}
}  // namespace

AlignedSentence alignWords(const TextTokenizer& tok, const TaggedSentence& s, int64_t maxLength) {
  AlignedSentence a;
  const bool cls = tok.clsId() >= 0, sep = tok.sepId() >= 0;
  const int64_t room = (maxLength > 0 ? maxLength : std::numeric_limits<int64_t>::max() / 2) -
                       (cls ? 1 : 0) - (sep ? 1 : 0);
  if (cls) {
    a.ids.push_back(tok.clsId());
    a.labels.push_back(kIgnoredLabel);
  }
  for (size_t w = 0; w < s.words.size(); ++w) {
    const std::vector<int64_t> p = piecesOf(tok, s.words[w]);
    if (p.empty()) {  // no pieces and no unknown token: scored as predicted "O"
      a.wordPiece.push_back(-1);
      continue;
    }
    if (static_cast<int64_t>(a.ids.size()) - (cls ? 1 : 0) + static_cast<int64_t>(p.size()) >
        room) {
      a.cut = true;
      break;
    }
    a.wordPiece.push_back(static_cast<int64_t>(a.ids.size()));
    for (size_t i = 0; i < p.size(); ++i) {
      a.ids.push_back(p[i]);
      a.labels.push_back(i == 0 ? s.tags[w] : kIgnoredLabel);
    }
  }
  if (sep) {
    a.ids.push_back(tok.sepId());
    a.labels.push_back(kIgnoredLabel);
  }
  a.typeIds.assign(a.ids.size(), 0);
  return a;
}

}  // namespace pp
