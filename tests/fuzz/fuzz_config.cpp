// libFuzzer: a model's config.json, through the model family.
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ppfuzz::writeInput("config.json", data, size);
  return ppfuzz::accept([&] {
    const pp::ModelConfig c = pp::loadModelConfig(path);
    pp::modelConfigToJson(c).dump();
  });
}
