// Evaluating one trial of a search: the whole validation set, or
// (multi-fidelity) its screening share first; failures become failed
// trials with their reason. The runner's orchestration is in
// search_runner.cpp.
#include <chrono>

#include "paretoprune/eval/screening.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/search_runner.h"
#include "search/search_trial.h"

namespace pp {

namespace {
// The least error margin by which a bf16 result is made optimistic before
// it is judged hopeless (0.5 points; 2 examples on small validation sets).
constexpr double kConfirmMargin = 0.005;
}  // namespace

void fillTrial(Trial& t, const EvalResult& r) {
  t.errorRate = r.metrics.error;
  t.accuracy = r.metrics.accuracy;
  t.mcc = r.metrics.mcc;
  t.f1 = r.metrics.f1;
  t.params = r.params;
  t.flops = r.flops;
  t.latencyMs = r.latency.medianMs;
  t.latencyP95Ms = r.latency.p95Ms;
  t.mode = execModeName(r.modeUsed);
  t.typeF1.clear();
  if (r.tagger)
    for (const auto& x : r.entities.perType) t.typeF1.push_back({x.type, x.f1});
}

namespace {
// Runs `fn` (which fills t); an exception makes t a failed trial with its reason.
template <class Fn>
Trial guarded(Trial t, Fn&& fn) {
  try {
    fn(t);
  } catch (const std::exception& e) {
    t.status = Trial::Status::Failed;
    t.error = firstLine(e.what());
  } catch (...) {
    t.status = Trial::Status::Failed;
    t.error = "unknown error";
  }
  return t;
}
}  // namespace

Trial evaluateAsTrial(const Model& m, const EncodedData& data, int64_t id, const SubNetwork& s,
                      const EvalOptions& eo, const std::atomic<bool>* cancel) {
  Trial t;
  t.id = id;
  t.subnet = s;
  const auto t0 = std::chrono::steady_clock::now();
  t = guarded(t, [&](Trial& x) {
    fillTrial(x, evaluate(m, s, data, eo, cancel));
    x.status = Trial::Status::Ok;
    x.fidelity = 1.0;
    x.precision = precisionName(eo.precision);  // a study worker's own, whatever the header says
  });
  t.evalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return t;
}

// Whether the current front dominates `t`'s objectives (an optimistic
// result: then the trial cannot reach the front).
bool SearchRunner::dominatedByFront(const Trial& t) const {
  const Point p = objectiveVector(t, opts_.objectives);
  std::lock_guard<std::mutex> lk(mu_);
  for (const auto& f : frontPoints_)
    if (dominates(f, p)) return true;
  return false;
}

// Multi-fidelity: the screening batches first (a seeded, length-stratified
// share of the validation set); the rest only if an optimistic bound on the
// result could still reach the front (docs/search.md, "Multi-fidelity").
Trial SearchRunner::evaluateScreened(Trial t, const SubNetwork& s, const EvalOptions& eo) {
  EvalOptions low = eo;
  low.batches = screenBatches_;
  // Sliced and prepared once for the screening, the rest and the latency.
  const auto prepared = prepareSubnet(*model_, s, eo);
  const EvalResult r = evaluate(*model_, s, *data_, low, &cancel_, prepared.get());
  Trial optimistic = t;
  fillTrial(optimistic, r);
  const ClassificationMetrics best = optimisticMetrics(r.metrics);
  optimistic.errorRate = best.error;
  optimistic.mcc = best.mcc;
  optimistic.f1 = best.f1;
  if (dominatedByFront(optimistic)) {
    fillTrial(t, r);
    t.status = Trial::Status::Stopped;
    t.fidelity = static_cast<double>(r.metrics.count) / static_cast<double>(data_->size());
    return t;
  }
  // Finish it: only the batches the screening did not cover.
  EvalOptions rest = eo;
  rest.measureLatency = false;  // already measured
  rest.batches = restBatches_;
  EvalResult r2 = evaluate(*model_, s, *data_, rest, &cancel_, prepared.get());
  std::vector<int64_t> pred, truth;
  for (size_t i = 0; i < data_->size(); ++i) {
    const int64_t q = r.predictions[i] >= 0 ? r.predictions[i] : r2.predictions[i];
    if (q < 0) continue;
    pred.push_back(q);
    truth.push_back(data_->labels()[i]);
  }
  r2.metrics = classificationMetrics(pred, truth, model_->config().numLabels());
  r2.latency = r.latency;
  fillTrial(t, r2);
  t.status = Trial::Status::Ok;
  t.fidelity = 1.0;
  return t;
}

bool SearchRunner::confirming() const {
  return opts_.confirmFp32 && (opts_.eval.precision == Precision::BFloat16 ||
                               opts_.eval.precision == Precision::Float16);
}

// bf16 with fp32 confirmation: a trial whose bf16 result, made optimistic by
// a margin for the labels rounding may have flipped, is dominated by the
// current front cannot reach it and keeps its bf16 numbers; any other is
// measured again in fp32, and those numbers count. A front member is
// therefore always an fp32 result (docs/search.md).
Trial SearchRunner::confirmTrial(Trial t, const SubNetwork& s, EvalOptions eo) {
  t.precision = precisionName(eo.precision);
  if (!t.ok() || t.fidelity < 1.0) return t;
  const double n = static_cast<double>(std::max<size_t>(data_->size(), 1));
  const double margin = std::max(kConfirmMargin, 2.0 / n);
  Trial optimistic = t;
  optimistic.errorRate = std::max(0.0, t.errorRate - margin);
  optimistic.f1 = std::min(1.0, t.f1 + margin);
  optimistic.mcc = std::min(1.0, t.mcc + 2 * margin);
  if (dominatedByFront(optimistic)) return t;
  Trial c = t;
  eo.precision = Precision::Float32;
  fillTrial(c, evaluate(*model_, s, *data_, eo, &cancel_));
  c.precision = precisionName(Precision::Float32);
  c.screenedPrecision = t.precision;
  c.screenedError = t.errorRate;
  return c;
}

Trial SearchRunner::evaluateTrial(int64_t id, const SubNetwork& s, int worker) {
  Trial t;
  t.id = id;
  t.subnet = s;
  t.worker = worker;
  const auto t0 = std::chrono::steady_clock::now();
  t = guarded(t, [&](Trial& x) {
    EvalOptions eo = opts_.eval;
    const size_t dev = static_cast<size_t>(std::max(worker, 0)) % devices_.size();
    eo.device = eo.latency.device = devices_[dev];
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (dev < rates_.size()) eo.rates = rates_[dev];
    }
    if (id < 0 && confirming()) eo.precision = Precision::Float32;  // the full model
    if (!screenBatches_.empty() && !restBatches_.empty() && id >= 0) {
      x = evaluateScreened(x, s, eo);
    } else {
      fillTrial(x, evaluate(*model_, s, *data_, eo, &cancel_));
      x.status = Trial::Status::Ok;
      x.fidelity = 1.0;
    }
    x.precision = precisionName(eo.precision);
    if (id >= 0 && confirming()) x = confirmTrial(x, s, eo);
  });
  t.evalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (cancel_ && t.status != Trial::Status::Failed) t.evalSeconds = -1;  // interrupted mid-way
  return t;
}

}  // namespace pp
