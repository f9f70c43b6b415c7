#include "runs/study_rows.h"

#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "base/text_time.h"
#include "paretoprune/base/error.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model_config.h"

namespace pp {

std::string studyWhere(const std::string& name) {
  return "study \"" + name + "\"";
}

RunHeader headerOf(const StudyStore::Study& s, const std::string& name) {
  return RunHeader::fromJson(jsonutil::parse(s.headerJson, studyWhere(name)), studyWhere(name));
}

int64_t studyFlopsSeqLen(const RunHeader& h, const ModelConfig& c) {
  if (h.flopsLength > 0) return h.flopsLength;
  std::optional<Trial> ref;
  try {
    ref = h.referenceTrial(c);
  } catch (const Error&) {
    return 0;
  }
  if (!ref || ref->flops <= 0) return 0;
  const SubNetwork full = SubNetwork::full(c);
  int64_t lo = 1, hi = 1 << 16;  // FLOPs grow with the length: the first that reaches it
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (flopCount(c, full, mid) < ref->flops)
      lo = mid + 1;
    else
      hi = mid;
  }
  return flopCount(c, full, lo) == ref->flops ? lo : 0;
}

namespace {
// The finished row as the worker reported it, checked against what was queued.
Trial checkedResult(const StudyTrial& row, const SubNetwork& queued, const ModelConfig& c,
                    int64_t flopsSeqLen, const std::string& where) {
  if (row.state == StudyTrial::State::Failed) {
    Trial t;
    t.id = row.id;
    t.subnet = queued;
    t.status = Trial::Status::Failed;
    t.error = row.reason;
    return t;
  }
  Trial t = Trial::fromJson(jsonutil::parse(row.resultJson, where), c);
  if (t.id != row.id) throw Error("its result names trial " + std::to_string(t.id));
  if (t.subnet.key() != queued.key())
    throw Error("its result is of another sub-network (" + t.subnet.summary() + ") than the one " +
                "queued (" + queued.summary() + ")");
  if (t.status != Trial::Status::Failed) {
    t.params = parameterCount(c, t.subnet);
    if (flopsSeqLen > 0) t.flops = flopCount(c, t.subnet, flopsSeqLen);
  }
  return t;
}
}  // namespace

RowTrial trialOfRow(const StudyTrial& row, const ModelConfig& c, int64_t flopsSeqLen,
                    const std::string& where) {
  RowTrial out;
  out.trial.id = row.id;
  out.trial.status = Trial::Status::Failed;
  out.trial.subnet = SubNetwork::full(c);  // until the queued one is read
  try {
    if (!row.damage.empty()) throw Error(row.damage);
    out.trial.subnet = SubNetwork::fromJson(jsonutil::parse(row.subnetJson, where), c);
    out.trial = checkedResult(row, out.trial.subnet, c, flopsSeqLen, where);
  } catch (const std::exception& e) {  // pp::Error, or JSON access on a hostile value
    const std::string why = firstLine(e.what());
    out.trial.status = Trial::Status::Failed;
    out.trial.error = "its row in the database was refused: " + why;
    out.warning = where + ": trial " + std::to_string(row.id) + " counted as failed, its row " +
                  "was refused: " + why;
  }
  return out;
}

}  // namespace pp
