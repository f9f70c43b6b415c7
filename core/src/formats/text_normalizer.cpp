// tokenizer.json normalizers, as Hugging Face tokenizers applies them
// (tokenizers/src/normalizers/ and the spm_precompiled crate).
#include "formats/text_normalizer.h"

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

using nlohmann::json;

namespace {

// RFC 4648 base64 with padding; false on anything else.
bool decodeBase64(const std::string& in, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    uint32_t bits = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = in[i + k];
      int v = value(c);
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        ++pad;
        v = 0;
      } else if (v < 0 || pad > 0) {
        return false;
      }
      bits = (bits << 6) | static_cast<uint32_t>(v);
    }
    out += static_cast<char>((bits >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((bits >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(bits & 0xFF);
  }
  return true;
}

// Braces by code point: U+007B, U+007D.
constexpr char32_t kOpen = 0x7B, kClose = 0x7D;

bool isRegexMeta(char32_t c) {
  return c == kOpen || c == kClose ||
         std::u32string_view(U"\\.[]()|*+?^$").find(c) != std::u32string_view::npos;
}

// The repetition after a literal: "+" is 1, "{n,}" is n; 0 for anything else.
int64_t minRunOf(const std::u32string& q) {
  if (q == U"+") return 1;
  if (q.size() < 4 || q.front() != kOpen || q.back() != kClose || q[q.size() - 2] != U',') return 0;
  const std::string digits = unicode::toUtf8(q.substr(1, q.size() - 3));
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stoll(digits);
}

bool isSpace(char32_t c) {
  return unicode::isWhitespace(c);
}

// Strip: White_Space characters off the left and right ends.
std::string strip(const std::string& s, bool left, bool right) {
  std::u32string cps;
  unicode::decodeUtf8(s, cps);
  size_t b = 0, e = cps.size();
  while (left && b < e && isSpace(cps[b])) ++b;
  while (right && e > b && isSpace(cps[e - 1])) --e;
  return unicode::toUtf8(std::u32string_view(cps).substr(b, e - b));
}

std::string replaceAll(const std::string& s, const std::string& pattern,
                       const std::string& content) {
  if (pattern.empty()) return s;
  std::string out;
  size_t from = 0;
  for (size_t p = s.find(pattern); p != std::string::npos; p = s.find(pattern, from)) {
    out.append(s, from, p - from);
    out += content;
    from = p + pattern.size();
  }
  out.append(s, from, std::string::npos);
  return out;
}

// Runs of at least `minRun` copies of `unit` replaced by `content`.
std::string replaceRuns(const std::string& s, const std::string& unit, int64_t minRun,
                        const std::string& content) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 0, j = i;
    while (s.compare(j, unit.size(), unit) == 0 && j < s.size()) {
      ++n;
      j += unit.size();
    }
    if (n > 0 && static_cast<int64_t>(n) >= minRun) {
      out += content;
      i = j;
    } else if (n > 0) {
      out.append(s, i, j - i);
      i = j;
    } else {
      out += s[i++];
    }
  }
  return out;
}

}  // namespace

TextNormalizer TextNormalizer::fromJson(const json& j, const std::string& where) {
  TextNormalizer n;
  if (!j.is_null()) n.read(j, where + ": normalizer");
  return n;
}

void TextNormalizer::read(const json& j, const std::string& where) {
  const std::string type = jsonutil::getString(j, "type", where);
  Step s;
  if (type == "Sequence") {
    const json& list = jsonutil::field(j, "normalizers", where);
    if (!list.is_array()) throw Error(where + ": \"normalizers\" must be a list");
    for (const json& step : list) read(step, where);
    return;
  } else if (type == "Precompiled") {
    s = readPrecompiled(j, where);
  } else if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
    s.kind = Step::NormalForm;
    s.form = static_cast<int>(type == "NFC"    ? unicode::NormalForm::Nfc
                              : type == "NFD"  ? unicode::NormalForm::Nfd
                              : type == "NFKC" ? unicode::NormalForm::Nfkc
                                               : unicode::NormalForm::Nfkd);
  } else if (type == "Lowercase") {
    s.kind = Step::Lowercase;
  } else if (type == "Strip") {
    s.kind = Step::Strip;
    s.left = jsonutil::optBool(j, "strip_left", where, true);
    s.right = jsonutil::optBool(j, "strip_right", where, true);
  } else if (type == "Replace") {
    s = readReplace(j, where);
  } else if (type == "Prepend") {
    s.kind = Step::Prepend;
    s.content = jsonutil::getString(j, "prepend", where);
  } else {
    throw Error(where + ": normalizer \"" + jsonutil::shortText(type) +
                "\" is not supported (Sequence, Precompiled, NFC, NFD, NFKC, NFKD, Lowercase, " +
                "Strip, Replace and Prepend are)");
  }
  steps_.push_back(std::move(s));
}

