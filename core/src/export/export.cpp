#include "paretoprune/export/export.h"

#include <filesystem>
#include <sstream>

#include <torch/script.h>

#include "base/file_util.h"
#include "cpu/forward.h"
#include "export/export_onnx.h"
#include "export/export_torchscript.h"
#include "export/onnx_runner.h"
#include "model/slicing.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"

namespace pp {

using nlohmann::json;

ExportFormat parseExportFormat(const std::string& s) {
  if (s == "hf" || s == "huggingface") return ExportFormat::HuggingFace;
  if (s == "hf-any") return ExportFormat::HuggingFaceAny;
  if (s == "torchscript") return ExportFormat::TorchScript;
  if (s == "int8") return ExportFormat::Int8;
  if (s == "onnx") return ExportFormat::Onnx;
  if (s == "onnx-int8") return ExportFormat::OnnxInt8;
  throw Error("unknown export format \"" + s +
              "\" (hf, hf-any, torchscript, int8, onnx or onnx-int8)");
}

const char* exportFormatName(ExportFormat f) {
  switch (f) {
    case ExportFormat::HuggingFace:
      return "hf";
    case ExportFormat::HuggingFaceAny:
      return "hf-any";
    case ExportFormat::TorchScript:
      return "torchscript";
    case ExportFormat::Int8:
      return "int8";
    case ExportFormat::Onnx:
      return "onnx";
    case ExportFormat::OnnxInt8:
      return "onnx-int8";
  }
  return "?";
}

const char* exportFormatLoadsIn(ExportFormat f) {
  switch (f) {
    case ExportFormat::HuggingFace:
      return "Hugging Face transformers 4.x (applies pruned_heads; 5.x does not), ParetoPrune";
    case ExportFormat::HuggingFaceAny:
      return "Hugging Face transformers 4.x and 5.x, ParetoPrune";
    case ExportFormat::TorchScript:
    case ExportFormat::Int8:
      return "LibTorch / PyTorch (torch.jit.load)";
    case ExportFormat::Onnx:
    case ExportFormat::OnnxInt8:
      return "ONNX Runtime (tested: onnxruntime-node 1.30), transformers.js (tested: 4.3), "
             "Optimum (ORTModelForSequenceClassification, subfolder onnx)";
  }
  return "?";
}

bool needsUnitPadding(const SubNetwork& s) {
  int64_t units = -1;
  for (const auto& l : s.layers) {
    if (!l.kept()) continue;
    if (units >= 0 && l.units != units) return true;
    units = l.units;
  }
  return false;
}

namespace {

// The sliced weights in the layout of the exported model: units
// zero-padded to the widest kept layer when asked.
EncoderWeights exportWeights(EncoderWeights w, bool pad, int64_t* width) {
  int64_t widest = 0;
  for (const auto& l : w.layers) widest = std::max(widest, l.units());
  *width = widest;
  if (!pad) return w;
  for (auto& l : w.layers) {
    const int64_t extra = widest - l.units();
    if (extra == 0) continue;
    const int64_t H = l.i_w.size(1);
    l.i_w = torch::cat({l.i_w, torch::zeros({extra, H})}, 0);
    l.i_b = torch::cat({l.i_b, torch::zeros({extra})}, 0);
    l.out_w = torch::cat({l.out_w, torch::zeros({H, extra})}, 1);
  }
  return w;
}

// hf-any: the kept layers with every head (removed heads' query, key and
// value rows and output-projection columns zeroed: their context is zero,
// so the logits are those of the sub-network) and the kept units.
EncoderWeights anyVersionWeights(const ModelImpl& mi, const SubNetwork& s) {
  SubNetwork allHeads = s;
  for (size_t l = 0; l < s.layers.size(); ++l)
    if (s.layers[l].kept())
      allHeads.layers[l].heads = mi.config.headsInLayer(static_cast<int64_t>(l));
  EncoderWeights w = sliceWeights(mi.weights, allHeads, mi.headOrder, mi.unitOrder);
  const int64_t d = w.headSize;
  size_t k = 0;
  for (size_t l = 0; l < s.layers.size(); ++l) {
    if (!s.layers[l].kept()) continue;
    LayerWeights& lw = w.layers[k++];
    if (s.layers[l].heads == lw.heads) continue;
    auto rows = torch::zeros({lw.heads * d});
    for (int64_t h : keptIndices(mi.headOrder[l], s.layers[l].heads))
      rows.narrow(0, h * d, d).fill_(1.0);
    lw.q_w = lw.q_w * rows.view({-1, 1});
    lw.k_w = lw.k_w * rows.view({-1, 1});
    lw.v_w = lw.v_w * rows.view({-1, 1});
    lw.q_b = lw.q_b * rows;
    lw.k_b = lw.k_b * rows;
    lw.v_b = lw.v_b * rows;
    lw.o_w = lw.o_w * rows.view({1, -1});
  }
  return w;
}

ModelConfig exportConfig(const ModelConfig& src, const EncoderWeights& w, bool uniformUnits) {
  ModelConfig c = src;
  c.num_hidden_layers = static_cast<int64_t>(w.layers.size());
  c.pruned_heads.clear();
  c.layer_intermediate_sizes.clear();
  int64_t widest = 0;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const int64_t kept = w.layers[l].heads;
    for (int64_t h = kept; h < src.num_attention_heads; ++h)
      c.pruned_heads[static_cast<int64_t>(l)].push_back(h);
    widest = std::max(widest, w.layers[l].units());
  }
  c.intermediate_size = w.layers.empty() ? src.intermediate_size : widest;
  if (!uniformUnits)
    for (const auto& l : w.layers) c.layer_intermediate_sizes.push_back(l.units());
  return c;
}

const std::vector<std::string>& defaultVerifyTexts() {
  static const std::vector<std::string> t = {
      "The food was great and the service friendly.",
      "Terrible. I will never come back!",
      "It is what it is.",
      "Not bad at all, actually quite good",
      "the battery died after two days",
      "a b c",
      "Wonderful acting, a moving story; I loved every minute of it.",
      "?"};
  return t;
}

// The weights and config of the exported model, and the sub-network's own
// sliced weights they are checked against.
struct Prepared {
  EncoderWeights ref, w;
  ModelConfig cfg;
  std::string note;
};

Prepared prepare(const ModelImpl& mi, const SubNetwork& s, const ExportOptions& o) {
  const bool hf = o.format == ExportFormat::HuggingFace;
  const bool any = o.format == ExportFormat::HuggingFaceAny;
  const bool uneven = needsUnitPadding(s);
  if (hf && uneven && !o.padUnits)
    throw Error(
        "this sub-network keeps a different number of feed-forward units per layer, and "
        "transformers' BERT has one intermediate_size for all layers. Export it as onnx or "
        "torchscript (exact sizes), as hf-any, or as hf with --pad-units (zero units up to the "
        "widest kept layer: same outputs, a slightly larger file)");
  if ((o.format == ExportFormat::Onnx || o.format == ExportFormat::OnnxInt8) && !onnxAvailable())
    throw Error(
        "this build of ParetoPrune has no ONNX export (configured with -DPARETOPRUNE_ONNX=OFF; "
        "it needs libonnx-dev and libprotobuf-dev)");
  if (o.format == ExportFormat::Int8 && !pickQEngine())
    throw Error(
        "this LibTorch build has no quantised engine (FBGEMM, oneDNN or QNNPACK); int8 export is "
        "unavailable");
  Prepared p;
  // The sub-network inside ParetoPrune (sliced, float32): what the export
  // is written from and checked against.
  p.ref = sliceWeights(mi.weights, s, mi.headOrder, mi.unitOrder);
  const bool pad = (hf || any) && uneven;
  int64_t width = 0;
  p.w = exportWeights(any ? anyVersionWeights(mi, s) : p.ref, pad, &width);
  p.cfg = exportConfig(mi.config, p.w, hf || any || !uneven);
  if (pad)
    p.note = "feed-forward units zero-padded to " + std::to_string(width) +
             " in every layer (outputs unchanged)";
  if (any && !s.isFull(mi.config))
    p.note += std::string(p.note.empty() ? "" : "; ") +
              "removed heads kept as zeros (every kept layer has " +
              std::to_string(mi.config.num_attention_heads) + " heads; outputs unchanged)";
  return p;
}

#ifdef PARETOPRUNE_WITH_ONNX
// Writes the ONNX layout of transformers.js and Optimum into `dir`.
json writeOnnxExport(const std::string& dir, const Prepared& p, const ModelImpl& mi,
                     const TextTokenizer& tok, bool int8, std::string* modelPath) {
  saveModelConfig(p.cfg, fileutil::joinPath(dir, "config.json"));
  tok.save(dir, std::min<int64_t>(512, maxSequenceLength(p.cfg)));
  const std::string sub = fileutil::joinPath(dir, "onnx");
  std::filesystem::create_directories(sub);
  OnnxWriteOptions wo;
  wo.int8 = int8;
  wo.layerNormEps = p.cfg.layer_norm_eps;
  wo.producerVersion = PARETOPRUNE_CORE_VERSION;
  const std::string file = int8 ? "model_quantized.onnx" : "model.onnx";
  *modelPath = fileutil::joinPath(sub, file);
  const OnnxWriteResult r = writeOnnxModel(p.w, p.cfg, mi.act, *modelPath, wo);
  return {{"file", "onnx/" + file},
          {"opset", r.opset},
          {"nodes", r.nodes},
          {"checker", "passed"},
          {"shape_inference", "passed"}};
}
#endif

// Writes the model files of `o.format` into `dir` and returns its logits on
// `batches` as loaded back from there (ONNX: the file run by OnnxRunner).
std::vector<torch::Tensor> writeFormat(const std::string& dir, const Prepared& p, const Model& m,
                                       const ExportOptions& o, const std::vector<Batch>& batches,
                                       json* onnxInfo) {
  const ModelImpl& mi = m.impl();
  const auto& tok = m.tokenizer();
  std::vector<torch::Tensor> got;
  switch (o.format) {
    case ExportFormat::HuggingFace:
    case ExportFormat::HuggingFaceAny: {
      const std::map<std::string, std::string> meta = {
          {"paretoprune_source_checksum", m.checksum()}};
      writeModelFiles(dir, p.cfg, p.w, &tok, identityOrder(p.cfg, true),
                      identityOrder(p.cfg, false), meta);
      if (o.format == ExportFormat::HuggingFaceAny) {
        // No pruned_heads key at all: transformers 5 dropped the feature.
        const std::string path = fileutil::joinPath(dir, "config.json");
        json c = parseJson(fileutil::readFile(path), path);
        c.erase("pruned_heads");
        fileutil::writeFileAtomic(path, c.dump(2) + "\n");
      }
      auto back = Model::load(dir);  // every tensor checked against the written config
      for (const auto& b : batches)
        got.push_back(
            encoderForward(back->impl().weights, back->impl().act, p.cfg.layer_norm_eps, b));
      break;
    }
    case ExportFormat::TorchScript:
    case ExportFormat::Int8: {
      auto mod = scriptModule(p.w, p.cfg, mi.act, o.format == ExportFormat::Int8);
      const std::string path = fileutil::joinPath(dir, "model.pt");
      mod.save(path);
      tok.save(dir, std::min<int64_t>(512, maxSequenceLength(p.cfg)));
      saveModelConfig(p.cfg, fileutil::joinPath(dir, "config.json"));
      auto back = torch::jit::load(path);
      back.eval();
      for (const auto& b : batches)
        got.push_back(back.forward({b.ids, b.mask, b.typeIds}).toTensor());
      break;
    }
    case ExportFormat::Onnx:
    case ExportFormat::OnnxInt8: {
#ifdef PARETOPRUNE_WITH_ONNX
      std::string path;
      *onnxInfo = writeOnnxExport(dir, p, mi, tok, o.format == ExportFormat::OnnxInt8, &path);
      const OnnxRunner runner(path);
      for (const auto& b : batches) got.push_back(runner.run(b));
#endif
      break;
    }
  }
  return got;
}

// Compares `got` with `expected`; throws when the export does not reproduce them.
void compareLogits(const std::vector<torch::Tensor>& got,
                   const std::vector<torch::Tensor>& expected, const ExportOptions& o,
                   ExportResult* r) {
  int64_t agree = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double scale = std::max(1.0, expected[i].abs().max().item<double>());
    r->maxLogitDiff =
        std::max(r->maxLogitDiff, (got[i] - expected[i]).abs().max().item<double>() / scale);
    // Every label agrees (a tagger's: one per token).
    agree += torch::equal(got[i].argmax(-1), expected[i].argmax(-1)) ? 1 : 0;
  }
  r->agreement = static_cast<double>(agree) / static_cast<double>(std::max<size_t>(1, got.size()));
  // int8 is an approximation: it must stay close (labels may flip near a tie).
  const bool int8 = o.format == ExportFormat::Int8 || o.format == ExportFormat::OnnxInt8;
  const double tol = int8 ? 0.25 : o.tolerance;
  if (!(r->maxLogitDiff <= tol) || (!int8 && r->agreement < 1.0))
    throw Error("the exported model does not reproduce the sub-network: max logit difference " +
                std::to_string(r->maxLogitDiff) + " (tolerance " + std::to_string(tol) +
                "), labels agree on " + std::to_string(agree) + " of " +
                std::to_string(got.size()) + " examples");
}

}  // namespace

