#include "paretoprune/formats/dataset.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/tagging.h"
#include "paretoprune/formats/unicode.h"

namespace pp {

using nlohmann::json;

namespace {

std::string trimCr(std::string s) {
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

void splitLines(const std::string& text, std::vector<std::pair<int64_t, std::string>>& lines) {
  size_t start = 0;
  int64_t no = 1;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.emplace_back(no++, trimCr(text.substr(start, end - start)));
    start = end + 1;
  }
}

std::vector<std::string> splitTabs(const std::string& line) {
  std::vector<std::string> f;
  size_t start = 0;
  while (true) {
    size_t end = line.find('\t', start);
    if (end == std::string::npos) {
      f.push_back(line.substr(start));
      break;
    }
    f.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return f;
}

// RFC 4180 CSV (or with ';' or tab between fields) with quoted fields that may hold separators,
// quotes and newlines.
void parseCsv(const std::string& text, const std::string& path, DataTable& t, size_t maxRows,
              char delimiter) {
  std::vector<std::string> row;
  std::string field;
  bool inQuotes = false, fieldQuoted = false, header = true;
  int64_t line = 1, rowLine = 1;
  auto endRow = [&] {
    row.push_back(field);
    field.clear();
    fieldQuoted = false;
    bool blank = row.size() == 1 && row[0].empty();
    if (!blank) {
      if (header) {
        t.columns = row;
        header = false;
      } else {
        t.rows.push_back(row);
        t.lines.push_back(rowLine);
      }
    }
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inQuotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          inQuotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty() && !fieldQuoted) {
      inQuotes = fieldQuoted = true;
    } else if (c == delimiter) {
      row.push_back(field);
      field.clear();
      fieldQuoted = false;
    } else if (c == '\n') {
      endRow();
      ++line;
      rowLine = line;
      if (maxRows && t.rows.size() >= maxRows) return;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: the \n ends the row
    } else {
      field.push_back(c);
    }
  }
  if (inQuotes)
    throw Error(path + ": line " + std::to_string(rowLine) + ": quoted field is never closed");
  if (!field.empty() || !row.empty()) endRow();
}

// The separator the header row uses, counted outside quotes: spreadsheets
// write ';' where ',' is the decimal mark, and files get renamed. A header
// with none of them is a single column, read with what the extension says.
char headerDelimiter(const std::string& text, char byExtension) {
  size_t comma = 0, tab = 0, semi = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    comma += c == ',';
    tab += c == '\t';
    semi += c == ';';
  }
  const size_t expected = byExtension == ',' ? comma : tab;
  if (expected > 0) return byExtension;
  if (tab > 0 && tab >= comma && tab >= semi) return '\t';
  if (comma > 0 && comma >= semi) return ',';
  if (semi > 0) return ';';
  return byExtension;
}

std::string jsonCell(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

}  // namespace

std::vector<int64_t> Dataset::labelCounts(int64_t numLabels) const {
  std::vector<int64_t> counts(static_cast<size_t>(std::max<int64_t>(numLabels, 0)), 0);
  auto count = [&](int64_t l) {
    if (l >= 0 && l < numLabels) ++counts[static_cast<size_t>(l)];
  };
  for (const auto& e : examples) {
    count(e.label);
    for (int64_t t : e.tags) count(t);
  }
  return counts;
}

DataTable readTable(const std::string& path, size_t maxRows) {
  std::string text = fileutil::readFile(path);
  // "CSV UTF-8" from a spreadsheet starts with a byte-order mark; it is not
  // part of the first column's name.
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  const std::string ext = fileutil::extension(path);
  // The content decides, not the name: JSON lines start with '{' whatever
  // the extension says, and a .jsonl file of comma- or tab-separated text
  // reads as such (files get renamed; the format stays).
  const bool jsonExt = ext == ".jsonl" || ext == ".json" || ext == ".ndjson";
  const size_t first = text.find_first_not_of(" \t\r\n");
  const std::string firstLine =
      first == std::string::npos ? "" : text.substr(first, text.find('\n', first) - first);
  const bool delimited = firstLine.find_first_of(",;\t") != std::string::npos &&
                         firstLine.find_first_of("{[") == std::string::npos;
  // A JSON extension stays JSON (a damaged first line is named as such)
  // unless its first line is plainly delimited text.
  const bool asJson = first == std::string::npos ? jsonExt
                      : jsonExt                  ? !delimited
                                                 : text[first] == '{';
  const bool tabular =
      !asJson && (jsonExt || ext == ".csv" || ext == ".tsv" || ext == ".txt" || ext.empty());
  const char delimiter =
      tabular ? headerDelimiter(text, ext == ".csv" || jsonExt ? ',' : '\t') : ',';
  DataTable t;
  if (tabular && delimiter != '\t') {
    parseCsv(text, path, t, maxRows, delimiter);
  } else if (asJson) {
    std::vector<std::pair<int64_t, std::string>> lines;
    splitLines(text, lines);
    std::vector<json> objs;
    for (auto& [no, line] : lines) {
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      json j = parseJson(line, path + ": line " + std::to_string(no));
      if (!j.is_object())
        throw Error(path + ": line " + std::to_string(no) + ": expected a JSON object");
      for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find(t.columns.begin(), t.columns.end(), it.key()) == t.columns.end())
          t.columns.push_back(it.key());
      objs.push_back(std::move(j));
      t.lines.push_back(no);
      if (maxRows && objs.size() >= maxRows) break;
    }
    for (const auto& j : objs) {
      std::vector<std::string> row;
      for (const auto& c : t.columns) row.push_back(j.contains(c) ? jsonCell(j[c]) : std::string());
      t.rows.push_back(std::move(row));
    }
  } else if (tabular) {  // tab-separated, fields taken as they are (GLUE's files quote nothing)
    std::vector<std::pair<int64_t, std::string>> lines;
    splitLines(text, lines);
    bool header = true;
    for (auto& [no, line] : lines) {
      if (line.empty()) continue;
      auto fields = splitTabs(line);
      if (header) {
        t.columns = fields;
        header = false;
        continue;
      }
      t.rows.push_back(std::move(fields));
      t.lines.push_back(no);
      if (maxRows && t.rows.size() >= maxRows) break;
    }
  } else {
    throw Error(path + ": unknown data format " + quoteText(ext) + " (use .tsv, .csv or .jsonl)");
  }
  if (t.columns.empty()) throw Error(path + ": the file is empty (no header row)");
  for (size_t i = 0; i < t.rows.size(); ++i) {
    if (t.rows[i].size() != t.columns.size())
      throw Error(path + ": line " + std::to_string(t.lines[i]) + " has " +
                  std::to_string(t.rows[i].size()) + " fields, the header has " +
                  std::to_string(t.columns.size()));
    for (const auto& cell : t.rows[i])
      if (!unicode::isValidUtf8(cell))
        throw Error(path + ": line " + std::to_string(t.lines[i]) + " is not valid UTF-8");
  }
  return t;
}

