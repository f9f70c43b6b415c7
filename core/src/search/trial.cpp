#include "paretoprune/search/trial.h"

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/pareto.h"

namespace pp {

using nlohmann::json;

const char* statusName(Trial::Status s) {
  switch (s) {
    case Trial::Status::Ok:
      return "ok";
    case Trial::Status::Failed:
      return "failed";
    case Trial::Status::Stopped:
      return "stopped";
  }
  return "?";
}

json Trial::toJson() const {
  json j = {{"trial", id}, {"status", statusName(status)}, {"subnet", subnet.toJson()}};
  j["layers"] = subnet.keptLayers();
  if (status == Status::Failed) {
    j["reason"] = error;
  } else {
    j["error"] = errorRate;
    j["accuracy"] = accuracy;
    j["mcc"] = mcc;
    j["f1"] = f1;
    j["params"] = params;
    j["flops"] = flops;
    j["latency_ms"] = latencyMs;
    j["latency_p95_ms"] = latencyP95Ms;
    j["fidelity"] = fidelity;
    j["mode"] = mode;
    if (!precision.empty()) j["precision"] = precision;
    if (!screenedPrecision.empty())
      j["screened"] = {{"precision", screenedPrecision}, {"error", screenedError}};
    if (!typeF1.empty()) {
      json types = json::object();
      for (const auto& x : typeF1) types[x.type] = std::round(x.f1 * 1e4) / 1e4;
      j["type_f1"] = types;
    }
  }
  j["eval_seconds"] = evalSeconds;
  j["worker"] = worker;
  return j;
}

namespace {
std::string checkedPrecision(const json& j, const char* field) {
  const std::string p = jsonutil::optString(j, field, "trial");
  if (!p.empty() && p != "fp32" && p != "bf16" && p != "fp16" && p != "int8")
    throw Error(std::string("field \"") + field + "\": unknown precision " +
                jsonutil::describe(j[field]) + " (fp32, bf16, fp16 or int8)");
  return p;
}

// "precision" and, for a confirmed trial, "screened": {precision, error}.
void readPrecision(const json& j, Trial& t) {
  t.precision = checkedPrecision(j, "precision");
  if (!j.contains("screened")) return;
  const json& s = j["screened"];
  if (!s.is_object())
    throw Error("field \"screened\": expected an object, got " + jsonutil::describe(s));
  try {
    t.screenedPrecision = checkedPrecision(s, "precision");
    t.screenedError = jsonutil::optNumber(s, "error", "trial", -1.0, 0.0, 1.0);
  } catch (const Error& e) {
    throw Error(std::string("field \"screened\": ") + e.what());
  }
}

// "type_f1": {"LOC": 0.81, ...}, each an entity type's F1 (optional).
std::vector<TypeF1> typeF1FromJson(const json& j) {
  std::vector<TypeF1> out;
  if (!j.contains("type_f1")) return out;
  const json& types = j["type_f1"];
  if (!types.is_object())
    throw Error("field \"type_f1\": expected an object of entity types, got " +
                jsonutil::describe(types));
  if (types.size() > 10000) throw Error("field \"type_f1\": more than 10000 entity types");
  for (auto it = types.begin(); it != types.end(); ++it) {
    const json& v = it.value();
    if (!v.is_number() || !(v.get<double>() >= 0.0 && v.get<double>() <= 1.0))
      throw Error("field \"type_f1\": the F1 of \"" + jsonutil::shortText(it.key()) +
                  "\" must be a number from 0 to 1, got " + jsonutil::describe(v));
    out.push_back({it.key(), v.get<double>()});
  }
  return out;
}
}  // namespace

Trial Trial::fromJson(const json& j, const ModelConfig& c) {
  // Every field is checked for type and range: a log is input like any other.
  const std::string where = "trial";
  if (!j.is_object())
    throw Error("not a trial record (expected a JSON object, got " + jsonutil::describe(j) + ")");
  if (!j.contains("trial") || !j.contains("subnet"))
    throw Error("not a trial record (no \"trial\" or \"subnet\")");
  using jsonutil::optInt;
  using jsonutil::optNumber;
  constexpr double kHuge = 1e15;  // no BERT has more parameters or FLOPs per sequence than this
  constexpr int64_t kHugeInt = 1000000000000000;
  Trial t;
  t.id = optInt(j, "trial", where, 0, -1, kHugeInt);
  try {
    t.subnet = SubNetwork::fromJson(j["subnet"], c);
  } catch (const Error& e) {
    throw Error(std::string("field \"subnet\": ") + e.what());
  }
  const std::string st = jsonutil::optString(j, "status", where, "ok");
  if (st == "ok")
    t.status = Status::Ok;
  else if (st == "failed")
    t.status = Status::Failed;
  else if (st == "stopped")
    t.status = Status::Stopped;
  else
    throw Error("field \"status\": unknown trial status " + quoteText(st) +
                " (ok, failed or stopped)");
  t.error = jsonutil::optString(j, "reason", where);
  t.errorRate = optNumber(j, "error", where, 1.0, 0.0, 1.0);
  t.accuracy = optNumber(j, "accuracy", where, 0.0, 0.0, 1.0);
  t.mcc = optNumber(j, "mcc", where, 0.0, -1.0, 1.0);
  t.f1 = optNumber(j, "f1", where, 0.0, 0.0, 1.0);
  t.params = optInt(j, "params", where, 0, 0, kHugeInt);
  t.flops = optInt(j, "flops", where, 0, 0, kHugeInt);
  t.latencyMs = optNumber(j, "latency_ms", where, 0, 0, kHuge);
  t.latencyP95Ms = optNumber(j, "latency_p95_ms", where, 0, 0, kHuge);
  t.evalSeconds = optNumber(j, "eval_seconds", where, 0, -1, kHuge);
  t.fidelity = optNumber(j, "fidelity", where, 1, 0, 1);
  t.mode = jsonutil::optString(j, "mode", where);
  if (!t.mode.empty() && t.mode != "masked" && t.mode != "sliced")
    throw Error("field \"mode\": unknown execution mode " + quoteText(t.mode) +
                " (masked or sliced)");
  t.worker = static_cast<int>(optInt(j, "worker", where, -1, -1, 1000000));
  readPrecision(j, t);
  t.typeF1 = typeF1FromJson(j);
  // A finished trial is its metrics: without them it would read as error 1
  // and parameters 0, and land on the Pareto front.
  if (t.status != Status::Failed)
    for (const char* field : {"error", "accuracy", "mcc", "f1", "params", "flops"})
      if (!j.contains(field))
        throw Error(std::string("field \"") + field + "\" is missing (a " + st +
                    " trial records its metrics)");
  return t;
}

bool isObjective(const std::string& n) {
  return n == "error" || n == "params" || n == "flops" || n == "latency" || n == "mcc" || n == "f1";
}

std::vector<std::string> parseObjectives(const std::string& list, size_t maxCount) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    if (!isObjective(item))
      throw Error("unknown objective " + quoteText(item) +
                  " (error, params, flops, latency, mcc, f1)");
    for (const auto& o : out)
      if (o == item) throw Error("objective " + quoteText(item) + " given twice");
    out.push_back(item);
  }
  if (out.size() < 2 || out.size() > maxCount)
    throw Error(maxCount == 3 ? std::string("give two or three objectives, e.g. error,params")
                              : "give two to " + std::to_string(maxCount) +
                                    " objectives, e.g. error,params,flops,latency");
  return out;
}

