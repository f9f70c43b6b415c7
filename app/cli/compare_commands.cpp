// front --compare: several runs of one model on a shared scale. Prints each
// run's hypervolume against one normalisation and reference point, and the
// Pareto set of all the runs' trials together (which run found each), as a
// table, CSV or JSON; --out writes that set as CSV.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "format.h"
#include "paretoprune/base/error.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/runs/run_compare.h"

namespace ppcli {

using nlohmann::json;

namespace {

void writeCombinedCsv(std::ostream& out, const pp::RunComparison& cmp) {
  out << "run,log,trial,layers,subnet,error,accuracy,mcc,f1,params,flops,latency_ms,latency_p95_ms,"
         "eval_seconds\n";
  for (const auto& m : cmp.combinedFront) {
    const pp::ComparedRun& r = cmp.runs[m.run];
    const pp::Trial& t = r.run.log.trials[m.trial];
    out << csvQuote(r.label) << "," << csvQuote(r.logPath) << "," << t.id << ","
        << t.subnet.keptLayers() << "," << csvQuote(t.subnet.toJson().dump()) << "," << t.errorRate
        << "," << t.accuracy << "," << t.mcc << "," << t.f1 << "," << t.params << "," << t.flops
        << "," << t.latencyMs << "," << t.latencyP95Ms << "," << t.evalSeconds << "\n";
  }
}

std::string boundText(const std::string& objective, double v) {
  if (objective == "params" || objective == "flops") return si(v);
  if (objective == "latency") return fixed(v, 2) + " ms";
  return fixed(v, 2);
}

json comparisonJson(const pp::RunComparison& cmp) {
  json runs = json::array(), combined = json::array();
  for (const auto& r : cmp.runs) {
    int64_t inCombined = 0;
    for (const auto& m : cmp.combinedFront) inCombined += &cmp.runs[m.run] == &r;
    runs.push_back({{"run", r.label},
                    {"log", r.logPath},
                    {"strategy", r.run.log.header.strategy},
                    {"trials", r.run.log.trials.size()},
                    {"front", r.front.size()},
                    {"in_combined_front", inCombined},
                    {"hypervolume", r.hypervolume}});
  }
  for (const auto& m : cmp.combinedFront)
    combined.push_back({{"run", cmp.runs[m.run].label},
                        {"trial", cmp.runs[m.run].run.log.trials[m.trial].toJson()}});
  return {{"objectives", cmp.objectives},
          {"normalization",
           {{"lo", cmp.normalizer.lo}, {"hi", cmp.normalizer.hi}, {"reference_point", 1.1}}},
          {"runs", runs},
          {"combined_front", combined},
          {"warnings", cmp.warnings}};
}

void printComparison(const pp::RunComparison& cmp) {
  const pp::ComparedRun& first = cmp.runs.front();
  std::string scale;
  for (size_t i = 0; i < cmp.objectives.size(); ++i)
    scale += (i ? ", " : "") + cmp.objectives[i] + " " +
             boundText(cmp.objectives[i], cmp.normalizer.lo[i]) + " to " +
             boundText(cmp.objectives[i], cmp.normalizer.hi[i]);
  std::cout << cmp.runs.size() << " runs of " << first.run.modelDir << " (checksum "
            << first.run.log.header.modelChecksum << ")\n"
            << "Hypervolume on one scale for all runs (" << scale << "; reference point 1.1):\n";
  std::printf("%-20s %-9s %7s %6s %12s %9s  %s\n", "run", "strategy", "trials", "front",
              "hypervolume", "combined", "log");
  for (size_t i = 0; i < cmp.runs.size(); ++i) {
    const auto& r = cmp.runs[i];
    int64_t inCombined = 0;
    for (const auto& m : cmp.combinedFront) inCombined += m.run == i;
    std::printf("%-20s %-9s %7zu %6zu %12.4f %9lld  %s\n", r.label.c_str(),
                r.run.log.header.strategy.c_str(), r.run.log.trials.size(), r.front.size(),
                r.hypervolume, static_cast<long long>(inCombined), r.logPath.c_str());
  }
  const int64_t fullParams = pp::parameterCount(first.run.config);
  std::cout << "\nPareto set of all runs together (" << cmp.combinedFront.size()
            << " sub-networks, " << cmp.objectives[0] << " vs "
            << (cmp.objectives.size() > 1 ? cmp.objectives[1] : cmp.objectives[0]) << "):\n";
  std::printf("%-20s %6s  %-34s %8s %14s %8s %11s %12s\n", "run", "trial", "sub-network", "error",
              "parameters", "share", "FLOPs/seq", "latency");
  for (const auto& m : cmp.combinedFront) {
    const auto& r = cmp.runs[m.run];
    const pp::Trial& t = r.run.log.trials[m.trial];
    std::printf("%-20s %6lld  %-34s %8.4f %14s %7.1f%% %11s %12s\n", r.label.c_str(),
                static_cast<long long>(t.id), t.subnet.summary().c_str(), t.errorRate,
                thousands(t.params).c_str(),
                100.0 * static_cast<double>(t.params) /
                    static_cast<double>(std::max<int64_t>(fullParams, 1)),
                si(static_cast<double>(t.flops)).c_str(), latencyText(t.latencyMs).c_str());
  }
}

// The combined set as CSV in `path`: a new file (O_EXCL|O_NOFOLLOW), or with
// --force one that replaces what is there.
void writeCsvFile(const std::string& path, bool force, const pp::RunComparison& cmp) {
  std::ostringstream csv;
  writeCombinedCsv(csv, cmp);
  const std::string text = csv.str();
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL | O_NOFOLLOW);
  const int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0 && errno == EEXIST)
    throw pp::Error(path + " exists; choose another --out, or replace it with --force");
  if (fd < 0) throw pp::Error(path + ": cannot be written (" + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || done != text.size())
    throw pp::Error(path + ": writing failed (" + std::strerror(errno) + ")");
}

}  // namespace

void runFrontCompare(const std::vector<pp::RunSource>& logs, const FrontCompareOptions& o,
                     const GlobalOptions& g) {
  if (logs.size() < 2)
    throw pp::Error("--compare needs two runs or more (got " + std::to_string(logs.size()) +
                    "); to see one run: paretoprune-cli front LOG");
  struct stat st {};
  if (!o.out.empty() && !o.force && ::lstat(o.out.c_str(), &st) == 0)  // early: before the work
    throw pp::Error(o.out + " exists; choose another --out, or replace it with --force");
  pp::CompareOptions co;
  co.modelDir = o.modelDir;
  if (!o.objectives.empty()) co.objectives = pp::parseObjectives(o.objectives);
  const pp::RunComparison cmp = pp::compareRuns(logs, co);
  for (const auto& w : cmp.warnings) std::cerr << "warning: " << w << "\n";
  if (!o.out.empty()) writeCsvFile(o.out, o.force, cmp);
  if (g.json) {
    std::cout << comparisonJson(cmp).dump(2) << "\n";
  } else if (o.csv) {
    writeCombinedCsv(std::cout, cmp);
  } else {
    printComparison(cmp);
  }
  if (!o.out.empty())
    std::cerr << "wrote the Pareto set of all runs (" << cmp.combinedFront.size() << " rows) to "
              << o.out << "\n";
}

}  // namespace ppcli
