// bench_vs_ort: our evaluator against ONNX Runtime on the same sub-network,
// the same token ids and the same thread budget, timed in turn within one
// run (best of rounds each): the full BERT-base shape and sub-networks down
// to a quarter of its FLOPs. ONNX Runtime runs our own ONNX export
// (exportSubnetwork, format onnx) through onnxruntime-node
// (bench/ort_batches.mjs, BUILD/node from scripts/install-node-deps.sh).
//
//   bench_vs_ort [--pairs 64] [--batch 8] [--ours-batch N] [--rounds 3] [--threads 2]
//                [--work DIR] [--node-dir DIR] [--no-int8] [--int8-reference]
//                [--model DIR --data FILE] [--targets] [--only "onednn int8,ORT int8"]
//
// --model/--data: a trained model and its labelled sentences (the demo:
// resources/demo/model, resources/demo/sentiment-validation.tsv) in place
// of the random BERT-base shape; the full model only.
//
// Int8: ours at --precision int8 (the onnx-int8 export's numerics) on each
// int8 backend: oneDNN's, and ours (the AVX512_VNNI kernel where the CPU
// has it; elsewhere our portable kernel, only with --int8-reference), the
// one chosen by measurement marked, beside ONNX Runtime on the onnx-int8
// export; "=ORT int8" is each row's label agreement with ONNX Runtime int8.
//
// Ours: an evaluation team of `threads` threads (the CLI's policy for one
// worker: useComputeThreads), one row per GEMM backend and precision
// (core/src/cpu/gemm_backend.h; the one chosen by measurement marked *);
// ONNX Runtime: `threads` intra-op threads, all graph optimizations, on
// our onnx and onnx-int8 exports. "cpu s": ours only, the CPU seconds of
// one pass on all threads (mean over the passes, the best of the turns):
// on a loaded machine wall time flatters us (ONNX Runtime suffers more
// from load), CPU time does much less.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench_data.h"
#include "bench_util.h"
#include "cpu/gemm_choice.h"
#include "eval/evaluator_impl.h"
#include "node_script.h"
#include "paretoprune/cpu/gemm.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/export/export.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"

namespace fs = std::filesystem;

