// Int8 evaluation with the numerics of the onnx-int8 export
// (core/src/cpu/gemm_int8.cpp): every int8 backend against an integer
// reference written here from ONNX Runtime's rules (DynamicQuantizeLinear,
// MatMulInteger, the scales) at every tile edge, with row groups and
// column ranges; `--precision int8` on the demo model against
// onnxruntime-node on our onnx-int8 export (BUILD/node, from
// scripts/install-node-deps.sh; without it this test fails, it does not
// skip); int8 refused with one line where it cannot run.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "cpu/gemm_backend.h"
#include "cpu/gemm_choice.h"
#include "eval/evaluator_impl.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/export/export.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "testutil.h"

using nlohmann::json;

namespace {
// ONNX Runtime's DynamicQuantizeLinear of rows [r0, r1): uint8 values,
// scale and zero point.
struct Quantized {
  std::vector<int32_t> q;
  float scale = 1;
  int32_t zero = 0;
};
Quantized dynamicQuantize(const std::vector<float>& a, int64_t k, int64_t r0, int64_t r1) {
  float lo = 0, hi = 0;
  for (int64_t i = r0 * k; i < r1 * k; ++i) {
    lo = std::min(lo, a[static_cast<size_t>(i)]);
    hi = std::max(hi, a[static_cast<size_t>(i)]);
  }
  Quantized out;
  out.scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  out.zero = static_cast<int32_t>(std::nearbyint(std::clamp(-lo / out.scale, 0.0f, 255.0f)));
  for (int64_t i = r0 * k; i < r1 * k; ++i) {
    const int32_t v =
        static_cast<int32_t>(std::nearbyint(a[static_cast<size_t>(i)] / out.scale)) + out.zero;
    out.q.push_back(std::clamp(v, 0, 255));
  }
  return out;
}
}  // namespace

class TestInt8 : public QObject {
  Q_OBJECT
  std::mt19937 rng_{11};
  QTemporaryDir tmp_;