// SentencePiece's precompiled_charsmap: a little-endian u32 byte size of
// the double-array trie, the trie's u32 units, then the replacement texts.
TextNormalizer::Step TextNormalizer::readPrecompiled(const json& j, const std::string& where) {
  const std::string text = jsonutil::getString(j, "precompiled_charsmap", where);
  std::string blob;
  if (!decodeBase64(text, blob)) throw Error(where + ": precompiled_charsmap is not base64");
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(blob[at + k]);
    return v;
  };
  if (blob.size() < 4) throw Error(where + ": precompiled_charsmap is shorter than its header");
  const uint32_t trieBytes = u32(0);
  if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > blob.size() - 4)
    throw Error(where + ": precompiled_charsmap's trie size " + std::to_string(trieBytes) +
                " does not fit its " + std::to_string(blob.size()) + " bytes");
  Step s;
  s.kind = Step::Precompiled;
  for (size_t at = 4; at < 4 + trieBytes; at += 4) s.trie.push_back(u32(at));
  s.normalized = blob.substr(4 + trieBytes);
  if (!unicode::isValidUtf8(s.normalized))
    throw Error(where + ": precompiled_charsmap's replacement texts are not valid UTF-8");
  return s;
}

// Replace with {"String": text} or {"Regex": "c{n,}" / "c+"} (the runs
// SentencePiece conversions collapse); other expressions are refused.
TextNormalizer::Step TextNormalizer::readReplace(const json& j, const std::string& where) {
  Step s;
  s.kind = Step::Replace;
  const json& pattern = jsonutil::field(j, "pattern", where);
  s.content = jsonutil::getString(j, "content", where);
  if (pattern.is_object() && pattern.contains("String")) {
    s.pattern = jsonutil::getString(pattern, "String", where + ": pattern");
    return s;
  }
  const std::string re = jsonutil::getString(pattern, "Regex", where + ": pattern");
  std::u32string cps;
  if (unicode::decodeUtf8(re, cps) && !cps.empty() && !isRegexMeta(cps[0])) {
    s.kind = Step::ReplaceRuns;
    s.pattern = unicode::toUtf8(cps.substr(0, 1));
    s.minRun = minRunOf(cps.substr(1));
    if (s.minRun > 0) return s;
  }
  throw Error(where + ": Replace pattern /" + jsonutil::shortText(re) +
              "/ is not supported (a text, or a character repeated: \"c+\" or \"c{n,}\")");
}

// The spm_precompiled double array: the first (shortest) entry that is a
// prefix of `chunk` appends its replacement to `out`; false if none is.
bool TextNormalizer::transform(const Step& s, const char* chunk, size_t size, std::string& out) {
  const std::vector<uint32_t>& a = s.trie;
  auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
  size_t node = offset(a[0]);
  for (size_t i = 0; i < size; ++i) {
    const auto c = static_cast<unsigned char>(chunk[i]);
    if (c == 0) return false;
    node ^= c;
    if (node >= a.size()) return false;
    const uint32_t unit = a[node];
    if ((unit & ((1u << 31) | 0xFFu)) != c) return false;
    node ^= offset(unit);
    if (node >= a.size()) return false;
    if ((unit >> 8) & 1u) {
      const size_t start = a[node] & ((1u << 31) - 1);
      if (start > s.normalized.size()) return false;
      const size_t end = s.normalized.find('\0', start);
      out.append(s.normalized, start,
                 (end == std::string::npos ? s.normalized.size() : end) - start);
      return true;
    }
  }
  return false;
}

// As tokenizers does: a grapheme shorter than 6 bytes is looked up whole;
// otherwise (or when it has no entry) each of its characters is.
void TextNormalizer::precompiled(const Step& s, const std::string& in, std::string& out) {
  const std::vector<size_t> starts = unicode::graphemeStarts(in);
  for (size_t g = 0; g + 1 < starts.size(); ++g) {
    const size_t b = starts[g], e = starts[g + 1];
    if (e - b < 6 && transform(s, in.data() + b, e - b, out)) continue;
    for (size_t i = b; i < e;) {
      size_t len = 1;
      while (i + len < e && (static_cast<unsigned char>(in[i + len]) & 0xC0) == 0x80) ++len;
      if (!transform(s, in.data() + i, len, out)) out.append(in, i, len);
      i += len;
    }
  }
}

std::string TextNormalizer::apply(const std::string& text) const {
  std::string s = text;
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Step::Precompiled: {
        std::string out;
        precompiled(step, s, out);
        s = std::move(out);
        break;
      }
      case Step::NormalForm:
        s = unicode::normalize(s, static_cast<unicode::NormalForm>(step.form));
        break;
      case Step::Lowercase: {
        std::u32string cps, lower;
        unicode::decodeUtf8(s, cps);
        for (char32_t c : cps) unicode::appendLower(lower, c);
        s = unicode::toUtf8(lower);
        break;
      }
      case Step::Strip:
        s = strip(s, step.left, step.right);
        break;
      case Step::Replace:
        s = replaceAll(s, step.pattern, step.content);
        break;
      case Step::ReplaceRuns:
        s = replaceRuns(s, step.pattern, step.minRun, step.content);
        break;
      case Step::Prepend:
        if (!s.empty()) s = step.content + s;
        break;
    }
  }
  return s;
}

}  // namespace pp
