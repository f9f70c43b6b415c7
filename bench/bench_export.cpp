// bench_export: what an export buys. For the full demo model and three
// Pareto points (from a run log's front, or three fixed sub-networks), the
// exported files' size, parameters, load time, and the latency (median, p95)
// at batch sizes 1, 8 and 32 of: ParetoPrune's own evaluator (sliced, in
// process), the exported TorchScript module (float32, int8) and the ONNX
// exports (float32, int8) in ONNX Runtime (onnxruntime-node, through
// bench/onnx_latency.mjs and BUILD/node from scripts/install-node-deps.sh),
// each as a ratio to the full model in the same format and runtime.
//
//   bench_export [--model DIR] [--log RUN.jsonl] [--seq T] [--runs N] [--work DIR] [--node-dir DIR]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <torch/script.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "node_script.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/export/export.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/trial.h"

namespace fs = std::filesystem;

namespace {
using Clock = std::chrono::steady_clock;
double ms(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Lat {
  double median = 0, p95 = 0;
};

Lat latency(torch::jit::Module& m, int64_t batch, int64_t seq, int64_t vocab, int runs) {
  torch::InferenceMode guard;
  auto ids = torch::randint(1, vocab, {batch, seq}, torch::kLong);
  auto mask = torch::ones({batch, seq}, torch::kLong);
  auto types = torch::zeros({batch, seq}, torch::kLong);
  for (int i = 0; i < 2; ++i) m.forward({ids, mask, types});
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    m.forward({ids, mask, types});
    t.push_back(ms(t0));
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2],
          t[std::min(t.size() - 1, static_cast<size_t>(0.95 * static_cast<double>(t.size())))]};
}

// Load time and latencies of an ONNX file in onnxruntime-node (null when
// the npm packages are not installed).
nlohmann::json ortLatency(const std::string& nodeDir, const std::string& onnx, int64_t seq,
                          int64_t vocab, int runs, int threads) {
  return ppbench::runNodeScript(
      nodeDir, "onnx_latency.mjs",
      {fs::absolute(onnx).string(), std::to_string(seq), std::to_string(vocab),
       std::to_string(runs), std::to_string(threads), "1", "8", "32"});
}

double bestLoadMs(const std::function<void()>& load) {
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    auto t0 = Clock::now();
    load();
    best = std::min(best, ms(t0));
  }
  return best;
}
}  // namespace

