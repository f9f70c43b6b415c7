// bench_precision: a bf16 search with fp32 confirmation against an fp32
// search of the same sub-networks (random strategy, same seed: the same
// proposals), on the demo model and data.
//
//   bench_precision [--model DIR] [--data TSV] [--trials N] [--seed S]
//                   [--space per-layer] [--gemm auto|onednn]
//
// Prints the CPU and the products' backend for each precision, then per
// search: wall time after the full model, trials per minute, how many
// trials were measured again in fp32; then what bf16 changed: the error
// difference per trial (bf16 against fp32, over the trials confirmed, which
// have both), label agreement of bf16 and fp32 on the full model and on the
// front's members, and whether the confirmed front equals the fp32 search's
// front (the same sub-networks). Timings are ratios within one run.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "paretoprune/cpu/gemm.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/search_runner.h"

namespace {

struct Args {
  std::string model = PARETOPRUNE_RESOURCES_DIR "/demo/model";
  std::string data = PARETOPRUNE_RESOURCES_DIR "/demo/sentiment-validation.tsv";
  int64_t trials = 60;
  uint64_t seed = 1;
  std::string space = "per-layer";
  std::string gemm = "auto";
};

struct Run {
  std::vector<pp::Trial> trials;
  std::vector<int64_t> front;
  double wall = 0;
};

Run search(const std::shared_ptr<const pp::Model>& model,
           const std::shared_ptr<const pp::EncodedData>& enc, const pp::SearchSpace& space,
           const Args& a, pp::Precision p) {
  pp::SearchOptions o;
  o.strategy = "random";
  o.trials = a.trials;
  o.workers = 1;
  o.seed = a.seed;
  o.objectives = {"error", "params"};
  o.eval.measureLatency = false;
  o.eval.mode = pp::ExecMode::Sliced;
  o.eval.precision = p;
  auto t0 = std::chrono::steady_clock::now();
  pp::SearchEvents ev;
  ev.referenceEvaluated = [&](const pp::Trial&) { t0 = std::chrono::steady_clock::now(); };
  pp::SearchRunner runner(model, enc, space, o, ev);
  runner.run();
  Run r;
  r.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.trials = runner.trials();
  r.front = runner.frontIds();
  return r;
}

std::set<std::string> frontKeys(const Run& r) {
  std::set<std::string> keys;
  for (const auto& t : r.trials)
    if (std::find(r.front.begin(), r.front.end(), t.id) != r.front.end())
      keys.insert(t.subnet.key());
  return keys;
}

// Share of examples whose label bf16 and fp32 agree on, for `s`.
double agreement(const pp::Model& m, const pp::SubNetwork& s, const pp::EncodedData& enc) {
  pp::EvalOptions fp, bf;
  fp.measureLatency = bf.measureLatency = false;
  fp.mode = bf.mode = pp::ExecMode::Sliced;
  bf.precision = pp::Precision::BFloat16;
  const auto x = pp::evaluate(m, s, enc, fp).predictions;
  const auto y = pp::evaluate(m, s, enc, bf).predictions;
  size_t same = 0;
  for (size_t i = 0; i < x.size(); ++i) same += x[i] == y[i];
  return x.empty() ? 1.0 : static_cast<double>(same) / static_cast<double>(x.size());
}

void report(const pp::Model& model, const pp::EncodedData& enc, const Run& fp, const Run& bf) {
  const double perMin32 = 60.0 * static_cast<double>(fp.trials.size()) / fp.wall;
  const double perMin16 = 60.0 * static_cast<double>(bf.trials.size()) / bf.wall;
  int confirmed = 0;
  double sumDiff = 0, maxDiff = 0;
  for (const auto& t : bf.trials)
    if (!t.screenedPrecision.empty()) {
      ++confirmed;
      const double d = std::fabs(t.screenedError - t.errorRate);
      sumDiff += d;
      maxDiff = std::max(maxDiff, d);
    }
  std::printf("| search | wall s | trials/min | measured again in fp32 | front |\n");
  std::printf("| --- | --- | --- | --- | --- |\n");
  std::printf("| fp32 | %.2f | %.1f | - | %zu |\n", fp.wall, perMin32, fp.front.size());
  std::printf("| bf16, front confirmed in fp32 | %.2f (%.2fx) | %.1f | %d of %zu | %zu |\n",
              bf.wall, fp.wall / bf.wall, perMin16, confirmed, bf.trials.size(), bf.front.size());
  std::printf("\nerror bf16 - fp32 over the %d confirmed trials: mean |d| %.4f, max |d| %.4f\n",
              confirmed, confirmed ? sumDiff / confirmed : 0.0, maxDiff);
  std::printf("label agreement bf16/fp32: full model %.2f%%",
              100.0 * agreement(model, pp::SubNetwork::full(model.config()), enc));
  double worst = 1.0;
  for (const auto& t : bf.trials)
    if (std::find(bf.front.begin(), bf.front.end(), t.id) != bf.front.end())
      worst = std::min(worst, agreement(model, t.subnet, enc));
  std::printf(", the front's members at least %.2f%%\n", 100.0 * worst);
  const bool same = frontKeys(fp) == frontKeys(bf);
  std::printf("confirmed front equal to the fp32 search's front: %s\n", same ? "yes" : "NO");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"bf16 search with fp32 confirmation against an fp32 search"};
  Args a;
  cli.add_option("--model", a.model, "Model directory")->capture_default_str();
  cli.add_option("--data", a.data, "Validation data")->capture_default_str();
  cli.add_option("--trials", a.trials, "Trials per search")->capture_default_str();
  cli.add_option("--seed", a.seed, "Seed of both searches")->capture_default_str();
  cli.add_option("--space", a.space, "Search space")->capture_default_str();
  cli.add_option("--gemm", a.gemm, "Products' backend (auto: measured; onednn: bf16 forced on)")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    if (a.gemm != "auto") setenv("PARETOPRUNE_GEMM", a.gemm.c_str(), 1);
    auto model = pp::Model::load(a.model);
    pp::Dataset val = pp::loadDataset(a.data, model->config());
    pp::EncodeOptions eo;
    eo.maxLength = 64;
    auto enc = std::make_shared<pp::EncodedData>(*model, val, eo);
    const auto space = pp::SearchSpace::parse(a.space, model->config());
    std::printf("bench_precision: model %s, %zu validation examples, space %s, %lld trials\n",
                a.model.c_str(), enc->size(), a.space.c_str(), static_cast<long long>(a.trials));
    std::printf("LibTorch %s, %d hardware threads, 1 worker\n", pp::torchVersion().c_str(),
                pp::hardwareThreads());
    std::printf("fp32: %s\nbf16: %s\n\n", pp::gemmChoiceLine(model->config(), "fp32").c_str(),
                pp::gemmChoiceLine(model->config(), "bf16").c_str());
    const Run fp = search(model, enc, space, a, pp::Precision::Float32);
    const Run bf = search(model, enc, space, a, pp::Precision::BFloat16);
    report(*model, *enc, fp, bf);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_precision: %s\n", e.what());
    return 1;
  }
  return 0;
}
