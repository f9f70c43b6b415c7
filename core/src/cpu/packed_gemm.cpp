// The packed-weight product (packed_gemm.h): our own AVX2/FMA kernel,
// compiled for those instructions function by function and run only where
// the CPU has them (packedGemmSupported).
#include "cpu/packed_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "paretoprune/base/error.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PP_PACKED_GEMM 1
#include <immintrin.h>
#define PP_AVX2 __attribute__((target("avx2,fma")))
#endif

namespace pp {

#ifdef PP_PACKED_GEMM
namespace {
constexpr int64_t kPanel = PackedWeights::kPanel;
constexpr int64_t kRows = 6;  // output rows per kernel call: 12 accumulators
// Rows of `a` per pass over the panels: about 4 MB of it, which stays in
// the last-level cache while every panel streams past it (the panel's
// whole depth in the level-2 cache: no blocking of the depth, so each
// output tile is loaded and stored once; measured fastest, 108 against
// 102-105 GFLOP/s for depth blocks of 256-1024, on BERT-base's shapes).
constexpr int64_t kBlockFloats = int64_t{1} << 20;
}  // namespace

namespace {

// Rows [0, R) x 16 columns of c (ncols of them real): the bias (or c's
// own values) plus a's rows times one panel, over the whole depth k.
template <int R>
PP_AVX2 void tile(int64_t k, const float* a, int64_t lda, const float* b, const float* bias,
                  float* c, int64_t ldc, int ncols) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(ncols), lane);
  const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(ncols - 8), lane);
  const bool full = ncols == kPanel;
  __m256 acc[R][2];
  if (bias) {
    const __m256 b0 = full ? _mm256_loadu_ps(bias) : _mm256_maskload_ps(bias, m0);
    const __m256 b1 = full ? _mm256_loadu_ps(bias + 8) : _mm256_maskload_ps(bias + 8, m1);
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      acc[i][0] = b0;
      acc[i][1] = b1;
    }
  } else if (full) {
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      acc[i][0] = _mm256_loadu_ps(c + i * ldc);
      acc[i][1] = _mm256_loadu_ps(c + i * ldc + 8);
    }
  } else {
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      acc[i][0] = _mm256_maskload_ps(c + i * ldc, m0);
      acc[i][1] = _mm256_maskload_ps(c + i * ldc + 8, m1);
    }
  }
  for (int64_t j = 0; j < k; ++j) {
    const __m256 b0 = _mm256_load_ps(b + j * kPanel), b1 = _mm256_load_ps(b + j * kPanel + 8);
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      const __m256 x = _mm256_broadcast_ss(a + i * lda + j);
      acc[i][0] = _mm256_fmadd_ps(x, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(x, b1, acc[i][1]);
    }
  }
  // Masked stores are slow on AMD's cores: plain ones wherever possible.
  if (full) {
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      _mm256_storeu_ps(c + i * ldc, acc[i][0]);
      _mm256_storeu_ps(c + i * ldc + 8, acc[i][1]);
    }
  } else {
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      _mm256_maskstore_ps(c + i * ldc, m0, acc[i][0]);
      _mm256_maskstore_ps(c + i * ldc + 8, m1, acc[i][1]);
    }
  }
}

PP_AVX2 void tileRows(int64_t rows, int64_t k, const float* a, int64_t lda, const float* b,
                      const float* bias, float* c, int64_t ldc, int ncols) {
  switch (rows) {
    case 1:
      return tile<1>(k, a, lda, b, bias, c, ldc, ncols);
    case 2:
      return tile<2>(k, a, lda, b, bias, c, ldc, ncols);
    case 3:
      return tile<3>(k, a, lda, b, bias, c, ldc, ncols);
    case 4:
      return tile<4>(k, a, lda, b, bias, c, ldc, ncols);
    case 5:
      return tile<5>(k, a, lda, b, bias, c, ldc, ncols);
    default:
      return tile<6>(k, a, lda, b, bias, c, ldc, ncols);
  }
}

