// Data-file options shared by the subcommands that read labelled data.
#pragma once
#include <string>

#include "paretoprune/formats/dataset.h"
#include "paretoprune/search/run_header.h"

namespace CLI {
class App;
}
namespace pp {
struct ModelConfig;
}

namespace ppcli {

struct DataOptions {
  std::string data;
  std::string validation;
  double valSplit = 0.0;  // > 0: split the data file, evaluate on this share
  uint64_t splitSeed = 0;
  pp::DataColumns columns;
  int64_t maxLength = 128;
  int64_t batchSize = 32;
  int64_t limit = 0;
  // Whether --limit also caps the training examples (train, reorder,
  // baseline: a quick try on fewer examples), not only the evaluated ones.
  bool limitTraining = false;

  // `batchHelp`: what --batch-size sizes for this command.
  void add(CLI::App& cmd, double defaultSplit,
           const char* batchHelp = "Examples per evaluation batch");
  // As add(), and --limit caps the training examples too.
  void addWithTraining(CLI::App& cmd, double defaultSplit,
                       const char* batchHelp = "Examples per evaluation batch");
  // The split these options describe, as a run header records it.
  pp::DataSplit split() const;
  // The evaluation set these options describe.
  pp::Dataset validationSet(const pp::ModelConfig& c) const;
  // The rest of --data: all of it when --validation is given, else the
  // part --val-split leaves (same seed, so the two never overlap).
  pp::Dataset trainingSet(const pp::ModelConfig& c) const;
};

}  // namespace ppcli
