// Distributed search over a StudyStore (PostgreSQL): the driver, which runs
// the strategy and keeps a few trials queued, and the worker loop, which
// claims, evaluates on its own copy of the model and data, and reports.
// Workers may start late, stop, or be killed at any moment: an expired
// lease puts a trial back in the queue, a stale result is refused, and a
// restarted driver resumes from the database. docs/distributed.md.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/search_runner.h"

namespace pp {

struct PreparedSearch;

struct StudyOptions {
  std::string url;           // a libpq URL or conninfo string (docs/distributed.md: passwords)
  std::string study;         // the study's name
  double leaseSeconds = 30;  // a claim lapses this long after the last heartbeat
  int maxAttempts = 3;       // leases a trial may lose before it is marked failed
  int extraQueued = 2;       // queued beyond one per active worker
  double pollSeconds = 0.1;  // how often the driver and idle workers look
};

// Throws pp::Error unless a lease of `seconds` works (1 s to a day): a zero
// or negative lease would make the heartbeat loop spin.
void checkLeaseSeconds(double seconds);

// The driver: queues the strategy's proposals, reaps expired leases on a
// timer, follows results; returns when the study has its trials, a budget or
// completion criterion stops it, or cancel(). A second driver of the same
// study is refused; a restarted one resumes from the database.
class StudyDriver {
 public:
  StudyDriver(const PreparedSearch& p, StudyOptions opts, SearchEvents events = {});
  ~StudyDriver();
  void run();
  void cancel() { cancel_.store(true); }
  std::vector<Trial> trials() const { return done_; }  // after run()
  SearchProgress progress() const { return progress_; }
  StopKind stopKind() const { return stopKind_; }
  std::string stopReason() const { return stopReason_; }
  const RunHeader& header() const { return header_; }
  std::optional<Trial> reference() const { return reference_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> cancel_{false};
  std::vector<Trial> done_;
  SearchProgress progress_;
  StopKind stopKind_ = StopKind::None;
  std::string stopReason_;
  RunHeader header_;
  std::optional<Trial> reference_;
};

struct WorkerOptions {
  std::string device = "auto";  // auto (the first CUDA device, else CPU), cpu, cuda:N
  std::string modelDir;         // default: the study's model path
  std::string name;             // default: host:pid
  double idleExitSeconds = 0;   // > 0: also stop after this long with nothing to claim
  int64_t maxTrials = 0;        // > 0: stop after this many
  // Called with each claim before it is evaluated (progress; tests).
  std::function<void(const Claim&)> claimed;
};

struct WorkerStats {
  int64_t evaluated = 0;  // results accepted
  int64_t stale = 0;      // results refused: the lease had lapsed and the trial was reclaimed
  int64_t abandoned = 0;  // trials given up unfinished: their lease was lost (taken back)
  int64_t released = 0;   // trials given back when stopped (queued again, no attempt used)
};

// Claims and evaluates the study's trials until it is finished (and nothing
// is queued), `stop` is set, or an option ends it. Refuses a model or data
// that differ from the study's (checksum, fingerprint), naming both. Needs
// no CREATE rights: it waits for the driver (or `study init`) to create the
// tables. Reclaims expired leases as the driver does.
WorkerStats runStudyWorker(const StudyOptions& opts, const WorkerOptions& w,
                           const std::atomic<bool>* stop = nullptr);

// A study read like a run log (header, finished trials in completion order,
// the full model's trial), for `front`, `export` and the window.
OpenedRunLog openStudy(const std::string& url, const std::string& study,
                       const std::string& modelDir = "");
// What a window following a study live reads at each poll: the header, and
// the trials finished since the row of sequence number `afterSeq` (all with
// -1). `lastSeq` is the highest sequence number read (or `afterSeq`).
struct StudyPoll {
  OpenedRunLog run;
  int64_t lastSeq = -1;
};
StudyPoll pollStudy(const std::string& url, const std::string& study, const std::string& modelDir,
                    int64_t afterSeq);
// Writes a study to a JSON-lines run log, and a run log into a new study.
void exportStudyLog(const std::string& url, const std::string& study, const std::string& logPath);
void importStudyLog(const std::string& url, const std::string& study, const std::string& logPath);

}  // namespace pp
