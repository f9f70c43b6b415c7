// The GEMM seam (core/src/cpu/gemm_backend.h, gemm_choice.h): every
// backend, in float32 and (where the CPU has it) bfloat16, against a
// double-precision product at every tile edge; the choice forced by name
// and by PARETOPRUNE_GEMM; the cached choice measured again when the CPU,
// the thread count or a library version changes; bf16 refused clearly on
// a CPU without AVX512_BF16 or AMX (features injected).
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "base/compute_team.h"
#include "cpu/gemm_backend.h"
#include "cpu/gemm_choice.h"
#include "paretoprune/base/error.h"

namespace {
float roundBf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  u &= 0xffff0000u;
  std::memcpy(&x, &u, 4);
  return x;
}
}  // namespace

class TestGemmBackend : public QObject {
  Q_OBJECT

 private:
  std::mt19937 rng_{5};
  std::vector<float> random(size_t n) {
    std::normal_distribution<float> d;
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng_);
    return v;
  }
  std::vector<pp::GemmPlan> plans() {
    std::vector<pp::GemmPlan> out;
    for (auto b : pp::allGemmBackends())
      for (auto t : {pp::GemmType::Float32, pp::GemmType::BFloat16})
        if (pp::gemmUnavailable(b, t).empty()) out.push_back({b, t});
    return out;
  }

  // One plan against a double product over a grid of shapes.
  void checkPlan(const pp::GemmPlan& plan) {
    const bool bf16 = plan.type == pp::GemmType::BFloat16;
    auto in = [&](float x) { return bf16 ? static_cast<double>(roundBf16(x)) : x; };
    for (int64_t m : {1, 5, 6, 7, 13, 100, 129})
      for (int64_t k : {1, 7, 8, 9, 64, 131})
        for (int64_t n : {1, 15, 16, 17, 40, 100}) {
          const int64_t lda = k + 3, ldc = n + 5, n1 = n / 3;
          const auto w1 = random(static_cast<size_t>(n1 * k));
          const auto w2 = random(static_cast<size_t>((n - n1) * k));
          const pp::GemmWeights g(plan, {{w1.data(), n1, k, 0.5f}, {w2.data(), n - n1, k, 1.0f}},
                                  k);
          QCOMPARE(g.outFeatures(), n);
          const auto a = random(static_cast<size_t>(m * lda));
          const auto bias = random(static_cast<size_t>(n));
          auto weight = [&](int64_t j, int64_t i) -> double {
            return in(j < n1 ? 0.5f * w1[static_cast<size_t>(j * k + i)]
                             : w2[static_cast<size_t>((j - n1) * k + i)]);
          };
          auto dot = [&](int64_t r, int64_t j) {
            double s = 0;
            for (int64_t i = 0; i < k; ++i)
              s += in(a[static_cast<size_t>(r * lda + i)]) * weight(j, i);
            return s;
          };
          const auto start = random(static_cast<size_t>(m * ldc));
          auto c = start;
          g.run(a.data(), lda, m, bias.data(), c.data(), ldc);
          auto acc = c;
          g.run(a.data(), lda, m, nullptr, acc.data(), ldc);
          const double tol = 1e-4 * std::sqrt(static_cast<double>(k)) + 1e-5;
          for (int64_t r = 0; r < m; ++r)
            for (int64_t j = 0; j < ldc; ++j) {
              const size_t at = static_cast<size_t>(r * ldc + j);
              if (j >= n) {  // past the columns: untouched
                QCOMPARE(c[at], start[at]);
                continue;
              }
              const double want = dot(r, j) + bias[static_cast<size_t>(j)];
              if (std::abs(c[at] - want) > tol * (1 + std::abs(want)))
                QFAIL(qPrintable(QString("%1 %2: m %3 k %4 n %5 at (%6, %7): %8 vs %9")
                                     .arg(pp::gemmBackendName(plan.backend))
                                     .arg(pp::gemmTypeName(plan.type))
                                     .arg(m)
                                     .arg(k)
                                     .arg(n)
                                     .arg(r)
                                     .arg(j)
                                     .arg(c[at])
                                     .arg(want)));
              QVERIFY(std::abs(acc[at] - (c[at] + dot(r, j))) <= tol * (1 + std::abs(2 * want)));
            }
          if (g.columnRanges() && n > 16) {  // columns [16, n) alone
            auto part = start;
            g.run(a.data(), lda, m, bias.data(), part.data(), ldc, 16, n);
            for (int64_t r = 0; r < m; ++r) {
              QCOMPARE(part[static_cast<size_t>(r * ldc)], start[static_cast<size_t>(r * ldc)]);
              const size_t at = static_cast<size_t>(r * ldc + 16);
              QVERIFY(std::abs(part[at] - c[at]) <= tol * (1 + std::abs(c[at])));
            }
          }
        }
  }

  pp::GemmChoiceRequest smallRequest(const QString& dir) {
    pp::GemmChoiceRequest r;
    r.shapes = {{48, 32}, {32, 48}};
    r.threads = 1;
    r.rows = 8;
    r.cacheDir = dir.toStdString();
    return r;
  }

 private Q_SLOTS:
  void everyBackendMatchesDoubleProduct() {
    const auto all = plans();
    QVERIFY(!all.empty());
    for (const auto& p : all) checkPlan(p);
  }

  void unknownBackendIsRefused() {
    QVERIFY_THROWS_EXCEPTION(pp::Error, pp::parseGemmBackend("mkl"));
    QCOMPARE(pp::parseGemmBackend("openblas"), pp::GemmBackend::Blas);
  }

  void forcedBackends() {
    QTemporaryDir dir;
    for (auto b : pp::allGemmBackends()) {
      if (!pp::gemmUnavailable(b, pp::GemmType::Float32).empty()) continue;
      auto r = smallRequest(dir.path());
      r.forced = pp::gemmBackendName(b);
      const auto c = pp::chooseGemm(r);
      QCOMPARE(c.plan.backend, b);
      QCOMPARE(QString::fromStdString(c.how), QString("forced"));
      QVERIFY(c.rates.empty());  // nothing measured
    }
    // Through the environment, for a model of its own shape.
    qputenv("PARETOPRUNE_GEMM", "blas");
    pp::ModelConfig cfg;
    cfg.hidden_size = 40;
    cfg.num_attention_heads = 2;
    cfg.intermediate_size = 24;
    const auto c = pp::gemmChoiceFor(cfg, pp::GemmType::Float32);
    qunsetenv("PARETOPRUNE_GEMM");
    QCOMPARE(c.plan.backend, pp::GemmBackend::Blas);
    QVERIFY(QString::fromStdString(c.line()).contains("PARETOPRUNE_GEMM"));
  }

  void cacheInvalidatedByCpuThreadsAndVersions() {
    QTemporaryDir dir;
    auto r = smallRequest(dir.path());
    r.versions = "lib 1";
    const auto first = pp::chooseGemm(r);
    QCOMPARE(QString::fromStdString(first.how), QString("measured"));
    QVERIFY(!first.rates.empty());
    QVERIFY(QFile::exists(dir.path() + "/gemm-choice.json"));
    const auto again = pp::chooseGemm(r);
    QVERIFY(QString::fromStdString(again.how).startsWith("cached"));
    QCOMPARE(again.plan.backend, first.plan.backend);
    QCOMPARE(again.rates.size(), first.rates.size());

    auto threads = r;
    threads.threads = 2;
    QCOMPARE(QString::fromStdString(pp::chooseGemm(threads).how), QString("measured"));
    auto lib = r;
    lib.versions = "lib 2";
    QCOMPARE(QString::fromStdString(pp::chooseGemm(lib).how), QString("measured"));
    auto cpu = r;
    cpu.cpu.model = "Another CPU (family 6 model 143 stepping 8)";
    QCOMPARE(QString::fromStdString(pp::chooseGemm(cpu).how), QString("measured"));
    // And the original one is still there.
    QVERIFY(QString::fromStdString(pp::chooseGemm(r).how).startsWith("cached"));
  }

  void bf16RefusedWithoutHardware() {
    pp::CpuFeatures old = pp::cpuFeatures();
    old.avx512Bf16 = false;
    old.amxBf16 = false;
    old.model = "Old CPU";
    const std::string why =
        pp::gemmUnavailable(pp::GemmBackend::Onednn, pp::GemmType::BFloat16, old);
    QVERIFY(QString::fromStdString(why).contains("AVX512_BF16"));
    QTemporaryDir dir;
    auto r = smallRequest(dir.path());
    r.cpu = old;
    r.type = pp::GemmType::BFloat16;
    try {
      pp::chooseGemm(r);
      QFAIL("bf16 was not refused");
    } catch (const pp::Error& e) {
      const QString msg = e.what();
      QVERIFY2(msg.contains("bf16 refused") && msg.contains("Old CPU") && msg.contains("fp32"),
               qPrintable(msg));
    }
    // Never for the packed kernel or the BLAS, whatever the CPU.
    QVERIFY(!pp::gemmUnavailable(pp::GemmBackend::Blas, pp::GemmType::BFloat16).empty());
  }

  void bf16ChosenOnlyWhereFaster() {
    if (!pp::gemmUnavailable(pp::GemmBackend::Onednn, pp::GemmType::BFloat16).empty())
      QSKIP("this CPU runs no bf16 products");
    QTemporaryDir dir;
    auto r = smallRequest(dir.path());
    r.type = pp::GemmType::BFloat16;
    const auto c = pp::chooseGemm(r);
    double bf16 = 0, fp32 = 0;
    for (const auto& [name, rate] : c.rates)
      (name == "onednn bf16" ? bf16 : fp32) = std::max(name == "onednn bf16" ? bf16 : fp32, rate);
    QCOMPARE(c.plan.type == pp::GemmType::BFloat16, bf16 > fp32);
    if (c.plan.type == pp::GemmType::Float32)
      QVERIFY(QString::fromStdString(c.reason).contains("slower"));
  }
};

QTEST_GUILESS_MAIN(TestGemmBackend)
#include "test_gemm_backend.moc"
