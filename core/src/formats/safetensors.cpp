#include "paretoprune/formats/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

namespace {

constexpr uint64_t kMaxHeader = 100'000'000;  // the reference implementation's limit

struct DTypeInfo {
  const char* name;
  DType type;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {{"F64", DType::F64, 8}, {"F32", DType::F32, 4},
                                 {"F16", DType::F16, 2}, {"BF16", DType::BF16, 2},
                                 {"I64", DType::I64, 8}, {"I32", DType::I32, 4},
                                 {"I16", DType::I16, 2}, {"I8", DType::I8, 1},
                                 {"U8", DType::U8, 1},   {"BOOL", DType::BOOL, 1}};

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace

const char* dtypeName(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.name;
  return "?";
}

size_t dtypeSize(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return d.size;
  return 0;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

struct SafetensorsFile::Storage {
  void* map = nullptr;
  size_t mapSize = 0;
  std::vector<uint8_t> bytes;
  ~Storage() {
    if (map) ::munmap(map, mapSize);
  }
};

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile f;
  f.path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw Error(path + ": cannot stat (" + std::strerror(err) + ")");
  }
  auto storage = std::make_shared<Storage>();
  size_t size = static_cast<size_t>(st.st_size);
  if (size > 0) {
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw Error(path + ": cannot memory-map (" + std::strerror(err) + ")");
    }
    storage->map = m;
    storage->mapSize = size;
  }
  ::close(fd);
  f.storage_ = storage;
  try {
    f.parse(static_cast<const uint8_t*>(storage->map), size);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return f;
}

SafetensorsFile SafetensorsFile::fromBytes(std::vector<uint8_t> bytes, const std::string& label) {
  SafetensorsFile f;
  f.path_ = label;
  auto storage = std::make_shared<Storage>();
  storage->bytes = std::move(bytes);
  f.storage_ = storage;
  try {
    f.parse(storage->bytes.data(), storage->bytes.size());
  } catch (const Error& e) {
    throw Error(label + ": " + e.what());
  }
  return f;
}

namespace {

using nlohmann::json;

// A tensor's byte range in the data area, for the tiling check.
struct Span {
  uint64_t begin, end;
  size_t index;
};

// The header's length (the first 8 bytes, little-endian), checked against
// the limit and the file's size.
uint64_t headerLength(const uint8_t* bytes, size_t size) {
  if (size < 8)
    throw Error("not a safetensors file: " + std::to_string(size) +
                " bytes, fewer than the 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  if (n > kMaxHeader)
    throw Error("header length " + std::to_string(n) +
                " exceeds the 100 MB limit (corrupt or not safetensors)");
  if (n > size - 8)
    throw Error("header length " + std::to_string(n) + " runs past the end of the file (" +
                std::to_string(size) + " bytes): the file is truncated or corrupt");
  return n;
}

// The header as a JSON object: valid UTF-8, valid JSON, no key twice.
json parseHeader(std::string_view text) {
  if (!unicode::isValidUtf8(text)) throw Error("header is not valid UTF-8");
  // Track top-level keys while parsing: JSON objects silently keep the last duplicate.
  std::set<std::string> keys;
  std::string duplicate;
  json::parser_callback_t cb = [&](int depth, json::parse_event_t ev, json& parsed) {
    if (depth == 1 && ev == json::parse_event_t::key) {
      std::string k = parsed.get<std::string>();
      if (!keys.insert(k).second && duplicate.empty()) duplicate = k;
    }
    return true;
  };
  if (jsonNestingDepth(text) > kMaxJsonDepth)
    throw Error("header is nested deeper than " + std::to_string(kMaxJsonDepth) +
                " levels (corrupt or not safetensors)");
  json header;
  try {
    header = json::parse(text.begin(), text.end(), cb);
  } catch (const json::exception& e) {
    throw Error("header is not valid JSON (" + shortText(e.what(), 200) + ")");
  }
  if (!duplicate.empty())
    throw Error("tensor " + quoteText(duplicate) + " appears twice in the header");
  if (!header.is_object()) throw Error("header must be a JSON object");
  return header;
}

void readMetadata(const json& v, std::map<std::string, std::string>& metadata) {
  if (!v.is_object()) throw Error("__metadata__ must be an object of strings");
  for (auto m = v.begin(); m != v.end(); ++m) {
    if (!m.value().is_string())
      throw Error("__metadata__ value of " + quoteText(m.key()) + " is not a string");
    metadata[m.key()] = m.value().get<std::string>();
  }
}

// The entry's dtype and shape; throws naming the tensor (`where`).
const DTypeInfo& readDType(const json& v, const std::string& where) {
  std::string dt = v["dtype"].get<std::string>();
  const DTypeInfo* info = nullptr;
  for (const auto& d : kDTypes)
    if (dt == d.name) info = &d;
  if (!info) throw Error(where + "unknown dtype " + quoteText(dt));
  return *info;
}

// The shape into `t`; returns its byte count (`elementSize` each).
uint64_t readShape(const json& shape, size_t elementSize, const std::string& where, TensorView& t) {
  uint64_t numel = 1;
  bool overflow = false;
  for (const auto& d : shape) {
    if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<int64_t>() >= 0))
      throw Error(where + "shape entries must be non-negative integers, got " +
                  shortText(d.dump(), 60));
    uint64_t dim = d.get<uint64_t>();
    if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) overflow = true;
    if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / dim) overflow = true;
    if (!overflow) numel *= dim;
    t.shape.push_back(static_cast<int64_t>(dim));
  }
  if (overflow || numel > std::numeric_limits<uint64_t>::max() / elementSize)
    throw Error(where + "shape product overflows");
  return numel * elementSize;
}

