// Helpers shared by the Torch-level benchmarks: best-of-reps timing and the
// machine's GEMM rate at BERT-base shapes.
#pragma once
#include <algorithm>
#include <chrono>

#include <torch/torch.h>

namespace ppbench {

inline double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Best of `reps` timed runs of fn, after one warm-up run.
template <class Fn>
double bestSeconds(int reps, Fn&& fn) {
  fn();
  double b = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    b = std::min(b, secondsSince(t0));
  }
  return b;
}

// Best-of-reps GFLOP/s of the three BERT GEMMs (QKV/out, FFN in, FFN out).
inline double gemmRate(int64_t rows, int reps) {
  const int64_t shapes[3][2] = {{768, 768}, {768, 3072}, {3072, 768}};
  double flops = 0, secs = 0;
  for (const auto& s : shapes) {
    auto a = torch::randn({rows, s[0]});
    auto w = torch::randn({s[1], s[0]});
    secs += bestSeconds(reps, [&] { torch::linear(a, w); });
    flops += 2.0 * static_cast<double>(rows * s[0] * s[1]);
  }
  return flops / secs / 1e9;
}

}  // namespace ppbench
