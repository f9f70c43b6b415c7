// libFuzzer: a safetensors file, validated, then every tensor's data read.
#include "fuzz_common.h"
#include "paretoprune/formats/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ppfuzz::accept([&] {
    auto f = pp::SafetensorsFile::fromBytes(std::vector<uint8_t>(data, data + size), "fuzz");
    for (const auto& t : f.tensors()) {
      if (t.dtype == pp::DType::F32 || t.dtype == pp::DType::F16 || t.dtype == pp::DType::BF16 ||
          t.dtype == pp::DType::F64)
        pp::SafetensorsFile::toFloat32(t);
      volatile uint8_t sum = 0;  // every byte of the view is inside the input
      for (size_t i = 0; i < t.nbytes; ++i) sum = static_cast<uint8_t>(sum + t.data[i]);
    }
  });
}
