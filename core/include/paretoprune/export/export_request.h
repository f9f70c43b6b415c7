// ExportRequest: everything a user chooses for an export (the model, the
// sub-network or the trial of a run it comes from, format, output folder),
// and runExport, which checks a trial's run against the model, writes the
// export with one provenance record and returns one summary of the result.
// The CLI's `export` and the window's export dialog both export through it,
// so an export records the same provenance whichever front end made it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "paretoprune/export/export.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/trial.h"

namespace pp {

class Model;

// The trial of a run that a sub-network was taken from.
struct ExportedTrial {
  Trial trial;
  RunHeader run;      // its run: the model checksum checked, the data files recorded
  std::string where;  // the run log's path or `study "NAME"`; empty: a run not saved
};

struct ExportRequest {
  std::string modelDir;                  // the source model
  SubNetwork subnet;                     // what is exported
  std::optional<ExportedTrial> fromRun;  // set by takeTrial
  std::string outDir;                    // built beside it, renamed into place at the end
  ExportFormat format = ExportFormat::HuggingFace;
  bool force = false;      // replace an existing outDir
  bool padUnits = false;   // hf: zero-pad per-layer unit counts to the widest (ExportOptions)
  std::string verifyData;  // check on this file's first 16 texts; empty: built-in sentences
  // A recovered point (train/recover.h): modelDir is its recovered weights,
  // and this (source trial, method, settings) goes into the provenance as
  // "recovered"; null otherwise.
  nlohmann::json recovered;

  // Exports `t` of the run `run` (found at `where`): its sub-network, and
  // the run's model checked and its data recorded.
  void takeTrial(const RunHeader& run, const Trial& t, const std::string& where);

  // The record written into paretoprune.json beside the export's own fields:
  //   run_log      where the run is (a trial of a saved run)
  //   trial        the trial's record as in the run log (metrics, sub-network)
  //   data         the run's data file: the training data, and the file a
  //                validation split was held out of when there is no
  //                validation file
  //   validation   the run's validation file, when it had one; otherwise
  //   val_split    the share of `data` held out for validation, and
  //   split_seed   the seed of that split
  //   verify_data  the file whose first texts checked the export
  //   recovered    a recovered point's source trial, method and settings
  // Each only when known: a sub-network given directly has no run.
  nlohmann::json provenance() const;
};

// What an export wrote and how it was checked: the facts every front end
// reports (the CLI's lines and --json, the dialog's message).
struct ExportSummary {
  ExportResult result;
  ExportFormat format = ExportFormat::HuggingFace;
  std::string subnet;            // SubNetwork::summary() of what was exported
  int64_t sourceParameters = 0;  // of the whole source model

  double parameterShare() const;  // result.parameters / sourceParameters
  double mebibytes() const;       // result.bytes in MiB
  // The export's logits were compared with the sub-network's in-process.
  bool logitsCompared() const { return result.verifyExamples > 0; }
  // ONNX: the file passed ONNX's checker and shape inference and was run
  // back by ParetoPrune's own ONNX runner.
  bool onnxChecked() const;
  // dir, files, parameters, bytes, max_logit_diff and label_agreement (null
  // when the logits were not compared), verify_examples, loads_in, note.
  nlohmann::json toJson() const;
};

// Checks a trial's run against `m` (the request's model: same checksum),
// reads the verify texts, exports with r.provenance() and sums the result
// up. Throws pp::Error (nothing written) naming the problem.
ExportSummary runExport(const ExportRequest& r, const Model& m);

}  // namespace pp