namespace {

// The encoded batches as onnx_batches.mjs reads them.
void writeBatches(const pp::EncodedData& data, const std::string& path) {
  nlohmann::json out = nlohmann::json::array();
  for (const pp::Batch& b : data.impl().batchesOn("cpu")) {
    auto flat = [](const torch::Tensor& t) {
      auto c = t.to(torch::kLong).contiguous();
      return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
    };
    out.push_back({{"rows", b.ids.size(0)},
                   {"cols", b.ids.size(1)},
                   {"ids", flat(b.ids)},
                   {"mask", flat(b.mask)},
                   {"types", flat(b.typeIds)}});
  }
  std::ofstream(path) << out.dump();
}

// FLOPs of one pass over the batches (each at its own padded length).
double passFlops(const pp::ModelConfig& c, const pp::SubNetwork& s, const pp::EncodedData& data) {
  double f = 0;
  for (const pp::Batch& b : data.impl().batchesOn("cpu"))
    f += static_cast<double>(pp::flopCount(c, s, b.ids.size(1))) *
         static_cast<double>(b.ids.size(0));
  return f;
}

// One way of running: our evaluator on a forced backend and precision, or
// ONNX Runtime on an export.
struct Path {
  std::string name;  // "onednn fp32", "ORT int8"
  std::string gemm;  // our backend ("" for ORT)
  pp::Precision precision = pp::Precision::Float32;
  pp::ExportFormat format = pp::ExportFormat::Onnx;  // ORT's
};

std::vector<Path> pathsToRun(bool int8, bool int8Reference) {
  std::vector<Path> out;
  for (pp::GemmBackend b : pp::allGemmBackends())
    if (pp::gemmUnavailable(b, pp::GemmType::Float32).empty())
      out.push_back({std::string(pp::gemmBackendName(b)) + " fp32", pp::gemmBackendName(b)});
  if (pp::gemmUnavailable(pp::GemmBackend::Onednn, pp::GemmType::BFloat16).empty())
    out.push_back({"onednn bf16", "onednn", pp::Precision::BFloat16});
  // Int8: our kernel (the VNNI one where the CPU has it, else the portable
  // one, slow: only with --int8-reference) and oneDNN's.
  if (int8 && (int8Reference || pp::int8VnniAvailable()))
    out.push_back({"packed int8", "packed", pp::Precision::Int8});
  if (int8 && pp::gemmUnavailable(pp::GemmBackend::Onednn, pp::GemmType::Int8).empty())
    out.push_back({"onednn int8", "onednn", pp::Precision::Int8});
  out.push_back({"ORT fp32", "", pp::Precision::Float32, pp::ExportFormat::Onnx});
  if (int8) out.push_back({"ORT int8", "", pp::Precision::Float32, pp::ExportFormat::OnnxInt8});
  return out;
}

std::string exportFor(const pp::Model& model, const pp::SubNetwork& s, const std::string& work,
                      pp::ExportFormat f) {
  const std::string out =
      work + "/" + pp::exportFormatName(f) + "-" + std::to_string(s.keptLayers()) + "-" +
      std::to_string(s.layers.front().heads) + "-" + std::to_string(s.layers.front().units);
  pp::ExportOptions xo;
  xo.format = f;
  xo.force = true;
  pp::exportSubnetwork(model, s, out, xo);
  return fs::absolute(out + (f == pp::ExportFormat::OnnxInt8 ? "/onnx/model_quantized.onnx"
                                                             : "/onnx/model.onnx"))
      .string();
}

// ONNX Runtime's labels (batch after batch) in the examples' own order.
std::vector<int64_t> inExampleOrder(const pp::EncodedData& data, const nlohmann::json& labels) {
  std::vector<int64_t> out(data.size(), -1);
  size_t i = 0;
  for (const auto& rows : data.impl().batchIndex)
    for (size_t ex : rows) out[ex] = labels.at(i++).get<int64_t>();
  return out;
}

// CPU seconds of this process so far (every thread): ours only, ONNX
// Runtime runs in a child.
double processCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

std::string agreement(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  if (a.empty() || a.size() != b.size()) return "";
  size_t same = 0;
  for (size_t k = 0; k < a.size(); ++k) same += a[k] == b[k];
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                100.0 * static_cast<double>(same) / static_cast<double>(a.size()));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t pairs = 64, batch = 8, oursBatch = 0;
  int rounds = 3, threads = 2;
  bool noInt8 = false, targets = false, int8Reference = false;
  std::string work = "out/bench-vs-ort", nodeDir = PARETOPRUNE_NODE_DIR, modelArg, dataArg, only;
  CLI::App cli("bench_vs_ort: our evaluator against ONNX Runtime on the same sub-networks");
  cli.add_option("--pairs", pairs, "Sentence pairs (RTE-like, 51-128 tokens)")
      ->capture_default_str();
  cli.add_option("--batch", batch, "Batch size (both engines)")->capture_default_str();
  cli.add_option("--ours-batch", oursBatch,
                 "Our batch size, where it differs (0: --batch); ONNX Runtime keeps --batch")
      ->capture_default_str();
  cli.add_option("--rounds", rounds, "Timed passes over the data (best of)")->capture_default_str();
  cli.add_option("--threads", threads, "Thread budget (OpenBLAS threads; ORT intra-op threads)")
      ->capture_default_str();
  cli.add_option("--work", work, "Scratch folder")->capture_default_str();
  cli.add_option("--node-dir", nodeDir, "Folder with node_modules (onnxruntime-node)")
      ->capture_default_str();
  cli.add_flag("--no-int8", noInt8, "Leave out int8 (ours and ONNX Runtime's on onnx-int8)");
  cli.add_flag("--int8-reference", int8Reference,
               "Add our int8 kernel where the CPU has no AVX512_VNNI (the portable one, slow)");
  cli.add_option("--model", modelArg, "A model folder in place of the random BERT-base shape");
  cli.add_option("--data", dataArg, "Its labelled sentences (with --model)");
  cli.add_flag("--targets", targets,
               "Only the rows issue 31's targets name: the full model and the quarter-FLOP ones");
  cli.add_option("--only", only,
                 "Only these paths, comma-separated as the table names them "
                 "(\"onednn int8,ORT int8\")");
  CLI11_PARSE(cli, argc, argv);
  // ONNX Runtime is half of every row: said before minutes of measuring.
  if (!fs::exists(nodeDir + "/node_modules/onnxruntime-node")) {
    std::fprintf(stderr,
                 "bench_vs_ort: %s has no onnxruntime-node: run scripts/install-node-deps.sh "
                 "(or give --node-dir)\n",
                 nodeDir.c_str());
    return 1;
  }

