// Run comparison: several runs (run logs, or studies in PostgreSQL) of one
// model on one scale, for `front
// --compare` and the window's overlay. Each run's hypervolume is measured
// against a normalisation and reference point shared by all the runs (so
// the numbers compare), after each of its trials and at its end, and the
// Pareto set of all the runs' trials together says which run found what.
#pragma once
#include <string>
#include <vector>

#include "paretoprune/base/pareto.h"
#include "paretoprune/search/run_log.h"

namespace pp {

struct CompareOptions {
  std::string modelDir;                 // empty: each log's own model (all must be the same model)
  std::vector<std::string> objectives;  // empty: the first run's
};

// A run to compare: a run log's path, or a study written
// "NAME@postgresql://HOST/DB" (the form `front --compare` and the window's
// --compare take; the name ends at the first "@postgresql://" or
// "@postgres://", so it may hold "/" and "@"; anything else is a log's path).
struct RunSource {
  std::string logPath;         // a run log, or
  std::string storage, study;  // a study in PostgreSQL
  static RunSource parse(const std::string& text);
  bool isStudy() const { return !study.empty(); }
  std::string text() const;     // as parse reads it (password included)
  std::string display() const;  // the path, or NAME@URL, with any password redacted
  OpenedRunLog open(const std::string& modelDir = "", BadLines bad = BadLines::Refuse) const;
};

struct ComparedRun {
  RunSource source;
  std::string logPath;  // source.display(): the log's path, or the study's NAME@URL
  std::string label;    // the log's file name without .jsonl, or the study's name, made unique
  OpenedRunLog run;
  std::vector<size_t> front;               // indices into run.log.trials of its own Pareto set
  double hypervolume = 0;                  // of its front, on the shared scale
  std::vector<double> hypervolumeByTrial;  // after each of its trials, in log order
};

struct RunComparison {
  std::vector<std::string> objectives;
  // Shared by every run; the reference point is 1.1 in each normalised objective.
  Normalizer normalizer;
  std::vector<ComparedRun> runs;
  struct Member {
    size_t run = 0;    // index into runs
    size_t trial = 0;  // index into that run's trials
  };
  std::vector<Member> combinedFront;  // the Pareto set of all runs' trials, by the second objective
  std::vector<std::string> warnings;  // e.g. runs that evaluated other validation examples
};

// Reads and compares the runs (RunSource::parse for each). Throws pp::Error
// naming the run when one cannot be read, or when a run belongs to another
// model than the first (both checksums named): fronts of different models
// do not compare.
RunComparison compareRuns(const std::vector<std::string>& sources,
                          const CompareOptions& options = {});
// The same with the runs given apart (a study by URL and name, never
// re-read from text); messages never show a URL's password.
RunComparison compareRuns(const std::vector<RunSource>& sources,
                          const CompareOptions& options = {});

// The normalisation shared by `runs` (docs/search.md#comparing-runs): error
// and f1 on [0, 1], mcc on [0, 2]; parameters and FLOPs from the smallest
// sub-network of any run's space to the full model; latency from 0 to the
// slowest full-model latency any run measured.
Normalizer sharedNormalizer(const std::vector<ComparedRun>& runs,
                            const std::vector<std::string>& objectives);
// The same over runs given by pointer (one opened run: its own scale, no copy).
Normalizer sharedNormalizer(const std::vector<const OpenedRunLog*>& runs,
                            const std::vector<std::string>& objectives);

// Hypervolume of the trials' Pareto set after each trial, in order (failed
// and cut trials change nothing).
std::vector<double> hypervolumeByTrial(const std::vector<Trial>& trials,
                                       const std::vector<std::string>& objectives,
                                       const Normalizer& n);

}  // namespace pp
