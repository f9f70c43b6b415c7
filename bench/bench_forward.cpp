// bench_forward: the machine's matrix-multiply rate at BERT shapes against
// the FLOP rate of a BERT-base-shaped forward pass (sequence 128), for
// several LibTorch/OpenBLAS thread settings, as ratios within one run.
// --profile: where one encoder layer's time goes, step by step (each step
// timed alone, best of reps, at the default thread policy).
// --families: evaluation GFLOP/s of a base-sized random model of each
// family (the evaluation team, packed weights), as ratios to BERT's.
//
//   bench_forward [--batch B] [--seq T] [--layers L] [--reps R] [--profile | --families]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_util.h"
#include "cpu/forward.h"
#include "model/slicing.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"

using ppbench::bestSeconds;
using ppbench::gemmRate;
using ppbench::secondsSince;

namespace {

// One encoder layer of the forward pass (bert.cpp's ops), each step timed
// alone on the previous step's output.
void profileLayer(const pp::EncoderWeights& w, int64_t B, int64_t T, int reps) {
  const auto& lw = w.layers[0];
  const int64_t H = w.emb.word.size(1), h = lw.heads, d = w.headSize, U = lw.units();
  const auto x = torch::randn({B, T, H});
  const auto ext = torch::zeros({B, 1, 1, T});
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  struct Step {
    const char* name;
    double seconds, flops;
  };
  std::vector<Step> steps;
  auto time = [&](const char* name, double flops, auto&& fn) {
    steps.push_back({name, bestSeconds(reps, fn), flops});
  };
  const double rows = static_cast<double>(B * T);
  torch::Tensor q, k, v, scores, probs, ctx, attn, x1, inter, act, ffn;
  time("query, key, value: 3 products", 3 * 2 * rows * H * h * d, [&] {
    q = torch::linear(x, lw.q_w, lw.q_b);
    k = torch::linear(x, lw.k_w, lw.k_b);
    v = torch::linear(x, lw.v_w, lw.v_b);
  });
  const auto qkvW = torch::cat({lw.q_w, lw.k_w, lw.v_w}),
             qkvB = torch::cat({lw.q_b, lw.k_b, lw.v_b});
  torch::Tensor qkv;
  time("  variant: one fused product", 3 * 2 * rows * H * h * d,
       [&] { qkv = torch::linear(x, qkvW, qkvB); });
  time("  variant: fused, heads apart (1 copy)", 0, [&] {
    qkv = qkv.view({B, T, 3, h, d}).permute({2, 0, 3, 1, 4}).contiguous();
  });
  // As encoderForward: q, k, v stay views of the products ([B, h, T, d]
  // transposed); matmul copies what it cannot fold into a batch.
  q = q.view({B, T, h, d}).transpose(1, 2);
  k = k.view({B, T, h, d}).transpose(1, 2);
  v = v.view({B, T, h, d}).transpose(1, 2);
  time("scores Q K^T (views, as the forward)", 2.0 * B * h * T * T * d,
       [&] { scores = torch::matmul(q, k.transpose(-1, -2)); });
  torch::Tensor qc, kc, kt;
  time("  variant: Q, K copied per head", 0, [&] {
    qc = q.contiguous();
    kc = k.contiguous();
  });
  time("  variant: scores, K^T a view of K", 2.0 * B * h * T * T * d,
       [&] { scores = torch::matmul(qc, kc.transpose(-1, -2)); });
  time("  variant: K^T copied contiguous", 0, [&] { kt = kc.transpose(-1, -2).contiguous(); });
  time("  variant: scores, K^T contiguous", 2.0 * B * h * T * T * d,
       [&] { scores = torch::matmul(qc, kt); });
  time("scale and mask", 0, [&] { scores = scores * scale + ext; });
  time("softmax", 0, [&] { probs = torch::softmax(scores, -1); });
  time("context P V", 2.0 * B * h * T * T * d, [&] { ctx = torch::matmul(probs, v); });
  time("heads together (transposed copy)", 0, [&] {
    ctx = ctx.transpose(1, 2).reshape({B, T, h * d});
  });
  time("attention output product", 2 * rows * H * h * d,
       [&] { attn = torch::linear(ctx, lw.o_w, lw.o_b); });
  time("residual + LayerNorm", 0,
       [&] { x1 = torch::layer_norm(attn + x, {H}, lw.ln1_w, lw.ln1_b, 1e-12); });
  time("feed-forward in product", 2 * rows * H * U,
       [&] { inter = torch::linear(x1, lw.i_w, lw.i_b); });
  time("GELU", 0, [&] { act = torch::gelu(inter); });
  time("feed-forward out product", 2 * rows * H * U,
       [&] { ffn = torch::linear(act, lw.out_w, lw.out_b); });
  time("residual + LayerNorm ", 0,
       [&] { torch::layer_norm(ffn + x1, {H}, lw.ln2_w, lw.ln2_b, 1e-12); });
  double total = 0, gemm = 0;
  for (const auto& s : steps) {
    total += s.seconds;
    if (s.flops > 0) gemm += s.seconds;
  }
  std::printf("\nOne layer, batch %lld x %lld tokens, step by step (best of %d):\n",
              static_cast<long long>(B), static_cast<long long>(T), reps);
  std::printf("%-36s %9s %7s %9s\n", "step", "ms", "share", "GFLOP/s");
  for (const auto& s : steps) {
    std::printf("%-36s %9.2f %6.1f%% ", s.name, 1e3 * s.seconds, 100 * s.seconds / total);
    if (s.flops > 0)
      std::printf("%9.1f\n", s.flops / s.seconds / 1e9);
    else
      std::printf("%9s\n", "-");
  }
  std::printf("%-36s %9.2f %6.1f%%\n", "all steps", 1e3 * total, 100.0);
  std::printf("%-36s %9.2f %6.1f%%\n", "of which matrix products", 1e3 * gemm, 100 * gemm / total);
}

// The 1-minute load average (/proc/loadavg), -1 where there is none.
double loadAverage() {
  double v = -1;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &v) != 1) v = -1;
    std::fclose(f);
  }
  return v;
}

