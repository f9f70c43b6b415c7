// export.
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "format.h"
#include "paretoprune/base/error.h"
#include "paretoprune/export/export.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/trial.h"

namespace ppcli {

using nlohmann::json;

namespace {
struct ExportArgs {
  std::string model, subnet, log, out, format = "hf", data, storage, study;
  int64_t trial = -1;
  double within = -1;
  bool force = false, padUnits = false;
};
}  // namespace

void addExportCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd =
      app.add_subcommand("export", "Write a sub-network as a smaller model (sliced weights)");
  cmd->add_option("MODEL", a->model, "Source model directory")->required();
  auto* subnet = cmd->add_option("--subnet", a->subnet, "Sub-network as JSON text or file");
  auto* log =
      cmd->add_option("--log", a->log, "Run log to take the sub-network from (with --trial)")
          ->check(CLI::ExistingFile);
  auto* storage = cmd->add_option("--storage", a->storage,
                                  "Take the sub-network from a study in PostgreSQL instead "
                                  "of --log (with --study and --trial or --within)");
  cmd->add_option("--study", a->study, "The study's name in --storage")->needs(storage);
  storage->excludes(log);
  auto* trial = cmd->add_option("--trial", a->trial, "Trial id in --log or the study");
  cmd->add_option("--within", a->within,
                  "Instead of --trial: the smallest trial of --log whose accuracy is at most this "
                  "many points "
                  "below the full model's")
      ->excludes(trial);
  subnet->excludes(log);
  cmd->add_option("--out", a->out, "Output directory (written beside, renamed at the end)")
      ->required();
  cmd->add_option("--format", a->format,
                  "hf: Hugging Face, loads in transformers 4.x (pruned_heads; 5.x ignores them); "
                  "hf-any: Hugging Face, loads in transformers 4.x and 5.x (removed heads "
                  "zeroed, not sliced); torchscript / int8: LibTorch, PyTorch; onnx / onnx-int8: "
                  "ONNX Runtime, transformers.js, Optimum (exact per-layer sizes)")
      ->capture_default_str();
  cmd->add_flag("--force", a->force, "Replace --out if it exists");
  cmd->add_flag(
      "--pad-units", a->padUnits,
      "hf format: zero-pad per-layer feed-forward widths to the widest (outputs unchanged)");
  cmd->add_option("--data", a->data,
                  "Check the export on the first 16 texts of this file (default: built-in)")
      ->check(CLI::ExistingFile);
  cmd->callback([a, &g] {
    applyThreads(g, 1);
    pp::ExportOptions o;
    o.format = pp::parseExportFormat(a->format);
    o.force = a->force;
    o.padUnits = a->padUnits;
    auto model = pp::Model::load(a->model);
    const auto& c = model->config();
    pp::SubNetwork s;
    if (!a->log.empty() || !a->storage.empty()) {
      if (a->trial < 0 && a->within < 0)
        throw pp::Error(
            "--log and --storage need --trial ID or --within POINTS (see: paretoprune-cli front)");
      if (!a->storage.empty() && a->study.empty()) throw pp::Error("--storage needs --study NAME");
      const pp::OpenedRunLog run = a->storage.empty()
                                       ? pp::openRunLog(a->log, a->model)
                                       : pp::openStudy(a->storage, a->study, a->model);
      const std::string source = a->storage.empty() ? a->log : "study \"" + a->study + "\"";
      pp::checkRunModel(run.log.header, model->checksum(), a->model, source);
      const pp::Trial& t = pp::selectTrial(run, a->trial, a->within, source);
      if (a->within >= 0)
        std::cerr << "picked trial " << t.id << ": " << t.subnet.summary() << ", accuracy "
                  << fixed(100.0 * t.accuracy, 2) << "%\n";
      s = t.subnet;
      o.provenance = {
          {"run_log", source}, {"trial", t.toJson()}, {"data", run.log.header.data.data}};
    } else if (!a->subnet.empty()) {
      s = pp::SubNetwork::parse(a->subnet, c);
    } else {
      throw pp::Error("give the sub-network: --subnet JSON, or --log RUN.jsonl --trial ID");
    }
    if (!a->data.empty()) {
      pp::Dataset d = pp::loadDataset(a->data, c);
      for (size_t i = 0; i < d.examples.size() && i < 16; ++i)
        o.verifyTexts.push_back(d.examples[i].text);
      o.provenance["verify_data"] = a->data;
    }
    pp::ExportResult r = pp::exportSubnetwork(*model, s, a->out, o);
    if (g.json) {
      std::cout << json({{"dir", r.dir},
                         {"files", r.files},
                         {"parameters", r.parameters},
                         {"bytes", r.bytes},
                         // null: not run in-process (ONNX: checker and shape inference only)
                         {"max_logit_diff", r.verifyExamples > 0 ? json(r.maxLogitDiff) : json()},
                         {"label_agreement", r.verifyExamples > 0 ? json(r.agreement) : json()},
                         {"verify_examples", r.verifyExamples},
                         {"loads_in", pp::exportFormatLoadsIn(o.format)},
                         {"note", r.note}})
                       .dump(2)
                << "\n";
      return;
    }
    std::cout << "exported " << s.summary() << " as " << a->format << " to " << r.dir << "\n"
              << "  parameters " << thousands(r.parameters) << " ("
              << fixed(100.0 * static_cast<double>(r.parameters) /
                           static_cast<double>(std::max<int64_t>(1, pp::parameterCount(c))),
                       1)
              << "% of the source), " << fixed(static_cast<double>(r.bytes) / 1048576.0, 2)
              << " MiB on disk\n";
    if (r.verifyExamples > 0)
      std::cout << "  checked on " << r.verifyExamples << " texts: max logit difference "
                << r.maxLogitDiff << ", labels agree " << fixed(100.0 * r.agreement, 0) << "%\n";
    else
      std::cout << "  checked with ONNX's checker and shape inference (logits: run it in ONNX "
                   "Runtime, see docs/export.md)\n";
    if (o.format == pp::ExportFormat::Onnx || o.format == pp::ExportFormat::OnnxInt8)
      std::cout << "  (the ONNX file passed ONNX's checker and shape inference and was run back "
                   "by ParetoPrune's own ONNX runner)\n";
    std::cout << "  loads in " << pp::exportFormatLoadsIn(o.format) << "\n";
    if (!r.note.empty()) std::cout << "  note: " << r.note << "\n";
  });
}

}  // namespace ppcli
