// The model core on tiny BERTs written by the project: loading with every
// tensor checked, masked == sliced over random sub-networks, exact full
// model, padding and batching invariance.
#include <QtTest>

#include <cmath>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "base/compute_team.h"
#include "cpu/forward.h"
#include "cpu/threads_impl.h"
#include "model/slicing.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/safetensors.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "testutil.h"

using nlohmann::json;

namespace {
// Rewrites model.safetensors in `dir` after `edit` changes the tensor list.
struct Entry {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};
template <class Fn>
void editWeights(const std::string& dir, Fn&& edit) {
  std::vector<Entry> entries;
  {
    auto f = pp::SafetensorsFile::open(dir + "/model.safetensors");
    for (const auto& t : f.tensors())
      entries.push_back({t.name, t.shape, pp::SafetensorsFile::toFloat32(t)});
  }
  edit(entries);
  std::vector<pp::TensorToWrite> out;
  for (const auto& e : entries) out.push_back({e.name, e.shape, e.data.data()});
  pp::writeSafetensors(dir + "/model.safetensors", out);
}

float maxRelDiff(const std::vector<std::vector<float>>& a,
                 const std::vector<std::vector<float>>& b) {
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t k = 0; k < a[i].size(); ++k)
      worst = std::max(worst, std::abs(a[i][k] - b[i][k]) / std::max(1.0f, std::abs(b[i][k])));
  return worst;
}
}  // namespace

