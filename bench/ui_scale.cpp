#include "ui_scale.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/base/pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/trial.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/search_controller.h"
#include "ui/trial_table_model.h"

namespace ppbench {

namespace {

double peakMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double p99(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(v.size())))];
}

QString cpuName() {
  QProcess p;
  p.start("lscpu", {});
  p.waitForFinished(5000);
  for (const QString& line : QString::fromUtf8(p.readAllStandardOutput()).split('\n'))
    if (line.startsWith("Model name:")) return line.mid(11).trimmed();
  return "unknown CPU";
}

bool runCli(const QString& cli, const QStringList& args) {
  QProcess p;
  p.start(cli, args);
  p.waitForFinished(600000);
  if (p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) return true;
  std::fprintf(stderr, "bench_ui: %s %s failed: %s\n", cli.toUtf8().constData(),
               args.join(' ').toUtf8().constData(), p.readAllStandardError().constData());
  return false;
}

// A real search of a tiny model (per-layer space): the header, model and
// full model that the synthesised logs share.
QString baseRun(const QString& dir, const QString& cli) {
  const QString model = dir + "/model", data = dir + "/data.tsv", log = dir + "/base.jsonl";
  if (!runCli(cli, {"make-tiny", model, "--layers", "4", "--hidden", "32", "--heads", "4",
                    "--intermediate", "64", "--seed", "5"}))
    return {};
  QFile f(data);
  if (!f.open(QIODevice::WriteOnly)) return {};
  f.write("sentence\tlabel\n");
  for (int i = 0; i < 60; ++i)
    f.write(QString("%1 %2\t%3\n")
                .arg(i % 2 ? "good food" : "bad service")
                .arg(i)
                .arg(i % 2 ? "positive" : "negative")
                .toUtf8());
  f.close();
  if (!runCli(cli, {"search", model, "--data", data, "--trials", "20", "--space", "per-layer",
                    "--latency-runs", "3", "--max-length", "16", "--workers", "1", "--log", log}))
    return {};
  return log;
}

// `n` trials of unique per-layer sub-networks of the base run's model.
void synthesise(const pp::OpenedRunLog& base, const QString& out, int n, uint64_t seed) {
  const pp::ModelConfig& c = base.config;
  const double full = static_cast<double>(pp::parameterCount(c));
  const double flopsPerParam = base.log.trials.empty() || base.log.trials[0].params == 0
                                   ? 30.0
                                   : static_cast<double>(base.log.trials[0].flops) /
                                         static_cast<double>(base.log.trials[0].params);
  pp::RunHeader h = base.log.header;
  h.trials = n;
  {
    pp::RunLog log;  // the header, as a search writes it
    log.create(out.toStdString(), h);
  }
  // The trials' lines as RunLog::append writes them, without a flush each.
  QFile file(out);
  if (!file.open(QIODevice::Append)) return;
  pp::Rng rng(seed);
  std::unordered_set<std::string> seen;
  for (int i = 0; i < n;) {
    pp::Trial t = base.log.trials.empty() ? pp::Trial{} : base.log.trials[0];
    t.id = i;
    t.subnet.layers.assign(static_cast<size_t>(c.num_hidden_layers), {});
    for (auto& l : t.subnet.layers)
      l = {rng.uniformInt(1, c.num_attention_heads), rng.uniformInt(1, c.intermediate_size)};
    if (!seen.insert(t.subnet.key()).second) continue;
    t.params = pp::parameterCount(c, t.subnet);
    t.flops = static_cast<int64_t>(flopsPerParam * static_cast<double>(t.params));
    const double shrink = 1.0 - static_cast<double>(t.params) / full;
    const double noise = (rng.uniform01() + rng.uniform01() + rng.uniform01() - 1.5) * 0.05;
    t.errorRate =
        std::clamp(std::round((0.12 + 0.5 * shrink * shrink + noise) * 600) / 600, 0.0, 1.0);
    t.accuracy = 1 - t.errorRate;
    t.f1 = t.accuracy;
    t.mcc = 2 * t.accuracy - 1;
    t.latencyMs = 0.02 + 1e-6 * static_cast<double>(t.params) * (0.9 + 0.2 * rng.uniform01());
    t.status = pp::Trial::Status::Ok;
    t.fidelity = 1;
    file.write(QByteArray::fromStdString(t.toJson().dump() + "\n"));
    ++i;
  }
}

}  // namespace

