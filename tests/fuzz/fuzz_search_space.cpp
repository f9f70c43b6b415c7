// libFuzzer: a search-space JSON file, checked against a small model.
#include "fuzz_common.h"
#include "paretoprune/search/search_space.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ppfuzz::writeInput("space.json", data, size);
  return ppfuzz::accept([&] {
    const auto s = pp::SearchSpace::parse(path, ppfuzz::tinyConfig());
    s.toJson().dump();
    s.smallest();
  });
}
