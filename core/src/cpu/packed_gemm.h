// Matrix products against weights packed once per trial (no Torch here).
//
// OpenBLAS packs each product's weights into its panel layout on every
// call; with a few hundred rows per thread that copy is 5% of the
// evaluation's time (perf, bench_vs_ort), and ONNX Runtime avoids it by
// packing its weights once per session. Here a trial's weights are packed
// once (fuseAttention) into panels of 16 output columns, each panel's whole
// depth contiguous, and every product of the trial runs our own AVX2/FMA
// kernel on them: 6 rows x 16 columns of the output in registers through
// the whole depth, the bias loaded into them first (no pass over the
// output for it). docs/performance.md has the measurements.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

namespace pp {

// Whether this CPU runs the packed kernel (x86-64 with AVX2 and FMA).
bool packedGemmSupported();

// Rows of one row-major source matrix, multiplied by `scale` as they are
// packed (the attention scale folded into the query rows).
struct RowSource {
  const float* data = nullptr;
  int64_t rows = 0;
  int64_t stride = 0;  // between rows, in floats
  float scale = 1.0f;
};

// A weight matrix W [N, K] (out-features x in-features, as nn.Linear
// stores it) in the kernel's layout.
class PackedWeights {
 public:
  // The rows of `parts`, one after another, each `depth` long.
  PackedWeights(const std::vector<RowSource>& parts, int64_t depth);
  PackedWeights() = default;
  // W = S^T for S [depth, n] row-major (`stride` floats between its rows):
  // attention's values, whose rows are tokens.
  static PackedWeights transposed(const float* s, int64_t depth, int64_t n, int64_t stride);

  int64_t outFeatures() const { return n_; }
  // Out-features rounded up to whole panels (the extra ones all zero).
  int64_t paddedOutFeatures() const { return wholePanels(n_); }
  // n columns rounded up to whole panels.
  static int64_t wholePanels(int64_t n) { return (n + kPanel - 1) / kPanel * kPanel; }
  int64_t inFeatures() const { return k_; }
  bool empty() const { return n_ == 0; }
  const float* panel(int64_t p) const { return data_.get() + p * k_ * kPanel; }

  static constexpr int64_t kPanel = 16;  // output columns per panel

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  void allocate();
  std::unique_ptr<float, Free> data_;
  int64_t n_ = 0, k_ = 0;
};

// c[i, j] for rows i < m and columns j in [n0, n1) of the output:
// a[i, :] . W[j, :] + bias[j] (bias non-null), or c[i, j] plus the
// product (bias null: accumulate into what c holds). `a` rows are `lda`
// floats apart, `c` rows `ldc`; n0 is a multiple of kPanel, n1 <= N (-1:
// N), or up to paddedOutFeatures() where the caller wants whole panels
// (the columns past N get their bias only). Single-threaded; callers split
// rows or panel ranges among threads.
void gemmPacked(const float* a, int64_t lda, int64_t m, const PackedWeights& w, const float* bias,
                float* c, int64_t ldc, int64_t n0 = 0, int64_t n1 = -1);

// Each of `rows` rows of x (`cols` long, `ld` apart) replaced by its
// softmax, in place (our AVX2 exp, relative error about 1e-7).
void softmaxRows(float* x, int64_t rows, int64_t cols, int64_t ld);

}  // namespace pp