std::vector<double> probe(const std::function<bool()>& done, int maxMs) {
  std::vector<double> late;
  QElapsedTimer clock;
  clock.start();
  qint64 last = clock.elapsed();
  QTimer t;
  t.setTimerType(Qt::PreciseTimer);
  t.setInterval(10);
  QObject::connect(&t, &QTimer::timeout, [&] {
    const qint64 now = clock.elapsed();
    late.push_back(std::max<double>(0.0, static_cast<double>(now - last) - 10.0));
    last = now;
  });
  t.start();
  while (!done() && clock.elapsed() < maxMs)
    QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  return late;
}

namespace {

void result(double seconds, const std::vector<double>& late, const ppui::MainWindow& w) {
  const double mx = late.empty() ? 0 : *std::max_element(late.begin(), late.end());
  std::printf("RESULT %.3f %.0f %.1f %.1f %d\n", seconds, peakMb(), p99(late), mx,
              w.chart()->markersDrawn());
}

// The window drawn, as a screenshot would take it.
void settle(ppui::MainWindow& w) {
  QApplication::processEvents();
  w.chart()->flushNow();
  QApplication::processEvents();
  (void)w.grab();
}

struct Row {
  QString what, trials;
  double seconds = -1, mb = 0, p99 = 0, max = 0;
  int markers = 0;
};

Row child(const QString& self, const QString& what, const QString& trials,
          const QStringList& args) {
  Row r{what, trials};
  QProcess p;
  p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
  p.start(self, args);
  p.waitForFinished(900000);
  const QString out = QString::fromUtf8(p.readAllStandardOutput());
  const auto m = QRegularExpression("RESULT (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)").match(out);
  if (m.hasMatch()) {
    r.seconds = m.captured(1).toDouble();
    r.mb = m.captured(2).toDouble();
    r.p99 = m.captured(3).toDouble();
    r.max = m.captured(4).toDouble();
    r.markers = m.captured(5).toInt();
  }
  return r;
}

}  // namespace

int childOpen(const QString& log) {
  ppui::MainWindow w;
  w.resize(1280, 820);
  w.show();
  QApplication::processEvents();
  // PP_BENCH_PHASES=1: how long reading the log alone takes, and the window's steps.
  const bool phases = qEnvironmentVariableIsSet("PP_BENCH_PHASES");
  QElapsedTimer clock;
  if (phases) {
    clock.start();
    const pp::OpenedRunLog parsed = pp::openRunLog(log.toStdString());
    std::fprintf(stderr, "PHASE read the log %lld ms\n", clock.elapsed());
  }
  clock.start();
  if (!w.showRunLog(log)) return 1;
  if (phases) std::fprintf(stderr, "PHASE showRunLog %lld ms\n", clock.elapsed());
  settle(w);
  result(static_cast<double>(clock.elapsed()) / 1000.0, {}, w);
  return 0;
}

// The log's trials as a live search delivers them: one trialFinished each,
// frontChanged when the front changes, progress (with the hypervolume) each.
int childFollow(const QString& log, int rate) {
  const pp::OpenedRunLog run = pp::openRunLog(log.toStdString());
  ppui::MainWindow w;
  w.resize(1280, 820);
  w.show();
  ppui::SearchController& sc = w.controller();
  QApplication::processEvents();
  if (run.reference) Q_EMIT sc.referenceReady(*run.reference);
  pp::ParetoArchive front;
  const pp::Normalizer norm{{0, 0},
                            {1, static_cast<double>(run.reference ? run.reference->params : 1)}};
  double hv = 0;
  size_t next = 0;
  const auto& trials = run.log.trials;
  QElapsedTimer clock;
  clock.start();
  QTimer feed;
  feed.setInterval(10);
  QObject::connect(&feed, &QTimer::timeout, [&] {
    const auto due = static_cast<size_t>(static_cast<double>(clock.elapsed()) * rate / 1000.0);
    for (; next < trials.size() && next < due; ++next) {
      const pp::Trial& t = trials[next];
      Q_EMIT sc.trialFinished(t);
      if (front.add(pp::objectiveVector(t, run.log.header.objectives), next)) {
        std::vector<int64_t> ids;
        for (size_t i : front.ids()) ids.push_back(trials[i].id);
        Q_EMIT sc.frontChanged(ids);
        hv = pp::normalizedHypervolume(front.points(), norm);
      }
      pp::SearchProgress p;
      p.done = static_cast<int64_t>(next + 1);
      p.total = static_cast<int64_t>(trials.size());
      p.frontSize = front.size();
      p.hypervolume = hv;
      p.elapsedSeconds = static_cast<double>(clock.elapsed()) / 1000.0;
      Q_EMIT sc.progressChanged(p);
    }
  });
  feed.start();
  const auto late = probe([&] { return next >= trials.size(); }, 900000);
  feed.stop();
  settle(w);
  result(static_cast<double>(clock.elapsed()) / 1000.0, late, w);
  return 0;
}

