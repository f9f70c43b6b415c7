// libFuzzer: a labelled data set. The first byte picks the format (.tsv,
// .csv, .jsonl, .json), the rest is the file.
#include "fuzz_common.h"
#include "paretoprune/formats/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kExt[] = {".tsv", ".csv", ".jsonl", ".json"};
  const std::string path =
      ppfuzz::writeInput(std::string("data") + kExt[data[0] % 4], data + 1, size - 1);
  return ppfuzz::accept([&] {
    pp::loadDataset(path, ppfuzz::tinyConfig());
    pp::readTable(path, 3);
  });
}
