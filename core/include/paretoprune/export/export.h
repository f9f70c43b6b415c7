// Export of a sub-network as a genuinely smaller model: only the kept
// layers, heads and units are written (sliced weights, never masks).
//
//   hf           Hugging Face directory for transformers 4.x (config.json
//                with num_hidden_layers, pruned_heads and intermediate_size
//                of the slice, model.safetensors, tokenizer files incl.
//                tokenizer.json). transformers 5 no longer applies
//                pruned_heads: use hf-any there.
//   hf-any       Hugging Face directory that loads in transformers 4.x and
//                5.x: no pruned_heads; kept layers keep every head, removed
//                heads' query/key/value rows and output columns zeroed, units
//                zero-padded to the widest kept layer (same logits).
//   torchscript  model.pt, a TorchScript module with forward(input_ids,
//                attention_mask, token_type_ids) -> logits, exact sizes.
//   int8         the same with dynamically quantised int8 linear layers.
//   onnx         ONNX (opset 17) in the layout of transformers.js and
//                Optimum: onnx/model.onnx, config.json, tokenizer.json,
//                vocab.txt, tokenizer_config.json; exact per-layer sizes.
//   onnx-int8    the same with int8 dynamically quantised matrix products,
//                onnx/model_quantized.onnx (transformers.js dtype "q8").
//
// Every export also writes paretoprune.json (sub-network, metrics, source
// checksum, run) and is built in a temporary directory beside the target,
// checked (loaded back and compared with the in-process sub-network; ONNX:
// ONNX's checker and shape inference, then the file run by OnnxRunner)
// before it is renamed into place.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/subnet.h"

namespace pp {

class Model;

enum class ExportFormat { HuggingFace, HuggingFaceAny, TorchScript, Int8, Onnx, OnnxInt8 };
// hf, hf-any, torchscript, int8, onnx, onnx-int8
ExportFormat parseExportFormat(const std::string& s);
const char* exportFormatName(ExportFormat f);

struct ExportOptions {
  ExportFormat format = ExportFormat::HuggingFace;
  bool force = false;  // replace an existing target
  // transformers' BERT has one intermediate_size: when kept layers differ,
  // the hf format needs padUnits (hf-any always pads) (zero units up to the widest layer: the
  // function is unchanged, the file a little larger); otherwise an error.
  bool padUnits = false;
  std::vector<std::string> verifyTexts;  // empty: built-in sentences
  double tolerance = 1e-4;  // float formats: max |logit diff| (relative to max(1, |logit|))
  nlohmann::json provenance = nlohmann::json::object();  // metrics, run log, trial, data
};

struct ExportResult {
  std::string dir;
  std::vector<std::string> files;
  int64_t parameters = 0;   // of the exported model (padding included)
  int64_t bytes = 0;        // on disk, all files
  double maxLogitDiff = 0;  // export vs in-process sub-network (ONNX: not run in-process)
  double agreement = 1;     // share of verify examples with the same predicted label
  int64_t verifyExamples = 0;
  std::string note;  // e.g. padded units, int8 engine
};

// Does the HF format need padding (kept layers with different unit counts)?
bool needsUnitPadding(const SubNetwork& s);

// Throws pp::Error (nothing left under `outDir`, no temporary left behind).
ExportResult exportSubnetwork(const Model& m, const SubNetwork& s, const std::string& outDir,
                              const ExportOptions& opts);

// Which runtimes load this format (for help texts and the dialog).
const char* exportFormatLoadsIn(ExportFormat f);

// True when this LibTorch has a quantised engine for int8 export.
bool int8Available();

// True when this build has the ONNX export (CMake option PARETOPRUNE_ONNX).
bool onnxAvailable();

}  // namespace pp
