// Unicode facts the tokenizers' normalizers need: UTF-8 decoding and
// encoding, character classes, lowercase mappings, canonical decomposition,
// the normal forms and grapheme clusters. Classes
// and mappings follow the Unicode version of the installed utf8proc.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pp::unicode {

// Decodes UTF-8; returns false on malformed input (then `out` is partial).
bool decodeUtf8(std::string_view s, std::u32string& out);
bool isValidUtf8(std::string_view s);
void appendUtf8(std::string& out, char32_t c);
std::string toUtf8(std::u32string_view s);

bool isControl(char32_t c);      // category C* other than \t \n \r
bool isWhitespace(char32_t c);   // White_Space property, plus \t \n \r
bool isPunctuation(char32_t c);  // category P*, or any ASCII punctuation
bool isNonSpacingMark(char32_t c);
bool isCjk(char32_t c);  // CJK Unified Ideographs blocks, as BERT defines them
void appendLower(std::u32string& out, char32_t c);
void appendNfd(std::u32string& out, char32_t c);

// `s` in a Unicode normal form (utf8proc_map); on malformed UTF-8 the
// result is empty and `ok` (if given) false.
enum class NormalForm { Nfc, Nfd, Nfkc, Nfkd };
std::string normalize(std::string_view s, NormalForm form, bool* ok = nullptr);
// Byte offsets where the extended grapheme clusters of valid UTF-8 start,
// with s.size() last.
std::vector<size_t> graphemeStarts(std::string_view s);
// Malformed sequences of `s` each as U+FFFD.
std::string lossyUtf8(std::string_view s);

}  // namespace pp::unicode
