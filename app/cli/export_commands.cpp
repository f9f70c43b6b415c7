// export.
#include <filesystem>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "format.h"
#include "paretoprune/base/error.h"
#include "paretoprune/export/export.h"
#include "paretoprune/export/export_request.h"
#include "paretoprune/model/model.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/trial.h"

namespace ppcli {

namespace {
struct ExportArgs {
  std::string model, subnet, log, out, format = "hf", data, storage, study, recovered;
  int64_t trial = -1;
  double within = -1;
  bool force = false, padUnits = false, skipBad = false;
};

// Where the sub-network comes from: --subnet, or a trial of --log or a study.
void addSourceOptions(CLI::App& cmd, ExportArgs& a) {
  auto* subnet = cmd.add_option("--subnet", a.subnet, "Sub-network as JSON text or file");
  auto* log = cmd.add_option("--log", a.log, "Run log to take the sub-network from (with --trial)")
                  ->check(CLI::ExistingFile);
  auto* storage = cmd.add_option("--storage", a.storage,
                                 "Take the sub-network from a study in PostgreSQL instead "
                                 "of --log (with --study and --trial or --within)");
  cmd.add_option("--study", a.study, "The study's name in --storage")->needs(storage);
  storage->excludes(log);
  auto* trial = cmd.add_option("--trial", a.trial, "Trial id in --log or the study");
  cmd.add_option("--recovered", a.recovered,
                 "Export the recovered version of --trial (distill or finetune; see "
                 "paretoprune-cli recover): its own weights")
      ->needs(trial)
      ->needs(log)
      ->check(CLI::IsMember({"distill", "finetune"}));
  cmd.add_option("--within", a.within,
                 "Instead of --trial: the smallest trial of --log whose accuracy (a tagger's: "
                 "entity F1) is at most this many points below the full model's")
      ->excludes(trial);
  subnet->excludes(log);
  cmd.add_flag("--skip-bad-lines", a.skipBad,
               "Read a damaged --log anyway, leaving out (and naming) the lines that cannot be "
               "read")
      ->needs(log);
}

// What is written: the folder, the format and how it is checked.
void addOutputOptions(CLI::App& cmd, ExportArgs& a) {
  cmd.add_option("--out", a.out, "Output directory (written beside, renamed at the end)")
      ->required();
  cmd.add_option("--format", a.format,
                 "hf: Hugging Face, loads in transformers 4.x (pruned_heads; 5.x ignores them); "
                 "hf-any: Hugging Face, loads in transformers 4.x and 5.x (removed heads "
                 "zeroed, not sliced); torchscript / int8: LibTorch, PyTorch; onnx / onnx-int8: "
                 "ONNX Runtime, transformers.js, Optimum (exact per-layer sizes)")
      ->capture_default_str();
  cmd.add_flag("--force", a.force, "Replace --out if it exists");
  cmd.add_flag(
      "--pad-units", a.padUnits,
      "hf format: zero-pad per-layer feed-forward widths to the widest (outputs unchanged)");
  cmd.add_option("--data", a.data,
                 "Check the export on the first 16 texts of this file (default: built-in)")
      ->check(CLI::ExistingFile);
}

// The recovered version (the latest of --recovered's method) of trial `t`:
// the recovered weights' directory becomes the request's model, and the
// provenance says where it came from and how it was recovered.
void takeRecovered(const pp::OpenedRunLog& run, const pp::Trial& t, const ExportArgs& a,
                   pp::ExportRequest& req) {
  const pp::RecoveredTrial* rec = nullptr;
  for (const auto& r : run.log.recovered)
    if (r.source == t.id && r.method == a.recovered) rec = &r;
  if (!rec)
    throw pp::Error(a.log + " has no " + a.recovered + " recovery of trial " +
                    std::to_string(t.id) + " (run: paretoprune-cli recover " + a.log +
                    " --trials " + std::to_string(t.id) + " --out DIR)");
  req.modelDir = rec->weights;
  req.subnet = rec->trial.subnet;
  req.recovered = {{"run_log", a.log},
                   {"source_trial", t.toJson()},
                   {"trial", rec->trial.toJson()},
                   {"method", rec->method},
                   {"weights", rec->weights},
                   {"weights_checksum", rec->weightsChecksum},
                   {"details", rec->details}};
}

// The trial of --log or the study that --trial or --within names, checked
// to be of `model`.
void takeRunTrial(const ExportArgs& a, const pp::Model& model, pp::ExportRequest& req) {
  if (a.trial < 0 && a.within < 0)
    throw pp::Error(
        "--log and --storage need --trial ID or --within POINTS (see: paretoprune-cli front)");
  if (!a.storage.empty() && a.study.empty()) throw pp::Error("--storage needs --study NAME");
  const pp::OpenedRunLog run = [&] {
    try {
      return a.storage.empty()
                 ? pp::openRunLog(a.log, a.model,
                                  a.skipBad ? pp::BadLines::Skip : pp::BadLines::Refuse)
                 : pp::openStudy(a.storage, a.study, a.model);
    } catch (const pp::DamagedLogLine& e) {
      throw pp::Error(std::string(e.what()) + " (--skip-bad-lines takes the other trials)");
    }
  }();
  for (const auto& w : run.log.warnings) std::cerr << "paretoprune-cli: warning: " << w << "\n";
  const std::string source = a.storage.empty() ? a.log : "study \"" + a.study + "\"";
  // Before picking: a trial id of another model's run means nothing.
  pp::checkRunModel(run.log.header, model.checksum(), a.model, source);
  const pp::Trial& t = pp::selectTrial(run, a.trial, a.within, source);
  if (!a.recovered.empty()) {
    takeRecovered(run, t, a, req);
    return;
  }
  if (a.within >= 0)
    std::cerr << "picked trial " << t.id << ": " << t.subnet.summary() << ", "
              << pp::pointsName(run.log.header.metric) << " " << fixed(100.0 * (1 - t.errorRate), 2)
              << "%\n";
  req.takeTrial(run.log.header, t, source);
}

// `format`: --format as given (an alias such as "huggingface" is echoed).
void printExportSummary(const pp::ExportSummary& s, const std::string& format) {
  const pp::ExportResult& r = s.result;
  std::cout << "exported " << s.subnet << " as " << format << " to " << r.dir << "\n"
            << "  parameters " << thousands(r.parameters) << " ("
            << fixed(100.0 * s.parameterShare(), 1) << "% of the source), "
            << fixed(s.mebibytes(), 2) << " MiB on disk\n";
  if (s.logitsCompared())
    std::cout << "  checked on " << r.verifyExamples << " texts: max logit difference "
              << r.maxLogitDiff << ", labels agree " << fixed(100.0 * r.agreement, 0) << "%\n";
  else
    std::cout << "  checked with ONNX's checker and shape inference (logits: run it in ONNX "
                 "Runtime, see docs/export.md)\n";
  if (s.onnxChecked())
    std::cout << "  (the ONNX file passed ONNX's checker and shape inference and was run back "
                 "by ParetoPrune's own ONNX runner)\n";
  std::cout << "  loads in " << pp::exportFormatLoadsIn(s.format) << "\n";
  if (!r.note.empty()) std::cout << "  note: " << r.note << "\n";
}

void runExportCommand(const ExportArgs& a, const GlobalOptions& g) {
  applyThreads(g, 1);
  std::error_code ec;
  if (std::filesystem::equivalent(a.out, a.model, ec))  // before anything else is checked
    throw pp::Error(a.out + ": is the model being exported (" + a.model +
                    "); an export never replaces its source (choose another --out)");
  pp::ExportRequest req;
  req.modelDir = a.model;
  req.outDir = a.out;
  req.format = pp::parseExportFormat(a.format);
  req.force = a.force;
  req.padUnits = a.padUnits;
  req.verifyData = a.data;
  auto model = pp::Model::load(a.model);
  if (!a.log.empty() || !a.storage.empty())
    takeRunTrial(a, *model, req);
  else if (!a.subnet.empty())
    req.subnet = pp::SubNetwork::parse(a.subnet, model->config());
  else
    throw pp::Error("give the sub-network: --subnet JSON, or --log RUN.jsonl --trial ID");
  if (req.modelDir != a.model) {  // a recovered point: its own weights
    model = pp::Model::load(req.modelDir);
    if (model->checksum() != req.recovered.value("weights_checksum", ""))
      throw pp::Error(req.modelDir + " changed since it was recovered (checksum " +
                      model->checksum() + ", the log records " +
                      req.recovered.value("weights_checksum", "") + ")");
  }
  const pp::ExportSummary s = pp::runExport(req, *model);
  if (g.json)
    std::cout << s.toJson().dump(2) << "\n";
  else
    printExportSummary(s, a.format);
}
}  // namespace

void addExportCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd =
      app.add_subcommand("export", "Write a sub-network as a smaller model (sliced weights)");
  cmd->add_option("MODEL", a->model, "Source model directory")->required();
  addSourceOptions(*cmd, *a);
  addOutputOptions(*cmd, *a);
  cmd->callback([a, &g] { runExportCommand(*a, g); });
}

}  // namespace ppcli
