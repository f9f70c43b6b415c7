// The window at scale, for bench_ui --scale: run logs of 1,000 to 100,000
// trials synthesised from a real search of a tiny model (its header, model
// and full model; unique per-layer sub-networks, their parameters and FLOPs
// counted by core, errors on a 600-example grid so that ties occur), and the
// measurements, each in a child process of its own so that its peak memory
// is its own: opening a log, following one as a live search (trials streamed
// through the search's signals at a study's rate, the event loop probed
// every 10 ms), and comparing three runs.
#pragma once
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace ppbench {

// The parent: makes the logs under a temporary folder, runs the children,
// prints the table (CPU named). `self` is bench_ui's own path; `keep`: a
// folder where the logs are kept (and reused) instead of a temporary one.
int runScaleBench(const QString& self, const QString& cli, const QList<int>& sizes, int rate,
                  const QString& keep);

// The children (bench_ui --child-open LOG, --child-follow LOG --rate R,
// --child-compare A B C): each prints one "RESULT seconds peak-MB p99-ms
// max-ms" line.
int childOpen(const QString& log);
int childFollow(const QString& log, int rate);
int childCompare(const QStringList& logs);

// bench_ui --parallel (ui_parallel.cpp): the parallel-coordinates view and
// the chart's brushed highlight with `sizes` synthetic trials; prints a table.
int runParallelBench(const std::vector<int>& sizes);

// How late (ms) a 10 ms timer fired, each time, while `done()` stayed false
// (at most `maxMs`): the event loop's responsiveness, for bench_ui's rows.
std::vector<double> probe(const std::function<bool()>& done, int maxMs);

}  // namespace ppbench