int childCompare(const QStringList& logs) {
  ppui::MainWindow w;
  w.resize(1280, 820);
  w.show();
  QApplication::processEvents();
  QElapsedTimer clock;
  clock.start();
  QString error;
  if (!w.compareRuns(logs, &error)) {
    std::fprintf(stderr, "bench_ui: %s\n", error.toUtf8().constData());
    return 1;
  }
  settle(w);
  result(static_cast<double>(clock.elapsed()) / 1000.0, {}, w);
  return 0;
}

int runScaleBench(const QString& self, const QString& cli, const QList<int>& sizes, int rate,
                  const QString& keep) {
  QTemporaryDir tmpDir;
  const QString dir = keep.isEmpty() ? tmpDir.path() : keep;
  QDir().mkpath(dir);
  const QString base = QFile::exists(dir + "/base.jsonl") ? dir + "/base.jsonl" : baseRun(dir, cli);
  if (base.isEmpty()) return 1;
  const pp::OpenedRunLog run = pp::openRunLog(base.toStdString());
  std::vector<Row> rows;
  for (int n : sizes) {
    const QString log = dir + QString("/log-%1.jsonl").arg(n);
    if (!QFile::exists(log)) synthesise(run, log, n, 17 + static_cast<uint64_t>(n));
    const QString count = QLocale(QLocale::English).toString(n);
    rows.push_back(child(self, "open the log", count, {"--child-open", log}));
    rows.push_back(child(self, QString("follow it, %1 trials/s").arg(rate), count,
                         {"--child-follow", log, "--rate", QString::number(rate)}));
  }
  QStringList three;
  for (int i = 0; i < 3; ++i) {
    three << dir + QString("/cmp-%1.jsonl").arg(i);
    if (!QFile::exists(three.back()))
      synthesise(run, three.back(), 10000, 100 + static_cast<uint64_t>(i));
  }
  rows.push_back(
      child(self, "compare three runs", "3 x 10,000", QStringList{"--child-compare"} + three));
  std::printf("bench_ui --scale: %s, %d threads; Qt %s, platform %s, OpenGL series %s\n\n",
              cpuName().toUtf8().constData(), QThread::idealThreadCount(), qVersion(),
              QApplication::platformName().toUtf8().constData(),
              ppui::ParetoChart::openGlAvailable() ? "on" : "off");
  std::printf("%-30s %12s %10s %10s %12s %10s %9s\n", "", "trials", "seconds", "peak MB",
              "loop p99 ms", "max ms", "markers");
  for (const Row& r : rows) {
    const bool live = r.what.startsWith("follow");
    std::printf("%-30s %12s %10.2f %10.0f %12s %10s %9d\n", r.what.toUtf8().constData(),
                r.trials.toUtf8().constData(), r.seconds, r.mb,
                live ? QString::number(r.p99, 'f', 1).toUtf8().constData() : "",
                live ? QString::number(r.max, 'f', 1).toUtf8().constData() : "", r.markers);
  }
  std::printf(
      "\n(open: the log read, table, chart and front drawn and the window painted; follow: every "
      "trial delivered through the search's signals at that rate, seconds until the last one is "
      "drawn, the event loop probed every 10 ms; targets: 100,000 under 5 s and 1 GB, 10,000 under "
      "1 s, p99 under 50 ms, the comparison under 3 s; markers: those the chart draws, overlapping "
      "ones "
      "thinned)\n");
  return 0;
}

}  // namespace ppbench