// One tensor entry of the header, every field checked; `span` gets its
// byte range in the data area of `dataSize` bytes.
TensorView readTensor(const std::string& name, const json& v, const uint8_t* data,
                      uint64_t dataSize, Span& span) {
  const std::string where = "tensor " + quoteText(name) + ": ";
  if (!v.is_object()) throw Error(where + "entry must be an object");
  if (!v.contains("dtype") || !v["dtype"].is_string())
    throw Error(where + "missing or non-string \"dtype\"");
  if (!v.contains("shape") || !v["shape"].is_array())
    throw Error(where + "missing or non-array \"shape\"");
  if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
    throw Error(where + "\"data_offsets\" must be [begin, end]");
  TensorView t;
  t.name = name;
  const DTypeInfo& info = readDType(v, where);
  t.dtype = info.type;
  const uint64_t nbytes = readShape(v["shape"], info.size, where, t);
  const auto& off = v["data_offsets"];
  for (const auto& o : off)
    if (!o.is_number_unsigned() && !(o.is_number_integer() && o.get<int64_t>() >= 0))
      throw Error(where + "data_offsets must be non-negative integers");
  uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
  if (end < begin)
    throw Error(where + "data_offsets end " + std::to_string(end) + " precedes begin " +
                std::to_string(begin));
  if (end > dataSize)
    throw Error(where + "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                "] run past the end of the data (" + std::to_string(dataSize) +
                " bytes): truncated file?");
  if (end - begin != nbytes)
    throw Error(where + "byte span " + std::to_string(end - begin) +
                " does not match shape x dtype size (" + std::to_string(nbytes) + " bytes)");
  t.data = data + begin;
  t.nbytes = static_cast<size_t>(nbytes);
  span.begin = begin;
  span.end = end;
  return t;
}

// The tensors tile the data area: no overlap, no hole, nothing after.
void checkTiling(std::vector<Span> spans, const std::vector<TensorView>& tensors,
                 uint64_t dataSize) {
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t cursor = 0;
  for (const auto& s : spans) {
    if (s.begin < cursor)
      throw Error("tensor " + quoteText(tensors[s.index].name) +
                  " overlaps the tensor before it (offset " + std::to_string(s.begin) + " < " +
                  std::to_string(cursor) + ")");
    if (s.begin > cursor)
      throw Error("hole in the data before tensor " + quoteText(tensors[s.index].name) +
                  " (offset " + std::to_string(s.begin) + ", expected " + std::to_string(cursor) +
                  ")");
    cursor = s.end;
  }
  if (cursor != dataSize)
    throw Error("data area holds " + std::to_string(dataSize) + " bytes but the tensors cover " +
                std::to_string(cursor) + " (trailing bytes: corrupt file)");
}

}  // namespace

void SafetensorsFile::parse(const uint8_t* bytes, size_t size) {
  const uint64_t n = headerLength(bytes, size);
  const json header = parseHeader(
      std::string_view(reinterpret_cast<const char*>(bytes + 8), static_cast<size_t>(n)));
  const uint8_t* data = bytes + 8 + n;
  const uint64_t dataSize = size - 8 - n;
  tensors_.clear();
  metadata_.clear();
  std::vector<Span> spans;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      readMetadata(it.value(), metadata_);
      continue;
    }
    Span span{0, 0, tensors_.size()};
    tensors_.push_back(readTensor(it.key(), it.value(), data, dataSize, span));
    spans.push_back(span);
  }
  checkTiling(std::move(spans), tensors_, dataSize);
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
  for (const auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<float> SafetensorsFile::toFloat32(const TensorView& t) {
  const size_t n = static_cast<size_t>(t.numel());
  std::vector<float> out(n);
  switch (t.dtype) {
    case DType::F32:
      if (n) std::memcpy(out.data(), t.data, n * 4);
      break;
    case DType::F64:
      for (size_t i = 0; i < n; ++i) {
        double d;
        std::memcpy(&d, t.data + i * 8, 8);
        out[i] = static_cast<float>(d);
      }
      break;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t.data + i * 2, 2);
        out[i] = halfToFloat(h);
      }
      break;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, t.data + i * 2, 2);
        uint32_t bits = static_cast<uint32_t>(h) << 16;
        std::memcpy(&out[i], &bits, 4);
      }
      break;
    default:
      throw Error("tensor " + quoteText(t.name) + " has dtype " + dtypeName(t.dtype) +
                  "; only F32, F16, BF16 and F64 weights can be read as floats");
  }
  return out;
}

void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  using nlohmann::json;
  std::vector<const TensorToWrite*> order;
  for (const auto& t : tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->name < b->name; });
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto* t : order) {
    uint64_t numel = 1;
    for (int64_t d : t->shape) {
      if (d < 0) throw Error(path + ": tensor " + quoteText(t->name) + " has a negative dimension");
      numel *= static_cast<uint64_t>(d);
    }
    if (header.contains(t->name))
      throw Error(path + ": tensor " + quoteText(t->name) + " given twice");
    header[t->name] = {
        {"dtype", "F32"}, {"shape", t->shape}, {"data_offsets", {offset, offset + numel * 4}}};
    offset += numel * 4;
  }
  std::string h = header.dump();
  while ((8 + h.size()) % 8 != 0) h.push_back(' ');
  std::string out;
  out.reserve(8 + h.size() + offset);
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += h;
  for (const auto* t : order) {
    uint64_t numel = 1;
    for (int64_t d : t->shape) numel *= static_cast<uint64_t>(d);
    if (numel) out.append(reinterpret_cast<const char*>(t->data), numel * 4);
  }
  fileutil::writeFileAtomic(path, out);
}

}  // namespace pp
