// RunLog: a search's JSON-lines log. The first line records the run's
// settings, every later line one finished trial, flushed and synced as it is
// written, so a crash or a kill loses at most the trials in flight.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/search/recovered_trial.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/trial.h"

namespace pp {

struct ModelConfig;

struct LogContents {
  RunHeader header;  // paths resolved against the log's folder if it moved
  std::vector<Trial> trials;
  std::vector<std::string> warnings;  // e.g. a truncated last line that was skipped
  // How each session of the run ended ({"stopped": kind, "reason": text} lines).
  struct Stop {
    std::string kind, reason;
    int64_t trials = 0;  // trials in the log when it stopped
  };
  std::vector<Stop> stops;
  // Trials recovered after the search (train/recover.h), in log order; a
  // later record for the same source and method supersedes an earlier one.
  std::vector<RecoveredTrial> recovered;
  size_t validBytes = 0;     // length of the well-formed prefix
  int64_t skippedLines = 0;  // damaged lines left out (BadLines::Skip)
};

// What reading a log does with a damaged line after the first (bad JSON, a
// field of the wrong type or out of range, a repeated trial id): refuse the
// log (a DamagedLogLine), or skip the line with a warning and read the rest.
enum class BadLines { Refuse, Skip };

// A damaged trial line: the rest of the log can be read with BadLines::Skip.
class DamagedLogLine : public Error {
 public:
  DamagedLogLine(const std::string& what, int64_t line) : Error(what), line_(line) {}
  int64_t line() const { return line_; }

 private:
  int64_t line_;
};

// Reads a log; a cut last line is skipped with a warning, any other bad line
// is a DamagedLogLine naming the file, the line and the field (or, with
// BadLines::Skip, a warning). A bad first line (the header) is always a
// pp::Error. Without `config` the trials are only checked to be trial
// records and left out.
LogContents readRunLog(const std::string& path, const ModelConfig* config = nullptr,
                       BadLines bad = BadLines::Refuse);
// The header alone (the first line), e.g. to find the model a log needs
// before reading its trials.
RunHeader readRunLogHeader(const std::string& path);

// A log read together with its model's configuration: what `front`,
// `export --log` and the window show. The model is the header's (resolved
// against the log's folder if the log moved) unless `modelDir` is given.
// Throws pp::Error naming the file, line and field of any damage, or the
// model that cannot be read.
struct OpenedRunLog {
  LogContents log;
  std::string modelDir;
  ModelConfig config;
  std::optional<Trial> reference;  // the full model's trial, if logged
};
OpenedRunLog openRunLog(const std::string& path, const std::string& modelDir = "",
                        BadLines bad = BadLines::Refuse);

// The trial of a run to export: the one with `id`, or (withinPoints >= 0)
// the smallest finished one whose score (accuracy, a tagger's entity F1:
// trial.h pointsBelow) is at most that many points below the full model's. Throws pp::Error saying
// why none fits.
const Trial& selectTrial(const OpenedRunLog& run, int64_t id, double withinPoints,
                         const std::string& logPath);
// A log's trials describe sub-networks of one model: refuses another
// (different checksum), naming both.
void checkRunModel(const RunHeader& h, const std::string& modelChecksum,
                   const std::string& modelDir, const std::string& logPath);

class RunLog {
 public:
  RunLog() = default;
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;
  // New log: writes the header. Resume: keeps the valid prefix (dropping a
  // cut last line) and appends after it.
  // The header's paths are written absolute, and relative to the log's
  // folder, so that a log moved with its model and data still finds them.
  // CreateNew: only a path where nothing is (O_EXCL|O_NOFOLLOW: not even a
  // dangling link), else pp::Error "PATH exists"; Replace: truncates a file there.
  enum class Create { Replace, CreateNew };
  void create(const std::string& path, const RunHeader& header, Create mode = Create::Replace);
  void reopen(const std::string& path, size_t validBytes);
  void append(const Trial& t);  // throws pp::Error on a failed write
  // Why this session ended (`front` and the window show the last one).
  void appendStop(const std::string& kind, const std::string& reason);
  // A recovered trial's record (recovered_trial.h).
  void appendRecovered(const RecoveredTrial& r);
  bool isOpen() const { return f_ != nullptr; }
  const std::string& path() const { return path_; }
  void close();

 private:
  void writeLine(const std::string& line);
  std::FILE* f_ = nullptr;
  std::string path_;
};

}  // namespace pp