namespace {
Dataset taggedDataset(const std::string& path, const ModelConfig& config) {
  TaggedData t = loadTaggedData(path, config);
  Dataset d;
  d.source = path;
  d.tagged = true;
  d.warnings = std::move(t.warnings);
  for (auto& s : t.sentences) {
    Example e;
    for (const auto& w : s.words) e.text += (e.text.empty() ? "" : " ") + w;
    e.line = s.line;
    e.words = std::move(s.words);
    e.tags = std::move(s.tags);
    d.examples.push_back(std::move(e));
  }
  return d;
}
}  // namespace

Dataset loadDataset(const std::string& path, const ModelConfig& config, const DataColumns& cols) {
  if (config.tokenClassification()) return taggedDataset(path, config);
  DataTable t = readTable(path);
  auto column = [&](const std::string& wanted, std::initializer_list<const char*> defaults,
                    bool required, const char* role) -> int {
    auto find = [&](const std::string& name) -> int {
      for (size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i] == name) return static_cast<int>(i);
      return -1;
    };
    std::string all;
    for (const auto& c : t.columns) all += (all.empty() ? "" : ", ") + c;
    if (!wanted.empty()) {
      int i = find(wanted);
      if (i < 0)
        throw Error(path + ": no column " + quoteText(wanted) + " for the " + role +
                    " (columns: " + all + ")");
      return i;
    }
    for (const char* d : defaults) {
      int i = find(d);
      if (i >= 0) return i;
    }
    if (required) {
      std::string names;
      for (const char* d : defaults) names += (names.empty() ? "" : ", ") + std::string(d);
      throw Error(path + ": no " + role + " column (looked for " + names + "; columns: " + all +
                  "); name it with --" + role + "-column");
    }
    return -1;
  };
  const int textCol = column(cols.text, {"text", "sentence", "sentence1"}, true, "text");
  const int pairCol = column(cols.pair, {"text_pair", "sentence2"}, false, "pair");
  const int labelCol = column(cols.label, {"label"}, true, "label");

  Dataset d;
  d.source = path;
  d.hasPair = pairCol >= 0;
  const int64_t k = config.numLabels();
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    const std::string at = path + ": line " + std::to_string(t.lines[i]);
    Example e;
    e.line = t.lines[i];
    e.text = row[static_cast<size_t>(textCol)];
    if (pairCol >= 0) e.pair = row[static_cast<size_t>(pairCol)];
    if (e.text.find_first_not_of(" \t\r\n") == std::string::npos)
      throw Error(at + ": the text is empty");
    const std::string& lab = row[static_cast<size_t>(labelCol)];
    int64_t id = config.labelId(lab);
    if (id < 0) {
      try {
        size_t pos = 0;
        long long v = std::stoll(lab, &pos);
        if (pos == lab.size() && v >= 0 && v < k) id = v;
      } catch (...) {
      }
    }
    if (id < 0) {
      std::string names;
      for (const auto& n : config.id2label) names += (names.empty() ? "" : ", ") + n;
      throw Error(at + ": label " + quoteText(lab) + " is not one the model knows (labels: " +
                  names + ", or their ids 0.." + std::to_string(k - 1) + ")");
    }
    e.label = id;
    d.examples.push_back(std::move(e));
  }
  if (d.examples.empty()) throw Error(path + ": the data set has no examples");
  auto counts = d.labelCounts(k);
  int64_t present = std::count_if(counts.begin(), counts.end(), [](int64_t c) { return c > 0; });
  if (present < 2 && k > 1)
    throw Error(path +
                (d.examples.size() == 1 ? std::string(": the only example has the label \"")
                                        : ": all " + std::to_string(d.examples.size()) +
                                              " examples have the label \"") +
                config.id2label[static_cast<size_t>(d.examples[0].label)] +
                "\"; a classifier needs examples of at least two classes");
  return d;
}

