// Int8 products with the numerics of our onnx-int8 export as ONNX Runtime
// runs it (export/export_onnx.cpp: DynamicQuantizeLinear, MatMulInteger,
// Cast, Mul by the two scales, Add the bias):
// - weights: each matrix on its own, symmetric, scale = max|W| / 127 (at
//   least 1e-8), q = round-half-even(W / scale) clamped to [-127, 127];
// - activations: uint8, asymmetric, one scale and zero point per group of
//   rows (ONNX Runtime's per-tensor parameters over one sequence's tokens:
//   what it computes at batch 1): min and max widened to take in 0,
//   scale = (max - min) / 255 (1 where both are 0), zero point =
//   round-half-even(clamp(-min / scale, 0, 255)), q = clamp(round-half-even(
//   x / scale), -zp, 255 - zp) + zp, as MLAS quantizes;
// - the product: int32 sums of (qa - zp) * qw, made from the plain u8 x s8
//   sums minus zp times each weight row's sum (exact in int32);
// - out: float(sum) * (activation scale * weight scale) + bias, as ORT's
//   Cast, Mul and Add (then times the part's own scale where it has one:
//   the query's 1/sqrt(d)).
// The integer sums run on oneDNN (u8 x s8 -> s32, VNNI) with the weights
// reordered once, or on ours: the AVX512_VNNI kernel (gemm_int8_vnni.cpp)
// where the CPU has it, the portable one here elsewhere.
// The per-element work around the product (the activations' range and
// quantization, and the float epilogue) runs in AVX-512 where the CPU has
// it: the same IEEE operations lane by lane (division, rounding to
// nearest even, products), so the same results as the plain loops.
// GCC 12 warns of the undefined pass-through lanes inside its own AVX-512
// min, max and convert intrinsics (a known false alarm).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cpu/gemm_backend.h"
#include "paretoprune/base/error.h"

#define PP_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

namespace pp {

namespace {

// W's parts quantized as the export quantizes each matrix.
struct Int8Matrix {
  int64_t n = 0, k = 0;
  std::vector<int8_t> q;        // [n, k]
  std::vector<float> scale;     // per row: its matrix's weight scale
  std::vector<float> outScale;  // per row: its part's scale (1 but the query's)
  std::vector<int32_t> rowSum;  // per row: the sum of its q
};

bool useAvx512() {
  static const bool yes = cpuFeatures().avx512;
  return yes;
}

// The mask of the first n (< 16) lanes.
inline __mmask16 lanes(int64_t n) {
  return static_cast<__mmask16>((1u << n) - 1u);
}

// max |x| over one row.
PP_AVX512 float absMax512(const float* x, int64_t k) {
  __m512 hi = _mm512_setzero_ps();
  for (int64_t j = 0; j < k; j += 16)
    hi = _mm512_max_ps(
        hi, _mm512_abs_ps(_mm512_maskz_loadu_ps(k - j >= 16 ? 0xffff : lanes(k - j), x + j)));
  alignas(64) float h[16];
  _mm512_store_ps(h, hi);
  return *std::max_element(h, h + 16);
}

// One weight row quantized: q = clamp(round-half-even(x / s), -127, 127)
// (the same IEEE division and rounding as the plain loop); its sum.
PP_AVX512 int32_t quantizeRow512(const float* x, int64_t k, float s, int8_t* q) {
  const __m512 d = _mm512_set1_ps(s), lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
  __m512i sum = _mm512_setzero_si512();
  for (int64_t j = 0; j < k; j += 16) {
    const __mmask16 m = k - j >= 16 ? 0xffff : lanes(k - j);
    __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + j), d);
    v = _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512i n = _mm512_cvtps_epi32(_mm512_min_ps(hi, _mm512_max_ps(lo, v)));
    sum = _mm512_add_epi32(sum, n);  // masked-off lanes are 0
    _mm_mask_storeu_epi8(q + j, m, _mm512_cvtepi32_epi8(n));
  }
  alignas(64) int32_t t[16];
  _mm512_store_si512(t, sum);
  int32_t total = 0;
  for (int32_t v : t) total += v;
  return total;
}

