// RunLog: a search's JSON-lines log. The first line records the run's
// settings, every later line one finished trial, flushed and synced as it is
// written, so a crash or a kill loses at most the trials in flight.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/trial.h"

namespace pp {

struct BertConfig;

struct LogContents {
  nlohmann::json header;
  std::vector<Trial> trials;
  std::vector<std::string> warnings;  // e.g. a truncated last line that was skipped
  size_t validBytes = 0;              // length of the well-formed prefix
};

// Reads a log; a cut last line is skipped with a warning, any other bad line
// is an error naming it.
LogContents readRunLog(const std::string& path, const BertConfig* config = nullptr);
// The header alone (the first line), e.g. to find the model a log needs
// before reading its trials.
nlohmann::json readRunLogHeader(const std::string& path);

class RunLog {
 public:
  RunLog() = default;
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;
  // New log: writes the header. Resume: keeps the valid prefix (dropping a
  // cut last line) and appends after it.
  void create(const std::string& path, const nlohmann::json& header);
  void reopen(const std::string& path, size_t validBytes);
  void append(const Trial& t);  // throws pp::Error on a failed write
  bool isOpen() const { return f_ != nullptr; }
  const std::string& path() const { return path_; }
  void close();

 private:
  void writeLine(const std::string& line);
  std::FILE* f_ = nullptr;
  std::string path_;
};

}  // namespace pp
