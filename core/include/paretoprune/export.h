// Export of a sub-network as a genuinely smaller model: only the kept
// layers, heads and units are written (sliced weights, never masks).
//
//   hf           Hugging Face directory (config.json with num_hidden_layers,
//                pruned_heads and intermediate_size of the slice,
//                model.safetensors, tokenizer files), loads with
//                AutoModelForSequenceClassification.from_pretrained.
//   torchscript  model.pt, a TorchScript module with forward(input_ids,
//                attention_mask, token_type_ids) -> logits, exact sizes.
//   int8         the same with dynamically quantised int8 linear layers.
//
// Every export also writes paretoprune.json (sub-network, metrics, source
// checksum, run) and is built in a temporary directory beside the target,
// loaded back and compared with the in-process sub-network before it is
// renamed into place.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/subnet.h"

namespace pp {

class Model;

enum class ExportFormat { HuggingFace, TorchScript, Int8 };
ExportFormat parseExportFormat(const std::string& s);  // hf, torchscript, int8
const char* exportFormatName(ExportFormat f);

struct ExportOptions {
  ExportFormat format = ExportFormat::HuggingFace;
  bool force = false;  // replace an existing target
  // transformers' BERT has one intermediate_size: when kept layers differ,
  // the HF format needs padUnits (zero units up to the widest layer: the
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
  double maxLogitDiff = 0;  // export vs in-process sub-network
  double agreement = 1;     // share of verify examples with the same predicted label
  int64_t verifyExamples = 0;
  std::string note;  // e.g. padded units, int8 engine
};

// Does the HF format need padding (kept layers with different unit counts)?
bool needsUnitPadding(const SubNetwork& s);

// Throws pp::Error (nothing left under `outDir`, no temporary left behind).
ExportResult exportSubnetwork(const Model& m, const SubNetwork& s, const std::string& outDir,
                              const ExportOptions& opts);

// True when this LibTorch has a quantised engine for int8 export.
bool int8Available();

}  // namespace pp