// W's parts quantized as the export quantizes each matrix (AVX-512 where
// the CPU has it: the same results).
Int8Matrix quantizeParts(const std::vector<RowSource>& parts, int64_t depth) {
  Int8Matrix w;
  w.k = depth;
  for (const RowSource& p : parts) w.n += p.rows;
  w.q.resize(static_cast<size_t>(w.n * depth));
  const bool wide = useAvx512();
  int64_t row = 0;
  for (const RowSource& p : parts) {
    float amax = 0.0f;
    for (int64_t r = 0; r < p.rows; ++r) {
      const float* x = p.data + r * p.stride;
      if (wide)
        amax = std::max(amax, absMax512(x, depth));
      else
        for (int64_t i = 0; i < depth; ++i) amax = std::max(amax, std::fabs(x[i]));
    }
    const float s = std::max(1e-8f, amax / 127.0f);
    for (int64_t r = 0; r < p.rows; ++r, ++row) {
      int8_t* out = w.q.data() + row * depth;
      const float* x = p.data + r * p.stride;
      int32_t sum = 0;
      if (wide) {
        sum = quantizeRow512(x, depth, s, out);
      } else {
        for (int64_t i = 0; i < depth; ++i) {
          const float v = std::nearbyint(x[i] / s);
          out[i] = static_cast<int8_t>(std::min(127.0f, std::max(-127.0f, v)));
          sum += out[i];
        }
      }
      w.scale.push_back(s);
      w.outScale.push_back(p.scale);
      w.rowSum.push_back(sum);
    }
  }
  return w;
}

PP_AVX512 void range512(const float* a, int64_t lda, int64_t r0, int64_t r1, int64_t k, float& mn,
                        float& mx) {
  __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();  // zero-filled tails: 0 is in range
  for (int64_t i = r0; i < r1; ++i)
    for (int64_t j = 0; j < k; j += 16) {
      const __m512 v = _mm512_maskz_loadu_ps(k - j >= 16 ? 0xffff : lanes(k - j), a + i * lda + j);
      lo = _mm512_min_ps(lo, v);
      hi = _mm512_max_ps(hi, v);
    }
  alignas(64) float l[16], h[16];  // (GCC 12's _mm512_reduce_* warn of undefined lanes)
  _mm512_store_ps(l, lo);
  _mm512_store_ps(h, hi);
  mn = *std::min_element(l, l + 16);
  mx = *std::max_element(h, h + 16);
}

PP_AVX512 void quantize512(const float* a, int64_t lda, int64_t r0, int64_t r1, int64_t k,
                           float scale, int32_t zp, uint8_t* q, int64_t ldq) {
  const __m512 s = _mm512_set1_ps(scale), lo = _mm512_set1_ps(static_cast<float>(-zp)),
               hi = _mm512_set1_ps(static_cast<float>(255 - zp));
  const __m512i z = _mm512_set1_epi32(zp);
  for (int64_t i = r0; i < r1; ++i)
    for (int64_t j = 0; j < k; j += 16) {
      const __mmask16 m = k - j >= 16 ? 0xffff : lanes(k - j);
      __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(m, a + i * lda + j), s);
      v = _mm512_min_ps(hi, _mm512_max_ps(lo, v));
      const __m512i n = _mm512_add_epi32(_mm512_cvtps_epi32(v), z);  // nearest, ties to even
      _mm_mask_storeu_epi8(q + i * ldq + j, m, _mm512_cvtepi32_epi8(n));
    }
}

