// OnnxRunner (internal): runs an ONNX file of the kind export_onnx.cpp
// writes (its operator subset, opset 17) on LibTorch, read back from disk:
// the in-process check that an ONNX export computes the sub-network. ONNX
// Runtime itself judges the exports in test_onnx. ONNX headers stay in the .cpp.
#pragma once
#include <memory>
#include <string>

#include "model/weights.h"

namespace pp {

class OnnxRunner {
 public:
  // Parses `path`; throws pp::Error naming an operator it does not know.
  explicit OnnxRunner(const std::string& path);
  ~OnnxRunner();
  OnnxRunner(const OnnxRunner&) = delete;
  OnnxRunner& operator=(const OnnxRunner&) = delete;

  // Logits [B, labels] for the batch (input_ids, attention_mask, token_type_ids).
  torch::Tensor run(const Batch& b) const;

 private:
  struct Graph;
  std::unique_ptr<Graph> g_;
};

}  // namespace pp
