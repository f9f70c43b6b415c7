// Export: sliced Hugging Face directories, TorchScript and int8 modules that
// reproduce the sub-network, exports that never leave half a model, and
// ExportRequest's one provenance record and summary, the CLI's as well.
#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <torch/script.h>

#include "cpu/forward.h"
#include "model/slicing.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/export/export.h"
#include "paretoprune/export/export_request.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
float maxAbsDiff(const std::vector<std::vector<float>>& a,
                 const std::vector<std::vector<float>>& b) {
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t k = 0; k < a[i].size(); ++k) worst = std::max(worst, std::abs(a[i][k] - b[i][k]));
  return worst;
}

// Entries beside `dir` whose names start with its name (temporaries).
std::vector<std::string> siblings(const std::string& dir) {
  std::vector<std::string> out;
  const std::string base = fs::path(dir).filename().string();
  for (const auto& e : fs::directory_iterator(fs::path(dir).parent_path()))
    if (e.path().filename().string().rfind(base, 0) == 0)
      out.push_back(e.path().filename().string());
  return out;
}
}  // namespace

class TestExport : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string src_;
  std::shared_ptr<const pp::Model> model_;
  pp::Dataset data_;

  std::string path(const std::string& name) const { return tmp_.path().toStdString() + "/" + name; }

  // Logits of the exported HF model against the sub-network in the source.
  float hfDiff(const std::string& dir, const pp::SubNetwork& s) {
    auto back = pp::Model::load(dir);
    pp::EncodedData a(*model_, data_, {}), b(*back, data_, {});
    return maxAbsDiff(pp::computeLogits(*model_, s, a),
                      pp::computeLogits(*back, pp::SubNetwork::full(back->config()), b));
  }

 private Q_SLOTS:
  void initTestCase() {
    pp::setComputeThreads(1, 1);
    src_ = path("src");
    auto t = pp::TinyModelOptions::shaped(4, 32, 4, 48);
    t.maxPositions = 64;
    t.initStd = 0.2;
    t.seed = 5;
    pp::writeRandomModel(src_, t);
    // A non-identity importance order: export must follow it.
    json order = {{"heads", json::array()}, {"units", json::array()}};
    pp::Rng rng(9);
    for (int l = 0; l < 4; ++l) {
      std::vector<int64_t> h = {0, 1, 2, 3}, u(48);
      for (int i = 0; i < 48; ++i) u[static_cast<size_t>(i)] = i;
      rng.shuffle(h);
      rng.shuffle(u);
      order["heads"].push_back(h);
      order["units"].push_back(u);
    }
    testutil::writeText(src_ + "/paretoprune_order.json", order.dump());
    model_ = pp::Model::load(src_);
    for (const char* s : {"the food was good", "bad service, very bad",
                          "a great movie and the place", "it was not"}) {
      pp::Example e;
      e.text = s;
      e.label = 0;
      data_.examples.push_back(e);
    }
  }

  void hfConfigAndShapes() {
    // Layer 1 removed, layer 2 keeps no heads.
    pp::SubNetwork s;
    s.layers = {{3, 20}, {0, 0}, {0, 20}, {2, 20}};
    auto r = pp::exportSubnetwork(*model_, s, path("hf"), {});
    auto cfg = pp::loadModelConfig(path("hf/config.json"));
    QCOMPARE(cfg.num_hidden_layers, int64_t(3));
    QCOMPARE(cfg.intermediate_size, int64_t(20));
    QVERIFY(!pp::needsUnitPadding(s));
    // Renumbered: source layers 0, 2, 3 become 0, 1, 2.
    QCOMPARE(cfg.pruned_heads.at(0), (std::vector<int64_t>{3}));
    QCOMPARE(cfg.pruned_heads.at(1), (std::vector<int64_t>{0, 1, 2, 3}));
    QCOMPARE(cfg.pruned_heads.at(2), (std::vector<int64_t>{2, 3}));
    auto back = pp::Model::load(path("hf"));
    const auto& w = back->impl().weights;
    QCOMPARE(w.layers[0].q_w.size(0), int64_t(3 * 8));
    QCOMPARE(w.layers[1].q_w.size(0), int64_t(0));
    QCOMPARE(w.layers[0].i_w.size(0), int64_t(20));
    QCOMPARE(w.layers[2].o_w.size(1), int64_t(2 * 8));
    QVERIFY(hfDiff(path("hf"), s) < 1e-5f);
    // The export can be searched in turn: auto's probe copes with a layer that has no heads.
    pp::EncodedData enc(*back, data_, {});
    QVERIFY(pp::measureExecRates(*back, enc).measured());
    QVERIFY(r.parameters < pp::parameterCount(model_->config()));
    QVERIFY(fs::file_size(path("hf/model.safetensors")) <
            fs::file_size(src_ + "/model.safetensors"));
    auto info = json::parse(testutil::readText(path("hf/paretoprune.json")));
    QCOMPARE(info["source_checksum"].get<std::string>(), model_->checksum());
    QCOMPARE(info["format"].get<std::string>(), std::string("hf"));
    QVERIFY(fs::exists(path("hf/vocab.txt")));
    // tokenizer.json too, and it tokenizes as vocab.txt does.
    auto fromJson = pp::WordPieceTokenizer::fromTokenizerJson(path("hf/tokenizer.json"));
    for (const auto& e : data_.examples)
      QCOMPARE(fromJson.encode(e.text).ids, model_->tokenizer().encode(e.text).ids);
  }

  // hf-any: no pruned_heads, every kept layer at full head width (removed
  // heads zeroed), units padded, removed layers gone; same logits.
  void hfAnyVersionLoadsWithoutPrunedHeads() {
    pp::SubNetwork s;
    s.layers = {{3, 20}, {0, 0}, {0, 30}, {2, 0}};
    pp::ExportOptions o;
    o.format = pp::ExportFormat::HuggingFaceAny;
    auto r = pp::exportSubnetwork(*model_, s, path("hf-any"), o);
    auto cfgJson = json::parse(testutil::readText(path("hf-any/config.json")));
    QVERIFY(!cfgJson.contains("pruned_heads"));
    QVERIFY(!cfgJson.contains("layer_intermediate_sizes"));
    auto cfg = pp::loadModelConfig(path("hf-any/config.json"));
    QCOMPARE(cfg.num_hidden_layers, int64_t(3));
    QCOMPARE(cfg.intermediate_size, int64_t(30));
    auto back = pp::Model::load(path("hf-any"));
    const auto& w = back->impl().weights;
    for (const auto& l : w.layers) QCOMPARE(l.q_w.size(0), int64_t(4 * 8));
    // Source layer 2 keeps no heads: its value and output weights are all zero.
    QCOMPARE(w.layers[1].v_w.abs().sum().item<float>(), 0.0f);
    QCOMPARE(w.layers[1].o_w.abs().sum().item<float>(), 0.0f);
    QVERIFY(w.layers[0].o_w.abs().sum().item<float>() > 0.0f);
    QVERIFY(hfDiff(path("hf-any"), s) < 1e-5f);
    QVERIFY(r.maxLogitDiff < 1e-5);
    QVERIFY(r.note.find("zero") != std::string::npos);
    QVERIFY(fs::exists(path("hf-any/tokenizer.json")));
    auto info = json::parse(testutil::readText(path("hf-any/paretoprune.json")));
    QCOMPARE(info["format"].get<std::string>(), std::string("hf-any"));
    QVERIFY(info["loads_in"].get<std::string>().find("5.x") != std::string::npos);
  }

  // ONNX: the layout transformers.js expects, passed by ONNX's checker and
  // shape inference, and run back by our runner (ONNX Runtime itself judges
  // it in test_onnx).
  void onnxLayout() {
    pp::SubNetwork s;
    s.layers = {{3, 20}, {0, 0}, {0, 30}, {2, 0}};
    pp::ExportOptions o;
    o.format = pp::ExportFormat::Onnx;
    if (!pp::onnxAvailable()) {  // -DPARETOPRUNE_ONNX=OFF: refused, and said why
      PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("onnx"), o), "no ONNX export");
      QVERIFY(!fs::exists(path("onnx")));
      return;
    }
    auto r = pp::exportSubnetwork(*model_, s, path("onnx"), o);
    for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt",
                          "paretoprune.json", "onnx/model.onnx"})
      QVERIFY2(std::find(r.files.begin(), r.files.end(), f) != r.files.end(), f);
    // Read back and run by ParetoPrune's ONNX runner against the sub-network.
    QCOMPARE(r.verifyExamples, int64_t(8));
    QVERIFY(r.maxLogitDiff < 1e-5);
    auto info = json::parse(testutil::readText(path("onnx/paretoprune.json")));
    QCOMPARE(info["onnx"]["checker"].get<std::string>(), std::string("passed"));
    QVERIFY(info["onnx"]["opset"].get<int>() >= 14);
    o.format = pp::ExportFormat::OnnxInt8;
    auto q = pp::exportSubnetwork(*model_, s, path("onnx-int8"), o);
    QVERIFY(q.maxLogitDiff > 0);  // really quantised
    QVERIFY(q.maxLogitDiff < 0.25);
    // A check that fails leaves nothing behind, for ONNX as for the others.
    o.format = pp::ExportFormat::Onnx;
    o.tolerance = -1;
    PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("onnx-broken"), o), "does not reproduce");
    QVERIFY(siblings(path("onnx-broken")).empty());
    QVERIFY(fs::exists(path("onnx-int8/onnx/model_quantized.onnx")));
    QVERIFY(fs::file_size(path("onnx-int8/onnx/model_quantized.onnx")) <
            fs::file_size(path("onnx/onnx/model.onnx")));
    QVERIFY(q.bytes < r.bytes);
  }

  void unevenUnitsNeedPadding() {
    pp::SubNetwork s;
    s.layers = {{4, 30}, {2, 10}, {0, 0}, {1, 48}};
    QVERIFY(pp::needsUnitPadding(s));
    pp::ExportOptions o;
    PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("uneven"), o), "one intermediate_size");
    QVERIFY(!fs::exists(path("uneven")));
    o.padUnits = true;
    auto r = pp::exportSubnetwork(*model_, s, path("uneven"), o);
    QVERIFY(!r.note.empty());
    QCOMPARE(pp::loadModelConfig(path("uneven/config.json")).intermediate_size, int64_t(48));
    QVERIFY(hfDiff(path("uneven"), s) < 1e-5f);
  }

  void torchscriptGivesSameLogits() {
    pp::SubNetwork s;
    s.layers = {{2, 12}, {4, 0}, {0, 0}, {1, 40}};  // exact per-layer sizes
    pp::ExportOptions o;
    o.format = pp::ExportFormat::TorchScript;
    pp::exportSubnetwork(*model_, s, path("ts"), o);
    auto mod = torch::jit::load(path("ts/model.pt"));
    const auto& tok = model_->tokenizer();
    pp::EncodedData enc(*model_, data_, {});
    auto expect = pp::computeLogits(*model_, s, enc);
    for (size_t i = 0; i < data_.examples.size(); ++i) {
      auto e = tok.encode(data_.examples[i].text);
      const int64_t T = static_cast<int64_t>(e.ids.size());
      auto ids = torch::tensor(e.ids, torch::kLong).view({1, T});
      auto out =
          mod.forward({ids, torch::ones({1, T}, torch::kLong), torch::zeros({1, T}, torch::kLong)})
              .toTensor();
      for (int64_t k = 0; k < out.size(1); ++k)
        QVERIFY(std::abs(out[0][k].item<float>() - expect[i][static_cast<size_t>(k)]) < 1e-5f);
    }
  }

  void int8IsSmallerAndClose() {
    if (!pp::int8Available()) QSKIP("this LibTorch has no quantised engine");
    pp::SubNetwork s = pp::SubNetwork::full(model_->config());
    pp::ExportOptions o;
    o.format = pp::ExportFormat::TorchScript;
    pp::exportSubnetwork(*model_, s, path("f32"), o);
    o.format = pp::ExportFormat::Int8;
    auto r = pp::exportSubnetwork(*model_, s, path("int8"), o);
    QVERIFY(r.maxLogitDiff > 0);     // it really is quantised
    QVERIFY(r.maxLogitDiff < 0.25);  // and checked against the float sub-network
    QVERIFY(fs::file_size(path("int8/model.pt")) < fs::file_size(path("f32/model.pt")));
  }

  void failedExportLeavesNothing() {
    pp::SubNetwork s = pp::SubNetwork::uniform(model_->config(), 2, 2, 16);
    pp::ExportOptions o;
    o.tolerance = -1;  // verification fails after every file is written
    PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("broken"), o), "does not reproduce");
    QVERIFY(siblings(path("broken")).empty());
    // An existing target stays untouched without force, and is replaced with it.
    fs::create_directories(path("keep"));
    testutil::writeText(path("keep/mine.txt"), "precious");
    PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("keep"), {}), "already exists");
    QCOMPARE(testutil::readText(path("keep/mine.txt")), std::string("precious"));
    // With force too: a directory no export wrote is refused, naming what is there.
    o = {};
    o.force = true;
    PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("keep"), o),
                    "not replaced: it holds mine.txt");
    QCOMPARE(testutil::readText(path("keep/mine.txt")), std::string("precious"));
    // An empty directory is replaced; so is an earlier export (its
    // paretoprune.json), but a forced export that fails keeps it.
    fs::remove(path("keep/mine.txt"));
    pp::exportSubnetwork(*model_, s, path("keep"), o);
    QVERIFY(fs::exists(path("keep/paretoprune.json")));
    o.tolerance = -1;
    PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("keep"), o), "does not reproduce");
    QVERIFY(fs::exists(path("keep/model.safetensors")));
    o = {};
    o.force = true;
    pp::exportSubnetwork(*model_, s, path("keep"), o);
    QVERIFY(fs::exists(path("keep/model.safetensors")));
    QCOMPARE(siblings(path("keep")), (std::vector<std::string>{"keep"}));
  }

  void badRequests() {
    pp::SubNetwork s;
    s.layers = {{5, 10}, {0, 0}, {0, 0}, {0, 0}};
    PP_EXPECT_ERROR(pp::exportSubnetwork(*model_, s, path("bad"), {}), "head");
    PP_EXPECT_ERROR(pp::parseExportFormat("onnx32"), "unknown export format \"onnx32\"");
    QVERIFY(pp::parseExportFormat("onnx-int8") == pp::ExportFormat::OnnxInt8);
    QVERIFY(pp::parseExportFormat("hf-any") == pp::ExportFormat::HuggingFaceAny);
  }

  // One provenance record and one summary whichever front end exports: the
  // CLI's `export --log` writes the paretoprune.json and --json of
  // runExport on the ExportRequest that the window's dialog builds too
  // (takeTrial of the run's header and trial).
  void cliAndRequestAgree() {
    const std::string train = path("prov-train.tsv"), val = path("prov-val.tsv"),
                      log = path("prov-run.jsonl");
    testutil::writeText(train, "sentence\tlabel\nthe food was good\t1\nbad service\t0\n");
    testutil::writeText(val, "sentence\tlabel\na great movie\t1\nit was not\t0\nthe place\t1\n");
    pp::RunHeader h;
    h.model = pp::absolutePath(src_);
    h.modelChecksum = model_->checksum();
    h.data.data = pp::absolutePath(train);
    h.data.validation = pp::absolutePath(val);
    pp::Trial t;
    t.id = 3;
    t.subnet = pp::SubNetwork::uniform(model_->config(), 2, 3, 24);
    t.errorRate = 0.25;
    t.accuracy = 0.75;
    t.params = pp::parameterCount(model_->config(), t.subnet);
    t.mode = "sliced";
    pp::RunLog runLog;
    runLog.create(log, h);
    runLog.append(t);
    runLog.close();

    QProcess cli;
    cli.start(PARETOPRUNE_CLI,
              {"export", QString::fromStdString(src_), "--log", QString::fromStdString(log),
               "--trial", "3", "--out", QString::fromStdString(path("prov-cli")), "--data",
               QString::fromStdString(val), "--json"});
    QVERIFY(cli.waitForFinished(120000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    json cliSummary = json::parse(cli.readAllStandardOutput().toStdString());

    const pp::OpenedRunLog run = pp::openRunLog(log);
    pp::ExportRequest req;
    req.modelDir = src_;
    req.takeTrial(run.log.header, pp::selectTrial(run, 3, -1, log), log);
    req.outDir = path("prov-request");
    req.verifyData = val;
    const pp::ExportSummary s = pp::runExport(req, *model_);

    // The record: both data files, the run log, the trial as logged, the verify file.
    const json p = req.provenance();
    QCOMPARE(p["run_log"].get<std::string>(), log);
    QCOMPARE(p["data"].get<std::string>(), pp::absolutePath(train));
    QCOMPARE(p["validation"].get<std::string>(), pp::absolutePath(val));
    QVERIFY(!p.contains("val_split"));
    QCOMPARE(p["trial"], run.log.trials.front().toJson());
    QCOMPARE(p["verify_data"].get<std::string>(), val);
    // Written by both front ends alike (the check's float noise aside).
    json viaCli = json::parse(testutil::readText(path("prov-cli/paretoprune.json")));
    json viaRequest = json::parse(testutil::readText(path("prov-request/paretoprune.json")));
    for (auto it = p.begin(); it != p.end(); ++it) QCOMPARE(viaRequest[it.key()], it.value());
    QCOMPARE(viaCli["verification"]["examples"].get<int>(), 3);
    viaCli.erase("verification");
    viaRequest.erase("verification");
    QCOMPARE(viaCli.dump(2), viaRequest.dump(2));
    // The summary: the CLI's --json is the request's.
    json mine = s.toJson();
    for (auto* j : {&cliSummary, &mine})
      for (const char* k : {"dir", "bytes", "max_logit_diff", "label_agreement"}) j->erase(k);
    QCOMPARE(cliSummary.dump(2), mine.dump(2));
    QCOMPARE(s.result.verifyExamples, int64_t(3));
    QCOMPARE(s.subnet, t.subnet.summary());
    QVERIFY(std::abs(s.parameterShare() -
                     static_cast<double>(s.result.parameters) /
                         static_cast<double>(pp::parameterCount(model_->config()))) < 1e-12);
  }

  // A run without a validation file records its split; a run not saved
  // (the window's live session) has no run_log; a sub-network given
  // directly has no run at all.
  void provenanceOfOtherRuns() {
    pp::RunHeader h;
    h.model = src_;
    h.modelChecksum = model_->checksum();
    h.data.data = "/data/train.tsv";
    h.data.valSplit = 0.2;
    h.data.splitSeed = 7;
    pp::Trial t;
    t.id = 1;
    t.subnet = pp::SubNetwork::uniform(model_->config(), 1, 1, 8);
    pp::ExportRequest req;
    req.takeTrial(h, t, "");
    QCOMPARE(req.subnet.summary(), t.subnet.summary());
    const json p = req.provenance();
    QVERIFY(!p.contains("run_log"));
    QVERIFY(!p.contains("validation"));
    QCOMPARE(p["data"].get<std::string>(), std::string("/data/train.tsv"));
    QCOMPARE(p["val_split"].get<double>(), 0.2);
    QCOMPARE(p["split_seed"].get<uint64_t>(), uint64_t(7));
    pp::ExportRequest direct;
    direct.subnet = t.subnet;
    QCOMPARE(direct.provenance(), json::object());
    // A trial of another model's run is refused before anything is written.
    h.modelChecksum = "0000000000000000";
    req.takeTrial(h, t, "other.jsonl");
    req.modelDir = src_;
    req.outDir = path("prov-other");
    PP_EXPECT_ERROR(pp::runExport(req, *model_), "another model");
    QVERIFY(!fs::exists(path("prov-other")));
  }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
