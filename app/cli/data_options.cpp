#include "data_options.h"

#include <CLI/CLI.hpp>

#include "paretoprune/formats/config.h"

namespace ppcli {

void DataOptions::add(CLI::App& cmd, double defaultSplit, const char* batchHelp) {
  valSplit = defaultSplit;
  cmd.add_option("--data", data,
                 "Labelled data (.tsv, .csv or .jsonl; for a tagger, CoNLL or .jsonl with "
                 "tokens and tags)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--validation", validation,
                 "Separate validation file (else --val-split of --data)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--val-split", valSplit,
                 "Share of --data held out for validation when no --validation "
                 "is given (0: use all of --data)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95));
  cmd.add_option("--split-seed", splitSeed, "Seed of the validation split")->capture_default_str();
  cmd.add_option("--text-column", columns.text,
                 "Column of the text (default: text, sentence, sentence1)");
  cmd.add_option("--pair-column", columns.pair,
                 "Column of the second text (default: text_pair, sentence2)");
  cmd.add_option("--label-column", columns.label, "Column of the label (default: label)");
  cmd.add_option("--max-length", maxLength, "Truncate sequences to this many tokens")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(2), int64_t(4096)));
  cmd.add_option("--batch-size", batchSize, batchHelp)
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(4096)));
  cmd.add_option("--limit", limit,
                 limitTraining ? "Use at most this many training examples and at most this many "
                                 "validation examples (0: all; for a quick try)"
                               : "Evaluate at most this many examples (0: all)")
      ->capture_default_str();
}

void DataOptions::addWithTraining(CLI::App& cmd, double defaultSplit, const char* batchHelp) {
  limitTraining = true;
  add(cmd, defaultSplit, batchHelp);
}

pp::DataSplit DataOptions::split() const {
  pp::DataSplit s;
  s.data = data;
  s.validation = validation;
  s.valSplit = validation.empty() ? valSplit : 0.0;
  s.splitSeed = splitSeed;
  s.columns = columns;
  s.limit = limit;
  s.maxLength = maxLength;
  s.batchSize = batchSize;
  return s;
}

pp::Dataset DataOptions::validationSet(const pp::ModelConfig& c) const {
  return split().validationSet(c);
}

pp::Dataset DataOptions::trainingSet(const pp::ModelConfig& c) const {
  pp::Dataset d = split().trainingSet(c);
  if (limitTraining && limit > 0 && static_cast<int64_t>(d.examples.size()) > limit)
    d.examples.resize(static_cast<size_t>(limit));
  return d;
}

}  // namespace ppcli
