// libFuzzer: an ONNX file read by ParetoPrune's ONNX runner (the check of
// ONNX exports), then run on one short batch.
#include <torch/torch.h>

#include "export/onnx_runner.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ppfuzz::writeInput("model.onnx", data, size);
  return ppfuzz::accept([&] {
    pp::OnnxRunner r(path);
    pp::Batch b{torch::tensor({2, 5, 7, 3}, torch::kLong).view({1, 4}),
                torch::zeros({1, 4}, torch::kLong), torch::ones({1, 4})};
    r.run(b);
  });
}
