#include "paretoprune/train/recover.h"
#include "paretoprune/base/json_parse.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "model/slicing.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/run_log.h"
#include "train/recover_tune.h"
#include "train/train_parts.h"

namespace pp {

using nlohmann::json;

std::vector<int64_t> pickTrials(const OpenedRunLog& run, const std::string& rule) {
  std::vector<const Trial*> front;
  for (size_t i : paretoTrials(run.log.trials, run.log.header.objectives))
    if (!run.log.trials[i].subnet.isFull(run.config)) front.push_back(&run.log.trials[i]);
  const std::string cost = run.log.header.objectives.at(1);
  std::sort(front.begin(), front.end(), [&](const Trial* a, const Trial* b) {
    return objectiveValue(*a, cost) < objectiveValue(*b, cost);
  });
  if (front.empty()) throw Error("the run has no Pareto-set trial smaller than the full model");
  std::vector<int64_t> ids;
  if (rule == "front") {
    for (const Trial* t : front) ids.push_back(t->id);
    return ids;
  }
  if (rule.rfind("top:", 0) != 0) throw Error("unknown pick rule \"" + rule + "\" (front, top:K)");
  const int64_t k = std::stoll(rule.substr(4));
  if (k <= 0) throw Error("--top must be positive");
  // K points spread evenly over the set's cost range: the i-th the nearest
  // to the (i + 0.5) / K quantile of the sorted set.
  const size_t n = front.size();
  for (int64_t i = 0; i < k && static_cast<size_t>(i) < n; ++i) {
    const size_t at = std::min(
        n - 1,
        static_cast<size_t>(std::floor((static_cast<double>(i) + 0.5) * static_cast<double>(n) /
                                       static_cast<double>(std::min<int64_t>(k, n)))));
    if (std::find(ids.begin(), ids.end(), front[at]->id) == ids.end()) ids.push_back(front[at]->id);
  }
  return ids;
}

namespace {

constexpr const char* kMarker = "paretoprune_recover.json";

// OUT: new, empty, or an earlier recover's for the same model.
void claimOutDir(const std::string& out, const std::string& logPath, const std::string& checksum) {
  const std::string marker = fileutil::joinPath(out, kMarker);
  if (fileutil::exists(out) && !fileutil::isDirectory(out))
    throw Error(out + " is a file; give a directory for --out");
  if (fileutil::exists(marker)) {
    const std::optional<json> j = tryParseJson(fileutil::readFile(marker));
    if (!j || !j->is_object() || j->value("model_checksum", "") != checksum)
      throw Error(out + " holds an earlier recovery of another model; give another --out");
    return;
  }
  if (fileutil::exists(out) && !fileutil::directoryEntries(out).empty())
    throw Error(out + " holds files recover did not write; give a new or empty --out");
  std::filesystem::create_directories(out);
  fileutil::writeFileAtomic(
      marker, json({{"log", absolutePath(logPath)}, {"model_checksum", checksum}}).dump(1) + "\n");
}

// Everything a recovery needs before its first step, checked.
struct Setup {
  OpenedRunLog run;
  std::shared_ptr<const Model> model;
  std::vector<const Trial*> picks;
  Dataset train;
  std::unique_ptr<EncodedData> validation, test;
};

void prepare(const RecoverRequest& r, Setup& s) {
  s.run = openRunLog(r.logPath, r.modelDir);
  if (r.options.precision == Precision::Int8)
    throw Error("recover: --precision int8 is for evaluation; fine-tune in fp32 or bf16");
  if (r.trials.empty()) throw Error("recover: no trials picked");
  for (int64_t id : r.trials) s.picks.push_back(&selectTrial(s.run, id, -1, r.logPath));
  s.model = Model::load(s.run.modelDir);
  checkRunModel(s.run.log.header, s.model->checksum(), s.run.modelDir, r.logPath);
  const DataSplit& d = s.run.log.header.data;
  s.train = r.dataFile.empty() ? d.trainingSet(s.run.config)
                               : loadDataset(r.dataFile, s.run.config, d.columns);
  if (s.train.examples.empty())
    throw Error(
        "recover: " + (r.dataFile.empty() ? d.data : r.dataFile) + " leaves no training examples" +
        (r.dataFile.empty() ? " (the run's validation took them all); give --data FILE" : ""));
  EncodeOptions eo;
  eo.maxLength = d.maxLength;
  eo.batchSize = d.batchSize;
  s.validation = std::make_unique<EncodedData>(*s.model, d.validationSet(s.run.config), eo);
  if (!r.testFile.empty())
    s.test = std::make_unique<EncodedData>(*s.model,
                                           loadDataset(r.testFile, s.run.config, d.columns), eo);
}

// The recovered trial: the same sub-network of `m`, measured on the run's
// validation set. Latency is the source's: the same shapes run the same.
Trial measure(const Model& m, const Trial& src, const EncodedData& val, const std::string& dev) {
  EvalOptions eo;
  eo.device = dev;
  eo.measureLatency = false;
  const EvalResult e = evaluate(m, src.subnet, val, eo);
  Trial t = src;
  t.errorRate = e.metrics.error;
  t.accuracy = e.metrics.accuracy;
  t.mcc = e.metrics.mcc;
  t.f1 = e.metrics.f1;
  t.params = e.params;
  t.flops = e.flops;
  t.evalSeconds = e.evalSeconds;
  t.mode = execModeName(e.modeUsed);
  t.worker = -1;
  t.typeF1.clear();
  for (const auto& x : e.entities.perType) t.typeF1.push_back({x.type, x.f1});
  return t;
}

// The run's score on the test set: accuracy, a tagger's entity F1.
double testAccuracy(const Model& m, const SubNetwork& s, const EncodedData& test,
                    const std::string& dev) {
  EvalOptions eo;
  eo.device = dev;
  eo.measureLatency = false;
  return 1.0 - evaluate(m, s, test, eo).metrics.error;
}

// The recovered weights as a model directory of the full shape (the
// sub-network's part recovered, the rest the full model's), so that every
// reader of a model, export included, takes it as it is.
void writeRecoveredModel(const Model& full, const Trial& src, const EncoderWeights& best,
                         const RecoverOptions& o, const std::string& dir) {
  const ModelImpl& m = full.impl();
  const EncoderWeights w = unsliceWeights(m.weights, best, src.subnet, m.headOrder, m.unitOrder);
  const std::map<std::string, std::string> meta = {
      {"paretoprune_recovered_from", std::to_string(src.id)}, {"paretoprune_method", o.method()}};
  fileutil::replaceDirectory(
      dir, true,
      [&](const std::string& tmp) {
        writeModelFiles(tmp, m.config, w, m.tokenizer.get(), m.headOrder, m.unitOrder, meta);
      },
      "model.safetensors");
}

// One pick, trained (or resumed) to the end: its record, written to
// DIR/recovered.json. Stopped: nullopt.
std::optional<RecoveredTrial> recoverOne(const RecoverRequest& r, const Setup& s,
                                         const TuneData& data, const Trial& src,
                                         const std::string& dev, const std::string& dir,
                                         const TuneCallback& cb, int64_t* resumedStep) {
  const RecoverOptions& o = r.options;
  TuneOutcome out = tuneSubnet(*s.model, src.subnet, data, o, torch::Device(dev),
                               fileutil::joinPath(dir, "state"), cb);
  *resumedStep = out.resumedStep;
  if (out.stopped) return std::nullopt;
  RecoveredTrial rec;
  rec.source = src.id;
  rec.method = o.method();
  rec.weights = fileutil::joinPath(dir, "model");
  writeRecoveredModel(*s.model, src, out.best, o, rec.weights);
  const auto recovered = Model::load(rec.weights);
  rec.weightsChecksum = recovered->checksum();
  rec.trial = measure(*recovered, src, *s.validation, dev);
  rec.details = out.details;
  rec.details["settings"] = tuneSettings(o);
  rec.details["device"] = dev;
  rec.details["transfer_set"] = {{"examples", data.train.size() - data.augmented},
                                 {"variants", data.augmented}};
  rec.details["before"] = {{"error", src.errorRate}, {"accuracy", src.accuracy}};
  rec.details["training_data"] = r.dataFile.empty() ? s.run.log.header.data.data : r.dataFile;
  if (s.test)
    rec.details["test"] = {{"file", absolutePath(r.testFile)},
                           {"examples", s.test->size()},
                           {"before", testAccuracy(*s.model, src.subnet, *s.test, dev)},
                           {"after", testAccuracy(*recovered, src.subnet, *s.test, dev)}};
  fileutil::writeFileAtomic(fileutil::joinPath(dir, "recovered.json"),
                            rec.toJson(r.logPath).dump(1) + "\n");
  std::filesystem::remove_all(fileutil::joinPath(dir, "state"));
  return rec;
}

bool inLog(const LogContents& log, const RecoveredTrial& rec) {
  for (const auto& x : log.recovered)
    if (x.source == rec.source && x.method == rec.method && x.weights == rec.weights &&
        x.weightsChecksum == rec.weightsChecksum)
      return true;
  return false;
}

}  // namespace

RecoverReport runRecovery(const RecoverRequest& r, const RecoverCallback& progress) {
  RecoverOptions o = r.options;
  if (o.budgetSteps <= 0) throw Error("recover: --budget-steps must be positive");
  useComputeThreads(ComputeUse::Training, o.threads > 0 ? o.threads : hardwareThreads());
  if (!(o.temperature > 0)) throw Error("recover: --temperature must be positive");
  if (o.alpha < 0 || o.alpha > 1) throw Error("recover: --alpha must be in [0, 1]");
  if (!(o.hiddenWeight >= 0)) throw Error("recover: --hidden-weight must be 0 or more");
  if (o.learningRates.empty()) throw Error("recover: give at least one learning rate");
  if (o.holdoutFraction <= 0 || o.holdoutFraction >= 1)
    throw Error("recover: --holdout must be in (0, 1)");
  if (o.batchSize <= 0) throw Error("recover: --batch-size must be positive");
  if (o.augment < 0) throw Error("recover: --augment must be 0 or more");
  RecoverReport report;
  report.device = trainingDevice(o.device, "recover");
  Setup s;
  prepare(r, s);
  if (o.maxLength <= 0) o.maxLength = s.run.log.header.data.maxLength;
  // A tagger's labels are per piece: it is never augmented, and its settings
  // say so (a tagger's checkpoint from before the transfer set resumes).
  if (s.model->config().tokenClassification()) o.augment = 0;
  claimOutDir(r.outDir, r.logPath, s.model->checksum());
  const TuneData data = prepareTuneData(*s.model, s.train, o, torch::Device(report.device));
  RecoverRequest req = r;
  req.options = o;
  if (s.test)
    report.fullTestAccuracy =
        testAccuracy(*s.model, SubNetwork::full(s.run.config), *s.test, report.device);
  RunLog log;
  log.reopen(r.logPath, s.run.log.validBytes);
  for (size_t i = 0; i < s.picks.size(); ++i) {
    const Trial& src = *s.picks[i];
    const std::string dir =
        fileutil::joinPath(r.outDir, "trial-" + std::to_string(src.id) + "-" + o.method());
    RecoverPickResult pick;
    pick.before = src;
    const std::string done = fileutil::joinPath(dir, "recovered.json");
    if (fileutil::exists(done)) {
      pick.recovered = RecoveredTrial::fromJson(parseJson(fileutil::readFile(done), done),
                                                s.run.config, r.logPath);
      const json was = pick.recovered.details.value("settings", json());
      if (was != tuneSettings(o))
        throw Error(dir + " was finished with other settings (" + was.dump() +
                    "); give another --out, or the same settings to reuse it");
      pick.reused = true;
    } else {
      TuneCallback cb = [&](const std::string& phase, double lr, int64_t step, int64_t steps,
                            double loss, double holdout) {
        if (!progress) return true;
        RecoverProgress p;
        p.pick = static_cast<int64_t>(i) + 1;
        p.picks = static_cast<int64_t>(s.picks.size());
        p.source = src.id;
        p.phase = phase;
        p.learningRate = lr;
        p.step = step;
        p.steps = steps;
        p.loss = loss;
        p.holdoutAccuracy = holdout;
        return progress(p);
      };
      auto rec = recoverOne(req, s, data, src, report.device, dir, cb, &pick.resumedStep);
      if (!rec) {
        report.stopped = true;
        break;
      }
      pick.recovered = *rec;
    }
    if (!inLog(s.run.log, pick.recovered)) log.appendRecovered(pick.recovered);
    report.picks.push_back(pick);
  }
  return report;
}

}  // namespace pp
