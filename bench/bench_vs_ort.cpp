// bench_vs_ort: our evaluator against ONNX Runtime on the same sub-network,
// the same token ids and the same thread budget, timed in turn within one
// run (best of rounds each): the full BERT-base shape and sub-networks down
// to a quarter of its FLOPs. ONNX Runtime runs our own ONNX export
// (exportSubnetwork, format onnx) through onnxruntime-node
// (bench/ort_batches.mjs, BUILD/node from scripts/install-node-deps.sh).
//
//   bench_vs_ort [--pairs 64] [--batch 8] [--ours-batch N] [--rounds 3] [--threads 2]
//                [--work DIR] [--node-dir DIR]
//
// Ours: an evaluation team of `threads` threads (the CLI's policy for one
// worker: useComputeThreads); ONNX Runtime: `threads` intra-op threads, all
// graph optimizations.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench_data.h"
#include "bench_util.h"
#include "eval/evaluator_impl.h"
#include "node_script.h"
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

}  // namespace

int main(int argc, char** argv) {
  int64_t pairs = 64, batch = 8, oursBatch = 0;
  int rounds = 3, threads = 2;
  std::string work = "out/bench-vs-ort", nodeDir = PARETOPRUNE_NODE_DIR;
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
  CLI11_PARSE(cli, argc, argv);

  fs::create_directories(work);
  const std::string modelDir = work + "/bert-base-shaped";
  if (!fs::exists(modelDir + "/config.json")) {
    auto o = pp::TinyModelOptions::shaped(12, 768, 12, 3072);
    o.maxPositions = 512;
    pp::writeRandomModel(modelDir, o);
  }
  auto model = pp::Model::load(modelDir);
  const pp::ModelConfig& c = model->config();
  pp::EncodeOptions eo;
  eo.maxLength = 128;
  eo.batchSize = batch;
  const auto examples = ppbench::rteLikePairs(pairs, 7, 45, 105);
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
  std::printf(
      "bench_vs_ort: random BERT-base shape, %lld pairs (mean %.0f tokens), batches of %lld (ours "
      "%lld); "
      "ours an evaluation team of %d threads, ONNX Runtime %d intra-op threads; GEMM rate "
      "(OpenBLAS, "
      "%d threads) %.1f GFLOP/s; best of %d passes each, in turn\n\n",
      static_cast<long long>(pairs), data.meanLength(), static_cast<long long>(batch),
      static_cast<long long>(oursBatch), threads, threads, threads, gemm, rounds);
  std::printf("%-20s %6s | %8s %8s | %9s | %14s %14s\n", "sub-network", "FLOPs", "ours s", "ORT s",
              "ours/ORT", "ours GFLOP/s", "ORT GFLOP/s");
  const char* subnets[] = {
      R"({"num_layers":12,"num_heads":12,"num_units":3072})",
      R"({"num_layers":12,"num_heads":9,"num_units":2304})",
      R"({"num_layers":12,"num_heads":6,"num_units":1536})",
      R"({"num_layers":6,"num_heads":6,"num_units":1536})",
      R"({"num_layers":12,"num_heads":3,"num_units":768})",
  };
  const double fullFlops = passFlops(c, pp::SubNetwork::full(c), data);
  pp::EvalOptions ev;
  ev.mode = pp::ExecMode::Sliced;
  ev.measureLatency = false;
  for (const char* desc : subnets) {
    const pp::SubNetwork s = pp::SubNetwork::parse(desc, c);
    const std::string out = work + "/onnx-" + std::to_string(s.keptLayers()) + "-" +
                            std::to_string(s.layers.front().heads) + "-" +
                            std::to_string(s.layers.front().units);
    pp::ExportOptions xo;
    xo.format = pp::ExportFormat::Onnx;
    xo.force = true;
    pp::exportSubnetwork(*model, s, out, xo);
    const std::string onnx = fs::absolute(out + "/onnx/model.onnx").string();
    double ours = 1e30, ort = 1e30;
    for (int turn = 0; turn < 2; ++turn) {  // in turn, so that drift hits both
      ours = std::min(ours,
                      ppbench::bestSeconds(rounds, [&] { pp::evaluate(*model, s, oursData, ev); }));
      ort = std::min(ort, ppbench::runNodeScript(nodeDir, "ort_batches.mjs",
                                                 {onnx, batches, std::to_string(rounds),
                                                  std::to_string(threads)})["seconds"]
                              .get<double>());
    }
    const double flops = passFlops(c, s, data);
    std::printf("%-20s %5.0f%% | %8.3f %8.3f | %9.2f | %8.1f (%3.0f%%) %8.1f (%3.0f%%)\n",
                s.summary().c_str(), 100 * flops / fullFlops, ours, ort, ours / ort,
                flops / ours / 1e9, 100 * flops / ours / 1e9 / gemm, flops / ort / 1e9,
                100 * flops / ort / 1e9 / gemm);
    std::fflush(stdout);
  }
  return 0;
}
