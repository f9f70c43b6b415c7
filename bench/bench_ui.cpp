// bench_ui: does the window stay responsive during a search? Runs the demo
// search in the main window (offscreen unless a display is set) with the
// largest number of workers, while a 10 ms timer probes the UI thread's
// event loop; prints the probe's lateness (median, 99th percentile, max)
// against an idle baseline. With --scale: the window at scale (ui_scale.h):
// opening and following logs of 1,000 to 100,000 trials, comparing three
// runs of 10,000.
//
//   bench_ui [--trials N] [--workers W]
//   bench_ui --scale [--sizes 1000,10000,100000] [--rate 5000] [--keep-logs DIR]
//   bench_ui --parallel [--sizes ...]: the parallel-coordinates view at scale
#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "ui/mainwindow.h"
#include "ui/search_controller.h"
#include "ui_scale.h"

namespace {
struct Stats {
  double median = 0, p99 = 0, max = 0;
  size_t n = 0;
};
Stats stats(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.n = v.size();
  s.median = v[v.size() / 2];
  s.p99 = v[std::min(v.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(v.size())))];
  s.max = v.back();
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("DISPLAY")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName("ParetoPruneBench");
  int trials = 100, workers = pp::hardwareThreads(), rate = 5000;
  bool scale = false;
  std::vector<int> sizes = {1000, 10000, 100000};
  std::string open, follow, keep;
  std::vector<std::string> compare;
  CLI::App cli("bench_ui: UI event-loop lateness during a demo search; the window at scale");
  cli.add_option("--trials", trials, "Trials")->capture_default_str();
  cli.add_option("--workers", workers, "Workers")->capture_default_str();
  cli.add_flag("--scale", scale, "Open, follow and compare large logs instead");
  bool parallel = false;
  cli.add_flag("--parallel", parallel, "Time the parallel-coordinates view at --sizes instead");
  cli.add_option("--sizes", sizes, "Log sizes for --scale")->delimiter(',')->capture_default_str();
  cli.add_option("--rate", rate, "Trials per second when following")->capture_default_str();
  cli.add_option("--keep-logs", keep, "Folder to keep (and reuse) the --scale logs in");
  cli.add_option("--child-open", open, "(internal) open one log");
  cli.add_option("--child-follow", follow, "(internal) follow one log");
  cli.add_option("--child-compare", compare, "(internal) compare logs");
  CLI11_PARSE(cli, argc, argv);
  if (!open.empty()) return ppbench::childOpen(QString::fromStdString(open));
  if (!follow.empty()) return ppbench::childFollow(QString::fromStdString(follow), rate);
  if (!compare.empty()) {
    QStringList logs;
    for (const auto& c : compare) logs << QString::fromStdString(c);
    return ppbench::childCompare(logs);
  }
  if (parallel) return ppbench::runParallelBench(sizes);
  if (scale)
    return ppbench::runScaleBench(QApplication::applicationFilePath(), PARETOPRUNE_CLI,
                                  QList<int>(sizes.begin(), sizes.end()), rate,
                                  QString::fromStdString(keep));
  const QString demo = PARETOPRUNE_RESOURCES_DIR "/demo";
  ppui::MainWindow w;
  w.resize(1280, 820);
  w.show();
  w.openModel(demo + "/model");
  w.setDataFiles(demo + "/sentiment-train.tsv", demo + "/sentiment-validation.tsv");
  w.setTrials(trials);

  bool idleDone = false;
  QTimer::singleShot(2000, [&] { idleDone = true; });
  const Stats idle = stats(ppbench::probe([&] { return idleDone; }, 5000));

  ppui::SearchSetup s = w.currentSetup();
  s.workers = workers;
  s.latencyRuns = 3;
  s.logPath.clear();
  bool finished = false;
  QObject::connect(&w.controller(), &ppui::SearchController::finished, [&] { finished = true; });
  QObject::connect(&w.controller(), &ppui::SearchController::failed, [&](const QString& m) {
    std::fprintf(stderr, "bench_ui: %s\n", m.toUtf8().constData());
    finished = true;
  });
  // The window's own handlers draw every result (chart, table, status).
  QObject::connect(&w.controller(), &ppui::SearchController::trialFinished, &w, [] {});
  QElapsedTimer wall;
  wall.start();
  if (!w.controller().start(s)) return 1;
  const Stats busy = stats(ppbench::probe([&] { return finished; }, 600000));
  const double seconds = static_cast<double>(wall.elapsed()) / 1000.0;
  std::printf(
      "bench_ui: demo search, %d trials, %d workers, %.1f s, %zu trials drawn; platform %s\n\n",
      trials, workers, seconds, w.controller().trials().size(),
      QApplication::platformName().toUtf8().constData());
  std::printf("%-22s %8s %12s %12s %10s\n", "UI event loop", "probes", "median ms", "p99 ms",
              "max ms");
  std::printf("%-22s %8zu %12.2f %12.2f %10.2f\n", "idle", idle.n, idle.median, idle.p99, idle.max);
  std::printf("%-22s %8zu %12.2f %12.2f %10.2f\n", "during the search", busy.n, busy.median,
              busy.p99, busy.max);
  std::printf("\n(lateness of a 10 ms timer; target: p99 under 50 ms during the search)\n");
  return 0;
}