// Rows [r0, r1) of `a` quantized with one scale and zero point into q
// (rows ldq apart).
void quantizeGroup(const float* a, int64_t lda, int64_t r0, int64_t r1, int64_t k, uint8_t* q,
                   int64_t ldq, float* scales, int32_t* zeros) {
  float mn = 0.0f, mx = 0.0f;  // the range always takes in 0
  if (useAvx512()) {
    range512(a, lda, r0, r1, k, mn, mx);
  } else {
    for (int64_t i = r0; i < r1; ++i)
      for (int64_t j = 0; j < k; ++j) {
        const float v = a[i * lda + j];
        mn = std::min(mn, v);
        mx = std::max(mx, v);
      }
  }
  const float scale = mx == mn ? 1.0f : (mx - mn) / 255.0f;
  const float zf = std::nearbyint(std::max(0.0f, std::min(255.0f, 0.0f - mn / scale)));
  const int32_t zp = static_cast<int32_t>(zf);
  for (int64_t i = r0; i < r1; ++i) {
    scales[i] = scale;
    zeros[i] = zp;
  }
  if (useAvx512()) return quantize512(a, lda, r0, r1, k, scale, zp, q, ldq);
  const float lo = static_cast<float>(-zp), hi = static_cast<float>(255 - zp);
  for (int64_t i = r0; i < r1; ++i) {
    uint8_t* out = q + i * ldq;
    for (int64_t j = 0; j < k; ++j) {
      const float v = std::nearbyint(std::min(hi, std::max(lo, a[i * lda + j] / scale)));
      out[j] = static_cast<uint8_t>(static_cast<int32_t>(v) + zp);
    }
  }
}

// Our portable integer kernel: c [m, n1 - n0] = a [m, k] times rows
// [n0, n1) of w, four rows of `a` at a time against each weight row.
void referenceProduct(const uint8_t* a, int64_t m, const Int8Matrix& w, int64_t n0, int64_t n1,
                      int32_t* c) {
  const int64_t k = w.k, cols = n1 - n0;
  int64_t i = 0;
  for (; i + 4 <= m; i += 4)
    for (int64_t j = n0; j < n1; ++j) {
      const int8_t* wr = w.q.data() + j * k;
      const uint8_t *a0 = a + i * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
      int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int64_t t = 0; t < k; ++t) {
        const int32_t x = wr[t];
        s0 += a0[t] * x;
        s1 += a1[t] * x;
        s2 += a2[t] * x;
        s3 += a3[t] * x;
      }
      c[i * cols + j - n0] = s0;
      c[(i + 1) * cols + j - n0] = s1;
      c[(i + 2) * cols + j - n0] = s2;
      c[(i + 3) * cols + j - n0] = s3;
    }
  for (; i < m; ++i)
    for (int64_t j = n0; j < n1; ++j) {
      const int8_t* wr = w.q.data() + j * k;
      const uint8_t* ar = a + i * k;
      int32_t s = 0;
      for (int64_t t = 0; t < k; ++t) s += ar[t] * static_cast<int32_t>(wr[t]);
      c[i * cols + j - n0] = s;
    }
}

// One row of output columns [n0, n1): float(acc - zp * rowSum) * (xs *
// scale) (times the part's scale), plus the bias or what c holds. `acc`
// indexed by column.
void epilogueRow(const Int8Matrix& w, const int32_t* acc, int32_t zp, float xs, const float* bias,
                 float* c, int64_t n0, int64_t n1) {
  for (int64_t j = n0; j < n1; ++j) {
    const auto u = static_cast<size_t>(j);
    float y = static_cast<float>(acc[j] - zp * w.rowSum[u]) * (xs * w.scale[u]);
    if (w.outScale[u] != 1.0f) y *= w.outScale[u];
    c[j] = bias ? y + bias[j] : c[j] + y;
  }
}

PP_AVX512 void epilogueRow512(const Int8Matrix& w, const int32_t* acc, int32_t zp, float xs,
                              const float* bias, float* c, int64_t n0, int64_t n1) {
  const __m512i z = _mm512_set1_epi32(zp);
  const __m512 x = _mm512_set1_ps(xs);
  for (int64_t j = n0; j < n1; j += 16) {
    const __mmask16 m = n1 - j >= 16 ? 0xffff : lanes(n1 - j);
    const __m512i sum = _mm512_maskz_loadu_epi32(m, w.rowSum.data() + j);
    const __m512i a =
        _mm512_sub_epi32(_mm512_maskz_loadu_epi32(m, acc + j), _mm512_mullo_epi32(z, sum));
    const __m512 s = _mm512_mul_ps(x, _mm512_maskz_loadu_ps(m, w.scale.data() + j));
    // times the part's scale: exact where it is 1, as the plain loop skips it
    const __m512 y = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(a), s),
                                   _mm512_maskz_loadu_ps(m, w.outScale.data() + j));
    const __m512 add = _mm512_maskz_loadu_ps(m, bias ? bias + j : c + j);
    _mm512_mask_storeu_ps(c + j, m, _mm512_add_ps(y, add));
  }
}

