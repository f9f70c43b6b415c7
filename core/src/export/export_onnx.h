// ONNX graph of a sliced encoder classifier of any family (internal): the
// forward pass of cpu/forward.cpp written as a standard ONNX model (opset
// 17), each layer with its own head and unit counts, the family's
// embeddings and head (model/family.h's FamilyLayout) and its tensor names.
// ONNX and protobuf headers stay in the .cpp.
#pragma once
#include <cstdint>
#include <string>

#include "model/weights.h"

namespace pp {

struct OnnxWriteOptions {
  // Dynamic int8 quantisation of the encoder's weight matrix products
  // (DynamicQuantizeLinear on activations, MatMulInteger with int8 weights
  // and one scale per matrix), as onnxruntime's quantize_dynamic does.
  bool int8 = false;
  double layerNormEps = 1e-12;
  std::string producerVersion;
};

struct OnnxWriteResult {
  int64_t opset = 0;
  int64_t nodes = 0;
  int64_t bytes = 0;
};

// Builds the model of weights `w` (config `c`: the family, the exported
// layer count), runs ONNX's checker and shape inference on it and writes
// it to `path`. Inputs input_ids, attention_mask and, where the family
// reads more than one token type, token_type_ids. Throws pp::Error naming
// what the checker reported.
OnnxWriteResult writeOnnxModel(const EncoderWeights& w, const ModelConfig& c, Act act,
                               const std::string& path, const OnnxWriteOptions& opts);
// Whether the exported graph of config `c` takes token_type_ids.
bool onnxTakesTokenTypes(const ModelConfig& c);

}  // namespace pp
