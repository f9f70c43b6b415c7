#include "paretoprune/search/search_request.h"

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/strategy.h"
#include "paretoprune/search/training_data.h"

namespace pp {

namespace {
// On resume, a setting left to auto keeps the first run's value: copied
// from the log's header, and no longer auto.
void keepFirstRunChoices(SearchRequest& r, const RunHeader& prev,
                         std::vector<AutoChoice>& choices) {
  AutoRequest& a = r.autoSettings;
  const std::string why = "kept from the first run of " + r.options.logPath;
  if (a.strategy)
    r.options.strategy = prev.strategy, choices.push_back({"strategy", prev.strategy, why, why});
  if (a.space && prev.space.is_object()) {
    r.spaceJson = prev.space;
    choices.push_back({"space", prev.space.value("kind", std::string("?")), why, why});
  }
  if (a.trials)
    r.options.trials = prev.trials,
    choices.push_back({"trials", std::to_string(prev.trials), why, why});
  if (a.batchSize)
    r.data.batchSize = prev.data.batchSize,
    choices.push_back({"batch_size", std::to_string(prev.data.batchSize), why, why});
  if (a.multiFidelity)
    r.options.multiFidelity = prev.multiFidelity,
    choices.push_back({"multi_fidelity", prev.multiFidelity ? "on" : "off", why, why});
  if (a.convergence) {
    r.options.completion.convergenceWindow = prev.completion.convergenceWindow;
    r.options.completion.convergenceMinGain = prev.completion.convergenceMinGain;
    choices.push_back({"convergence", std::to_string(prev.completion.convergenceWindow), why, why});
  }
  const bool spaceStillAuto = a.space && !prev.space.is_object();
  a = AutoRequest{};
  a.space = spaceStillAuto;
}

// The full model's evaluation time on the whole validation set, from a
// timed pass over at most 64 examples.
double fullEvalSeconds(const Model& m, const Dataset& val, const EncodeOptions& eo) {
  Dataset head = val;
  if (head.examples.size() > 64) head.examples.resize(64);
  const EncodedData sample(m, head, eo);
  EvalOptions o;
  o.measureLatency = false;
  o.mode = ExecMode::Sliced;
  const auto t0 = std::chrono::steady_clock::now();
  evaluate(m, SubNetwork::full(m.config()), sample, o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s * static_cast<double>(val.examples.size()) / static_cast<double>(head.examples.size());
}

// Mean FLOPs of the space's samples as a share of the full model's.
double meanFlopShare(const SearchSpace& space, const ModelConfig& c, int64_t seqLen) {
  Rng rng(1);
  const double full = static_cast<double>(flopCount(c, SubNetwork::full(c), seqLen));
  double sum = 0;
  constexpr int kSamples = 200;
  for (int i = 0; i < kSamples; ++i)
    sum += static_cast<double>(flopCount(c, space.sample(rng), seqLen));
  return full > 0 ? sum / kSamples / full : 1.0;
}

void applyAutoSettings(SearchRequest& r, PreparedSearch& p, const Dataset& val) {
  const ModelConfig& c = p.model->config();
  const auto devices = resolveDevices(r.options.device);
  AutoInputs in;
  in.numObjectives = r.options.objectives.size();
  in.gpu = devices.front() != "cpu";
  in.workers = r.options.workers > 0 ? r.options.workers
               : in.gpu              ? static_cast<int>(devices.size())
                                     : std::max(1, hardwareThreads() / 2);
  in.budgetSeconds = r.options.budgetSeconds;
  in.meanTokens = p.validation->meanLength();
  EncodeOptions eo;
  eo.maxLength = r.data.maxLength;
  eo.batchSize = r.data.batchSize;
  in.fullEvalSeconds = fullEvalSeconds(*p.model, val, eo);
  AutoSettings s;
  s.strategy = r.options.strategy;
  s.trials = r.options.trials;
  s.batchSize = r.data.batchSize;
  s.multiFidelity = r.options.multiFidelity;
  s.completion = r.options.completion;
  AutoRequest which = r.autoSettings;
  if (which.space) {
    which.space = false;  // chosen first: the trial count depends on its FLOP share
    AutoSettings spaceOnly;
    chooseAutoSettings(in, AutoRequest{false, true, false, false, false, false}, spaceOnly);
    p.space = SearchSpace::parse(spaceOnly.space, c);
    s.choices = spaceOnly.choices;
  }
  in.meanFlopShare = meanFlopShare(p.space, c, r.options.eval.latency.seqLen);
  chooseAutoSettings(in, which, s);
  r.options.strategy = s.strategy;
  r.options.trials = s.trials;
  r.options.multiFidelity = s.multiFidelity;
  r.options.completion.convergenceWindow = s.completion.convergenceWindow;
  r.options.completion.convergenceMinGain = s.completion.convergenceMinGain;
  if (s.batchSize != r.data.batchSize) {
    r.data.batchSize = s.batchSize;
    eo.batchSize = s.batchSize;
    p.validation = std::make_shared<EncodedData>(*p.model, val, eo);
  }
  p.autoChoices.insert(p.autoChoices.end(), s.choices.begin(), s.choices.end());
}
}  // namespace

PreparedSearch prepareSearch(const SearchRequest& request, std::shared_ptr<const Model> model) {
  SearchRequest r = request;
  PreparedSearch p;
  if (r.autoSettings.any() && r.options.resume && !r.options.logPath.empty() &&
      fileutil::exists(r.options.logPath))
    keepFirstRunChoices(r, readRunLogHeader(r.options.logPath), p.autoChoices);
  // Cheap checks first, before any weight is read.
  if (r.options.resume && r.options.logPath.empty())
    throw Error("search: --resume needs the run's log (--log LOG)");
  if (r.options.resume && !fileutil::exists(r.options.logPath))
    throw Error(r.options.logPath +
                ": no such run log to resume (leave out --resume to start a new run)");
  makeStrategy(r.options.strategy, SearchSpace{});
  resolveDevices(r.options.device);
  if (r.data.data.empty() && r.data.validation.empty()) throw Error("search: no data file given");
  p.model = model ? std::move(model) : Model::load(r.modelDir);
  const ModelConfig& c = p.model->config();
  p.space = r.spaceJson.is_null() ? SearchSpace::parse(r.space, c)
                                  : SearchSpace::fromJson(r.spaceJson, c);
  const Dataset val = r.data.validationSet(c);
  if (val.examples.empty())
    throw Error((r.data.validation.empty() ? r.data.data : r.data.validation) +
                ": the validation set is empty");
  EncodeOptions eo;
  eo.maxLength = r.data.maxLength;
  eo.batchSize = r.data.batchSize;
  p.validation = std::make_shared<EncodedData>(*p.model, val, eo);
  const SeenExamples seen = seenInTraining(p.model->directory(), r.data, val, c);
  p.seenShare = seen.share();
  const std::string warning = seenWarning(seen, r.data.validation);
  if (!warning.empty()) p.warnings.push_back(warning);
  if (r.autoSettings.any()) applyAutoSettings(r, p, val);
  p.options = r.options;
  p.header.model = r.modelDir.empty() ? p.model->directory() : r.modelDir;
  p.header.data = r.data;
  p.header.dataFingerprint = dataFingerprint(val);
  p.header.metric = c.tokenClassification() ? "entity_f1" : "accuracy";
  p.header.validationExamples = static_cast<int64_t>(val.examples.size());
  // Chance level: always the most frequent label; a tagger answering "O"
  // everywhere finds no entity (F1 0, error 1).
  std::vector<int64_t> labels;
  for (const auto& e : val.examples) labels.push_back(e.label);
  p.header.chanceError = c.tokenClassification() ? 1.0 : majorityError(labels);
  if (!p.autoChoices.empty()) p.header.autoChoices = autoChoicesJson(p.autoChoices);
  return p;
}

}  // namespace pp
