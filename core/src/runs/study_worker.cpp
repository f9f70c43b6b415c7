// The worker of a study: claims, evaluates on its own copy of the model and
// data, reports; reclaims expired leases (a dead driver does not leave
// trials running forever); gives a trial up when its lease is lost, and
// gives it back unused when stopped.
#include <unistd.h>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "base/text_time.h"
#include "paretoprune/base/error.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/search_request.h"
#include "runs/study_rows.h"

namespace pp {

using Clock = std::chrono::steady_clock;

namespace {
std::string defaultWorkerName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  return std::string(host) + ":" + std::to_string(getpid());
}

// The study `o` names once it exists: a worker may start before its driver
// (and before anyone created the tables).
StudyStore::Study waitForStudy(StudyStore& store, const StudyOptions& o, const WorkerOptions& w,
                               const std::atomic<bool>* stop) {
  const auto waitStart = Clock::now();
  std::optional<StudyStore::Study> found = store.findStudy(o.study);
  while (!found) {
    if ((stop && stop->load()) ||
        (w.idleExitSeconds > 0 && secondsSince(waitStart) >= w.idleExitSeconds))
      throw Error("there is no " + studyWhere(o.study) + " at " + redactUrl(o.url) +
                  " (start it with search --study)");
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(o.pollSeconds, 0.5)));
    found = store.findStudy(o.study);
  }
  return *found;
}

// A worker's own copy of the model and validation data, checked against
// the study's, and how it evaluates them.
struct WorkerBench {
  std::shared_ptr<const Model> model;
  std::optional<EncodedData> data;
  EvalOptions eval;
};

WorkerBench loadWorkerBench(const RunHeader& h, const StudyOptions& o, const WorkerOptions& w) {
  WorkerBench b;
  const std::string modelDir = w.modelDir.empty() ? h.model : w.modelDir;
  b.model = Model::load(modelDir);
  checkRunModel(h, b.model->checksum(), modelDir, studyWhere(o.study));
  const Dataset val = h.data.validationSet(b.model->config());
  const std::string fp = dataFingerprint(val);
  if (!h.dataFingerprint.empty() && fp != h.dataFingerprint)
    throw Error(studyWhere(o.study) + " was evaluated on other validation examples (fingerprint " +
                h.dataFingerprint + ", this machine's data " + fp + " from " +
                (h.data.validation.empty() ? h.data.data : h.data.validation) + ")");
  EncodeOptions enc;
  enc.maxLength = h.data.maxLength;
  enc.batchSize = h.data.batchSize;
  b.data.emplace(*b.model, val, enc);
  EvalOptions& eo = b.eval;
  eo.device = eo.latency.device = resolveDevices(w.device).front();
  eo.measureLatency = false;
  for (const auto& obj : h.objectives)
    if (obj == "latency") eo.measureLatency = true;
  eo.latency.runs = 3;
  eo.latency.warmup = 1;
  // FLOPs at the study's length (the full model's count tells it).
  if (const int64_t len = studyFlopsSeqLen(h, b.model->config()); len > 0) eo.latency.seqLen = len;
  eo.rates = measureExecRates(*b.model, *b.data, eo);
  return b;
}

// Heartbeats on a connection and thread of their own: the claim being
// evaluated keeps its lease, the worker counts as active. A claim whose
// lease is lost (taken back, or no heartbeat got through for a whole lease)
// is cut short, as is one the worker is stopped in. Stops (joined) when
// destroyed.
class Heartbeat {
 public:
  Heartbeat(const StudyOptions& o, int64_t studyId, std::string name, const std::atomic<bool>* stop)
      : o_(o), studyId_(studyId), name_(std::move(name)), stop_(stop), thread_([this] {
          loop();
        }) {}
  ~Heartbeat() {
    quit_ = true;
    thread_.join();
  }
  void setClaim(std::optional<Claim> c) {
    std::lock_guard<std::mutex> lk(mu_);
    claim_ = std::move(c);
    lastBeat_ = Clock::now();  // the claim's lease starts now
    lost_ = false;
    cut_ = stopped();
  }
  // Set when the claim must not be finished: its lease is lost, or the worker is stopped.
  const std::atomic<bool>* cut() const { return &cut_; }
  bool lost() const { return lost_; }

 private:
  bool stopped() const { return stop_ && stop_->load(); }