std::pair<Dataset, Dataset> splitDataset(const Dataset& all, double fraction, uint64_t seed) {
  if (!(fraction > 0 && fraction < 1)) throw Error("validation fraction must be between 0 and 1");
  std::vector<size_t> idx(all.examples.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  Rng rng(seed);
  rng.shuffle(idx);
  size_t nVal = static_cast<size_t>(static_cast<double>(idx.size()) * fraction + 0.5);
  if (nVal == 0 || nVal >= idx.size())
    throw Error(all.source + ": too few examples to split off a validation set");
  std::vector<size_t> val(idx.begin(), idx.begin() + static_cast<long>(nVal));
  std::vector<size_t> train(idx.begin() + static_cast<long>(nVal), idx.end());
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  Dataset a, b;
  a.hasPair = b.hasPair = all.hasPair;
  a.tagged = b.tagged = all.tagged;
  a.source = b.source = all.source;
  for (size_t i : train) a.examples.push_back(all.examples[i]);
  for (size_t i : val) b.examples.push_back(all.examples[i]);
  return {a, b};
}

Dataset subsetDataset(const Dataset& all, int64_t n, uint64_t seed) {
  if (n <= 0 || n >= static_cast<int64_t>(all.examples.size())) return all;
  std::vector<size_t> idx(all.examples.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  Rng rng(seed);
  rng.shuffle(idx);
  idx.resize(static_cast<size_t>(n));
  std::sort(idx.begin(), idx.end());
  Dataset d;
  d.hasPair = all.hasPair;
  d.tagged = all.tagged;
  d.source = all.source;
  for (size_t i : idx) d.examples.push_back(all.examples[i]);
  return d;
}

Dataset loadValidationSet(const std::string& data, const std::string& validation, double valSplit,
                          uint64_t seed, const ModelConfig& config, const DataColumns& cols) {
  if (!validation.empty()) return loadDataset(validation, config, cols);
  Dataset all = loadDataset(data, config, cols);
  return valSplit > 0 ? splitDataset(all, valSplit, seed).second : all;
}

Dataset loadTrainingSet(const std::string& data, const std::string& validation, double valSplit,
                        uint64_t seed, const ModelConfig& config, const DataColumns& cols) {
  Dataset all = loadDataset(data, config, cols);
  if (!validation.empty() || valSplit <= 0) return all;
  return splitDataset(all, valSplit, seed).first;
}

}  // namespace pp
