#include "paretoprune/trial.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "paretoprune/error.h"
#include "paretoprune/pareto.h"

namespace pp {

using nlohmann::json;

const char* statusName(Trial::Status s) {
  switch (s) {
    case Trial::Status::Ok: return "ok";
    case Trial::Status::Failed: return "failed";
    case Trial::Status::Stopped: return "stopped";
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
  }
  j["eval_seconds"] = evalSeconds;
  j["worker"] = worker;
  return j;
}

Trial Trial::fromJson(const json& j, const BertConfig& c) {
  if (!j.is_object() || !j.contains("trial") || !j["trial"].is_number_integer() || !j.contains("subnet"))
    throw Error("not a trial record");
  Trial t;
  t.id = j["trial"].get<int64_t>();
  t.subnet = SubNetwork::fromJson(j["subnet"], c);
  const std::string st = j.value("status", std::string("ok"));
  if (st == "ok") t.status = Status::Ok;
  else if (st == "failed") t.status = Status::Failed;
  else if (st == "stopped") t.status = Status::Stopped;
  else throw Error("unknown trial status \"" + st + "\"");
  auto num = [&](const char* k, double def) {
    if (!j.contains(k)) return def;
    if (!j[k].is_number()) throw Error(std::string("trial field \"") + k + "\" is not a number");
    return j[k].get<double>();
  };
  t.error = j.value("reason", std::string());
  t.errorRate = num("error", 1.0);
  t.accuracy = num("accuracy", 0.0);
  t.mcc = num("mcc", 0.0);
  t.f1 = num("f1", 0.0);
  t.params = static_cast<int64_t>(num("params", 0));
  t.flops = static_cast<int64_t>(num("flops", 0));
  t.latencyMs = num("latency_ms", 0);
  t.latencyP95Ms = num("latency_p95_ms", 0);
  t.evalSeconds = num("eval_seconds", 0);
  t.fidelity = num("fidelity", 1);
  t.mode = j.value("mode", std::string());
  t.worker = static_cast<int>(num("worker", -1));
  return t;
}

bool isObjective(const std::string& n) {
  return n == "error" || n == "params" || n == "flops" || n == "latency" || n == "mcc" || n == "f1";
}

std::vector<std::string> parseObjectives(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    if (!isObjective(item))
      throw Error("unknown objective \"" + item + "\" (error, params, flops, latency, mcc, f1)");
    for (const auto& o : out)
      if (o == item) throw Error("objective \"" + item + "\" given twice");
    out.push_back(item);
  }
  if (out.size() < 2 || out.size() > 3) throw Error("give two or three objectives, e.g. error,params");
  return out;
}

double objectiveValue(const Trial& t, const std::string& n) {
  if (n == "error") return t.errorRate;
  if (n == "params") return static_cast<double>(t.params);
  if (n == "flops") return static_cast<double>(t.flops);
  if (n == "latency") return t.latencyMs;
  if (n == "mcc") return 1.0 - t.mcc;
  if (n == "f1") return 1.0 - t.f1;
  throw Error("unknown objective \"" + n + "\"");
}

std::vector<double> objectiveVector(const Trial& t, const std::vector<std::string>& names) {
  std::vector<double> v;
  for (const auto& n : names) v.push_back(objectiveValue(t, n));
  return v;
}

std::vector<size_t> paretoTrials(const std::vector<Trial>& trials, const std::vector<std::string>& objectives) {
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
