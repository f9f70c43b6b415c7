// The packed-weight product (core/src/packed_gemm.h) against a plain
// double-precision product: every edge of its tiles (rows not a multiple
// of 6, columns not a multiple of 16, depths not a multiple of 8), strided
// rows, a column range, accumulation, scaled row sources.
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "cpu/packed_gemm.h"

class TestPackedGemm : public QObject {
  Q_OBJECT

 private:
  std::mt19937 rng_{11};
  std::vector<float> random(size_t n) {
    std::normal_distribution<float> d;
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng_);
    return v;
  }

 private Q_SLOTS:
  void init() {
    if (!pp::packedGemmSupported()) QSKIP("this CPU has no AVX2/FMA: BLAS runs every product");
  }

  void matchesPlainProduct() {
    for (int64_t m : {1, 5, 6, 7, 13, 100})
      for (int64_t k : {1, 7, 8, 9, 64, 131})
        for (int64_t n : {1, 15, 16, 17, 40, 100}) {
          // a: m rows of k, 3 spare floats per row; c: n columns plus 5.
          const int64_t lda = k + 3, ldc = n + 5;
          // W: two sources (rows n1 then n - n1), the first scaled by 0.5.
          const int64_t n1 = n / 3;
          const auto w1 = random(static_cast<size_t>(n1 * k));
          const auto w2 = random(static_cast<size_t>((n - n1) * k));
          const pp::PackedWeights p({{w1.data(), n1, k, 0.5f}, {w2.data(), n - n1, k, 1.0f}}, k);
          QCOMPARE(p.outFeatures(), n);
          QCOMPARE(p.inFeatures(), k);
          const auto a = random(static_cast<size_t>(m * lda));
          const auto bias = random(static_cast<size_t>(n));
          auto weight = [&](int64_t j, int64_t i) -> double {
            return j < n1 ? 0.5 * w1[static_cast<size_t>(j * k + i)]
                          : w2[static_cast<size_t>((j - n1) * k + i)];
          };
          auto dot = [&](int64_t r, int64_t j) {
            double s = 0;
            for (int64_t i = 0; i < k; ++i) s += a[static_cast<size_t>(r * lda + i)] * weight(j, i);
            return s;
          };
          const auto start = random(static_cast<size_t>(m * ldc));
          // With the bias, then accumulated on top of what c holds.
          auto c = start;
          pp::gemmPacked(a.data(), lda, m, p, bias.data(), c.data(), ldc);
          auto acc = c;
          pp::gemmPacked(a.data(), lda, m, p, nullptr, acc.data(), ldc);
          // Only columns from 16 on: the first panel is left as it was.
          auto part = start;
          pp::gemmPacked(a.data(), lda, m, p, bias.data(), part.data(), ldc, 16);
          double worst = 0;
          for (int64_t r = 0; r < m; ++r)
            for (int64_t j = 0; j < ldc; ++j) {
              const auto at = static_cast<size_t>(r * ldc + j);
              if (j >= n) {  // past the output: untouched
                QCOMPARE(c[at], start[at]);
                QCOMPARE(acc[at], start[at]);
                continue;
              }
              const double want = dot(r, j) + bias[static_cast<size_t>(j)];
              worst = std::max(worst, std::abs(c[at] - want));
              worst = std::max(worst, std::abs(acc[at] - (want + dot(r, j))));
              if (j < 16)
                QCOMPARE(part[at], start[at]);
              else
                worst = std::max(worst, std::abs(part[at] - want));
            }
          QVERIFY2(worst < 1e-4, (std::to_string(m) + "x" + std::to_string(k) + "x" +
                                  std::to_string(n) + ": " + std::to_string(worst))
                                     .c_str());
        }
  }

  // A column range that does not start on a panel, or runs past the last
  // panel, is refused, not misread; up to the panel's end is allowed (the
  // columns past the weights get their bias only).
  void columnRanges() {
    const auto w = random(40 * 8);
    const pp::PackedWeights p({{w.data(), 40, 8, 1.0f}}, 8);
    QCOMPARE(p.paddedOutFeatures(), 48);
    std::vector<float> a(8, 1.0f), c(48, 0.0f), bias(48, 2.0f);
    QVERIFY_THROWS_EXCEPTION(std::exception,
                             pp::gemmPacked(a.data(), 8, 1, p, nullptr, c.data(), 48, 8));
    QVERIFY_THROWS_EXCEPTION(std::exception,
                             pp::gemmPacked(a.data(), 8, 1, p, nullptr, c.data(), 48, 0, 49));
    pp::gemmPacked(a.data(), 8, 1, p, bias.data(), c.data(), 48, 0, 48);
    for (int j = 40; j < 48; ++j) QCOMPARE(c[static_cast<size_t>(j)], 2.0f);
    double sum = 0;
    for (int i = 0; i < 8; ++i) sum += w[static_cast<size_t>(39 * 8 + i)];
    QVERIFY(std::abs(c[39] - (sum + 2.0)) < 1e-5);
  }

  // W = S^T packed from S's rows (attention's values) gives the product
  // with S^T.
  void transposedSource() {
    const int64_t depth = 37, n = 20, stride = 23;
    const auto s = random(static_cast<size_t>(depth * stride));
    const auto p = pp::PackedWeights::transposed(s.data(), depth, n, stride);
    QCOMPARE(p.outFeatures(), n);
    QCOMPARE(p.inFeatures(), depth);
    const auto a = random(static_cast<size_t>(3 * depth));
    std::vector<float> c(static_cast<size_t>(3 * n)), zero(static_cast<size_t>(n), 0.0f);
    pp::gemmPacked(a.data(), depth, 3, p, zero.data(), c.data(), n);
    for (int64_t r = 0; r < 3; ++r)
      for (int64_t j = 0; j < n; ++j) {
        double want = 0;
        for (int64_t t = 0; t < depth; ++t)
          want += a[static_cast<size_t>(r * depth + t)] * s[static_cast<size_t>(t * stride + j)];
        QVERIFY(std::abs(c[static_cast<size_t>(r * n + j)] - want) < 1e-4);
      }
  }

  // Softmax rows in place: sums to one, the ratios of exp, any row length
  // (the vector part and the tail), large and very negative scores.
  void softmaxMatchesExp() {
    for (int64_t cols : {1, 7, 8, 9, 70}) {
      const int64_t ld = cols + 2;
      auto x = random(static_cast<size_t>(3 * ld));
      x[0] = 80.0f;                  // large: shifted by the row's maximum, no overflow
      if (cols > 1) x[1] = -200.0f;  // underflows (to at most 1e-37)
      const auto in = x;
      pp::softmaxRows(x.data(), 3, cols, ld);
      for (int64_t r = 0; r < 3; ++r) {
        double m = -1e30, sum = 0;
        for (int64_t j = 0; j < cols; ++j)
          m = std::max<double>(m, in[static_cast<size_t>(r * ld + j)]);
        for (int64_t j = 0; j < cols; ++j) sum += std::exp(in[static_cast<size_t>(r * ld + j)] - m);
        for (int64_t j = 0; j < cols; ++j) {
          const double want = std::exp(in[static_cast<size_t>(r * ld + j)] - m) / sum;
          QVERIFY2(std::abs(x[static_cast<size_t>(r * ld + j)] - want) <= 1e-6 * want + 1e-30,
                   (std::to_string(cols) + " columns").c_str());
        }
        for (int64_t j = cols; j < ld; ++j)  // past the row: untouched
          QCOMPARE(x[static_cast<size_t>(r * ld + j)], in[static_cast<size_t>(r * ld + j)]);
      }
    }
    // A NaN score makes its row NaN (as LibTorch's softmax does), in the
    // vector part and in the tail.
    for (int64_t at : {3, 8}) {
      std::vector<float> row(9, 0.5f);
      row[static_cast<size_t>(at)] = std::numeric_limits<float>::quiet_NaN();
      pp::softmaxRows(row.data(), 1, 9, 9);
      for (float v : row) QVERIFY(std::isnan(v));
    }
  }
};

QTEST_GUILESS_MAIN(TestPackedGemm)
#include "test_packed_gemm.moc"
