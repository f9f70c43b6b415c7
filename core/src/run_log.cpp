#include "paretoprune/run_log.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <unistd.h>

#include "file_util.h"
#include "paretoprune/error.h"

namespace pp {

using nlohmann::json;

namespace {
const json& checkedHeader(const std::string& path, const json& j) {
  if (!j.is_object() || !j.contains("paretoprune_log"))
    throw Error(path + ": not a ParetoPrune run log (its first line has no \"paretoprune_log\" header)");
  return j;
}
}  // namespace

json readRunLogHeader(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::string line;
  if (!std::getline(in, line)) throw Error(path + ": the log is empty");
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception&) {
    throw Error(path + ": line 1 is not valid JSON; the log is damaged");
  }
  return checkedHeader(path, j);
}

LogContents readRunLog(const std::string& path, const BertConfig* config) {
  const std::string text = fileutil::readFile(path);
  LogContents out;
  size_t pos = 0;
  int64_t lineNo = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    const bool complete = end != std::string::npos;
    if (!complete) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    ++lineNo;
    const bool last = !complete || end + 1 >= text.size();
    const std::string where = path + ": line " + std::to_string(lineNo);
    json j;
    bool parsed = true;
    try {
      j = json::parse(line);
    } catch (const json::exception&) {
      parsed = false;
    }
    if (!parsed) {
      if (last && lineNo > 1) {
        out.warnings.push_back(where + " is cut short (the run was interrupted); skipped it");
        break;
      }
      throw Error(where + " is not valid JSON; the log is damaged");
    }
    if (lineNo == 1) {
      out.header = checkedHeader(path, j);
    } else if (config) {
      try {
        out.trials.push_back(Trial::fromJson(j, *config));
      } catch (const Error& e) {
        throw Error(where + ": " + e.what());
      }
    } else if (!j.is_object() || !j.contains("trial")) {
      throw Error(where + ": not a trial record");
    }
    pos = complete ? end + 1 : end;
    out.validBytes = pos;
  }
  if (out.header.is_null()) throw Error(path + ": the log is empty");
  return out;
}

RunLog::~RunLog() { close(); }

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

void RunLog::create(const std::string& path, const json& header) {
  close();
  path_ = path;
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) throw Error(path + ": cannot create the run log (" + std::strerror(errno) + ")");
  writeLine(header.dump());
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

void RunLog::append(const Trial& t) {
  if (!f_) throw Error("run log is not open");
  writeLine(t.toJson().dump());
}

}  // namespace pp