  void loop() {
    std::unique_ptr<StudyStore> hb;
    while (!quit_) {
      std::optional<Claim> c;
      {
        std::lock_guard<std::mutex> lk(mu_);
        c = claim_;
      }
      std::optional<bool> held;  // the lease renewed, or taken back; unknown if unreachable
      try {
        if (!hb) hb = std::make_unique<StudyStore>(o_.url);
        if (c) held = hb->heartbeat(studyId_, *c, o_.leaseSeconds);
        hb->touchWorker(studyId_, name_);
      } catch (const Error&) {
        hb.reset();  // reconnect next time
      }
      if (c) noteBeat(*c, held);
      for (int i = 0; i < 20 && !quit_; ++i) {
        if (stopped()) cut_ = true;
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.leaseSeconds / 3 / 20));
      }
    }
  }

  // What a heartbeat of `c` said, if `c` is still the claim in hand.
  void noteBeat(const Claim& c, std::optional<bool> held) {
    std::lock_guard<std::mutex> lk(mu_);
    if (!claim_ || claim_->id != c.id || claim_->attempt != c.attempt) return;
    if (held && *held) lastBeat_ = Clock::now();
    if ((held && !*held) || secondsSince(lastBeat_) > o_.leaseSeconds) lost_ = cut_ = true;
  }

  const StudyOptions& o_;
  const int64_t studyId_;
  const std::string name_;
  const std::atomic<bool>* stop_;
  std::mutex mu_;  // guards claim_ and lastBeat_
  std::optional<Claim> claim_;
  Clock::time_point lastBeat_ = Clock::now();
  std::atomic<bool> lost_{false}, cut_{false};
  std::atomic<bool> quit_{false};
  std::thread thread_;  // last: starts once the rest is set
};

// The claimed trial evaluated; an unreadable sub-network is a failed
// trial, not a dead worker.
Trial evaluateClaim(const WorkerBench& b, const Claim& c, const std::string& where,
                    const std::atomic<bool>* cut) {
  Trial t;
  try {
    t = evaluateAsTrial(
        *b.model, *b.data, c.id,
        SubNetwork::fromJson(jsonutil::parse(c.subnetJson, where), b.model->config()), b.eval, cut);
  } catch (const std::exception& e) {
    t.id = c.id;
    t.status = Trial::Status::Failed;
    t.error = e.what();
  }
  t.worker = -1;
  return t;
}
// What happened to one claim.
enum class ClaimEnd { Evaluated, Stale, Abandoned, Released };

ClaimEnd finishClaim(StudyStore& store, int64_t study, const Claim& c, const WorkerBench& bench,
                     Heartbeat& beat, const std::string& where, const std::atomic<bool>* stop) {
  const Trial t = evaluateClaim(bench, c, where, beat.cut());
  if (beat.lost()) return ClaimEnd::Abandoned;  // taken back: another worker has it
  if (stop && stop->load()) {
    beat.setClaim(std::nullopt);  // no heartbeat of it once it is given back
    store.release(study, c);      // cut short: not a result; queued again, no attempt used
    return ClaimEnd::Released;
  }
  return store.complete(study, c, t.toJson().dump()) ? ClaimEnd::Evaluated : ClaimEnd::Stale;
}
}  // namespace

WorkerStats runStudyWorker(const StudyOptions& o, const WorkerOptions& w,
                           const std::atomic<bool>* stop) {
  checkLeaseSeconds(o.leaseSeconds);
  StudyStore store(o.url);
  const StudyStore::Study study = waitForStudy(store, o, w, stop);
  const WorkerBench bench = loadWorkerBench(headerOf(study, o.study), o, w);
  const std::string name = w.name.empty() ? defaultWorkerName() : w.name;
  Heartbeat beat(o, study.id, name, stop);
  WorkerStats stats;
  auto idleSince = Clock::now();
  auto lastReap = Clock::now() - std::chrono::hours(1);
  while (!(stop && stop->load())) {
    if (w.maxTrials > 0 && stats.evaluated + stats.stale >= w.maxTrials) break;
    if (secondsSince(lastReap) >= o.leaseSeconds / 4) {  // any worker reclaims expired leases
      store.reapExpired(study.id, o.maxAttempts);
      lastReap = Clock::now();
    }
    std::optional<Claim> c = store.claim(study.id, name, o.leaseSeconds);
    if (!c) {
      const auto s = store.findStudy(o.study);
      if (!s || s->finished) break;  // nothing queued and the driver is done
      if (w.idleExitSeconds > 0 && secondsSince(idleSince) >= w.idleExitSeconds) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(o.pollSeconds));
      continue;
    }
    beat.setClaim(c);
    if (w.claimed) w.claimed(*c);
    const ClaimEnd end = finishClaim(store, study.id, *c, bench, beat, studyWhere(o.study), stop);
    beat.setClaim(std::nullopt);
    stats.evaluated += end == ClaimEnd::Evaluated;
    stats.stale += end == ClaimEnd::Stale;
    stats.abandoned += end == ClaimEnd::Abandoned;
    stats.released += end == ClaimEnd::Released;
    idleSince = Clock::now();
  }
  return stats;
}

}  // namespace pp
