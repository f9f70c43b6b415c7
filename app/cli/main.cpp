// paretoprune-cli: the engine from the command line.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "version.h"

namespace {
// CLI11 names the first rule it checks, which is often not the mistake: a
// mistyped command reads "A subcommand is required", a mistyped option
// "--data is required". Name what was mistyped instead.
std::string usageError(CLI::App& app, const CLI::ParseError& e) {
  // What no option or command took: the main app's (subcommands fall
  // through to it) and each parsed subcommand's.
  std::vector<std::string> rest = app.remaining();
  for (const CLI::App* sc : app.get_subcommands())
    for (const std::string& r : sc->remaining()) rest.push_back(r);
  const std::string cmd =
      app.get_subcommands().empty() ? std::string() : app.get_subcommands().front()->get_name();
  for (const std::string& r : rest)
    if (r.size() > 1 && r[0] == '-')
      return "unknown option " + r + (cmd.empty() ? "" : " for " + cmd) + " (" + e.what() + ")";
  if (cmd.empty())
    for (const std::string& r : rest) {
      std::string names;
      for (const CLI::App* sc : app.get_subcommands([](CLI::App*) { return true; }))
        names += (names.empty() ? "" : ", ") + sc->get_name();
      return "unknown command \"" + r + "\" (commands: " + names + ")";
    }
  return e.what();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ParetoPrune: structural pruning of encoder classifiers (BERT, DistilBERT, RoBERTa, ELECTRA) "
      "guided by a Pareto front",
      "paretoprune-cli"};
  app.require_subcommand(1);
  const std::string blas = pp::blasCoreName();
  app.set_version_flag("--version", std::string("paretoprune-cli ") + PARETOPRUNE_VERSION +
                                        " (LibTorch " + pp::torchVersion() +
                                        (blas.empty() ? "" : ", OpenBLAS kernels: " + blas) + ")");
  ppcli::GlobalOptions g;
  app.add_option("--threads", g.threads, "Compute threads (default: chosen for the machine)");
  app.add_flag("--json", g.json, "Machine-readable JSON output");
  app.add_option("--gemm", g.gemm,
                 "Matrix-product backend: auto (measured on the model, cached), packed, blas or "
                 "onednn (default: PARETOPRUNE_GEMM, else auto)");
  app.fallthrough();  // --json and --threads also work after the subcommand
  ppcli::addMakeTinyCommand(app, g);
  ppcli::addInfoCommand(app, g);
  ppcli::addTokenizeCommand(app, g);
  ppcli::addEvalCommand(app, g);
  ppcli::addPredictCommand(app, g);
  ppcli::addScoreTagsCommand(app, g);
  ppcli::addSearchCommand(app, g);
  ppcli::addFrontCommand(app, g);
  ppcli::addTrainCommand(app, g);
  ppcli::addReorderCommand(app, g);
  ppcli::addBaselineCommand(app, g);
  ppcli::addExportCommand(app, g);
  ppcli::addWorkerCommand(app, g);
  ppcli::addStudyCommand(app, g);
  ppcli::addReportCommand(app, g);
  ppcli::addRecoverCommand(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and succeed; a usage error (a missing file,
    // an unknown option) is one line and exit code 1 like every other error.
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "paretoprune-cli: error: " << usageError(app, e) << " (see --help)\n";
    return 1;
  } catch (const pp::Error& e) {
    std::cerr << "paretoprune-cli: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "paretoprune-cli: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