class TestModel : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string modelDir_;
  pp::Dataset data_;

  // The sliced weights of sub-network `desc` (JSON), the model's own for the full one.
  static pp::EncoderWeights weightsOf(const pp::ModelImpl& mi, const char* desc) {
    const auto s = pp::SubNetwork::parse(desc, mi.config);
    return s.isFull(mi.config) ? mi.weights
                               : pp::sliceWeights(mi.weights, s, mi.headOrder, mi.unitOrder);
  }

  std::string freshCopy(const std::string& name) {
    const std::string d = tmp_.path().toStdString() + "/" + name;
    auto o = pp::TinyModelOptions::shaped(3, 24, 4, 40);
    o.initStd = 0.2;
    o.seed = 11;
    pp::writeRandomModel(d, o);
    return d;
  }

 private Q_SLOTS:
  void initTestCase() {
    pp::setComputeThreads(1, 1);
    modelDir_ = freshCopy("tiny");
    // Non-identity importance order, so "first k" means something.
    json order = {{"heads", {{3, 1, 0, 2}, {0, 1, 2, 3}, {2, 3, 1, 0}}}, {"units", json::array()}};
    pp::Rng rng(5);
    for (int l = 0; l < 3; ++l) {
      std::vector<int64_t> p(40);
      for (int i = 0; i < 40; ++i) p[static_cast<size_t>(i)] = i;
      rng.shuffle(p);
      order["units"].push_back(p);
    }
    testutil::writeText(modelDir_ + "/paretoprune_order.json", order.dump());
    const char* texts[] = {"the food was good",
                           "bad service",
                           "a very great movie and the place is good",
                           "i was not",
                           "this",
                           "the movie was bad, very bad!",
                           "good good good good good good",
                           "it is what it is",
                           "zebra quagga",
                           "great"};
    for (int i = 0; i < 10; ++i) {
      pp::Example e;
      e.text = texts[i];
      e.pair = i % 3 ? "and more text" : "x";
      e.label = i % 2;
      data_.examples.push_back(e);
    }
    data_.hasPair = true;
  }

  void loadsTinyModel() {
    auto m = pp::Model::load(modelDir_);
    QCOMPARE(m->config().num_hidden_layers, int64_t(3));
    QCOMPARE(m->headOrder()[0], (std::vector<int64_t>{3, 1, 0, 2}));
    QVERIFY(m->hasTokenizer());
    QCOMPARE(m->checksum().size(), size_t(7 + 64));  // "sha256:" + hex
  }

  void maskedEqualsSliced() {
    auto m = pp::Model::load(modelDir_);
    pp::EncodedData enc(*m, data_, {64, 4, true});
    pp::Rng rng(42);
    const auto& c = m->config();
    int distinct = 0;
    auto full = pp::computeLogits(*m, pp::SubNetwork::full(c), enc, pp::ExecMode::Masked);
    for (int trial = 0; trial < 40; ++trial) {
      pp::SubNetwork s;
      if (trial % 2 == 0) {
        s = pp::SubNetwork::uniform(c, rng.uniformInt(0, 3), rng.uniformInt(1, 4),
                                    rng.uniformInt(0, 40));
      } else {
        s.layers.resize(3);
        for (auto& l : s.layers) l = {rng.uniformInt(0, 4), rng.uniformInt(0, 40)};
      }
      auto masked = pp::computeLogits(*m, s, enc, pp::ExecMode::Masked);
      auto sliced = pp::computeLogits(*m, s, enc, pp::ExecMode::Sliced);
      const float diff = maxRelDiff(masked, sliced);
      QVERIFY2(diff <= 1e-5f, (s.summary() + " differs by " + std::to_string(diff)).c_str());
      if (maxRelDiff(masked, full) > 1e-3f) ++distinct;
    }
    QVERIFY2(distinct > 30, "sub-networks should change the logits");
  }

  void fullDescriptionIsExact() {
    auto m = pp::Model::load(modelDir_);
    const auto& mi = m->impl();
    torch::InferenceMode guard;
    pp::Batch b{torch::randint(5, 60, {3, 9}, torch::kLong), torch::zeros({3, 9}, torch::kLong),
                torch::ones({3, 9})};
    auto base = pp::encoderForward(mi.weights, mi.act, mi.config.layer_norm_eps, b);
    auto s = pp::SubNetwork::full(mi.config);
    auto sliced = pp::sliceWeights(mi.weights, s, mi.headOrder, mi.unitOrder);
    QVERIFY(torch::equal(base, pp::encoderForward(sliced, mi.act, mi.config.layer_norm_eps, b)));
    auto masked = pp::maskWeights(mi.weights, s, mi.headOrder, mi.unitOrder);
    QVERIFY(torch::equal(base, pp::encoderForward(masked, mi.act, mi.config.layer_norm_eps, b)));
  }

  // Evaluation's fused attention (one product for query, key and value,
  // the scale in the query weights) gives the unfused logits within 1e-5,
  // padded batches and a layer without heads included.
  void fusedAttentionMatches() {
    auto m = pp::Model::load(modelDir_);
    const auto& mi = m->impl();
    torch::InferenceMode guard;
    pp::Batch b{torch::randint(5, 60, {4, 11}, torch::kLong), torch::randint(0, 2, {4, 11}),
                torch::ones({4, 11})};
    b.mask.index_put_({1, torch::indexing::Slice(6, torch::indexing::None)}, 0);
    const std::string full = pp::SubNetwork::full(mi.config).toJson().dump();
    for (const char* desc :
         {full.c_str(), R"({"num_layers":3,"num_heads":2,"num_units":16})",
          R"({"layers":[{"heads":2,"units":10},{"heads":0,"units":7},{"heads":1,"units":0}]})"}) {
      const auto w = weightsOf(mi, desc);
      const auto plain = pp::encoderForward(w, mi.act, mi.config.layer_norm_eps, b);
      for (bool pack : {false, true}) {  // on LibTorch's BLAS, on packed weights
        const auto fused =
            pp::fuseAttention(w, pack ? pp::WeightPacking::Always : pp::WeightPacking::Never);
        QCOMPARE(fused.packed.empty(), !(pack && pp::packedGemmSupported()));
        const auto got =
            pp::encoderForward(w, mi.act, mi.config.layer_norm_eps, b, nullptr, {}, &fused);
        const double diff = (plain - got).abs().max().item<double>();
        QVERIFY2(diff < 1e-5, (std::string(desc) + ": " + std::to_string(diff)).c_str());
      }
    }
    // Packed by default where the evaluation team has the cores, not under
    // the training policy (OpenBLAS on the cores: training's validation).
    const auto w = weightsOf(mi, full.c_str());
    pp::useComputeThreads(pp::ComputeUse::Training, 2);
    if (pp::blasThreads() > 1)  // OpenBLAS (a LibTorch on MKL follows its own thread count)
      QVERIFY(pp::fuseAttention(w).packed.empty());
    pp::useComputeThreads(pp::ComputeUse::Evaluation, 2);
    QCOMPARE(pp::fuseAttention(w).packed.empty(), !pp::packedGemmSupported());
    pp::setTeamThreads(1);
    pp::setComputeThreads(1, 1);
    // Fused weights of another shape are refused, not misread.
    const auto s =
        pp::SubNetwork::parse(R"({"num_layers":1,"num_heads":1,"num_units":4})", mi.config);
    const auto small =
        pp::fuseAttention(pp::sliceWeights(mi.weights, s, mi.headOrder, mi.unitOrder));
    const pp::ForwardOptions plainOptions;
    auto misuse = [&] {
      pp::encoderForward(mi.weights, mi.act, mi.config.layer_norm_eps, b, nullptr, plainOptions,
                         &small);
    };
    QVERIFY_THROWS_EXCEPTION(pp::Error, misuse());
    // The same number of layers but other widths: refused too, packed or not.
    const auto narrow =
        pp::SubNetwork::parse(R"({"num_layers":3,"num_heads":2,"num_units":16})", mi.config);
    const auto sliced = pp::sliceWeights(mi.weights, narrow, mi.headOrder, mi.unitOrder);
    for (auto pack : {pp::WeightPacking::Never, pp::WeightPacking::Always}) {
      const auto other = pp::fuseAttention(sliced, pack);
      auto wrongWidths = [&] {
        pp::encoderForward(mi.weights, mi.act, mi.config.layer_norm_eps, b, nullptr, plainOptions,
                           &other);
      };
      QVERIFY_THROWS_EXCEPTION(pp::Error, wrongWidths());
    }
  }

  // Layers wide enough for the team to split each product's columns
  // (teamLinear from a panel past the first) and heads of 64 (the keys
  // packed 8 x 8 at a time): the packed pass against the plain one.
  void packedForwardOnWiderLayers() {
    const pp::EncoderWeights w =
        pp::randomWeights(pp::shapedConfig(2, 128, 2, 300, 60, 64), 0.05, 5);
    torch::InferenceMode guard;
    torch::manual_seed(4);
    pp::Batch b{torch::randint(5, 60, {3, 40}, torch::kLong), torch::zeros({3, 40}, torch::kLong),
                torch::ones({3, 40})};
    b.mask.index_put_({1, torch::indexing::Slice(30, torch::indexing::None)}, 0);
    const auto plain = pp::encoderForward(w, pp::Act::GeluErf, 1e-12, b);
    for (auto pack : {pp::WeightPacking::Never, pp::WeightPacking::Always}) {
      const auto fused = pp::fuseAttention(w, pack);
      for (int team : {1, 2, 3}) {  // 110 tokens: the column split from 2 threads
        pp::setTeamThreads(team);
        const auto got = pp::encoderForward(w, pp::Act::GeluErf, 1e-12, b, nullptr, {}, &fused);
        const double diff = (plain - got).abs().max().item<double>();
        QVERIFY2(diff < 1e-5,
                 ("team of " + std::to_string(team) + ": " + std::to_string(diff)).c_str());
      }
      pp::setTeamThreads(1);
    }
  }

  // Every GEMM backend of the seam (gemm_backend.h) through the evaluation
  // pass on teams of 1-3 (rows and column-split paths; oneDNN's weights run
  // whole, so its column split splits rows): float32 within 1e-4 of the
  // plain pass, bf16 products within what bf16 inputs allow.
  void everyGemmBackendInTheForwardPass() {
    const pp::EncoderWeights w =
        pp::randomWeights(pp::shapedConfig(2, 128, 2, 300, 60, 64), 0.05, 5);
    torch::InferenceMode guard;
    torch::manual_seed(4);
    pp::Batch b{torch::randint(5, 60, {3, 40}, torch::kLong), torch::zeros({3, 40}, torch::kLong),
                torch::ones({3, 40})};
    b.mask.index_put_({1, torch::indexing::Slice(30, torch::indexing::None)}, 0);
    const auto plain = pp::encoderForward(w, pp::Act::GeluErf, 1e-12, b);
    int ran = 0;
    for (auto backend : pp::allGemmBackends())
      for (auto type : {pp::GemmType::Float32, pp::GemmType::BFloat16}) {
        if (!pp::gemmUnavailable(backend, type).empty()) continue;
        const auto fused = pp::fuseAttention(w, pp::WeightPacking::Always, {backend, type});
        QVERIFY(!fused.packed.empty());
        QCOMPARE(fused.packed[0].qkv.plan().backend, backend);
        ++ran;
        for (int team : {1, 2, 3}) {
          pp::setTeamThreads(team);
          const auto got = pp::encoderForward(w, pp::Act::GeluErf, 1e-12, b, nullptr, {}, &fused);
          const double diff = (plain - got).abs().max().item<double>();
          const double tol = type == pp::GemmType::Float32 ? 1e-4 : 2e-2;
          QVERIFY2(diff < tol,
                   (std::string(pp::gemmBackendName(backend)) + " " + pp::gemmTypeName(type) +
                    ", team of " + std::to_string(team) + ": " + std::to_string(diff))
                       .c_str());
        }
        pp::setTeamThreads(1);
      }
    QVERIFY(ran >= 1);
  }

  // The evaluation pass with padding removed on teams of 1-4 threads
  // (rows path and column-split path) against the padded fused pass and
  // the plain pass, for the full model and sub-networks with a head-less
  // and a unit-less layer; a mask with a hole falls back to the padded pass.
  void packedForwardMatchesOnEveryTeam() {
    auto m = pp::Model::load(modelDir_);
    const auto& mi = m->impl();
    torch::InferenceMode guard;
    auto batchOf = [](const std::vector<int64_t>& lengths, int64_t T) {
      const auto B = static_cast<int64_t>(lengths.size());
      pp::Batch b{torch::randint(5, 60, {B, T}, torch::kLong), torch::randint(0, 2, {B, T}),
                  torch::ones({B, T})};
      for (int64_t i = 0; i < B; ++i)
        b.mask.index_put_(
            {i, torch::indexing::Slice(lengths[static_cast<size_t>(i)], torch::indexing::None)}, 0);
      return b;
    };
    torch::manual_seed(3);
    // 390 tokens: a block of rows for each of up to 3 threads.
    const pp::Batch longer = batchOf({70, 68, 66, 64, 62, 60}, 70);
    // 41 tokens: column split from 2 threads.
    const pp::Batch shorter = batchOf({20, 12, 5, 3, 1}, 20);
    // One sequence: its heads split among the team.
    const pp::Batch single = batchOf({50}, 50);
    pp::Batch holed = batchOf({20, 20, 16}, 20);
    holed.mask.index_put_({1, 4}, 0);
    const std::string full = pp::SubNetwork::full(mi.config).toJson().dump();
    pp::ForwardOptions padded;
    padded.packed = false;
    for (const char* desc :
         {full.c_str(),
          R"({"layers":[{"heads":2,"units":10},{"heads":0,"units":7},{"heads":1,"units":0}]})"}) {
      const auto w = weightsOf(mi, desc);
      // BLAS products (the padded reference too), then packed weights.
      const auto blas = pp::fuseAttention(w, pp::WeightPacking::Never);
      const auto packedWeights = pp::fuseAttention(w, pp::WeightPacking::Always);
      for (const pp::Batch* b :
           {&longer, &shorter, &single, static_cast<const pp::Batch*>(&holed)}) {
        const auto plain = pp::encoderForward(w, mi.act, mi.config.layer_norm_eps, *b);
        const auto pad =
            pp::encoderForward(w, mi.act, mi.config.layer_norm_eps, *b, nullptr, padded, &blas);
        QVERIFY((plain - pad).abs().max().item<double>() < 1e-5);
        for (const pp::FusedAttention* fused : {&blas, &packedWeights})
          for (int team : {1, 2, 3, 4}) {
            pp::setTeamThreads(team);
            const auto got =
                pp::encoderForward(w, mi.act, mi.config.layer_norm_eps, *b, nullptr, {}, fused);
            const double diff = (plain - got).abs().max().item<double>();
            QVERIFY2(diff < 1e-5,
                     (std::string(desc) + (fused->packed.empty() ? "" : ", packed") + ", team of " +
                      std::to_string(team) + ": " + std::to_string(diff))
                         .c_str());
          }
        pp::setTeamThreads(1);
      }
    }
  }

  // The team runs every task once, in parallel, from concurrent callers and
  // from inside its own tasks, and passes a task's exception to the caller.
  void teamRunsEveryTaskOnce() {
    pp::setTeamThreads(3);
    std::vector<std::atomic<int>> hits(1000);
    pp::runOnTeam(1000, [&](int64_t i) { hits[static_cast<size_t>(i)]++; });
    for (auto& h : hits) QCOMPARE(h.load(), 1);
    // Several threads take part (tasks long enough for every thread to wake).
    std::mutex mu;
    std::set<std::thread::id> ids;
    pp::runOnTeam(24, [&](int64_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(4));
      std::lock_guard<std::mutex> lk(mu);
      ids.insert(std::this_thread::get_id());
    });
    QVERIFY(ids.size() >= 2);
    // Each caller (each search worker) has a team of its own: two callers
    // at once both run in parallel.
    std::set<std::thread::id> perCaller[2];
    auto sleepy = [&](int c) {
      pp::runOnTeam(24, [&, c](int64_t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(4));
        std::lock_guard<std::mutex> lk(mu);
        perCaller[c].insert(std::this_thread::get_id());
      });
    };
    std::thread first(sleepy, 0), second(sleepy, 1);
    first.join();
    second.join();
    QVERIFY(perCaller[0].size() >= 2 && perCaller[1].size() >= 2);
    // A task asking the team (busy with its own job) runs its tasks itself.
    std::atomic<int64_t> nested{0};
    pp::runOnTeam(8, [&](int64_t) { pp::runOnTeam(10, [&](int64_t j) { nested += j; }); });
    QCOMPARE(nested.load(), int64_t{8 * 45});
    // The first exception reaches the caller; the team goes on working.
    auto failing = [] {
      pp::runOnTeam(50, [](int64_t i) {
        if (i == 37) throw pp::Error("task 37 failed");
      });
    };
    QVERIFY_THROWS_EXCEPTION(pp::Error, failing());
    // Two callers at once (two search workers), many jobs each.
    std::atomic<int64_t> sums[2] = {{0}, {0}};
    auto caller = [&](int c) {
      for (int job = 0; job < 300; ++job) pp::runOnTeam(7, [&](int64_t i) { sums[c] += i + 1; });
    };
    std::thread a(caller, 0), b(caller, 1);
    a.join();
    b.join();
    QCOMPARE(sums[0].load(), int64_t{300 * 28});
    QCOMPARE(sums[1].load(), int64_t{300 * 28});
    for (int size : {1, 2, 4, 1, 2}) {
      pp::setTeamThreads(size);
      QCOMPARE(pp::teamThreads(), size);
      std::atomic<int64_t> sum{0};
      pp::runOnTeam(100, [&](int64_t i) { sum += i; });
      QCOMPARE(sum.load(), int64_t{4950});
    }
    pp::setTeamThreads(1);
  }

  void maskedWeightsKeepTheFullShapes() {
    auto m = pp::Model::load(modelDir_);
    const auto& mi = m->impl();
    auto s = pp::SubNetwork::parse(
        R"({"layers":[{"heads":2,"units":10},{"heads":0,"units":0},{"heads":0,"units":7}]})",
        mi.config);
    auto w = pp::maskWeights(mi.weights, s, mi.headOrder, mi.unitOrder);
    QCOMPARE(w.layers.size(), size_t(2));
    // Kept heads and units stay at full width, with the removed ones' output columns zero.
    QCOMPARE(w.layers[0].q_w.sizes(), mi.weights.layers[0].q_w.sizes());
    QCOMPARE(w.layers[0].out_w.sizes(), mi.weights.layers[0].out_w.sizes());
    const int64_t d = mi.weights.headSize;
    QCOMPARE(w.layers[0].o_w.abs().sum(0).gt(0).sum().item<int64_t>(), int64_t(2 * d));
    QCOMPARE(w.layers[0].out_w.abs().sum(0).gt(0).sum().item<int64_t>(), int64_t(10));
    // A part with nothing kept is not computed at all.
    QCOMPARE(w.layers[1].heads, int64_t(0));
    QCOMPARE(w.layers[1].units(), mi.weights.layers[2].units());
    // The source weights are untouched.
    QVERIFY(mi.weights.layers[0].o_w.abs().sum(0).gt(0).all().item<bool>());
  }

  void slicedTensorsAreSmaller() {
    auto m = pp::Model::load(modelDir_);
    const auto& mi = m->impl();
    auto s = pp::SubNetwork::parse(
        R"({"layers":[{"heads":2,"units":10},{"heads":0,"units":0},{"heads":1,"units":0}]})",
        mi.config);
    auto w = pp::sliceWeights(mi.weights, s, mi.headOrder, mi.unitOrder);
    QCOMPARE(w.layers.size(), size_t(2));
    QCOMPARE(w.layers[0].q_w.size(0), int64_t(2 * 6));
    QCOMPARE(w.layers[0].i_w.size(0), int64_t(10));
    QCOMPARE(w.layers[1].o_w.size(1), int64_t(6));
    QCOMPARE(w.layers[1].units(), int64_t(0));
  }

  void autoPicksTheFasterMode() {
    auto m = pp::Model::load(modelDir_);
    const auto& c = m->config();
    const auto s = pp::SubNetwork::uniform(c, 3, 2, 20);
    // Unmeasured: sliced, which computes fewer FLOPs.
    QCOMPARE(pp::fasterMode(c, s, {}, 32), pp::ExecMode::Sliced);
    QCOMPARE(pp::fasterMode(c, s, {1e9, 1e9}, 32), pp::ExecMode::Sliced);
    // Masked computes the full layers; it wins only where it runs fast enough to make up for that.
    QCOMPARE(pp::fasterMode(c, s, {1e9, 1e12}, 32), pp::ExecMode::Masked);
    QCOMPARE(pp::fasterMode(c, pp::SubNetwork::full(c), {1e9, 1e12}, 32), pp::ExecMode::Sliced);
    QCOMPARE(pp::fasterMode(c, pp::SubNetwork::uniform(c, 0, 0, 0), {1e9, 1e12}, 32),
             pp::ExecMode::Sliced);
    QCOMPARE(pp::fasterMode(c, pp::SubNetwork::uniform(c, 2, 4, 40), {1e9, 1e12}, 32),
             pp::ExecMode::Sliced);
    pp::EncodedData enc(*m, data_, {64, 4, true});
    pp::EvalOptions o;
    o.measureLatency = false;
    o.rates = {1e9, 1e12};
    QCOMPARE(pp::evaluate(*m, s, enc, o).modeUsed, pp::ExecMode::Masked);
    o.rates = pp::measureExecRates(*m, enc, o);
    QVERIFY(o.rates.measured());
    QCOMPARE(pp::evaluate(*m, s, enc, o).modeUsed, pp::fasterMode(c, s, o.rates, o.latency.seqLen));
  }

  void paddingAndBatchingInvariance() {
    auto m = pp::Model::load(modelDir_);
    pp::EncodedData one(*m, data_, {64, 1, false});
    pp::EncodedData padded(*m, data_, {64, 10, false});
    pp::EncodedData bucketed(*m, data_, {64, 3, true});
    QCOMPARE(one.paddingFraction(), 0.0);
    QVERIFY(padded.paddingFraction() > bucketed.paddingFraction());
    auto s = pp::SubNetwork::uniform(m->config(), 2, 3, 20);
    auto a = pp::computeLogits(*m, s, one, pp::ExecMode::Sliced);
    QVERIFY(maxRelDiff(a, pp::computeLogits(*m, s, padded, pp::ExecMode::Sliced)) <= 1e-5f);
    QVERIFY(maxRelDiff(a, pp::computeLogits(*m, s, bucketed, pp::ExecMode::Masked)) <= 1e-5f);
  }

  void evaluateReportsEverything() {
    auto m = pp::Model::load(modelDir_);
    pp::EncodedData enc(*m, data_);
    pp::EvalOptions o;
    o.latency.runs = 3;
    o.latency.seqLen = 16;
    auto s = pp::SubNetwork::uniform(m->config(), 1, 2, 8);
    auto r = pp::evaluate(*m, s, enc, o);
    QCOMPARE(r.metrics.count, int64_t(10));
    QCOMPARE(r.params, pp::parameterCount(m->config(), s));
    QVERIFY(r.params < pp::parameterCount(m->config()));
    QVERIFY(r.latency.medianMs > 0);
    QVERIFY(r.latency.p95Ms >= r.latency.medianMs);
    QCOMPARE(r.modeUsed, pp::ExecMode::Sliced);
    for (auto p : r.predictions) QVERIFY(p == 0 || p == 1);
    std::atomic<bool> cancel{true};
    auto cancelled = pp::evaluate(*m, s, enc, o, &cancel);
    QCOMPARE(cancelled.metrics.count, int64_t(0));
  }

  void bfloat16Evaluation() {
    auto m = pp::Model::load(modelDir_);
    pp::EncodedData enc(*m, data_);
    auto s = pp::SubNetwork::uniform(m->config(), 2, 3, 20);
    pp::EvalOptions o;
    o.measureLatency = false;
    auto f32 = pp::evaluate(*m, s, enc, o);
    o.precision = pp::Precision::BFloat16;
    auto bf16 = pp::evaluate(*m, s, enc, o);
    QCOMPARE(bf16.metrics.count, f32.metrics.count);
    int same = 0;
    for (size_t i = 0; i < f32.predictions.size(); ++i)
      same += f32.predictions[i] == bf16.predictions[i];
    QVERIFY(same >= 8);  // bf16 keeps 8 bits of mantissa: a near-tie may flip
    o.precision = pp::Precision::Float16;
    PP_EXPECT_ERROR(pp::evaluate(*m, s, enc, o), "fp16 evaluation needs a GPU");
    PP_EXPECT_ERROR(pp::parsePrecision("fp8"), "unknown precision");
  }

  void devices() {
    const auto all = pp::availableDevices();
    QCOMPARE(all.front(), std::string("cpu"));
    QCOMPARE(pp::resolveDevices("cpu"), (std::vector<std::string>{"cpu"}));
    PP_EXPECT_ERROR(pp::resolveDevices("tpu:0"), "unknown or unavailable device \"tpu:0\"");
    if (all.size() == 1) {
      // No GPU here: auto falls back to the CPU, asking for CUDA says why not.
      QCOMPARE(pp::resolveDevices("auto"), (std::vector<std::string>{"cpu"}));
      PP_EXPECT_ERROR(pp::resolveDevices("cuda"), "no CUDA device");
    } else {
      QCOMPARE(pp::resolveDevices("auto").size(), all.size() - 1);
    }
  }

  void withoutBertPrefix() {
    const std::string d = freshCopy("unprefixed");
    auto ref = pp::Model::load(d);
    pp::EncodedData enc(*ref, data_);
    auto want =
        pp::computeLogits(*ref, pp::SubNetwork::full(ref->config()), enc, pp::ExecMode::Auto);
    editWeights(d, [](std::vector<Entry>& es) {
      for (auto& e : es)
        if (e.name.rfind("bert.", 0) == 0) e.name = e.name.substr(5);
    });
    auto m = pp::Model::load(d);
    QCOMPARE(maxRelDiff(
                 pp::computeLogits(*m, pp::SubNetwork::full(m->config()), enc, pp::ExecMode::Auto),
                 want),
             0.0f);
  }

  void loadErrors_data() {
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("missing")
        << "missing"
        << "missing tensor \"bert.encoder.layer.1.intermediate.dense.bias\" (expected shape [40])";
    QTest::newRow("shape") << "shape"
                           << "tensor \"classifier.weight\" has shape [3, 24], expected [2, 24]";
    QTest::newRow("unexpected") << "unexpected"
                                << "unexpected tensor(s) \"bert.extra\"";
    QTest::newRow("nan") << "nan"
                         << "NaN or infinite";
    QTest::newRow("bin only") << "bin"
                              << "Convert it in Python";
    QTest::newRow("no weights") << "none"
                                << "no model.safetensors";
    QTest::newRow("truncated") << "truncated"
                               << "truncated";
    QTest::newRow("vocab larger") << "vocab"
                                  << "vocab_size";
  }
  void loadErrors() {
    QFETCH(QString, fault);
    QFETCH(QString, fragment);
    const std::string d = freshCopy("broken-" + fault.toStdString());
    const std::string f = fault.toStdString();
    if (f == "missing" || f == "shape" || f == "unexpected" || f == "nan") {
      editWeights(d, [&](std::vector<Entry>& es) {
        if (f == "missing")
          es.erase(std::remove_if(es.begin(), es.end(),
                                  [](const Entry& e) {
                                    return e.name == "bert.encoder.layer.1.intermediate.dense.bias";
                                  }),
                   es.end());
        for (auto& e : es) {
          if (f == "shape" && e.name == "classifier.weight") {
            e.shape = {3, 24};
            e.data.resize(72, 0.f);
          }
          if (f == "nan" && e.name == "bert.pooler.dense.bias") e.data[3] = NAN;
        }
        if (f == "unexpected") es.push_back({"bert.extra", {2}, {1.f, 2.f}});
      });
    } else if (f == "bin") {
      std::rename((d + "/model.safetensors").c_str(), (d + "/pytorch_model.bin").c_str());
    } else if (f == "none") {
      std::remove((d + "/model.safetensors").c_str());
    } else if (f == "truncated") {
      std::string bytes = testutil::readText(d + "/model.safetensors");
      testutil::writeText(d + "/model.safetensors", bytes.substr(0, bytes.size() / 2));
    } else if (f == "vocab") {
      std::remove((d + "/tokenizer.json").c_str());  // vocab.txt only, as many HF models ship
      std::string v = testutil::readText(d + "/vocab.txt");
      for (int i = 0; i < 200; ++i) v += "extra" + std::to_string(i) + "\n";
      testutil::writeText(d + "/vocab.txt", v);
    }
    PP_EXPECT_ERROR(pp::Model::load(d), fragment.toStdString());
  }
};

QTEST_APPLESS_MAIN(TestModel)
#include "test_model.moc"
