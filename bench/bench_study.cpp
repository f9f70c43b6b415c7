// bench_study: the cost of coordinating a study through PostgreSQL.
//
//   scripts/pg-local.sh start /tmp/pp-pg     # prints the URL
//   bench_study --storage URL [--claimers 8] [--trials 400] [--search-trials 100]
//
// 1. Coordination overhead per trial: claimers (threads, one connection
//    each) claim and complete queued trials with no evaluation at all.
// 2. Demo search throughput from the start (model and data prepared inside
//    the timed run on both sides): the in-process runner with 1 and 2 worker
//    threads against a driver with 1 and 2 worker processes
//    (paretoprune-cli worker), the same trials, as ratios within this run.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/search_request.h"
#include "paretoprune/search/search_runner.h"

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void overhead(const std::string& url, int claimers, int trials) {
  pp::StudyStore store(url);
  store.ensureSchema();
  const std::string name =
      "bench-overhead-" + std::to_string(getpid()) + "-" + std::to_string(claimers);
  const auto s = store.createStudy(name, {{"paretoprune_log", 1}});
  for (int i = 0; i < trials; ++i) store.enqueue(s.id, i, "k" + std::to_string(i), "{}");
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < claimers; ++c)
    threads.emplace_back([&, c] {
      pp::StudyStore mine(url);
      while (auto cl = mine.claim(s.id, "b" + std::to_string(c), 30))
        mine.complete(s.id, *cl, "{\"trial\":" + std::to_string(cl->id) + "}");
    });
  for (auto& t : threads) t.join();
  const double wall = since(t0);
  std::printf("%9d | %6d | %8.2f | %12.2f | %10.0f\n", claimers, trials, wall,
              1000.0 * wall * claimers / trials, trials / wall);
}

pp::SearchRequest demoRequest(int64_t trials, int workers) {
  const std::string demo = PARETOPRUNE_RESOURCES_DIR "/demo";
  pp::SearchRequest r;
  r.modelDir = demo + "/model";
  r.data.data = demo + "/sentiment-train.tsv";
  r.data.validation = demo + "/sentiment-validation.tsv";
  r.data.valSplit = 0;
  r.options.strategy = "random";
  r.options.trials = trials;
  r.options.workers = workers;
  r.options.seed = 5;
  r.options.eval.measureLatency = false;
  r.options.eval.mode = pp::ExecMode::Sliced;
  return r;
}
}  // namespace

int main(int argc, char** argv) {
  std::string url, cli = PARETOPRUNE_CLI_PATH;
  int claimers = 8, trials = 400;
  int64_t searchTrials = 100;
  CLI::App app("bench_study: coordination overhead and throughput of studies in PostgreSQL");
  app.add_option("--storage", url, "PostgreSQL URL (scripts/pg-local.sh start DIR prints one)")
      ->required();
  app.add_option("--claimers", claimers, "Claiming threads for the overhead table")
      ->capture_default_str();
  app.add_option("--trials", trials, "Queued no-op trials for the overhead table")
      ->capture_default_str();
  app.add_option("--search-trials", searchTrials, "Trials of each demo search")
      ->capture_default_str();
  app.add_option("--cli", cli, "paretoprune-cli for the worker processes")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::printf("Coordination overhead (no evaluation): claim + complete per trial\n");
  std::printf("%9s | %6s | %8s | %12s | %10s\n", "claimers", "trials", "wall s", "ms per trial",
              "trials/s");
  for (int c : {1, claimers}) overhead(url, c, trials);

  std::printf(
      "\nDemo search, %lld random trials, sliced, no latency (trials per minute; wall time "
      "from the start, preparing the model and data included on both sides)\n",
      static_cast<long long>(searchTrials));
  std::printf("%-28s | %7s | %8s | %9s\n", "how", "wall s", "trials/m", "vs thread");
  double inProcess[3] = {0, 0, 0};
  for (int w : {1, 2}) {
    pp::useComputeThreads(pp::ComputeUse::Evaluation, std::max(1, pp::hardwareThreads() / w));
    // From the command's start: preparing the model and data counts on both
    // sides (a worker process prepares its own copy inside the timed run).
    const auto t0 = Clock::now();
    pp::SearchRunner runner(pp::prepareSearch(demoRequest(searchTrials, w)));
    runner.run();
    const double wall = since(t0);
    inProcess[w] = wall;
    std::printf("%-28s | %7.1f | %8.1f | %9s\n", (std::to_string(w) + " worker thread(s)").c_str(),
                wall, 60.0 * searchTrials / wall, "1.00");
    std::fflush(stdout);
  }
  for (int w : {1, 2}) {
    const std::string study = "bench-demo-" + std::to_string(getpid()) + "-" + std::to_string(w);
    std::vector<pid_t> pids;
    const auto t0 = Clock::now();
    for (int i = 0; i < w; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        // One process: the worker's own thread policy (1 LibTorch thread,
        // OpenBLAS on every core), as the in-process runner's; two: one core each.
        if (w == 1)
          execl(cli.c_str(), cli.c_str(), "worker", "--storage", url.c_str(), "--study",
                study.c_str(), "--idle-exit", "120", static_cast<char*>(nullptr));
        else
          execl(cli.c_str(), cli.c_str(), "--threads", "1", "worker", "--storage", url.c_str(),
                "--study", study.c_str(), "--idle-exit", "120", static_cast<char*>(nullptr));
        _exit(127);
      }
      pids.push_back(pid);
    }
    pp::StudyOptions so;
    so.url = url;
    so.study = study;
    pp::StudyDriver driver(pp::prepareSearch(demoRequest(searchTrials, w)), so);
    driver.run();
    const double wall = since(t0);
    for (pid_t p : pids) waitpid(p, nullptr, 0);
    std::printf("%-28s | %7.1f | %8.1f | %9.2f\n",
                (std::to_string(w) + " worker process(es), study").c_str(), wall,
                60.0 * searchTrials / wall, inProcess[w] / wall);
    std::fflush(stdout);
  }
  return 0;
}
