#include "paretoprune/formats/unicode.h"

#include <utf8proc.h>

#include <cstdlib>

// Categories, lowercase mappings and canonical decompositions come from
// utf8proc (Debian's libutf8proc-dev), which carries its own Unicode tables.

namespace pp::unicode {

namespace {
utf8proc_category_t categoryOf(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}
}  // namespace

bool decodeUtf8(std::string_view s, std::u32string& out) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto n = static_cast<utf8proc_ssize_t>(s.size());
  utf8proc_ssize_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {  // ASCII, the common case, without a library call
      out.push_back(p[i++]);
      continue;
    }
    utf8proc_int32_t cp;
    // Rejects overlong forms, surrogates and values past U+10FFFF.
    const utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len < 0) return false;
    out.push_back(static_cast<char32_t>(cp));
    i += len;
  }
  return true;
}

bool isValidUtf8(std::string_view s) {
  std::u32string tmp;
  return decodeUtf8(s, tmp);
}

// Written out rather than utf8proc_encode_char: WordPiece builds every
// candidate piece through here, and a library call per code point made the
// tokenizer 18% slower on non-Latin text.
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
  if (c > 0x10FFFF) return true;
  switch (categoryOf(c)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
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
  if (c > 0x10FFFF) return false;
  const utf8proc_category_t cat = categoryOf(c);
  return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool isNonSpacingMark(char32_t c) {
  return c <= 0x10FFFF && categoryOf(c) == UTF8PROC_CATEGORY_MN;
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
  } else if (c == 0x130) {
    // The one full lowercase mapping longer than a character (SpecialCasing.txt);
    // utf8proc knows only the simple mappings, Rust's to_lowercase the full ones.
    out += U"i\u0307";
  } else if (c > 0x10FFFF) {
    out.push_back(c);
  } else {
    out.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  }
}

void appendNfd(std::u32string& out, char32_t c) {
  if (c < 0xC0 || c > 0x10FFFF) {
    out.push_back(c);
    return;
  }
  // A canonical decomposition is at most 4 code points long (U+1F82 and kin).
  utf8proc_int32_t buf[8];
  const utf8proc_ssize_t len = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 8,
                                                       UTF8PROC_DECOMPOSE, nullptr);
  if (len <= 0 || len > 8) {
    out.push_back(c);
    return;
  }
  for (utf8proc_ssize_t i = 0; i < len; ++i) out.push_back(static_cast<char32_t>(buf[i]));
}

}  // namespace pp::unicode

namespace pp::unicode {

std::string normalize(std::string_view s, NormalForm form, bool* ok) {
  int flags = UTF8PROC_STABLE;
  if (form == NormalForm::Nfc || form == NormalForm::Nfkc) flags |= UTF8PROC_COMPOSE;
  if (form == NormalForm::Nfd || form == NormalForm::Nfkd) flags |= UTF8PROC_DECOMPOSE;
  if (form == NormalForm::Nfkc || form == NormalForm::Nfkd) flags |= UTF8PROC_COMPAT;
  utf8proc_uint8_t* out = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                          static_cast<utf8proc_ssize_t>(s.size()), &out,
                                          static_cast<utf8proc_option_t>(flags));
  if (ok) *ok = n >= 0;
  std::string result;
  if (n >= 0) result.assign(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

std::vector<size_t> graphemeStarts(std::string_view s) {
  std::vector<size_t> starts;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto n = static_cast<utf8proc_ssize_t>(s.size());
  utf8proc_int32_t prev = -1, state = 0;
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) {  // not expected on valid UTF-8: a byte on its own
      len = 1;
      cp = 0xFFFD;
    }
    if (prev < 0 || utf8proc_grapheme_break_stateful(prev, cp, &state))
      starts.push_back(static_cast<size_t>(i));
    prev = cp;
    i += len;
  }
  starts.push_back(s.size());
  return starts;
}

std::string lossyUtf8(std::string_view s) {
  std::string out;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto n = static_cast<utf8proc_ssize_t>(s.size());
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t cp;
    const utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, static_cast<size_t>(len));
      i += len;
    }
  }
  return out;
}

}  // namespace pp::unicode
