// Trial: one evaluated sub-network with all its metrics, as recorded in the
// run log, and the objectives a search minimises.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/formats/subnet.h"

namespace pp {

struct ModelConfig;

struct Trial {
  enum class Status { Ok, Failed, Stopped };  // Stopped: multi-fidelity cut it short
  int64_t id = 0;
  SubNetwork subnet;
  Status status = Status::Ok;
  std::string error;  // reason, for failed trials
  double errorRate = 1, accuracy = 0, mcc = 0, f1 = 0;
  int64_t params = 0, flops = 0;
  double latencyMs = 0, latencyP95Ms = 0;
  double evalSeconds = 0;
  double fidelity = 1;  // share of the validation set used
  std::string mode;     // masked or sliced
  int worker = -1;
  // The precision its metrics were measured in ("fp32", "bf16", ...); empty
  // in logs older than it (the run's precision). A trial of a bf16 search
  // that could reach the front is measured again in fp32: then precision is
  // "fp32" and screenedPrecision/screenedError keep what bf16 said.
  std::string precision;
  std::string screenedPrecision;
  double screenedError = -1;

  nlohmann::json toJson() const;
  static Trial fromJson(const nlohmann::json& j, const ModelConfig& c);
  bool ok() const { return status == Status::Ok; }
};
const char* statusName(Trial::Status s);

// Objectives, all minimised: error, params, flops, latency, 1-mcc ("mcc"), 1-f1 ("f1").
bool isObjective(const std::string& name);
// Two to `maxCount` of them (a search takes three at most; `front` shows
// the Pareto set in up to six at once).
std::vector<std::string> parseObjectives(const std::string& commaList, size_t maxCount = 3);
double objectiveValue(const Trial& t, const std::string& name);
std::vector<double> objectiveVector(const Trial& t, const std::vector<std::string>& names);

// Indices into `trials` of the Pareto set by `objectives`, among the trials
// that finished on the whole validation set (failed and cut ones excluded).
std::vector<size_t> paretoTrials(const std::vector<Trial>& trials,
                                 const std::vector<std::string>& objectives);

}  // namespace pp
