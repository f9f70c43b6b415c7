#include "paretoprune/search/recovered_trial.h"

#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/search/run_header.h"

namespace pp {

using nlohmann::json;

bool isRecoveredRecord(const json& j) {
  return j.is_object() && j.contains("recovered") && !j.contains("trial");
}

json RecoveredTrial::toJson(const std::string& logPath) const {
  const std::string abs = absolutePath(weights);
  json r = {{"source", source},
            {"method", method},
            {"weights", abs},
            {"weights_relative", relativeTo(abs, logPath)},
            {"weights_checksum", weightsChecksum},
            {"details", details}};
  return {{"recovered", r}, {"metrics", trial.toJson()}};
}

RecoveredTrial RecoveredTrial::fromJson(const json& j, const ModelConfig& c,
                                        const std::string& logPath) {
  const std::string where = "recovered";
  if (!isRecoveredRecord(j) || !j["recovered"].is_object())
    throw Error("not a recovered trial's record");
  const json& r = j["recovered"];
  RecoveredTrial t;
  t.source = jsonutil::optInt(r, "source", where, -1, 0, 1000000000000000);
  if (t.source < 0) throw Error("field \"recovered.source\" is missing");
  t.method = jsonutil::optString(r, "method", where);
  if (t.method != "distill" && t.method != "finetune")
    throw Error("field \"recovered.method\": unknown method \"" + t.method +
                "\" (distill or finetune)");
  t.weights = resolveRunPath(jsonutil::optString(r, "weights", where),
                             jsonutil::optString(r, "weights_relative", where), logPath);
  if (t.weights.empty()) throw Error("field \"recovered.weights\" is missing");
  t.weightsChecksum = jsonutil::optString(r, "weights_checksum", where);
  if (r.contains("details")) {
    if (!r["details"].is_object()) throw Error("field \"recovered.details\" is not an object");
    t.details = r["details"];
  }
  if (!j.contains("metrics")) throw Error("field \"metrics\" is missing");
  try {
    t.trial = Trial::fromJson(j["metrics"], c);
  } catch (const Error& e) {
    throw Error(std::string("field \"metrics\": ") + e.what());
  }
  if (t.trial.id != t.source)
    throw Error("field \"metrics.trial\" (" + std::to_string(t.trial.id) +
                ") is not the source trial " + std::to_string(t.source));
  return t;
}

}  // namespace pp