struct Int8Impl : GemmWeights::Impl {
  Int8Matrix w;
  std::shared_ptr<const Int8Product> dnn;  // oneDNN's, else ours:
  Int8Panels vnni;                         // our VNNI kernel's panels, else referenceProduct

  bool columnRanges() const override { return !dnn; }

  void run(const float* a, int64_t lda, int64_t m, const float* bias, float* c, int64_t ldc,
           int64_t n0, int64_t n1) const override {
    runGroups(a, lda, m, bias, c, ldc, n0, n1, nullptr);
  }

  void runGroups(const float* a, int64_t lda, int64_t m, const float* bias, float* c, int64_t ldc,
                 int64_t n0, int64_t n1, const RowGroups* groups) const override {
    thread_local std::vector<uint8_t> q;
    thread_local std::vector<float> scales;
    thread_local std::vector<int32_t> zeros, acc;
    // The VNNI kernel reads rows padded to whole groups of 4 (the padding
    // meets zero weights).
    const int64_t ldq = vnni.panels > 0 ? vnni.quads * 4 : w.k;
    q.resize(static_cast<size_t>(m * ldq));
    scales.resize(static_cast<size_t>(m));
    zeros.resize(static_cast<size_t>(m));
    int64_t start = 0;
    for (size_t g = 0; g < (groups ? groups->size() : 1); ++g) {
      const int64_t end = groups ? (*groups)[g] : m;
      if (end < start || end > m) throw Error("int8 product: row groups out of order");
      quantizeGroup(a, lda, start, end, w.k, q.data(), ldq, scales.data(), zeros.data());
      start = end;
    }
    if (vnni.panels > 0) {
      const Int8Epilogue e{w.rowSum.data(), w.scale.data(), w.outScale.data(),
                           zeros.data(),    scales.data(),  bias};
      int8VnniProduct(q.data(), ldq, m, vnni, n0, n1, e, c, ldc);
      return;
    }
    const int64_t cols = dnn ? w.n : n1 - n0, c0 = dnn ? 0 : n0;
    acc.resize(static_cast<size_t>(m * cols));
    if (dnn)
      dnn->run(q.data(), m, acc.data());
    else
      referenceProduct(q.data(), m, w, n0, n1, acc.data());
    const bool wide = useAvx512();
    for (int64_t i = 0; i < m; ++i) {
      const auto u = static_cast<size_t>(i);
      const int32_t* ar = acc.data() + i * cols - c0;
      if (wide)
        epilogueRow512(w, ar, zeros[u], scales[u], bias, c + i * ldc, n0, n1);
      else
        epilogueRow(w, ar, zeros[u], scales[u], bias, c + i * ldc, n0, n1);
    }
  }
};

}  // namespace

std::shared_ptr<const GemmWeights::Impl> int8Weights(const std::vector<RowSource>& parts,
                                                     int64_t depth, bool onednn, bool vnni) {
  auto impl = std::make_shared<Int8Impl>();
  impl->w = quantizeParts(parts, depth);
  if (onednn)
    impl->dnn = onednnInt8Product(impl->w.q.data(), impl->w.n, depth);
  else if (vnni && int8VnniAvailable())
    impl->vnni = Int8Panels(impl->w.q.data(), impl->w.n, depth);
  if (impl->dnn || impl->vnni.panels > 0) impl->w.q = {};  // copied into their layouts
  return impl;
}

}  // namespace pp
