// Labelled text examples read from TSV, CSV or JSON lines, with the text,
// optional second text and label columns picked by name.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pp {

struct ModelConfig;

struct Example {
  std::string text;
  std::string pair;  // empty when the task has one text
  int64_t label = -1;
  int64_t line = 0;  // 1-based line in the source file, for messages
  // No second text even where the set has pairs (a `predict` line without
  // "pair" among lines with one): encoded as one segment, not with an
  // empty second.
  bool single = false;
  // A tagger's sentence (formats/tagging.h): its words and their label
  // ids; `text` holds the words joined by spaces, `label` stays -1.
  std::vector<std::string> words{};
  std::vector<int64_t> tags{};
};

struct DataColumns {
  std::string text;   // empty: text, sentence, sentence1
  std::string pair;   // empty: text_pair, sentence2 (if present)
  std::string label;  // empty: label
};

struct Dataset {
  std::vector<Example> examples;
  bool hasPair = false;
  std::string source;  // file it came from
  std::vector<std::string> warnings;
  bool tagged = false;  // sentences of a tagger (Example::words and ::tags)
  // Examples per label; of a tagged set, words per tag.
  std::vector<int64_t> labelCounts(int64_t numLabels) const;
};

// Raw table of a data file, for previews and column pickers.
struct DataTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines;
};

// Reads a whole table (format by extension: .tsv, .csv, .jsonl/.json).
// maxRows > 0 stops early (previews). Throws pp::Error naming file and line.
DataTable readTable(const std::string& path, size_t maxRows = 0);

// Reads examples; labels map through config.id2label names, or are integers
// below num_labels. An unknown label is an error naming the line. For a
// tagger (config.tokenClassification()), tagged sentences instead: CoNLL
// or JSON lines (loadTaggedData in formats/tagging.h; `cols` unused).
Dataset loadDataset(const std::string& path, const ModelConfig& config,
                    const DataColumns& cols = {});

// Seeded split: returns {train, validation}; validation gets `fraction`.
std::pair<Dataset, Dataset> splitDataset(const Dataset& all, double fraction, uint64_t seed);

// A run's data: the validation set is `validation` when given, else the
// seeded `valSplit` share of `data` (valSplit 0: all of `data`); the
// training set is the rest of `data` (all of it when `validation` is given).
// The CLI and the window both split this way, so a run resumed in either
// sees the same examples.
Dataset loadValidationSet(const std::string& data, const std::string& validation, double valSplit,
                          uint64_t seed, const ModelConfig& config, const DataColumns& cols = {});
Dataset loadTrainingSet(const std::string& data, const std::string& validation, double valSplit,
                        uint64_t seed, const ModelConfig& config, const DataColumns& cols = {});

// A seeded subset of at most n examples (n <= 0: all), order kept.
Dataset subsetDataset(const Dataset& all, int64_t n, uint64_t seed);

}  // namespace pp
