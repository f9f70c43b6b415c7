// Safetensors reading and writing: a little-endian u64 header length, a JSON
// header naming each tensor's dtype, shape and byte range, then raw data.
// The reader memory-maps the file and validates every header field before
// any tensor byte is touched.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pp {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };
const char* dtypeName(DType t);
size_t dtypeSize(DType t);

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;  // inside the mapping; not necessarily aligned
  size_t nbytes = 0;
  int64_t numel() const;
};

class SafetensorsFile {
 public:
  // Maps and validates `path`; throws pp::Error naming the file and the fault.
  static SafetensorsFile open(const std::string& path);
  // Validates an in-memory copy (used by tests and the mutation test).
  static SafetensorsFile fromBytes(std::vector<uint8_t> bytes,
                                   const std::string& label = "<memory>");

  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& path() const { return path_; }

  // Converts F32, F16 or BF16 (and F64) data to float32; throws for other dtypes.
  static std::vector<float> toFloat32(const TensorView& t);

 private:
  struct Storage;
  void parse(const uint8_t* bytes, size_t size);
  std::shared_ptr<Storage> storage_;
  std::string path_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

struct TensorToWrite {
  std::string name;
  std::vector<int64_t> shape;
  const float* data = nullptr;  // numel(shape) floats
};

// Writes float32 tensors (sorted by name) with an 8-byte aligned header.
// Writes to `path` directly; callers wanting atomicity write to a temporary.
void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace pp
