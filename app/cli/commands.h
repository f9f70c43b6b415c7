// The subcommands of paretoprune-cli; each registers itself on the CLI11 app
// and runs from its callback. main() only wires them up.
#pragma once
#include <string>
#include <vector>
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/recovered_trial.h"

namespace pp {
struct RunSource;
struct OpenedRunLog;
struct Constraint;
}  // namespace pp

namespace CLI {
class App;
}

namespace ppcli {

struct GlobalOptions {
  int threads = 0;   // 0: chosen for the machine
  std::string gemm;  // --gemm: a GEMM backend by name; "" or auto: measured
  bool json = false;
};

void addMakeTinyCommand(CLI::App& app, GlobalOptions& g);
void addInfoCommand(CLI::App& app, GlobalOptions& g);
void addTokenizeCommand(CLI::App& app, GlobalOptions& g);
void addEvalCommand(CLI::App& app, GlobalOptions& g);
void addPredictCommand(CLI::App& app, GlobalOptions& g);
void addScoreTagsCommand(CLI::App& app, GlobalOptions& g);
void addSearchCommand(CLI::App& app, GlobalOptions& g);
void addFrontCommand(CLI::App& app, GlobalOptions& g);
void addTrainCommand(CLI::App& app, GlobalOptions& g);
void addReorderCommand(CLI::App& app, GlobalOptions& g);
void addBaselineCommand(CLI::App& app, GlobalOptions& g);
void addExportCommand(CLI::App& app, GlobalOptions& g);
void addWorkerCommand(CLI::App& app, GlobalOptions& g);
void addStudyCommand(CLI::App& app, GlobalOptions& g);
void addReportCommand(CLI::App& app, GlobalOptions& g);

// Deciding (decide_commands.cpp): the constraints given, else the run's
// own (checked against its full model); the recommended picks, printed.
struct FrontDecideOptions {
  std::vector<std::string> constraints;  // --constraint
  bool recommend = false;                // --recommend
  double within = 1.0;                   // --within: the picks' accuracy budget, points
  bool recovered = false;                // --recovered: pick again over recovered trials too
};
void addFrontDecideOptions(CLI::App& cmd, FrontDecideOptions& d);
std::string constraintList(const std::vector<pp::Constraint>& cs);  // "a<=1, b>=2"
std::vector<pp::Constraint> runConstraints(const pp::OpenedRunLog& run,
                                           const std::vector<std::string>& given);
// `trials`: the run's (nullptr) or those picked again over its recovered
// ones too; `kinds`, when given, names each ("search", "distill of 12") and
// `recovered` holds the recovered ones' records (trials from `firstRecovered` on).
struct PickSet {
  const std::vector<pp::Trial>* trials = nullptr;
  std::vector<std::string> kinds;
  const std::vector<pp::RecoveredTrial>* recovered = nullptr;
  size_t firstRecovered = 0;
};
void printPicks(const pp::OpenedRunLog& run, const std::vector<std::string>& objectives,
                const std::vector<pp::Constraint>& cs, double budget, const GlobalOptions& g,
                const PickSet& set = {});
void addRecoverCommand(CLI::App& app, GlobalOptions& g);

// front --recovered: the Pareto set over a run's trials and its recovered
// ones (the feasible ones under `cs`), in `format` (table, csv or json;
// recover_commands.cpp); with `d.recommend`, the picks over them too.
void printRecoveredFront(const pp::OpenedRunLog& run, const std::vector<std::string>& objectives,
                         const std::vector<pp::Constraint>& cs, const FrontDecideOptions& d,
                         const GlobalOptions& g, const std::string& format);

// front --compare LOG LOG...: the runs' hypervolumes on one scale and the
// Pareto set of all their trials (compare_commands.cpp).
struct FrontCompareOptions {
  std::string modelDir;    // empty: the logs' own model
  std::string objectives;  // empty: the first run's
  std::string out;         // non-empty: the combined Pareto set as CSV here
  bool csv = false;        // that set as CSV on stdout instead of the tables
  bool force = false;      // replace an existing `out`
};
void runFrontCompare(const std::vector<pp::RunSource>& logs, const FrontCompareOptions& o,
                     const GlobalOptions& g);

// Applies the thread policy (pp::useComputeThreads): each worker's share
// of the cores (--threads: the whole budget), as an evaluation team or, for
// training, as OpenBLAS threads.
void applyThreads(const GlobalOptions& g, int workers = 1,
                  pp::ComputeUse use = pp::ComputeUse::Evaluation);

}  // namespace ppcli
