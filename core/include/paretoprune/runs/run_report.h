// The run report: one self-contained HTML file (charts as SVG images in
// data URIs, no scripts, nothing fetched) that says what a run found and
// how to choose: the front chart with the constraints' budget lines and the
// picks, the hypervolume curve, the feasible front as a table with the
// recommended picks, the settings with the auto choices and their reasons,
// the machine and the times. Written by `paretoprune-cli report`, the
// headless demo and the window's File > Export report.
#pragma once
#include <string>
#include <vector>

#include "paretoprune/search/constraint.h"
#include "paretoprune/search/recommend.h"
#include "paretoprune/search/run_log.h"

namespace pp {

struct ReportOptions {
  std::vector<std::string> constraints;  // empty: the run's own (its header's)
  RecommendOptions recommend;
  std::string logPath;  // shown as the report's source
};

std::string runReportHtml(const OpenedRunLog& run, const ReportOptions& o);

// Writes the report to `out` (replaced only with `force`; an existing
// file is otherwise refused with its name). Throws pp::Error.
void writeRunReport(const OpenedRunLog& run, const ReportOptions& o, const std::string& out,
                    bool force);

// The hypervolume of the feasible Pareto set after each trial (failed and
// cut trials repeat the last value), each objective normalised to [0, 1]
// (error-like ones as they are, mcc's 1 - MCC halved; sizes and latency
// from the run's smallest value to the full model's, or the largest seen)
// with the reference point at 1.1.
std::vector<double> feasibleHypervolumeCurve(const OpenedRunLog& run,
                                             const std::vector<std::string>& objectives,
                                             const std::vector<Constraint>& cs);

}  // namespace pp