double pointsBelow(const Trial& t, const Trial& full) {
  return 100.0 * (t.errorRate - full.errorRate);
}

std::string pointsName(const std::string& metric) {
  return metric == "entity_f1" ? "entity F1" : "accuracy";
}

double objectiveValue(const Trial& t, const std::string& n) {
  if (n == "error") return t.errorRate;
  if (n == "params") return static_cast<double>(t.params);
  if (n == "flops") return static_cast<double>(t.flops);
  if (n == "latency") return t.latencyMs;
  if (n == "mcc") return 1.0 - t.mcc;
  if (n == "f1") return 1.0 - t.f1;
  throw Error("unknown objective " + quoteText(n));
}

std::vector<double> objectiveVector(const Trial& t, const std::vector<std::string>& names) {
  std::vector<double> v;
  for (const auto& n : names) v.push_back(objectiveValue(t, n));
  return v;
}

std::vector<size_t> paretoTrials(const std::vector<Trial>& trials,
                                 const std::vector<std::string>& objectives) {
  std::vector<Point> pts;
  std::vector<size_t> index;
  for (size_t i = 0; i < trials.size(); ++i)
    if (trials[i].ok() && trials[i].fidelity >= 1.0) {
      pts.push_back(objectiveVector(trials[i], objectives));
      index.push_back(i);
    }
  std::vector<size_t> out;
  for (size_t i : paretoFront(pts)) out.push_back(index[i]);
  return out;
}

}  // namespace pp
