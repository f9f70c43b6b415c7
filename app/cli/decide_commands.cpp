// Deciding: `front --recommend` and `front --constraint` (the picks, and
// the feasible front), and `report` (the run as one HTML file).
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "format.h"
#include "paretoprune/base/error.h"
#include "paretoprune/runs/run_report.h"
#include "paretoprune/search/recommend.h"

namespace ppcli {

using nlohmann::json;

std::vector<pp::Constraint> runConstraints(const pp::OpenedRunLog& run,
                                           const std::vector<std::string>& given) {
  const auto cs = pp::parseConstraints(given.empty() ? run.log.header.constraints : given);
  pp::checkConstraintsUsable(cs, run.reference ? &*run.reference : nullptr);
  return cs;
}

void addFrontDecideOptions(CLI::App& cmd, FrontDecideOptions& d) {
  cmd.add_option("--constraint", d.constraints,
                 "Show the feasible trials' front under this limit, e.g. latency_ms<=5 (repeat "
                 "the option; default: the run's own constraints)")
      ->allow_extra_args(false);
  cmd.add_flag("--recommend", d.recommend,
               "Also name the knee of the front and the smallest and fastest trials within "
               "--within points (feasible ones only)");
  cmd.add_option("--within", d.within,
                 "Budget of --recommend, in points of accuracy (a tagger's: of entity F1)")
      ->capture_default_str();
  cmd.add_flag("--recovered", d.recovered, "Pick again, over the recovered trials too (recover)");
}

void printPicks(const pp::OpenedRunLog& run, const std::vector<std::string>& objectives,
                const std::vector<pp::Constraint>& cs, double budget, const GlobalOptions& g) {
  pp::RecommendOptions ro;
  ro.accuracyBudget = budget;
  ro.metric = run.log.header.metric;
  const pp::Trial* ref = run.reference ? &*run.reference : nullptr;
  const auto picks = pp::recommendPicks(run.log.trials, objectives, cs, ref, ro);
  if (g.json) {
    json out = json::array();
    for (const auto& p : picks)
      out.push_back({{"pick", pp::pickKindName(p.kind)},
                     {"reason", p.reason},
                     {"trial", run.log.trials[p.index].toJson()}});
    std::cout << json{{"picks", out}, {"constraints", pp::constraintTexts(cs)}}.dump(2) << "\n";
    return;
  }
  if (picks.empty()) {
    std::cout << (cs.empty() ? "No finished trial to recommend.\n"
                             : "No finished trial meets every constraint.\n");
    return;
  }
  std::cout << "Recommended" << (cs.empty() ? "" : " (feasible only)") << ":\n";
  for (const auto& p : picks) {
    const pp::Trial& t = run.log.trials[p.index];
    std::cout << "  " << pp::pickKindName(p.kind) << ": trial " << t.id << " ("
              << t.subnet.summary() << ", " << pp::pointsName(run.log.header.metric) << " "
              << fixed(100 * (1 - t.errorRate), 2) << "%, " << thousands(t.params) << " parameters"
              << (t.latencyMs > 0 ? ", " + fixed(t.latencyMs, 2) + " ms" : "") << "): " << p.reason
              << "\n";
  }
}

void addReportCommand(CLI::App& app, GlobalOptions& g) {
  struct Args {
    std::string log, out, modelDir;
    std::vector<std::string> constraints;
    double budget = 1.0;
    bool force = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "report", "Write a run as one self-contained HTML file: front chart, hypervolume, picks");
  cmd->add_option("LOG", a->log, "Run log (.jsonl)")->required();
  cmd->add_option("--out", a->out, "The HTML file to write")->required();
  cmd->add_option("--model", a->modelDir, "Model directory (default: the one the log names)");
  cmd->add_option("--constraint", a->constraints,
                  "A limit such as latency_ms<=5 (repeat the option; default: the run's own)")
      ->allow_extra_args(false);
  cmd->add_option(
         "--within", a->budget,
         "Points of accuracy (a tagger's: of entity F1) the smallest and fastest picks may "
         "lose against the full model")
      ->capture_default_str();
  cmd->add_flag("--force", a->force, "Replace an existing --out");
  cmd->callback([a, &g] {
    const pp::OpenedRunLog run = pp::openRunLog(a->log, a->modelDir);
    pp::ReportOptions o;
    o.constraints = a->constraints;
    o.recommend.accuracyBudget = a->budget;
    o.logPath = a->log;
    pp::writeRunReport(run, o, a->out, a->force);
    if (g.json)
      std::cout << json{{"report", a->out}}.dump() << "\n";
    else
      std::cout << "Wrote " << a->out << "\n";
  });
}

}  // namespace ppcli
