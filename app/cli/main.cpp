// paretoprune-cli: the engine from the command line.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "version.h"

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
    std::cerr << "paretoprune-cli: error: " << e.what() << " (see --help)\n";
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
