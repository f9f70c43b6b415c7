// Our AVX512_VNNI integer kernel for int8 products (gemm_int8.cpp runs it
// as the `packed` int8 backend on CPUs with AVX512_VNNI): u8 x s8 sums in
// registers (vpdpbusd), and the float epilogue applied to each tile of
// sums while it is still in registers, as ONNX Runtime's MLAS applies its
// scale-and-bias output processor block by block. oneDNN's product writes
// every int32 sum to memory and the epilogue reads them back: for
// BERT-base shapes that round trip cost as much as a quarter of the
// products (docs/performance.md, issue 31).
//
// Weights: panels of 16 output columns; within a panel, for each group of
// 4 in-features, the 16 columns' 4 bytes (64 bytes, one register), depth
// padded with zeros to a multiple of 4 (the activations' padding bytes
// are then multiplied by 0 whatever they hold). The epilogue is the other
// paths' (gemm_int8.cpp), in the same order: float(sum - zp * rowSum) *
// (xs * scale), times the part's scale, plus the bias or what c holds.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstring>

#include "cpu/gemm_backend.h"

#define PP_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

namespace pp {

namespace {

constexpr int64_t kCols = 16;       // columns per panel (one register)
constexpr int kMaxRows = 8;         // rows per tile
constexpr int kMaxPanels = 3;       // panels per tile (48 columns)
constexpr int64_t kBlockRows = 96;  // rows whose activations stay in L2 per sweep of the columns

inline __mmask16 firstLanes(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1u);
}

// Rows [i0, i0 + R) by panels [p0, p0 + P): sums over the whole depth,
// then the epilogue on columns below n1.
template <int R, int P>
PP_VNNI void tile(const uint8_t* a, int64_t lda, const Int8Panels& b, int64_t p0, int64_t i0,
                  int64_t n1, const Int8Epilogue& e, float* c, int64_t ldc) {
  // Fully unrolled, so that the sums live in registers.
  __m512i acc[R][P];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 3
    for (int p = 0; p < P; ++p) acc[r][p] = _mm512_setzero_si512();
  const int8_t* w = b.data.data() + p0 * b.panelBytes();
  const uint8_t* ar = a + i0 * lda;
  for (int64_t t = 0; t < b.quads; ++t) {
    __m512i wv[P];
#pragma GCC unroll 3
    for (int p = 0; p < P; ++p) wv[p] = _mm512_loadu_si512(w + p * b.panelBytes() + t * 64);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      int32_t four;
      std::memcpy(&four, ar + r * lda + 4 * t, 4);
      const __m512i av = _mm512_set1_epi32(four);
#pragma GCC unroll 3
      for (int p = 0; p < P; ++p) acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], av, wv[p]);
    }
  }
#pragma GCC unroll 3
  for (int p = 0; p < P; ++p) {
    const int64_t j = (p0 + p) * kCols;
    if (j >= n1) break;
    const __mmask16 m = firstLanes(n1 - j);
    const __m512i sum = _mm512_maskz_loadu_epi32(m, e.rowSum + j);
    const __m512 ws = _mm512_maskz_loadu_ps(m, e.scale + j);
    const __m512 os = _mm512_maskz_loadu_ps(m, e.outScale + j);
    const __m512 bias = e.bias ? _mm512_maskz_loadu_ps(m, e.bias + j) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const int64_t i = i0 + r;
      const __m512i s =
          _mm512_sub_epi32(acc[r][p], _mm512_mullo_epi32(_mm512_set1_epi32(e.zeros[i]), sum));
      const __m512 y = _mm512_mul_ps(
          _mm512_mul_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(_mm512_set1_ps(e.xs[i]), ws)), os);
      float* out = c + i * ldc + j;
      const __m512 add = e.bias ? bias : _mm512_maskz_loadu_ps(m, out);
      _mm512_mask_storeu_ps(out, m, _mm512_add_ps(y, add));
    }
  }
}

using TileFn = void (*)(const uint8_t*, int64_t, const Int8Panels&, int64_t, int64_t, int64_t,
                        const Int8Epilogue&, float*, int64_t);

template <int R>
constexpr TileFn tileFor(int panels) {
  return panels == 1 ? &tile<R, 1> : panels == 2 ? &tile<R, 2> : &tile<R, 3>;
}

TileFn tileFn(int64_t rows, int64_t panels) {
  static const TileFn table[kMaxRows][kMaxPanels] = {
      {tileFor<1>(1), tileFor<1>(2), tileFor<1>(3)}, {tileFor<2>(1), tileFor<2>(2), tileFor<2>(3)},
      {tileFor<3>(1), tileFor<3>(2), tileFor<3>(3)}, {tileFor<4>(1), tileFor<4>(2), tileFor<4>(3)},
      {tileFor<5>(1), tileFor<5>(2), tileFor<5>(3)}, {tileFor<6>(1), tileFor<6>(2), tileFor<6>(3)},
      {tileFor<7>(1), tileFor<7>(2), tileFor<7>(3)}, {tileFor<8>(1), tileFor<8>(2), tileFor<8>(3)}};
  return table[rows - 1][panels - 1];
}

}  // namespace

Int8Panels::Int8Panels(const int8_t* q, int64_t n, int64_t k)
    : n(n), k(k), quads((k + 3) / 4), panels((n + kCols - 1) / kCols) {
  data.assign(static_cast<size_t>(panels * panelBytes()), 0);
  for (int64_t j = 0; j < n; ++j) {
    int8_t* col = data.data() + (j / kCols) * panelBytes() + (j % kCols) * 4;
    for (int64_t i = 0; i < k; ++i) col[(i / 4) * 64 + i % 4] = q[j * k + i];
  }
}

bool int8VnniAvailable() {
  return cpuFeatures().avx512 && cpuFeatures().avx512Vnni;
}

void int8VnniProduct(const uint8_t* a, int64_t lda, int64_t m, const Int8Panels& b, int64_t n0,
                     int64_t n1, const Int8Epilogue& e, float* c, int64_t ldc) {
  const int64_t pEnd = (n1 + kCols - 1) / kCols;
  for (int64_t i0 = 0; i0 < m; i0 += kBlockRows) {
    const int64_t iEnd = std::min(m, i0 + kBlockRows);
    for (int64_t p = n0 / kCols; p < pEnd; p += kMaxPanels) {
      const int64_t np = std::min<int64_t>(kMaxPanels, pEnd - p);
      for (int64_t i = i0; i < iEnd; i += kMaxRows) {
        const int64_t rows = std::min<int64_t>(kMaxRows, iEnd - i);
        tileFn(rows, np)(a, lda, b, p, i, n1, e, c, ldc);
      }
    }
  }
}

}  // namespace pp