// A base-sized random model of `type` (12 layers unless --layers, 768
// hidden, 12 heads, 3072 units; one vocabulary size for all, which the
// FLOPs do not depend on; ELECTRA at embedding_size 128, as -small is, so
// its projection runs).
pp::ModelConfig familyConfig(const std::string& t, int64_t layers) {
  pp::ModelConfig c = pp::shapedConfig(layers, 768, 12, 3072, 30522);
  c.model_type = t;
  if (t == "roberta" || t == "xlm-roberta") {
    c.max_position_embeddings = 514;
    c.pad_token_id = 1;
    c.type_vocab_size = 1;
  }
  if (t == "electra") c.embedding_size = 128;
  return c;
}

// Each family's model evaluated as search evaluates sub-networks; the
// families take turns, one timed batch each per round (best of `reps`
// rounds), so that a shared machine's load moving during the run weighs
// on every family alike.
void familyRows(int64_t layers, int64_t B, int64_t T, int reps) {
  const int hw = pp::hardwareThreads();
  pp::setComputeThreads(1, hw);
  pp::useComputeThreads(pp::ComputeUse::Evaluation, hw);
  const std::vector<std::string> types = {"bert", "distilbert", "roberta", "xlm-roberta",
                                          "electra"};
  struct Row {
    pp::ModelConfig c;
    pp::EncoderWeights w;
    pp::FusedAttention packed;
    double flops = 0, best = 1e30;
  };
  std::vector<Row> rows;
  pp::Batch b;
  b.ids = torch::randint(2, 30522, {B, T}, torch::kLong);
  b.typeIds = torch::zeros({B, T}, torch::kLong);
  b.mask = torch::ones({B, T});
  for (const auto& t : types) {
    Row r;
    r.c = familyConfig(t, layers);
    r.w = pp::randomWeights(r.c, 0.02, 1);
    r.packed = pp::fuseAttention(r.w, pp::WeightPacking::Always);
    r.flops = static_cast<double>(pp::flopCount(r.c, pp::SubNetwork::full(r.c), T)) *
              static_cast<double>(B);
    rows.push_back(std::move(r));
  }
  auto once = [&](const Row& r) {
    pp::encoderForward(r.w, pp::Act::GeluErf, r.c.layer_norm_eps, b, nullptr, {}, &r.packed);
  };
  for (const auto& r : rows) once(r);  // warm-up
  const double loadBefore = loadAverage();
  for (int k = 0; k < reps; ++k)
    for (auto& r : rows) {
      const auto t0 = std::chrono::steady_clock::now();
      once(r);
      r.best = std::min(r.best, ppbench::secondsSince(t0));
    }
  std::printf(
      "Evaluation of a base-sized random model per family: %lld layers, batch %lld, "
      "sequence %lld, evaluation team of %d; families in turn, best of %d rounds; load average "
      "%.1f before, %.1f after\n",
      static_cast<long long>(layers), static_cast<long long>(B), static_cast<long long>(T), hw,
      reps, loadBefore, loadAverage());
  std::printf("%-14s %12s %10s %10s %12s\n", "family", "GFLOP/batch", "ms", "GFLOP/s", "vs BERT");
  const double bertRate = rows[0].flops / rows[0].best / 1e9;
  for (size_t i = 0; i < rows.size(); ++i) {
    const double rate = rows[i].flops / rows[i].best / 1e9;
    std::printf("%-14s %12.1f %10.1f %10.1f %11.0f%%\n", types[i].c_str(), rows[i].flops / 1e9,
                1e3 * rows[i].best, rate, 100.0 * rate / bertRate);
  }
  pp::useComputeThreads(pp::ComputeUse::Training, hw);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t batch = 8, seq = 128, layers = 12;
  int reps = 3;
  CLI::App cli(
      "bench_forward: the forward pass against the machine's GEMM rate, per thread setting");
  cli.add_option("--batch", batch, "Batch size")->capture_default_str();
  cli.add_option("--seq", seq, "Sequence length")->capture_default_str();
  cli.add_option("--layers", layers, "Layers")->capture_default_str();
  cli.add_option("--reps", reps, "Timed repetitions (best of)")->capture_default_str();
  bool profile = false;
  cli.add_flag("--profile", profile,
               "Where one layer's time goes, step by step (1 LibTorch thread, BLAS on every core)");
  bool families = false;
  cli.add_flag("--families", families,
               "Evaluation GFLOP/s of a base-sized random model of each family");
  CLI11_PARSE(cli, argc, argv);
  if (families) {
    torch::InferenceMode guard;
    familyRows(layers, batch, seq, reps);
    return 0;
  }
  const pp::ModelConfig c = pp::shapedConfig(layers, 768, 12, 3072, 30522);
  pp::EncoderWeights w = pp::randomWeights(c, 0.02, 1);
  pp::Batch b;
  b.ids = torch::randint(0, c.vocab_size, {batch, seq}, torch::kLong);
  b.typeIds = torch::zeros({batch, seq}, torch::kLong);
  b.mask = torch::ones({batch, seq});
  const double fwdFlops = static_cast<double>(pp::flopCount(c, pp::SubNetwork::full(c), seq)) *
                          static_cast<double>(batch);
  torch::InferenceMode guard;
  if (profile) {
    pp::setComputeThreads(1, pp::hardwareThreads());
    std::printf("GEMM rate (1 LibTorch thread, %d BLAS threads): %.1f GFLOP/s\n",
                pp::hardwareThreads(), gemmRate(batch * seq, reps));
    profileLayer(w, batch, seq, reps);
    return 0;
  }
  std::printf("BERT-base shape: %lld layers, batch %lld, sequence %lld; %.1f GFLOP per forward\n",
              static_cast<long long>(layers), static_cast<long long>(batch),
              static_cast<long long>(seq), fwdFlops / 1e9);
  std::printf("hardware threads: %d; OpenBLAS kernels: %s\n\n", pp::hardwareThreads(),
              pp::blasCoreName().c_str());
  std::printf("%-22s %12s %14s %8s %14s %8s %14s %8s\n", "threads", "GEMM GFLOP/s",
              "forward GFLOP/s", "ratio", "eval BLAS", "ratio", "eval packed", "ratio");
  const int hw = pp::hardwareThreads();
  // LibTorch x OpenBLAS threads; the last row: the evaluation team
  // (useComputeThreads), whose GEMM rate is OpenBLAS's on every core.
  struct Setting {
    int torch, blas, team;
  };
  std::vector<Setting> settings = {{1, 1, 1}, {1, hw, 1}, {hw, 1, 1}, {hw, hw, 1}, {1, 1, hw}};
  // Evaluation's fused attention with its products on LibTorch's BLAS, and
  // on weights packed once (packed_gemm.h; the BLAS ones where this CPU
  // cannot run the packed kernel).
  const pp::FusedAttention blas = pp::fuseAttention(w, pp::WeightPacking::Never),
                           packed = pp::fuseAttention(w, pp::WeightPacking::Always);
  const pp::FusedAttention* variants[3] = {nullptr, &blas, &packed};
  for (auto [tt, bt, team] : settings) {
    pp::setComputeThreads(1, hw);
    const double gemm = gemmRate(batch * seq, reps);
    pp::setComputeThreads(tt, bt);
    if (team > 1) pp::useComputeThreads(pp::ComputeUse::Evaluation, team);
    // The forward pass as training runs it, and as evaluation runs it
    // (fused attention, padding removed on the CPU) on BLAS and on packed
    // weights, in turn.
    double best[3] = {1e30, 1e30, 1e30};
    for (int r = 0; r <= reps; ++r)
      for (int k = 0; k < 3; ++k) {
        auto t0 = std::chrono::steady_clock::now();
        pp::encoderForward(w, pp::Act::GeluErf, 1e-12, b, nullptr, {}, variants[k]);
        if (r > 0) best[k] = std::min(best[k], secondsSince(t0));  // r == 0: warm-up
      }
    pp::useComputeThreads(pp::ComputeUse::Training, hw);
    const std::string name =
        team > 1 ? "evaluation team of " + std::to_string(team)
                 : std::to_string(tt) + " LibTorch x " + std::to_string(bt) + " BLAS";
    std::printf("%-22s %12.1f", name.c_str(), gemm);
    for (double seconds : best) {
      const double rate = fwdFlops / seconds / 1e9;
      std::printf(" %14.1f %7.0f%%", rate, 100.0 * rate / gemm);
    }
    std::printf("\n");
  }
  return 0;
}
