// bench_ui --parallel: the deciding views at scale. For each size, synthetic
// trials (no model needed) into the parallel-coordinates view and the chart:
// adding them, the first paint (every line drawn into the view's cache), a
// brush (the brushed set and the lines again) and the chart's highlight of
// the brushed trials, and a repaint that only moves the selection (the
// cache reused). Milliseconds, wall clock, one run each: ratios between rows
// are what to read.
#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <cstdio>

#include "paretoprune/base/rng.h"
#include "ui/parallel_coords.h"
#include "ui/pareto_chart.h"
#include "ui_scale.h"

namespace ppbench {

namespace {
std::vector<pp::Trial> trials(int n) {
  pp::Rng rng(5);
  std::vector<pp::Trial> out;
  for (int i = 0; i < n; ++i) {
    pp::Trial t;
    t.id = i;
    t.params = 1400000 + rng.uniformInt(0, 2600000);
    t.flops = static_cast<int64_t>(static_cast<double>(t.params) * 80 * (0.3 + rng.uniform01()));
    t.errorRate = 0.18 + 0.3 * rng.uniform01() * rng.uniform01();
    t.accuracy = 1 - t.errorRate;
    t.latencyMs = 0.2 + static_cast<double>(t.flops) / 6e7;
    out.push_back(t);
  }
  return out;
}

double ms(QElapsedTimer& c) {
  const double v = static_cast<double>(c.nsecsElapsed()) / 1e6;
  c.restart();
  return v;
}
}  // namespace

int runParallelBench(const std::vector<int>& sizes) {
  QProcess p;
  p.start("lscpu", {});
  p.waitForFinished(5000);
  QString cpu = "unknown CPU";
  for (const QString& line : QString::fromUtf8(p.readAllStandardOutput()).split('\n'))
    if (line.startsWith("Model name:")) cpu = line.mid(11).trimmed();
  std::printf("bench_ui --parallel: %s; platform %s; view 1000 x 320, chart 900 x 520\n\n",
              cpu.toUtf8().constData(), QApplication::platformName().toUtf8().constData());
  std::printf("%10s %10s %12s %12s %14s %14s\n", "trials", "add ms", "paint ms", "brush ms",
              "highlight ms", "select ms");
  for (int n : sizes) {
    const auto ts = trials(n);
    ppui::ParallelCoords pc;
    pc.resize(1000, 320);
    pc.show();
    QApplication::processEvents();
    QElapsedTimer c;
    c.start();
    pc.addTrials(ts);
    const double add = ms(c);
    pc.grab();
    const double paint = ms(c);
    pc.setBrush(ppui::ParallelCoords::Axis::Params, 2e6, 3e6);
    pc.grab();
    const double brush = ms(c);
    pc.setSelection({ts[static_cast<size_t>(n / 2)].id});
    pc.grab();
    const double select = ms(c);
    pc.hide();
    // The chart with every trial drawn (thinned markers), then the brushed ones over them.
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    for (const auto& t : ts) chart.queueTrial(t);
    chart.flushNow();
    QApplication::processEvents();
    chart.grab();
    c.restart();
    chart.setHighlight(pc.brushed(), true);
    chart.grab();
    const double highlight = ms(c);
    std::printf("%10d %10.1f %12.1f %12.1f %14.1f %14.1f\n", n, add, paint, brush, highlight,
                select);
  }
  return 0;
}

}  // namespace ppbench