bool int8Available() {
  return pickQEngine();
}

bool onnxAvailable() {
#ifdef PARETOPRUNE_WITH_ONNX
  return true;
#else
  return false;
#endif
}

ExportResult exportSubnetwork(const Model& m, const SubNetwork& s, const std::string& outDir,
                              const ExportOptions& o) {
  const ModelImpl& mi = m.impl();
  s.validate(mi.config);
  if (!m.hasTokenizer())
    throw Error(m.directory() + ": the model has no tokenizer; an export needs one");
  std::error_code ec;
  if (std::filesystem::equivalent(outDir, m.directory(), ec))
    throw Error(outDir + ": is the model being exported (" + m.directory() +
                "); an export never replaces its source (choose another --out)");
  torch::NoGradGuard ng;
  const Prepared p = prepare(mi, s, o);

  // Reference logits.
  const auto& texts = o.verifyTexts.empty() ? defaultVerifyTexts() : o.verifyTexts;
  const auto& tok = m.tokenizer();
  const int64_t maxLen = std::min<int64_t>(128, maxSequenceLength(mi.config));
  std::vector<Batch> batches;
  for (const auto& t : texts) {
    Encoding e = tok.encode(t, nullptr, maxLen);
    const int64_t T = static_cast<int64_t>(e.ids.size());
    batches.push_back({torch::tensor(e.ids, torch::kLong).view({1, T}),
                       torch::tensor(e.type_ids, torch::kLong).view({1, T}), torch::ones({1, T})});
  }
  std::vector<torch::Tensor> expected;
  for (const auto& b : batches)
    expected.push_back(encoderForward(p.ref, mi.act, mi.config.layer_norm_eps, b));

  ExportResult r;
  r.dir = outDir;
  r.parameters = parameterCount(p.cfg);
  r.note = p.note;
  fileutil::replaceDirectory(
      outDir, o.force,
      [&](const std::string& dir) {
        json onnxInfo;
        const std::vector<torch::Tensor> got = writeFormat(dir, p, m, o, batches, &onnxInfo);
        r.verifyExamples = static_cast<int64_t>(batches.size());
        compareLogits(got, expected, o, &r);
        json verification = {{"examples", r.verifyExamples},
                             {"max_logit_diff", r.maxLogitDiff},
                             {"label_agreement", r.agreement}};
        if (!onnxInfo.is_null()) {
          verification["onnx_checker"] = "passed";
          verification["onnx_shape_inference"] = "passed";
          verification["run_by"] = "ParetoPrune's ONNX runner (LibTorch ops), not ONNX Runtime";
        }
        json info = {{"paretoprune_version", PARETOPRUNE_CORE_VERSION},
                     {"format", exportFormatName(o.format)},
                     {"loads_in", exportFormatLoadsIn(o.format)},
                     {"subnetwork", s.toJson()},
                     {"summary", s.summary()},
                     {"source_model", m.directory()},
                     {"source_checksum", m.checksum()},
                     {"source_parameters", parameterCount(mi.config)},
                     {"parameters", r.parameters},
                     {"verification", verification},
                     {"libtorch", torchVersion()}};
        if (!onnxInfo.is_null()) info["onnx"] = onnxInfo;
        if (!r.note.empty()) info["note"] = r.note;
        if (o.format == ExportFormat::Int8)
          info["quantized_engine"] = c10::toString(at::globalContext().qEngine());
        for (auto it = o.provenance.begin(); it != o.provenance.end(); ++it)
          info[it.key()] = it.value();
        fileutil::writeFileAtomic(fileutil::joinPath(dir, "paretoprune.json"), info.dump(2) + "\n");
      },
      "paretoprune.json");  // only an empty directory or an earlier export is replaced
  for (const auto& f : fileutil::listFiles(outDir)) {
    r.files.push_back(f.path);
    r.bytes += f.bytes;
  }
  return r;
}

}  // namespace pp
