// TorchScript exports (internal): a module whose forward method is
// cpu/forward.cpp's encoderForward written as TorchScript for the sliced
// weights, with the family's embeddings and head (model/family.h).
#pragma once
#include <torch/script.h>

#include "model/weights.h"
#include "paretoprune/formats/config.h"

namespace pp {

// Picks the quantised engine to use (x86 ones first); false if LibTorch has none.
bool pickQEngine();
// A TorchScript module computing encoderForward on the sliced weights `w`
// of config `c`; forward(input_ids, attention_mask, token_type_ids).
// int8: the linear layers of the encoder become quantized::linear_dynamic.
torch::jit::Module scriptModule(const EncoderWeights& w, const ModelConfig& c, Act act, bool int8);

}  // namespace pp