// dst[t * 16 + j] = rows[j][k0 + t] * scale[j] for j < 8, t < 8: one 8 x 8
// block transposed in registers (rows[j] null: zeros).
PP_AVX2 void transpose8(const float* const* rows, const float* scale, int64_t k0, float* dst) {
  __m256 r[8];
  for (int j = 0; j < 8; ++j)
    r[j] = rows[j] ? _mm256_mul_ps(_mm256_loadu_ps(rows[j] + k0), _mm256_set1_ps(scale[j]))
                   : _mm256_setzero_ps();
  __m256 t[8];
  for (int j = 0; j < 8; j += 2) {
    t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
    t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
  }
  __m256 s[8];
  for (int j = 0; j < 8; j += 4) {
    s[j] = _mm256_shuffle_ps(t[j], t[j + 2], 0x44);
    s[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], 0xEE);
    s[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0x44);
    s[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
  }
  for (int j = 0; j < 4; ++j) {
    _mm256_store_ps(dst + j * kPanel, _mm256_permute2f128_ps(s[j], s[j + 4], 0x20));
    _mm256_store_ps(dst + (j + 4) * kPanel, _mm256_permute2f128_ps(s[j], s[j + 4], 0x31));
  }
}

PP_AVX2 void packPanel(const float* const* rows, const float* scale, int64_t k, float* dst) {
  int64_t k0 = 0;
  for (; k0 + 8 <= k; k0 += 8) {
    transpose8(rows, scale, k0, dst + k0 * kPanel);
    transpose8(rows + 8, scale + 8, k0, dst + k0 * kPanel + 8);
  }
  for (; k0 < k; ++k0)
    for (int64_t j = 0; j < kPanel; ++j)
      dst[k0 * kPanel + j] = rows[j] ? rows[j][k0] * scale[j] : 0.0f;
}

}  // namespace

bool packedGemmSupported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

PackedWeights::PackedWeights(const std::vector<RowSource>& parts, int64_t depth) : k_(depth) {
  if (!packedGemmSupported()) throw Error("packed weights: this CPU has no AVX2/FMA");
  std::vector<const float*> rows;
  std::vector<float> scales;
  for (const RowSource& p : parts)
    for (int64_t r = 0; r < p.rows; ++r) {
      rows.push_back(p.data + r * p.stride);
      scales.push_back(p.scale);
    }
  n_ = static_cast<int64_t>(rows.size());
  allocate();
  const int64_t panels = paddedOutFeatures() / kPanel;
  rows.resize(static_cast<size_t>(panels * kPanel), nullptr);
  scales.resize(rows.size(), 0.0f);
  for (int64_t p = 0; p < panels; ++p)
    packPanel(rows.data() + p * kPanel, scales.data() + p * kPanel, k_,
              data_.get() + p * k_ * kPanel);
}

void PackedWeights::allocate() {
  const size_t bytes = static_cast<size_t>(std::max<int64_t>(1, paddedOutFeatures() * k_)) * 4;
  void* mem = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!mem) throw std::bad_alloc();
  data_.reset(static_cast<float*>(mem));
}

PackedWeights PackedWeights::transposed(const float* s, int64_t depth, int64_t n, int64_t stride) {
  if (!packedGemmSupported()) throw Error("packed weights: this CPU has no AVX2/FMA");
  PackedWeights w;
  w.n_ = n;
  w.k_ = depth;
  w.allocate();
  // Panel p at depth t: S's row t, columns 16p .. 16p + 15 (zeros past n).
  for (int64_t p = 0; p < w.paddedOutFeatures() / kPanel; ++p) {
    float* dst = w.data_.get() + p * depth * kPanel;
    const int64_t cols = std::min(kPanel, n - p * kPanel);
    for (int64_t t = 0; t < depth; ++t) {
      std::memcpy(dst + t * kPanel, s + t * stride + p * kPanel, static_cast<size_t>(cols) * 4);
      std::fill(dst + t * kPanel + cols, dst + (t + 1) * kPanel, 0.0f);
    }
  }
  return w;
}

