// libFuzzer: a run log (JSON lines: header, trials, stop records).
#include "fuzz_common.h"
#include "paretoprune/search/run_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ppfuzz::writeInput("run.jsonl", data, size);
  return ppfuzz::accept([&] {
    pp::readRunLog(path, &ppfuzz::tinyConfig());
    pp::readRunLog(path);
  });
}
