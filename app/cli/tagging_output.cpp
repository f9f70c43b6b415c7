#include "tagging_output.h"

#include <algorithm>
#include <cmath>

#include "format.h"

namespace ppcli {

using nlohmann::json;

void printEntityTable(std::ostream& out, const pp::EntityMetrics& m, int64_t cutSentences) {
  out << "entity F1    " << fixed(m.f1, 4) << "   precision " << fixed(m.precision, 4)
      << "   recall " << fixed(m.recall, 4) << "   token accuracy " << fixed(m.tokenAccuracy, 4)
      << "\n"
      << "entities     " << m.gold << " gold, " << m.predicted << " predicted, " << m.correct
      << " correct (" << pp::tagSchemeName(m.scheme) << ", conlleval chunks; " << m.sentences
      << " sentences, " << m.tokens << " words)\n";
  if (cutSentences > 0)
    out << "cut          " << cutSentences
        << " sentence(s) longer than the maximum length: their words past it are not scored\n";
  size_t w = 4;
  for (const auto& t : m.perType) w = std::max(w, t.type.size());
  const std::string pad(w, ' ');
  out << "  " << std::string("type") + pad.substr(4)
      << "  precision  recall      F1   gold  predicted\n";
  for (const auto& t : m.perType) {
    std::string name = t.type + pad.substr(t.type.size());
    auto col = [](const std::string& s, size_t width) {
      return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
    };
    out << "  " << name << col(fixed(t.precision, 4), 11) << col(fixed(t.recall, 4), 8)
        << col(fixed(t.f1, 4), 8) << col(std::to_string(t.gold), 7)
        << col(std::to_string(t.predicted), 11) << "\n";
  }
}

json entityJson(const pp::EntityMetrics& m, int64_t cutSentences) {
  json types = json::array();
  for (const auto& t : m.perType)
    types.push_back({{"type", t.type},
                     {"precision", t.precision},
                     {"recall", t.recall},
                     {"f1", t.f1},
                     {"gold", t.gold},
                     {"predicted", t.predicted},
                     {"correct", t.correct}});
  return {{"f1", m.f1},
          {"precision", m.precision},
          {"recall", m.recall},
          {"token_accuracy", m.tokenAccuracy},
          {"gold", m.gold},
          {"predicted", m.predicted},
          {"correct", m.correct},
          {"scheme", pp::tagSchemeName(m.scheme)},
          {"sentences", m.sentences},
          {"words", m.tokens},
          {"cut_sentences", cutSentences},
          {"per_type", types}};
}

std::vector<WordSpan> splitWords(const std::string& text) {
  std::vector<WordSpan> out;
  int64_t chars = 0;
  size_t i = 0;
  auto isSpace = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  auto lead = [](unsigned char c) { return (c & 0xC0) != 0x80; };  // starts a code point
  while (i < text.size()) {
    if (isSpace(static_cast<unsigned char>(text[i]))) {
      ++chars;
      ++i;
      continue;
    }
    WordSpan w;
    w.byteStart = i;
    w.start = chars;
    while (i < text.size() && !isSpace(static_cast<unsigned char>(text[i]))) {
      if (lead(static_cast<unsigned char>(text[i]))) ++chars;
      ++i;
    }
    w.byteEnd = i;
    w.end = chars;
    w.word = text.substr(w.byteStart, i - w.byteStart);
    out.push_back(std::move(w));
  }
  return out;
}

json taggedLine(const std::string& text, const std::vector<WordSpan>& words,
                const std::vector<float>& logits, const std::vector<std::string>& id2label) {
  const size_t K = id2label.size();
  std::vector<std::string> tags;
  std::vector<double> scores;
  for (size_t w = 0; w * K < logits.size() && w < words.size(); ++w) {
    const float* l = logits.data() + w * K;
    const size_t best = static_cast<size_t>(std::max_element(l, l + K) - l);
    double sum = 0;
    for (size_t k = 0; k < K; ++k) sum += std::exp(static_cast<double>(l[k] - l[best]));
    tags.push_back(id2label[best]);
    scores.push_back(1.0 / sum);
  }
  json entities = json::array();
  for (const pp::Chunk& c : pp::chunksOf(tags)) {
    const auto b = static_cast<size_t>(c.begin), e = static_cast<size_t>(c.end);
    double score = 0;
    for (size_t w = b; w < e; ++w) score += scores[w];
    const size_t from = words[b].byteStart, to = words[e - 1].byteEnd;
    entities.push_back({{"entity_group", c.type},
                        {"word", text.substr(from, to - from)},
                        {"start", words[b].start},
                        {"end", words[e - 1].end},
                        {"score", score / static_cast<double>(e - b)}});
  }
  return {{"entities", entities}, {"tags", tags}, {"scores", scores}};
}

}  // namespace ppcli
