// A SentencePiece ModelProto read from protobuf's wire format: each field a varint key
// (number << 3 | wire type), then a varint (0), 8 bytes (1), a length and
// that many bytes (2) or 4 bytes (5).
#include "formats/sentencepiece_proto.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

#include "paretoprune/base/error.h"

namespace pp::spmproto {

namespace {

class Reader {
 public:
  Reader(std::string_view s, const std::string& where) : s_(s), where_(where) {}

  // Calls f(field, varint, bytes) for each field; bytes empty for varints.
  void each(const std::function<void(int, uint64_t, std::string_view)>& f) {
    while (p_ < s_.size()) {
      const uint64_t key = varint();
      const int field = static_cast<int>(key >> 3);
      switch (key & 7) {
        case 0:
          f(field, varint(), {});
          break;
        case 1:
          f(field, 0, take(8));
          break;
        case 2:
          f(field, 0, take(static_cast<size_t>(varint())));
          break;
        case 5:
          f(field, 0, take(4));
          break;
        default:
          fail("wire type " + std::to_string(key & 7));
      }
    }
  }

 private:
  std::string_view s_;
  const std::string& where_;
  size_t p_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(where_ + ": not a SentencePiece model (" + what + " at byte " + std::to_string(p_) +
                ")");
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= s_.size()) fail("a cut varint");
      const auto b = static_cast<unsigned char>(s_[p_++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("a varint over 64 bits");
  }
  std::string_view take(size_t n) {
    if (n > s_.size() - p_) fail("a field past the end");
    const std::string_view out = s_.substr(p_, n);
    p_ += n;
    return out;
  }
};

}  // namespace

// ModelProto: 1 pieces (1 piece, 2 score, 3 type), 2 trainer_spec
// (3 model_type), 3 normalizer_spec (2 precompiled_charsmap).
Model read(const std::string& bytes, const std::string& where) {
  Model out;
  Reader(bytes, where).each([&](int field, uint64_t, std::string_view sub) {
    if (field == 1) {
      Piece p;
      Reader(sub, where).each([&](int f, uint64_t v, std::string_view b) {
        if (f == 1) p.piece = std::string(b);
        if (f == 2 && b.size() == 4) std::memcpy(&p.score, b.data(), 4);  // little-endian float
        if (f == 3) p.type = static_cast<int>(v);
      });
      out.pieces.push_back(std::move(p));
    }
    if (field == 2)
      Reader(sub, where).each([&](int f, uint64_t v, std::string_view) {
        if (f == 3) out.modelType = static_cast<int>(v);
      });
    if (field == 3)
      Reader(sub, where).each([&](int f, uint64_t, std::string_view b) {
        if (f == 2) out.precompiledCharsmap = std::string(b);
      });
  });
  if (out.pieces.empty()) throw Error(where + ": not a SentencePiece model (no pieces)");
  return out;
}

}  // namespace pp::spmproto