int main(int argc, char** argv) {
  std::string modelDir = PARETOPRUNE_RESOURCES_DIR "/demo/model", logPath,
              work = "out/bench-export", nodeDir = PARETOPRUNE_NODE_DIR;
  int ortThreads = 1;  // as LibTorch's intra-op threads here (setComputeThreads(1, ...))
  int64_t seq = 64;
  int runs = 30;
  CLI::App cli("bench_export: size, load time and latency of exported sub-networks");
  cli.add_option("--model", modelDir, "Model directory")->capture_default_str();
  cli.add_option("--log", logPath, "Run log whose Pareto set to export");
  cli.add_option("--seq", seq, "Sequence length")->capture_default_str();
  cli.add_option("--runs", runs, "Timed runs per latency")->capture_default_str();
  cli.add_option("--work", work, "Scratch directory for the exports")->capture_default_str();
  cli.add_option("--node-dir", nodeDir,
                 "Where scripts/install-node-deps.sh put onnxruntime-node (ONNX rows)")
      ->capture_default_str();
  cli.add_option("--ort-threads", ortThreads, "ONNX Runtime intra-op threads")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    pp::setComputeThreads(1, pp::hardwareThreads());
    auto model = pp::Model::load(modelDir);
    const auto& c = model->config();
    std::vector<std::pair<std::string, pp::SubNetwork>> points = {
        {"full", pp::SubNetwork::full(c)}};
    if (!logPath.empty()) {
      auto lc = pp::readRunLog(logPath, &c);
      std::vector<pp::Trial> candidates;  // sub-networks with layers, short of the full model
      for (const auto& t : lc.trials)
        if (t.subnet.keptLayers() > 0 && !t.subnet.isFull(c)) candidates.push_back(t);
      std::vector<const pp::Trial*> front;
      for (size_t i : pp::paretoTrials(candidates, {"error", "params"}))
        front.push_back(&candidates[i]);
      std::sort(front.begin(), front.end(), [](auto* a, auto* b) { return a->params > b->params; });
      if (front.size() < 3)
        throw std::runtime_error(logPath + ": fewer than 3 Pareto points with layers");
      for (size_t i : {size_t(0), front.size() / 2, front.size() - 1})
        points.push_back({"trial " + std::to_string(front[i]->id), front[i]->subnet});
    } else {
      for (auto [l, h, u] : {std::tuple{3, 4, 384}, std::tuple{2, 2, 256}, std::tuple{1, 1, 128}})
        points.push_back(
            {std::to_string(l) + "L " + std::to_string(h) + "H " + std::to_string(u) + "U",
             pp::SubNetwork::uniform(c, l, h, u)});
    }
    fs::create_directories(work);
    const bool int8 = pp::int8Available();
    const std::string engine =
        int8 ? std::string(c10::toString(at::globalContext().qEngine())) : "none";
    const bool ort = fs::exists(nodeDir + "/node_modules/onnxruntime-node/package.json");

    std::printf(
        "bench_export: %s, sequence %lld, %d timed runs, LibTorch %s, int8 engine %s, "
        "ONNX Runtime: %s (%d intra-op threads)\n\n",
        modelDir.c_str(), static_cast<long long>(seq), runs, pp::torchVersion().c_str(),
        engine.c_str(), ort ? "onnxruntime-node" : "not installed (scripts/install-node-deps.sh)",
        ortThreads);
    std::printf("%-14s %-8s %10s %9s %9s %9s %16s %16s %16s\n", "model", "format", "params", "MiB",
                "size x", "load ms", "b1 med/p95 ms", "b8 med/p95 ms", "b32 med/p95 ms");
    double fullBytes = 0;
    // The full model's medians per format and runtime: each row's speed-up
    // is against the full model run the same way.
    std::map<std::string, std::array<double, 3>> fullMedian;
    auto speedup = [&](const std::string& fmt, size_t p, int b, double median) {
      if (p == 0) fullMedian[fmt][static_cast<size_t>(b)] = median;
      return fullMedian[fmt][static_cast<size_t>(b)] / median;
    };
    const int64_t batches[3] = {1, 8, 32};
    for (size_t p = 0; p < points.size(); ++p) {
      const auto& [name, s] = points[p];
      const std::string base = work + "/p" + std::to_string(p);
      pp::ExportOptions o;
      o.force = true;
      o.padUnits = true;
      auto hf = pp::exportSubnetwork(*model, s, base + "-hf", o);
      o.format = pp::ExportFormat::TorchScript;
      pp::exportSubnetwork(*model, s, base + "-ts", o);
      if (int8) {
        o.format = pp::ExportFormat::Int8;
        pp::exportSubnetwork(*model, s, base + "-int8", o);
      }
      struct Row {
        const char* fmt;
        std::string file;
      };
      std::vector<Row> rows = {{"float32", base + "-ts/model.pt"}};
      if (int8) rows.push_back({"int8", base + "-int8/model.pt"});
      for (const auto& r : rows) {
        const double bytes = static_cast<double>(fs::file_size(r.file));
        if (p == 0 && std::string(r.fmt) == "float32") fullBytes = bytes;
        torch::jit::Module m;
        const double loadMs = bestLoadMs([&] { m = torch::jit::load(r.file); });
        m.eval();
        std::printf("%-14s %-8s %10lld %9.2f %9.2f %9.1f", name.c_str(), r.fmt,
                    static_cast<long long>(hf.parameters), bytes / 1048576.0, bytes / fullBytes,
                    loadMs);
        for (int b = 0; b < 3; ++b) {
          Lat l = latency(m, batches[b], seq, c.vocab_size, runs);
          std::printf("  %6.2f/%6.2f %4.2fx", l.median, l.p95, speedup(r.fmt, p, b, l.median));
        }
        std::printf("\n");
      }
      // ParetoPrune's evaluator on the source model (sliced sub-network, in process).
      std::printf("%-14s %-8s %10s %9s %9s %9s", name.c_str(), "evaluator", "", "", "", "");
      for (int b = 0; b < 3; ++b) {
        pp::LatencyOptions lo;
        lo.batchSize = batches[b];
        lo.seqLen = seq;
        lo.runs = runs;
        const pp::LatencyStats l = pp::measureLatency(*model, s, lo);
        std::printf("  %6.2f/%6.2f %4.2fx", l.medianMs, l.p95Ms,
                    speedup("evaluator", p, b, l.medianMs));
      }
      std::printf("\n");
      for (const char* fmt : {"onnx", "onnx-int8"}) {
        if (!ort) break;
        const bool q = std::string(fmt) == "onnx-int8";
        o.format = q ? pp::ExportFormat::OnnxInt8 : pp::ExportFormat::Onnx;
        const std::string dir = base + "-" + fmt;
        pp::exportSubnetwork(*model, s, dir, o);
        const std::string file = dir + (q ? "/onnx/model_quantized.onnx" : "/onnx/model.onnx");
        const double bytes = static_cast<double>(fs::file_size(file));
        const nlohmann::json j = ortLatency(nodeDir, file, seq, c.vocab_size, runs, ortThreads);
        std::printf("%-14s %-8s %10s %9.2f %9.2f %9.1f", name.c_str(), fmt, "", bytes / 1048576.0,
                    bytes / fullBytes, j["load_ms"].get<double>());
        for (int b = 0; b < 3; ++b) {
          const auto& l = j["latency"][static_cast<size_t>(b)];
          std::printf("  %6.2f/%6.2f %4.2fx", l["median"].get<double>(), l["p95"].get<double>(),
                      speedup(fmt, p, b, l["median"].get<double>()));
        }
        std::printf("\n");
      }
      const double hfLoad = bestLoadMs([&] { pp::Model::load(base + "-hf"); });
      std::printf(
          "%-14s %-8s %10s %9.2f %9.2f %9.1f   (model.safetensors, ParetoPrune's loader)\n", "",
          "hf", "", static_cast<double>(fs::file_size(base + "-hf/model.safetensors")) / 1048576.0,
          static_cast<double>(fs::file_size(base + "-hf/model.safetensors")) / fullBytes, hfLoad);
    }
    std::printf(
        "\n(speed-up columns: the full model's median in the same format and runtime / this "
        "median at the same batch size; evaluator: ParetoPrune's sliced forward in process; onnx: "
        "ONNX Runtime from "
        "Node.js, load = session creation)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_export: %s\n", e.what());
    return 1;
  }
  return 0;
}
