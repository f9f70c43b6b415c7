#include "paretoprune/eval/entity_metrics.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "paretoprune/base/error.h"

namespace pp {

const char* tagSchemeName(TagScheme s) {
  switch (s) {
    case TagScheme::Auto:
      return "auto";
    case TagScheme::IOB1:
      return "IOB1";
    case TagScheme::IOB2:
      return "IOB2";
    case TagScheme::IOBES:
      return "IOBES";
  }
  return "?";
}

TagScheme parseTagScheme(const std::string& s) {
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "auto") return TagScheme::Auto;
  if (l == "iob1") return TagScheme::IOB1;
  if (l == "iob2" || l == "bio" || l == "iob") return TagScheme::IOB2;
  if (l == "iobes" || l == "bioes" || l == "bilou") return TagScheme::IOBES;
  throw Error("unknown tagging scheme \"" + s + "\" (auto, iob1, iob2/bio or iobes)");
}

Tag splitTag(const std::string& tag) {
  if (tag == "O" || tag.empty()) return {};
  if (tag.size() >= 2 && tag[1] == '-' && std::string("BIES").find(tag[0]) != std::string::npos)
    return {tag[0], tag.substr(2)};
  return {'I', tag};  // a raw type, as conlleval -r reads it
}

namespace {
// conlleval's endOfChunk: the chunk open at prev ends before tag.
bool endsBefore(const Tag& prev, const Tag& tag) {
  const char p = prev.prefix, t = tag.prefix;
  if (p == 'E' || p == 'S') return true;
  if ((p == 'B' || p == 'I') && (t == 'B' || t == 'S' || t == 'O')) return true;
  return p != 'O' && prev.type != tag.type;
}
// conlleval's startOfChunk: a chunk starts at tag after prev.
bool startsAt(const Tag& prev, const Tag& tag) {
  const char p = prev.prefix, t = tag.prefix;
  if (t == 'B' || t == 'S') return true;
  if ((t == 'E' || t == 'I') && (p == 'E' || p == 'S' || p == 'O')) return true;
  return t != 'O' && prev.type != tag.type;
}
}  // namespace

std::vector<Chunk> chunksOf(const std::vector<std::string>& tags) {
  std::vector<Chunk> out;
  Tag prev;
  int64_t open = -1;
  for (size_t i = 0; i <= tags.size(); ++i) {
    const Tag tag = i < tags.size() ? splitTag(tags[i]) : Tag();
    const auto at = static_cast<int64_t>(i);
    if (open >= 0 && endsBefore(prev, tag)) {
      out.push_back({open, at, prev.type});
      open = -1;
    }
    if (i < tags.size() && startsAt(prev, tag)) open = at;
    prev = tag;
  }
  return out;
}

namespace {
// The first gold chunk of `s` that begins with I- (the mark of IOB1), or -1.
int64_t chunkStartingWithI(const std::vector<std::string>& s) {
  for (const Chunk& c : chunksOf(s))
    if (splitTag(s[static_cast<size_t>(c.begin)]).prefix == 'I') return c.begin;
  return -1;
}
}  // namespace

TagScheme detectTagScheme(const std::vector<std::vector<std::string>>& gold) {
  bool iob1 = false;
  for (const auto& s : gold) {
    for (const auto& t : s) {
      const char p = splitTag(t).prefix;
      if (p == 'E' || p == 'S') return TagScheme::IOBES;
    }
    if (!iob1 && chunkStartingWithI(s) >= 0) iob1 = true;
  }
  return iob1 ? TagScheme::IOB1 : TagScheme::IOB2;
}

void checkTagScheme(const std::vector<std::vector<std::string>>& tags, TagScheme scheme,
                    const std::string& what) {
  if (scheme == TagScheme::Auto || scheme == TagScheme::IOBES) return;
  for (size_t s = 0; s < tags.size(); ++s) {
    const std::string where = what + ", sentence " + std::to_string(s + 1);
    for (const auto& t : tags[s]) {
      const char p = splitTag(t).prefix;
      if (p == 'E' || p == 'S')
        throw Error(where + ": tag \"" + t + "\" has no place in " + tagSchemeName(scheme) +
                    " (E- and S- are IOBES)");
    }
    const int64_t i = scheme == TagScheme::IOB2 ? chunkStartingWithI(tags[s]) : -1;
    if (i >= 0)
      throw Error(where + ": a chunk starts with \"" + tags[s][static_cast<size_t>(i)] +
                  "\" at word " + std::to_string(i + 1) +
                  ", which IOB2 does not allow (use --tag-scheme iob1 or auto)");
  }
}

namespace {
void score(int64_t gold, int64_t predicted, int64_t correct, double& p, double& r, double& f1) {
  p = predicted ? static_cast<double>(correct) / static_cast<double>(predicted) : 0.0;
  r = gold ? static_cast<double>(correct) / static_cast<double>(gold) : 0.0;
  f1 = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}
}  // namespace

EntityMetrics entityMetrics(const std::vector<std::vector<std::string>>& gold,
                            const std::vector<std::vector<std::string>>& predicted,
                            TagScheme scheme) {
  if (gold.size() != predicted.size())
    throw Error("entityMetrics: " + std::to_string(gold.size()) + " gold sentences but " +
                std::to_string(predicted.size()) + " predicted");
  EntityMetrics m;
  m.scheme = scheme == TagScheme::Auto ? detectTagScheme(gold) : scheme;
  std::map<std::string, TypeScore> types;
  int64_t rightTags = 0;
  for (size_t s = 0; s < gold.size(); ++s) {
    if (gold[s].size() != predicted[s].size())
      throw Error("entityMetrics: sentence " + std::to_string(s + 1) + " has " +
                  std::to_string(gold[s].size()) + " gold tags but " +
                  std::to_string(predicted[s].size()) + " predicted");
    for (size_t i = 0; i < gold[s].size(); ++i) {
      const Tag g = splitTag(gold[s][i]), p = splitTag(predicted[s][i]);
      if (g.prefix == p.prefix && g.type == p.type) ++rightTags;
    }
    const auto g = chunksOf(gold[s]), p = chunksOf(predicted[s]);
    for (const Chunk& c : g) ++types[c.type].gold;
    for (const Chunk& c : p) {
      ++types[c.type].predicted;
      if (std::find(g.begin(), g.end(), c) != g.end()) ++types[c.type].correct;
    }
    m.tokens += static_cast<int64_t>(gold[s].size());
  }
  m.sentences = static_cast<int64_t>(gold.size());
  for (auto& [name, t] : types) {
    t.type = name;
    score(t.gold, t.predicted, t.correct, t.precision, t.recall, t.f1);
    m.gold += t.gold;
    m.predicted += t.predicted;
    m.correct += t.correct;
    m.perType.push_back(t);
  }
  score(m.gold, m.predicted, m.correct, m.precision, m.recall, m.f1);
  m.tokenAccuracy = m.tokens ? static_cast<double>(rightTags) / static_cast<double>(m.tokens) : 0.0;
  return m;
}

}  // namespace pp
