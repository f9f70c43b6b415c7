#include "paretoprune/formats/unicode.h"

#include <algorithm>
#include <cstdint>

namespace pp::unicode {

namespace {
struct UnicodeRange {
  char32_t start;
  uint8_t klass;
};
struct MultiMap {
  char32_t cp;
  uint32_t offset;
  uint8_t count;
};
#include "formats/unicode_tables.inc"

enum Klass : uint8_t { kOtherClass = 0, kControlClass = 1, kPunctClass = 2, kMarkClass = 3 };

uint8_t classOf(char32_t c) {
  if (c > 0x10FFFF) return kControlClass;
  auto it = std::upper_bound(std::begin(kClassRanges), std::end(kClassRanges), c,
                             [](char32_t v, const UnicodeRange& r) { return v < r.start; });
  return (it - 1)->klass;
}

template <size_t N, size_t M>
bool lookupMulti(const MultiMap (&table)[N], const char32_t (&pool)[M], char32_t c,
                 std::u32string& out) {
  auto it = std::lower_bound(std::begin(table), std::end(table), c,
                             [](const MultiMap& m, char32_t v) { return m.cp < v; });
  if (it == std::end(table) || it->cp != c) return false;
  out.append(pool + it->offset, pool + it->offset + it->count);
  return true;
}
}  // namespace

bool decodeUtf8(std::string_view s, std::u32string& out) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    char32_t cp;
    size_t len;
    if (b < 0x80) {
      cp = b;
      len = 1;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1F;
      len = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0F;
      len = 3;
    } else if ((b & 0xF8) == 0xF0) {
      cp = b & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cb & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    out.push_back(cp);
    i += len;
  }
  return true;
}

bool isValidUtf8(std::string_view s) {
  std::u32string tmp;
  return decodeUtf8(s, tmp);
}

void appendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string toUtf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) appendUtf8(out, c);
  return out;
}

bool isControl(char32_t c) {
  if (c == U'\t' || c == U'\n' || c == U'\r') return false;
  return classOf(c) == kControlClass;
}

bool isWhitespace(char32_t c) {
  switch (c) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool isPunctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126))
    return true;
  return classOf(c) == kPunctClass;
}

bool isNonSpacingMark(char32_t c) {
  return classOf(c) == kMarkClass;
}

bool isCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

void appendLower(std::u32string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return;
  }
  if (!lookupMulti(kLower, kLowerPool, c, out)) out.push_back(c);
}

void appendNfd(std::u32string& out, char32_t c) {
  if (c < 0xC0) {
    out.push_back(c);
    return;
  }
  if (c >= 0xAC00 && c <= 0xD7A3) {  // Hangul syllables
    const char32_t s = c - 0xAC00;
    out.push_back(0x1100 + s / (21 * 28));
    out.push_back(0x1161 + (s % (21 * 28)) / 28);
    if (s % 28) out.push_back(0x11A7 + s % 28);
    return;
  }
  if (!lookupMulti(kDecomp, kDecompPool, c, out)) out.push_back(c);
}

}  // namespace pp::unicode
