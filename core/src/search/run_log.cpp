#include "paretoprune/search/run_log.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "base/file_util.h"
#include "base/json_util.h"
#include "model/checksum.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model_config.h"

namespace pp {

using nlohmann::json;

namespace {
json parseHeaderLine(const std::string& path, const std::string& line) {
  std::string error;
  auto j = tryParseJson(line, &error);
  if (!j) throw Error(path + ": line 1 is " + error + "; the log is damaged");
  return std::move(*j);
}

// The typed header with its paths resolved against the log's folder.
RunHeader headerOf(const std::string& path, const json& j) {
  RunHeader h = RunHeader::fromJson(j, path);
  const std::string w = path + ": line 1";
  h.model = resolveRunPath(h.model, jsonutil::optString(j, "model_relative", w), path);
  h.data.data = resolveRunPath(h.data.data, jsonutil::optString(j, "data_relative", w), path);
  h.data.validation =
      resolveRunPath(h.data.validation, jsonutil::optString(j, "validation_relative", w), path);
  return h;
}
// One line after the header: a stop record or a trial (checked against
// `config` when given). Throws pp::Error naming `where`.
void readRecord(const json& j, const std::string& where, int64_t lineNo, const ModelConfig* config,
                const std::string& logPath, LogContents& out,
                std::map<int64_t, int64_t>& firstLine) {
  if (j.is_object() && j.contains("stopped") && !j.contains("trial")) {
    LogContents::Stop st;
    st.kind = jsonutil::optString(j, "stopped", where);
    st.reason = jsonutil::optString(j, "reason", where);
    st.trials = static_cast<int64_t>(out.trials.size());
    out.stops.push_back(st);
  } else if (isRecoveredRecord(j)) {
    if (!config) return;
    try {
      out.recovered.push_back(RecoveredTrial::fromJson(j, *config, logPath));
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
  } else if (config) {
    Trial t;
    try {
      t = Trial::fromJson(j, *config);
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
    const auto [it, fresh] = firstLine.emplace(t.id, lineNo);
    if (!fresh)
      throw Error(where + ": trial " + std::to_string(t.id) + " appears twice (first on line " +
                  std::to_string(it->second) + "); the log is damaged");
    out.trials.push_back(std::move(t));
  } else if (!j.is_object() || !j.contains("trial")) {
    throw Error(where + ": not a trial record");
  }
}
// A trial's parameters (and FLOPs, where the header says at what length
// they were counted) follow from its sub-network: a log that claims other
// numbers was edited or damaged, and a claimed "1 parameter" would take the
// front. Counted again; said once.
void recomputeShapeMetrics(const ModelConfig& c, const std::string& path, LogContents& out) {
  int64_t changed = 0, first = -1;
  for (Trial& t : out.trials) {
    if (t.status == Trial::Status::Failed) continue;
    const int64_t params = parameterCount(c, t.subnet);
    const int64_t flops =
        out.header.flopsLength > 0 ? flopCount(c, t.subnet, out.header.flopsLength) : t.flops;
    if (params == t.params && flops == t.flops) continue;
    if (changed++ == 0) first = t.id;
    t.params = params;
    t.flops = flops;
  }
  if (changed > 0)
    out.warnings.push_back(path + ": " + std::to_string(changed) + " trial(s) (the first: trial " +
                           std::to_string(first) +
                           ") claim other parameter or FLOP counts than their sub-networks have; "
                           "counted again (the log was edited or damaged)");
}
}  // namespace

RunHeader readRunLogHeader(const std::string& path) {
  if (fileutil::isDirectory(path)) throw Error(path + ": is a directory, not a run log");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::string line;
  if (!std::getline(in, line)) throw Error(path + ": the log is empty");
  return headerOf(path, parseHeaderLine(path, line));
}

LogContents readRunLog(const std::string& path, const ModelConfig* config, BadLines bad) {
  const std::string text = fileutil::readFile(path);
  LogContents out;
  bool haveHeader = false;
  size_t pos = 0;
  int64_t lineNo = 0;
  std::map<int64_t, int64_t> firstLine;  // trial id -> line
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    const bool complete = end != std::string::npos;
    if (!complete) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    ++lineNo;
    const bool last = !complete || end + 1 >= text.size();
    const std::string where = path + ": line " + std::to_string(lineNo);
    std::string error;
    auto parsed = tryParseJson(line, &error);
    if (!parsed && last && lineNo > 1) {
      out.warnings.push_back(where + " is cut short (the run was interrupted); skipped it");
      break;
    }
    if (!parsed && lineNo == 1) throw Error(where + " is " + error + "; the log is damaged");
    try {
      if (!parsed) throw Error(where + " is " + error + "; the log is damaged");
      if (lineNo == 1) {
        out.header = headerOf(path, *parsed);
        haveHeader = true;
      } else {
        readRecord(*parsed, where, lineNo, config, path, out, firstLine);
      }
    } catch (const Error& e) {
      if (lineNo == 1) throw;
      if (bad == BadLines::Refuse) throw DamagedLogLine(e.what(), lineNo);
      out.warnings.push_back(std::string(e.what()) + "; skipped it");
      ++out.skippedLines;
    }
    pos = complete ? end + 1 : end;
    if (out.skippedLines == 0) out.validBytes = pos;
  }
  if (!haveHeader) throw Error(path + ": the log is empty");
  if (config) recomputeShapeMetrics(*config, path, out);
  return out;
}

OpenedRunLog openRunLog(const std::string& path, const std::string& modelDir, BadLines bad) {
  OpenedRunLog r;
  r.modelDir = modelDir.empty() ? readRunLogHeader(path).model : modelDir;
  if (r.modelDir.empty()) throw Error(path + ": the log names no model; give its model directory");
  try {
    r.config = loadModelConfig(fileutil::joinPath(r.modelDir, "config.json"));
  } catch (const Error& e) {
    throw Error(std::string(e.what()) +
                " (the run's model is needed to read its trials; give its directory if it moved)");
  }
  if (!modelDir.empty()) {
    // Another model's run (of another shape) is said as such, not as the
    // first trial that does not fit.
    const RunHeader h = readRunLogHeader(path);
    try {
      h.referenceTrial(r.config);
    } catch (const Error& e) {
      throw Error(path + " was written for another model (" + h.model + "), not " + modelDir +
                  ": its full model does not fit this one (" + e.what() + ")");
    }
  }
  r.log = readRunLog(path, &r.config, bad);
  try {
    r.reference = r.log.header.referenceTrial(r.config);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return r;
}

const Trial& selectTrial(const OpenedRunLog& run, int64_t id, double withinPoints,
                         const std::string& logPath) {
  const Trial* t = nullptr;
  if (withinPoints >= 0) {
    if (!run.reference)
      throw Error(logPath +
                  " has no full-model reference (written by an older version); pick a trial by id");
    for (const auto& x : run.log.trials)
      if (x.ok() && x.fidelity >= 1.0 && pointsBelow(x, *run.reference) <= withinPoints + 1e-10 &&
          (!t || x.params < t->params))
        t = &x;
    if (!t) {
      char pts[32];
      std::snprintf(pts, sizeof pts, "%.2f", withinPoints);
      throw Error("no trial of " + logPath + " is within " + pts + " " +
                  pointsName(run.log.header.metric) + " points of the full model");
    }
    return *t;
  }
  for (const auto& x : run.log.trials)
    if (x.id == id) t = &x;
  if (!t) throw Error(logPath + " has no trial " + std::to_string(id));
  if (!t->ok())
    throw Error("trial " + std::to_string(id) + " did not finish (" +
                (t->error.empty() ? std::string(statusName(t->status)) : t->error) + ")");
  return *t;
}

void checkRunModel(const RunHeader& h, const std::string& modelChecksum,
                   const std::string& modelDir, const std::string& logPath) {
  if (h.modelChecksum.empty())
    throw Error(logPath +
                " does not record its model's checksum, so its trials cannot be matched to " +
                modelDir);
  if (!checksumMatches(h.modelChecksum, modelChecksum, modelDir))
    throw Error(logPath + " was written for another model (checksum " + h.modelChecksum +
                legacyNote(h.modelChecksum) + "; " + modelDir + " has " + modelChecksum + ")");
}

RunLog::~RunLog() {
  close();
}

void RunLog::close() {
  if (f_) std::fclose(f_);
  f_ = nullptr;
}

void RunLog::writeLine(const std::string& line) {
  const std::string data = line + "\n";
  if (std::fwrite(data.data(), 1, data.size(), f_) != data.size() || std::fflush(f_) != 0)
    throw Error(path_ + ": cannot write the run log (" + std::strerror(errno) + ")");
  ::fdatasync(::fileno(f_));
}

void RunLog::create(const std::string& path, const RunHeader& header, Create mode) {
  close();
  RunHeader h = header;
  h.model = absolutePath(h.model);
  h.data.data = absolutePath(h.data.data);
  h.data.validation = absolutePath(h.data.validation);
  json j = h.toJson();
  j["model_relative"] = relativeTo(h.model, path);
  if (!h.data.data.empty()) j["data_relative"] = relativeTo(h.data.data, path);
  if (!h.data.validation.empty()) j["validation_relative"] = relativeTo(h.data.validation, path);
  path_ = path;
  if (mode == Create::CreateNew) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) throw Error(path + " exists; choose another path");
    if (fd >= 0 && !(f_ = ::fdopen(fd, "wb"))) ::close(fd);
  } else {
    f_ = std::fopen(path.c_str(), "wb");
  }
  if (!f_) throw Error(path + ": cannot create the run log (" + std::strerror(errno) + ")");
  writeLine(j.dump());
}

void RunLog::reopen(const std::string& path, size_t validBytes) {
  close();
  path_ = path;
  if (::truncate(path.c_str(), static_cast<off_t>(validBytes)) != 0)
    throw Error(path + ": cannot repair the run log (" + std::strerror(errno) + ")");
  f_ = std::fopen(path.c_str(), "ab");
  if (!f_) throw Error(path + ": cannot append to the run log (" + std::strerror(errno) + ")");
  // A last line that parsed but lost its newline gets one.
  std::string text = fileutil::readFile(path);
  if (!text.empty() && text.back() != '\n') {
    if (std::fputc('\n', f_) == EOF || std::fflush(f_) != 0)
      throw Error(path + ": cannot write the run log (" + std::strerror(errno) + ")");
  }
}

void RunLog::appendStop(const std::string& kind, const std::string& reason) {
  if (!f_) throw Error("run log is not open");
  writeLine(json({{"stopped", kind}, {"reason", reason}}).dump());
}

void RunLog::appendRecovered(const RecoveredTrial& r) {
  if (!f_) throw Error("run log is not open");
  writeLine(r.toJson(path_).dump());
}

void RunLog::append(const Trial& t) {
  if (!f_) throw Error("run log is not open");
  writeLine(t.toJson().dump());
}

}  // namespace pp
