// The Unigram model and the Metaspace pre-tokenizer, as Hugging Face
// tokenizers runs them (tokenizers/src/models/unigram/model.rs:
// encode_optimized and tokenize; pre_tokenizers/metaspace.rs).
#include "formats/unigram_model.h"

#include <cstdio>
#include <limits>

#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"

namespace pp {

namespace {
constexpr double kUnkPenalty = 10.0;

size_t charLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

uint64_t edgeKey(int32_t node, unsigned char b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 8) | b;
}
}  // namespace

UnigramModel::UnigramModel(std::vector<std::pair<std::string, double>> vocab, int64_t unkId,
                           bool byteFallback, const std::string& where)
    : vocab_(std::move(vocab)), unk_(unkId), byteFallback_(byteFallback) {
  if (unk_ >= 0 && vocab_.empty())
    throw Error(where + ": the vocabulary is empty but unk_id needs a piece");
  if (unk_ >= static_cast<int64_t>(vocab_.size()))
    throw Error(where + ": unk_id " + std::to_string(unk_) + " is past the vocabulary of " +
                std::to_string(vocab_.size()) + " pieces");
  double minScore = std::numeric_limits<double>::infinity();
  nodeId_.push_back(-1);
  for (size_t id = 0; id < vocab_.size(); ++id) {
    const std::string& p = vocab_[id].first;
    index_[p] = static_cast<int64_t>(id);
    minScore = std::min(minScore, vocab_[id].second);
    int32_t node = 0;
    for (unsigned char b : p) {
      auto [it, fresh] = edges_.emplace(edgeKey(node, b), static_cast<int32_t>(nodeId_.size()));
      if (fresh) nodeId_.push_back(-1);
      node = it->second;
    }
    if (!p.empty()) nodeId_[static_cast<size_t>(node)] = static_cast<int64_t>(id);
  }
  unkScore_ = minScore - kUnkPenalty;
}

int32_t UnigramModel::child(int32_t node, unsigned char b) const {
  auto it = edges_.find(edgeKey(node, b));
  return it == edges_.end() ? -1 : it->second;
}

int64_t UnigramModel::idOf(const std::string& piece) const {
  auto it = index_.find(piece);
  return it == index_.end() ? -1 : it->second;
}

// The best path through the pieces that start at each character (ties: the
// first found, shorter pieces first); characters without a piece of their
// own get <unk> at the lowest score less 10; neighbouring <unk>s fuse.
std::vector<std::string> UnigramModel::viterbi(const std::string& w) const {
  struct Best {
    int64_t id = 0;
    double score = 0;
    size_t start = std::string::npos;
  };
  const size_t n = w.size();
  std::vector<Best> best(n + 1);
  for (size_t at = 0; at < n;) {
    const double here = best[at].score;
    const size_t mblen = std::min(charLength(static_cast<unsigned char>(w[at])), n - at);
    bool single = false;
    auto offer = [&](size_t end, int64_t id, double score) {
      Best& t = best[end];
      if (t.start == std::string::npos || score + here > t.score) t = {id, score + here, at};
    };
    int32_t node = 0;
    for (size_t i = at; i < n && (node = child(node, static_cast<unsigned char>(w[i]))) >= 0; ++i) {
      const int64_t id = nodeId_[static_cast<size_t>(node)];
      if (id < 0) continue;
      offer(i + 1, id, vocab_[static_cast<size_t>(id)].second);
      single = single || i + 1 - at == mblen;
    }
    if (!single) {
      if (unk_ < 0)
        throw Error("the tokenizer has no piece for \"" + w.substr(at, mblen) + "\" and no unk_id");
      offer(at + mblen, unk_, unkScore_);
    }
    at += mblen;
  }
  std::vector<std::string> out;
  std::string unk;
  for (size_t end = n; end > 0;) {
    const Best& b = best[end];
    if (b.id == unk_) {
      unk.insert(0, w, b.start, end - b.start);
    } else {
      if (!unk.empty()) out.push_back(std::move(unk));
      unk.clear();
      out.push_back(w.substr(b.start, end - b.start));
    }
    end = b.start;
  }
  if (!unk.empty()) out.push_back(std::move(unk));
  return {out.rbegin(), out.rend()};
}

void UnigramModel::encode(const std::string& word, std::vector<int64_t>& out) const {
  if (word.empty()) return;
  for (const std::string& piece : viterbi(word)) {
    const int64_t id = idOf(piece);
    if (id >= 0) {
      out.push_back(id);
      continue;
    }
    if (byteFallback_) {
      std::vector<int64_t> bytes;
      for (unsigned char b : piece) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        const int64_t byteId = idOf(name);
        if (byteId < 0) break;
        bytes.push_back(byteId);
      }
      if (bytes.size() == piece.size()) {
        out.insert(out.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    if (unk_ < 0)
      throw Error("the tokenizer has no piece for " + quoteText(piece) + " and no unk_id");
    out.push_back(unk_);
  }
}

std::vector<std::string> Metaspace::apply(const std::string& segment, bool first) const {
  if (segment.empty()) return {};  // tokenizers prepends nothing to an empty text
  std::string s;
  for (char c : segment) {
    if (c == ' ')
      s += replacement;
    else
      s += c;
  }
  const bool starts = s.compare(0, replacement.size(), replacement) == 0;
  if (!starts && (prepend == Prepend::Always || (prepend == Prepend::First && first)))
    s.insert(0, replacement);
  if (!split) return s.empty() ? std::vector<std::string>{} : std::vector<std::string>{s};
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t p = s.find(replacement, 1); p != std::string::npos;
       p = s.find(replacement, p + replacement.size())) {
    if (p > from) out.push_back(s.substr(from, p - from));
    from = p;
  }
  if (from < s.size()) out.push_back(s.substr(from));
  return out;
}

}  // namespace pp