PP_AVX2 void gemmPacked(const float* a, int64_t lda, int64_t m, const PackedWeights& w,
                        const float* bias, float* c, int64_t ldc, int64_t n0, int64_t n1) {
  const int64_t k = w.inFeatures();
  if (n1 < 0) n1 = w.outFeatures();
  if (n0 % kPanel != 0 || n0 < 0 || n1 > w.paddedOutFeatures())
    throw Error("gemmPacked: columns " + std::to_string(n0) + ".." + std::to_string(n1) + " of " +
                std::to_string(w.outFeatures()));
  const int64_t block = std::max(kRows, kBlockFloats / std::max<int64_t>(1, k) / kRows * kRows);
  for (int64_t i0 = 0; i0 < m; i0 += block) {
    const int64_t mb = std::min(block, m - i0);
    for (int64_t j0 = n0; j0 < n1; j0 += kPanel) {
      const int cols = static_cast<int>(std::min(kPanel, n1 - j0));
      const float* b = w.panel(j0 / kPanel);
      const float* bj = bias ? bias + j0 : nullptr;
      for (int64_t i = i0; i < i0 + mb; i += kRows)
        tileRows(std::min(kRows, i0 + mb - i), k, a + i * lda, lda, b, bj, c + i * ldc + j0, ldc,
                 cols);
    }
  }
}

namespace {
// e^x for x <= 0 (softmax's shifted scores), 8 at a time: 2^n e^r with
// n = round(x log2 e), r = x - n ln 2 (in two parts), e^r by the
// degree-6 polynomial of Cephes' expf (relative error about 1e-7).
PP_AVX2 __m256 expNonPositive(__m256 x) {
  // (max returns its second operand for a NaN: a NaN score stays NaN.)
  x = _mm256_max_ps(_mm256_set1_ps(-87.0f), x);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(bits));
}

PP_AVX2 float horizontal(__m256 v, bool max) {
  __m128 x = max ? _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1))
                 : _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = max ? _mm_max_ps(x, _mm_movehl_ps(x, x)) : _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = max ? _mm_max_ss(x, _mm_shuffle_ps(x, x, 1)) : _mm_add_ss(x, _mm_shuffle_ps(x, x, 1));
  return _mm_cvtss_f32(x);
}
}  // namespace

PP_AVX2 void softmaxRows(float* x, int64_t rows, int64_t cols, int64_t ld) {
  const int64_t vec = cols / 8 * 8;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * ld;
    __m256 mv = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t j = 0; j < vec; j += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(row + j));
    float m = horizontal(mv, true);
    for (int64_t j = vec; j < cols; ++j) m = std::max(m, row[j]);
    const __m256 shift = _mm256_set1_ps(m);
    __m256 sv = _mm256_setzero_ps();
    for (int64_t j = 0; j < vec; j += 8) {
      const __m256 e = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(row + j), shift));
      _mm256_storeu_ps(row + j, e);
      sv = _mm256_add_ps(sv, e);
    }
    float sum = horizontal(sv, false);
    for (int64_t j = vec; j < cols; ++j) sum += (row[j] = std::exp(row[j] - m));
    const __m256 inv = _mm256_set1_ps(1.0f / sum);
    for (int64_t j = 0; j < vec; j += 8)
      _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), inv));
    for (int64_t j = vec; j < cols; ++j) row[j] *= 1.0f / sum;
  }
}

#else  // no AVX2 build: callers check packedGemmSupported() and use BLAS

bool packedGemmSupported() {
  return false;
}

PackedWeights::PackedWeights(const std::vector<RowSource>&, int64_t) {
  throw Error("packed weights: not built for this CPU");
}

void gemmPacked(const float*, int64_t, int64_t, const PackedWeights&, const float*, float*, int64_t,
                int64_t, int64_t) {
  throw Error("gemmPacked: not built for this CPU");
}

PackedWeights PackedWeights::transposed(const float*, int64_t, int64_t, int64_t) {
  throw Error("packed weights: not built for this CPU");
}

void softmaxRows(float*, int64_t, int64_t, int64_t) {
  throw Error("softmaxRows: not built for this CPU");
}

#endif

}  // namespace pp
