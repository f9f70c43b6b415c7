// Deciding: `front --recommend` and `front --constraint` (the picks, and
// the feasible front), and `report` (the run as one HTML file).
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "format.h"
#include "paretoprune/base/error.h"
#include "paretoprune/model/model.h"
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
                const std::vector<pp::Constraint>& cs, double budget, const GlobalOptions& g,
                const PickSet& set) {
  pp::RecommendOptions ro;
  ro.accuracyBudget = budget;
  ro.metric = run.log.header.metric;
  const pp::Trial* ref = run.reference ? &*run.reference : nullptr;
  const std::string chance = pp::chanceLevelNote(ref, run.log.header.chanceError, ro.metric);
  const std::vector<pp::Trial>& trials = set.trials ? *set.trials : run.log.trials;
  const auto picks = pp::recommendPicks(trials, objectives, cs, ref, ro);
  auto kind = [&](size_t i) { return i < set.kinds.size() ? set.kinds[i] : std::string(); };
  if (g.json) {
    json out = json::array();
    for (const auto& p : picks) {
      json pick = {{"pick", pp::pickKindName(p.kind)},
                   {"reason", p.reason},
                   {"trial", trials[p.index].toJson()}};
      if (!set.kinds.empty()) {  // as front --recovered's rows say it
        const bool recovered = set.recovered && p.index >= set.firstRecovered;
        pick["kind"] = recovered ? "recovered" : "search";
        if (recovered) {
          const auto& r = (*set.recovered)[p.index - set.firstRecovered];
          pick["recovered"] = {{"source", r.source}, {"method", r.method}, {"weights", r.weights}};
        }
      }
      out.push_back(pick);
    }
    json doc = {{"picks", out}, {"constraints", pp::constraintTexts(cs)}};
    if (!chance.empty()) doc["warning"] = chance;
    std::cout << doc.dump(2) << "\n";
    return;
  }
  if (!chance.empty()) std::cout << "Warning: " << chance << ".\n";
  if (picks.empty()) {
    std::cout << (cs.empty() ? "No finished trial to recommend.\n"
                             : "No finished trial meets every constraint.\n");
    return;
  }
  std::cout << "Recommended" << (cs.empty() ? "" : " (feasible only)")
            << (set.trials ? ", picked again over the recovered trials" : "") << ":\n";
  for (const auto& p : picks) {
    const pp::Trial& t = trials[p.index];
    const std::string k = kind(p.index);
    std::cout << "  " << pp::pickKindName(p.kind) << ": trial " << t.id
              << (k.empty() || k == "search" ? "" : " recovered (" + k + ")") << " ("
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
    bool force = false, skipBad = false;
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
  cmd->add_flag("--skip-bad-lines", a->skipBad,
                "Report a damaged log anyway, leaving out (and naming) the lines that cannot be "
                "read");
  cmd->callback([a, &g] {
    const pp::OpenedRunLog run = [&] {
      try {
        return pp::openRunLog(a->log, a->modelDir,
                              a->skipBad ? pp::BadLines::Skip : pp::BadLines::Refuse);
      } catch (const pp::DamagedLogLine& e) {
        throw pp::Error(std::string(e.what()) + " (--skip-bad-lines reports the other trials)");
      }
    }();
    for (const auto& w : run.log.warnings) std::cerr << "paretoprune-cli: warning: " << w << "\n";
    if (!a->modelDir.empty())  // another model's log is said as such, never reported under it
      pp::checkRunModel(run.log.header, pp::Model::load(a->modelDir)->checksum(), a->modelDir,
                        a->log);
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