  std::vector<float> random(size_t n, float sd) {
    std::normal_distribution<float> d(0.3f, sd);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng_);
    return v;
  }

  // The export's weights (symmetric, one scale per matrix) and ORT's
  // integer product, for W = [part 1 (times `s1` after the product); part 2].
  static std::vector<float> reference(const std::vector<float>& a, int64_t m, int64_t k,
                                      const std::vector<float>& w1, int64_t n1, float s1,
                                      const std::vector<float>& w2, int64_t n2,
                                      const std::vector<int64_t>& groups,
                                      const std::vector<float>& bias) {
    std::vector<int32_t> wq;
    std::vector<float> ws;
    for (const auto* w : {&w1, &w2}) {
      float amax = 0;
      for (float x : *w) amax = std::max(amax, std::fabs(x));
      const float s = std::max(1e-8f, amax / 127.0f);
      for (float x : *w) wq.push_back(std::clamp<int32_t>(std::nearbyint(x / s), -127, 127));
      ws.insert(ws.end(), w->size() / static_cast<size_t>(k), s);
    }
    const int64_t n = n1 + n2;
    std::vector<float> c(static_cast<size_t>(m * n));
    int64_t r0 = 0;
    for (int64_t end : groups) {
      const Quantized q = dynamicQuantize(a, k, r0, end);
      for (int64_t i = r0; i < end; ++i)
        for (int64_t j = 0; j < n; ++j) {
          int64_t acc = 0;
          for (int64_t t = 0; t < k; ++t)
            acc += static_cast<int64_t>(q.q[static_cast<size_t>((i - r0) * k + t)] - q.zero) *
                   wq[static_cast<size_t>(j * k + t)];
          float y = static_cast<float>(acc) * (q.scale * ws[static_cast<size_t>(j)]);
          if (j < n1) y *= s1;
          c[static_cast<size_t>(i * n + j)] = y + bias[static_cast<size_t>(j)];
        }
      r0 = end;
    }
    return c;
  }

  // Our portable kernel where the CPU has AVX512_VNNI (where the packed
  // backend runs the VNNI kernel instead), with GemmWeights' interface.
  struct Portable {
    std::shared_ptr<const pp::GemmWeights::Impl> impl;
    int64_t n;
    Portable(const std::vector<pp::RowSource>& parts, int64_t k)
        : impl(pp::int8Weights(parts, k, false, false)), n(parts[0].rows + parts[1].rows) {}
    bool columnRanges() const { return impl->columnRanges(); }
    void run(const float* a, int64_t lda, int64_t m, const float* bias, float* c, int64_t ldc,
             int64_t n0, int64_t n1, const std::vector<int64_t>* groups) const {
      impl->runGroups(a, lda, m, bias, c, ldc, n0, n1 < 0 ? n : n1, groups);
    }
  };

  // One backend over a grid of shapes: groups, column ranges, accumulation;
  // m crosses our VNNI kernel's tiles of 8 rows and blocks of 96, n its
  // panels of 16 and tiles of 48 columns, k its groups of 4.
  void checkBackend(pp::GemmBackend b) {
    const pp::GemmPlan plan{b, pp::GemmType::Int8};
    checkKernel(pp::gemmBackendName(b), [&](const std::vector<pp::RowSource>& parts, int64_t k) {
      return pp::GemmWeights(plan, parts, k);
    });
  }

  template <class Make>
  void checkKernel(const char* name, Make make) {
    for (int64_t m : {1, 3, 4, 5, 17, 130, 200})
      for (int64_t k : {1, 3, 4, 63, 64, 65, 131})
        for (int64_t n : {2, 15, 16, 17, 48, 49, 64, 65, 100}) {
          const int64_t n1 = n / 2, n2 = n - n1;
          const auto w1 = random(static_cast<size_t>(n1 * k), 1.0f);
          const auto w2 = random(static_cast<size_t>(n2 * k), 0.05f);
          const auto a = random(static_cast<size_t>(m * k), 2.0f);
          const auto bias = random(static_cast<size_t>(n), 1.0f);
          const std::vector<int64_t> groups =
              m > 3 ? std::vector<int64_t>{m / 3, m} : std::vector<int64_t>{m};
          const auto want = reference(a, m, k, w1, n1, 0.125f, w2, n2, groups, bias);
          const auto g = make({{w1.data(), n1, k, 0.125f}, {w2.data(), n2, k, 1.0f}}, k);
          std::vector<float> c(static_cast<size_t>(m * n), -7.0f);
          g.run(a.data(), k, m, bias.data(), c.data(), n, 0, -1, &groups);
          for (size_t i = 0; i < c.size(); ++i)
            if (std::fabs(c[i] - want[i]) > 1e-5f * std::max(1.0f, std::fabs(want[i])))
              QFAIL(qPrintable(QString("%1 int8 m=%2 k=%3 n=%4: element %5 is %6, want %7")
                                   .arg(name)
                                   .arg(m)
                                   .arg(k)
                                   .arg(n)
                                   .arg(i)
                                   .arg(c[i])
                                   .arg(want[i])));
          // Accumulating into what c holds (bias null): c + (want - bias).
          std::vector<float> acc(c.size(), 1.5f);
          g.run(a.data(), k, m, nullptr, acc.data(), n, 0, -1, &groups);
          for (size_t i = 0; i < c.size(); ++i)
            QVERIFY(std::fabs(acc[i] - (1.5f + want[i] - bias[i % static_cast<size_t>(n)])) <=
                    1e-4f * std::max(1.0f, std::fabs(want[i])));
          if (!g.columnRanges() || n <= 64) continue;
          std::vector<float> part(c.size(), -7.0f);  // columns [64, n) only
          g.run(a.data(), k, m, bias.data(), part.data(), n, 64, n, &groups);
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j)
              QCOMPARE(part[static_cast<size_t>(i * n + j)],
                       j < 64 ? -7.0f : c[static_cast<size_t>(i * n + j)]);
        }
  }

  // onnxruntime-node's logits for each example of `enc` at batch 1, in example order.
  std::vector<std::vector<float>> ortLogits(const QString& onnx, const pp::EncodedData& enc) {
    json batches = json::array();
    const auto& d = enc.impl();
    for (const pp::Batch& b : d.batchesOn("cpu")) {
      auto rows = [](const torch::Tensor& t) {
        auto c = t.to(torch::kLong).contiguous();
        return std::vector<std::vector<int64_t>>{
            std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel())};
      };
      batches.push_back({{"ids", rows(b.ids)}, {"mask", rows(b.mask)}, {"types", rows(b.typeIds)}});
    }
    const std::string in = tmp_.filePath("in.json").toStdString(),
                      out = tmp_.filePath("out.json").toStdString();
    testutil::writeText(in, json({{"batches", batches}}).dump());
    const QString script = QString(PARETOPRUNE_NODE_DIR) + "/run_onnx.mjs";
    QFile::remove(script);
    if (!QFile::copy(QString(PARETOPRUNE_SOURCE_DIR) + "/tests/node/run_onnx.mjs", script))
      qFatal("cannot copy run_onnx.mjs to %s", qPrintable(script));
    auto r = testutil::runProgram(
        "node", {script, onnx, QString::fromStdString(in), QString::fromStdString(out)}, {},
        300000);
    if (r.code != 0) qFatal("onnxruntime-node failed: %s", r.err.c_str());
    const json j = json::parse(testutil::readText(out));
    std::vector<std::vector<float>> logits(enc.size());
    for (size_t b = 0; b < d.batchIndex.size(); ++b)
      logits[d.batchIndex[b][0]] = j["logits"][b][0].get<std::vector<float>>();
    return logits;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    qputenv("XDG_CACHE_HOME", tmp_.filePath("cache").toUtf8());
    pp::useComputeThreads(pp::ComputeUse::Evaluation, 2);
  }

  void everyInt8BackendAgainstTheIntegerReference() {
    int ran = 0;
    for (pp::GemmBackend b : pp::allGemmBackends()) {
      if (!pp::gemmUnavailable(b, pp::GemmType::Int8).empty()) continue;
      checkBackend(b);
      ++ran;
    }
    QVERIFY(ran >= 1);            // our portable kernel runs anywhere
    if (pp::int8VnniAvailable())  // the packed backend ran the VNNI kernel: the portable one too
      checkKernel("portable", [](const std::vector<pp::RowSource>& parts, int64_t k) {
        return Portable(parts, k);
      });
    QVERIFY(pp::gemmUnavailable(pp::GemmBackend::Packed, pp::GemmType::Int8).empty());
    const auto& f = pp::cpuFeatures();
    if (f.avx512Vnni || f.amxInt8)
      QVERIFY(pp::gemmUnavailable(pp::GemmBackend::Onednn, pp::GemmType::Int8).empty());
  }

  void int8RefusedWithOneLine() {
    const std::string blas = pp::gemmUnavailable(pp::GemmBackend::Blas, pp::GemmType::Int8);
    QVERIFY(blas.find("not blas") != std::string::npos);
    pp::CpuFeatures old = pp::cpuFeatures();
    old.model = "An old CPU";
    old.avx512Vnni = old.amxInt8 = false;
    const std::string why = pp::gemmUnavailable(pp::GemmBackend::Onednn, pp::GemmType::Int8, old);
    QVERIFY(why.find("AVX512_VNNI") != std::string::npos);
    pp::GemmChoiceRequest r;
    r.shapes = {{64, 64}};
    r.type = pp::GemmType::Int8;
    r.cpu = old;
    r.cacheDir = tmp_.filePath("c1").toStdString();
    r.forced = "blas";
    QVERIFY_THROWS_EXCEPTION(pp::Error, pp::chooseGemm(r));
    r.forced = "onednn";
    QVERIFY_THROWS_EXCEPTION(pp::Error, pp::chooseGemm(r));
    r.forced = "";  // measured among what runs here: our kernel on the old CPU
    QCOMPARE(pp::chooseGemm(r).plan.backend, pp::GemmBackend::Packed);
    QCOMPARE(pp::chooseGemm(r).plan.type, pp::GemmType::Int8);
    QCOMPARE(pp::parsePrecision("int8"), pp::Precision::Int8);
    // The CLI: one line on stderr, exit code 1.
    const QString model = QString(PARETOPRUNE_RESOURCES_DIR) + "/demo/model";
    const QString data = QString(PARETOPRUNE_RESOURCES_DIR) + "/demo/sentiment-validation.tsv";
    auto run = testutil::runProgram(
        PARETOPRUNE_CLI, {"--gemm", "blas", "eval", model, "--data", data, "--precision", "int8"});
    QCOMPARE(run.code, 1);
    QVERIFY2(run.err.find("int8") != std::string::npos &&
                 std::count(run.err.begin(), run.err.end(), '\n') == 1,
             run.err.c_str());
  }

  void evalMatchesOnnxRuntimeOnTheInt8Export_data() {
    QTest::addColumn<QString>("subnet");
    QTest::newRow("full") << "";
    QTest::newRow("pruned") << R"({"num_layers":3,"num_heads":2,"num_units":200})";
  }

  void evalMatchesOnnxRuntimeOnTheInt8Export() {
    QFETCH(QString, subnet);
    auto model = pp::Model::load(std::string(PARETOPRUNE_RESOURCES_DIR) + "/demo/model");
    const auto& c = model->config();
    const pp::SubNetwork s =
        subnet.isEmpty() ? pp::SubNetwork::full(c) : pp::SubNetwork::parse(subnet.toStdString(), c);
    const std::string out =
        tmp_.filePath("export-" + QString::number(s.keptLayers())).toStdString();
    pp::ExportOptions xo;
    xo.format = pp::ExportFormat::OnnxInt8;
    xo.force = true;
    pp::exportSubnetwork(*model, s, out, xo);
    const pp::Dataset val = pp::loadDataset(
        std::string(PARETOPRUNE_RESOURCES_DIR) + "/demo/sentiment-validation.tsv", c);
    pp::EncodeOptions one;
    one.batchSize = 1;
    const auto ort = ortLogits(QString::fromStdString(out + "/onnx/model_quantized.onnx"),
                               pp::EncodedData(*model, val, one));
    // Ours in batches of 4 (the team splits columns) and 64 (rows): each
    // sequence quantized on its own, so both agree within the quantization
    // tolerance (float order differs between the two ways of running).
    pp::EncodeOptions small, big;
    small.batchSize = 4;
    big.batchSize = 64;
    const auto int8 = pp::computeLogits(*model, s, pp::EncodedData(*model, val, small),
                                        pp::ExecMode::Auto, pp::Precision::Int8);
    const auto int8Big = pp::computeLogits(*model, s, pp::EncodedData(*model, val, big),
                                           pp::ExecMode::Auto, pp::Precision::Int8);
    const auto fp32 = pp::computeLogits(*model, s, pp::EncodedData(*model, val, small));
    double worst = 0, fp32Worst = 0, batchWorst = 0;
    size_t sameLabel = 0;
    auto label = [](const std::vector<float>& v) {
      return std::max_element(v.begin(), v.end()) - v.begin();
    };
    for (size_t i = 0; i < ort.size(); ++i)
      for (size_t k = 0; k < ort[i].size(); ++k) {
        worst = std::max(worst, static_cast<double>(std::fabs(int8[i][k] - ort[i][k])));
        fp32Worst = std::max(fp32Worst, static_cast<double>(std::fabs(fp32[i][k] - ort[i][k])));
        batchWorst =
            std::max(batchWorst, static_cast<double>(std::fabs(int8[i][k] - int8Big[i][k])));
        if (k == 0) sameLabel += label(int8[i]) == label(ort[i]);
      }
    qInfo("%zu sentences: |ours int8 - ORT int8| <= %.2g (ours fp32: %.2g), labels agree on %zu",
          ort.size(), worst, fp32Worst, sameLabel);
    QVERIFY(ort.size() >= 100);
    QVERIFY2(batchWorst < 0.02, qPrintable(QString::number(batchWorst)));
    // Within a few activation steps (a float-order difference can move one
    // value across a rounding edge), and far closer than fp32 is.
    QVERIFY2(worst < 0.02 && worst < fp32Worst / 4,
             qPrintable(QString("int8 %1, fp32 %2").arg(worst).arg(fp32Worst)));
    QCOMPARE(sameLabel, ort.size());
  }
};

QTEST_GUILESS_MAIN(TestInt8)
#include "test_int8.moc"
