// worker and study: the commands of a study shared through PostgreSQL
// (docs/distributed.md).
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "interrupt.h"
#include "paretoprune/base/error.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"

namespace ppcli {

namespace {
struct StudyArgs {
  std::string storage, study, log, out;
  pp::WorkerOptions worker;
  double lease = 30;
};

void addStorageOptions(CLI::App& cmd, StudyArgs& a, bool study = true) {
  cmd.add_option("--storage", a.storage,
                 "PostgreSQL URL or conninfo (postgresql://user@host/db, service=NAME; the "
                 "password from ~/.pgpass, PGPASSFILE or PGPASSWORD)")
      ->required();
  if (study) cmd.add_option("--study", a.study, "The study's name")->required();
}

// SIGTERM (a job scheduler's stop, `kill`) stops a worker as Ctrl-C does.
class SigtermAsInterrupt {
 public:
  SigtermAsInterrupt() : prev_(std::signal(SIGTERM, ppcliOnSigint)) {}
  ~SigtermAsInterrupt() { std::signal(SIGTERM, prev_); }
  SigtermAsInterrupt(const SigtermAsInterrupt&) = delete;
  SigtermAsInterrupt& operator=(const SigtermAsInterrupt&) = delete;

 private:
  void (*prev_)(int);
};

void printWorkerStats(const pp::WorkerStats& st) {
  std::cerr << "worker: " << st.evaluated << " trials evaluated";
  if (st.stale) std::cerr << ", " << st.stale << " results refused (their leases had lapsed)";
  if (st.abandoned)
    std::cerr << ", " << st.abandoned << " given up (their leases were lost; others take them)";
  if (st.released) std::cerr << ", " << st.released << " given back unfinished (stopped)";
  std::cerr << "\n";
}

pp::StudyOptions studyOptions(const StudyArgs& a) {
  pp::StudyOptions o;
  o.url = a.storage;
  o.study = a.study;
  o.leaseSeconds = a.lease;
  return o;
}
}  // namespace

void addWorkerCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<StudyArgs>();
  auto* cmd = app.add_subcommand("worker",
                                 "Evaluate the queued trials of a study shared through PostgreSQL");
  addStorageOptions(*cmd, *a);
  cmd->add_option("--device", a->worker.device,
                  "auto (the first CUDA device, else CPU), cpu or cuda:N")
      ->capture_default_str();
  cmd->add_option("--model", a->worker.modelDir,
                  "This machine's copy of the study's model (default: its path)");
  cmd->add_option("--name", a->worker.name, "Name in the study (default: host:pid)");
  cmd->add_option("--lease", a->lease,
                  "Seconds a claim lasts without a heartbeat (as the driver's)")
      ->capture_default_str();
  cmd->add_option("--idle-exit", a->worker.idleExitSeconds,
                  "Also stop after this long with nothing to claim");
  cmd->add_option("--max-trials", a->worker.maxTrials, "Stop after this many trials");
  cmd->callback([a, &g] {
    pp::checkLeaseSeconds(a->lease);
    applyThreads(g, 1);
    std::atomic<bool> stop{false};
    pp::WorkerStats st;
    SigtermAsInterrupt sigterm;
    untilInterrupted([&] { st = pp::runStudyWorker(studyOptions(*a), a->worker, &stop); },
                     [&] { stop = true; });
    printWorkerStats(st);
  });
}

void addStudyCommand(CLI::App& app, GlobalOptions&) {
  auto* cmd =
      app.add_subcommand("study", "Move a study between PostgreSQL and a JSON-lines run log");
  cmd->require_subcommand(1);
  auto in = std::make_shared<StudyArgs>();
  auto* initCmd = cmd->add_subcommand(
      "init", "Create the study tables (needs CREATE rights; workers then need none)");
  addStorageOptions(*initCmd, *in, false);
  initCmd->callback([in] {
    pp::StudyStore store(in->storage);
    store.ensureSchema();
    std::cout << "the study tables are ready at " << pp::redactUrl(in->storage)
              << " (grants for workers: docs/distributed.md)\n";
  });
  auto ex = std::make_shared<StudyArgs>();
  auto* exportCmd = cmd->add_subcommand("export-log", "Write a study to a run log");
  addStorageOptions(*exportCmd, *ex);
  exportCmd->add_option("--out", ex->out, "The run log to write (.jsonl)")->required();
  exportCmd->callback([ex] {
    pp::exportStudyLog(ex->storage, ex->study, ex->out);
    std::cout << "wrote " << ex->out << "\n";
  });
  auto im = std::make_shared<StudyArgs>();
  auto* importCmd = cmd->add_subcommand("import-log", "Load a run log into a new study");
  addStorageOptions(*importCmd, *im);
  importCmd->add_option("LOG", im->log, "The run log (.jsonl)")
      ->required()
      ->check(CLI::ExistingFile);
  importCmd->callback([im] {
    pp::importStudyLog(im->storage, im->study, im->log);
    std::cout << "imported " << im->log << " as study " << im->study << "\n";
  });
}

}  // namespace ppcli