  fs::create_directories(work);
  if (modelArg.empty() != dataArg.empty()) {
    std::fprintf(stderr, "bench_vs_ort: --model and --data go together\n");
    return 1;
  }
  const std::string modelDir = modelArg.empty() ? work + "/bert-base-shaped" : modelArg;
  if (modelArg.empty() && !fs::exists(modelDir + "/config.json")) {
    auto o = pp::TinyModelOptions::shaped(12, 768, 12, 3072);
    o.maxPositions = 512;
    pp::writeRandomModel(modelDir, o);
  }
  auto model = pp::Model::load(modelDir);
  const pp::ModelConfig& c = model->config();
  pp::EncodeOptions eo;
  eo.maxLength = 128;
  eo.batchSize = batch;
  const auto examples =
      modelArg.empty() ? ppbench::rteLikePairs(pairs, 7, 45, 105) : pp::loadDataset(dataArg, c);
  const pp::EncodedData data(*model, examples, eo);
  // Ours at its own batch size, on the same sentences (the work counted
  // in GFLOP/s stays ONNX Runtime's padded batches, for both).
  if (oursBatch <= 0) oursBatch = batch;
  eo.batchSize = oursBatch;
  const pp::EncodedData oursData(*model, examples, eo);
  const std::string batches = fs::absolute(work + "/batches.json").string();
  writeBatches(data, batches);
  // The machine's GEMM rate: OpenBLAS on every thread of the budget.
  pp::setComputeThreads(1, threads);
  const double gemm = ppbench::gemmRate(batch * static_cast<int64_t>(data.meanLength()), 3);
  pp::useComputeThreads(pp::ComputeUse::Evaluation, threads);
  pp::setGemmBackend("auto");
  const std::string chosen = pp::gemmChoiceLine(c, "fp32");
  const pp::GemmChoice bf16Choice =
      pp::gemmUnavailable(pp::GemmBackend::Onednn, pp::GemmType::BFloat16).empty()
          ? pp::gemmChoiceFor(c, pp::GemmType::BFloat16)
          : pp::GemmChoice{};
  const std::string chosenName = pp::gemmChoiceFor(c, pp::GemmType::Float32).line();
  std::printf(
      "bench_vs_ort: %s, %lld examples (mean %.0f tokens), batches of %lld (ours "
      "%lld); ours an evaluation team of %d threads, ONNX Runtime %d intra-op threads; GEMM rate "
      "(OpenBLAS, %d threads) %.1f GFLOP/s; best of %d passes each, in turn\n"
      "CPU: %s\nlibraries: %s\n%s\nbf16: %s\nint8: %s\n\n",
      modelArg.empty() ? "random BERT-base shape" : modelArg.c_str(),
      static_cast<long long>(data.size()), data.meanLength(), static_cast<long long>(batch),
      static_cast<long long>(oursBatch), threads, threads, threads, gemm, rounds,
      pp::cpuDescription().c_str(), pp::gemmLibraryVersions().c_str(), chosen.c_str(),
      bf16Choice.rates.empty() ? "not available on this CPU" : bf16Choice.line().c_str(),
      noInt8 ? "left out" : pp::gemmChoiceFor(c, pp::GemmType::Int8).line().c_str());
  std::fflush(stdout);
  const char* subnets[] = {
      R"({"num_layers":12,"num_heads":12,"num_units":3072})",
      R"({"num_layers":12,"num_heads":9,"num_units":2304})",
      R"({"num_layers":12,"num_heads":6,"num_units":1536})",
      R"({"num_layers":6,"num_heads":6,"num_units":1536})",
      R"({"num_layers":12,"num_heads":3,"num_units":768})",
  };
  auto paths = pathsToRun(!noInt8, int8Reference);
  const std::string int8Chosen =
      noInt8 ? "" : pp::gemmBackendName(pp::gemmChoiceFor(c, pp::GemmType::Int8).plan.backend);
  if (!only.empty()) {
    const std::string list = "," + only + ",";
    paths.erase(std::remove_if(paths.begin(), paths.end(),
                               [&](const Path& p) {
                                 return list.find("," + p.name + ",") == std::string::npos;
                               }),
                paths.end());
    if (paths.empty()) {
      std::fprintf(stderr, "bench_vs_ort: --only \"%s\" names none of the paths\n", only.c_str());
      return 1;
    }
  }
  std::printf("%-20s %6s | %-14s %8s %14s %9s %9s %7s %9s %7s\n", "sub-network", "FLOPs", "path",
              "s", "GFLOP/s", "/ORT fp32", "/ORT int8", "agree", "=ORT int8", "cpu s");
  const double fullFlops = passFlops(c, pp::SubNetwork::full(c), data);
  for (const char* desc : subnets) {
    const pp::SubNetwork s =
        modelArg.empty() ? pp::SubNetwork::parse(desc, c) : pp::SubNetwork::full(c);
    if (!modelArg.empty() && desc != subnets[0]) break;
    const double share = passFlops(c, s, data) / fullFlops;
    if (targets && share < 0.99 && (share < 0.24 || share > 0.26)) continue;
    std::vector<std::string> onnx(paths.size());
    for (size_t i = 0; i < paths.size(); ++i)
      if (paths[i].gemm.empty()) onnx[i] = exportFor(*model, s, work, paths[i].format);
    std::vector<double> secs(paths.size(), 1e30), cpu(paths.size(), 0.0);
    std::vector<std::vector<int64_t>> preds(paths.size());
    for (int turn = 0; turn < 2; ++turn)  // in turn, so that drift hits all
      for (size_t i = 0; i < paths.size(); ++i) {
        if (paths[i].gemm.empty()) {
          const auto r = ppbench::runNodeScript(
              nodeDir, "ort_batches.mjs",
              {onnx[i], batches, std::to_string(rounds), std::to_string(threads)});
          secs[i] = std::min(secs[i], r["seconds"].get<double>());
          preds[i] = inExampleOrder(data, r["labels"]);
          continue;
        }
        pp::setGemmBackend(paths[i].gemm);
        pp::EvalOptions ev;
        ev.mode = pp::ExecMode::Sliced;
        ev.measureLatency = false;
        ev.precision = paths[i].precision;
        const double cpu0 = processCpuSeconds();
        secs[i] = std::min(secs[i], ppbench::bestSeconds(rounds, [&] {
                             preds[i] = pp::evaluate(*model, s, oursData, ev).predictions;
                           }));
        const double perPass = (processCpuSeconds() - cpu0) / (rounds + 1);  // with the warm-up
        cpu[i] = cpu[i] > 0 ? std::min(cpu[i], perPass) : perPass;
      }
    pp::setGemmBackend("auto");
    const double flops = passFlops(c, s, data);
    double ortFp32 = 0, ortInt8 = 0;
    std::vector<int64_t> ortInt8Labels;
    for (size_t i = 0; i < paths.size(); ++i) {
      if (paths[i].name == "ORT fp32") ortFp32 = secs[i];
      if (paths[i].name == "ORT int8") {
        ortInt8 = secs[i];
        ortInt8Labels = preds[i];
      }
    }
    for (size_t i = 0; i < paths.size(); ++i) {
      const bool mark = paths[i].name + " (" == chosenName.substr(0, paths[i].name.size() + 2) ||
                        (paths[i].precision == pp::Precision::BFloat16 &&
                         bf16Choice.plan.type == pp::GemmType::BFloat16) ||
                        (paths[i].precision == pp::Precision::Int8 && paths[i].gemm == int8Chosen);
      char cpuS[16] = "";
      if (cpu[i] > 0) std::snprintf(cpuS, sizeof cpuS, "%.3f", cpu[i]);
      std::printf("%-20s %5.0f%% | %-13s%s %8.3f %8.1f (%3.0f%%) %9.2f %9.2f %7s %9s %7s\n",
                  i == 0 ? s.summary().c_str() : "", 100 * flops / fullFlops, paths[i].name.c_str(),
                  mark ? "*" : " ", secs[i], flops / secs[i] / 1e9,
                  100 * flops / secs[i] / 1e9 / gemm, ortFp32 > 0 ? secs[i] / ortFp32 : 0.0,
                  ortInt8 > 0 ? secs[i] / ortInt8 : 0.0, agreement(preds[i], preds[0]).c_str(),
                  agreement(preds[i], ortInt8Labels).c_str(), cpuS);
    }
    std::fflush(stdout);
  }
  return 0;
}
