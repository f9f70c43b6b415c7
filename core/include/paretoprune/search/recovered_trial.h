// RecoveredTrial: a trial's sub-network after recovery (fine-tuned on its
// own, with or without distillation from the full model; train/recover.h),
// as a run log records it: a line {"recovered": {...}, "metrics": {...}}
// linked to the trial it came from. It has no top-level "trial" field, so
// a reader older than it refuses the line as "not a trial record" (or,
// skipping bad lines, leaves it out) instead of taking it for a trial.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "paretoprune/search/trial.h"

namespace pp {

struct ModelConfig;

struct RecoveredTrial {
  int64_t source = 0;  // the id of the trial it was recovered from
  // After recovery, measured like a search's trial on the run's validation
  // set: the same sub-network (trial.id is the source's id).
  Trial trial;
  std::string method;           // "distill" or "finetune"
  std::string weights;          // the recovered model's directory (absolute once read)
  std::string weightsChecksum;  // Model::checksum() of `weights`
  // How: the settings, the learning rate chosen, steps, the held-out
  // training split's accuracy before and after, seconds, and (--test) the
  // test file's numbers before and after.
  nlohmann::json details = nlohmann::json::object();

  // `logPath`: where the record goes (weights are also written relative to it).
  nlohmann::json toJson(const std::string& logPath) const;
  // Throws pp::Error naming the field; `logPath` resolves a moved directory.
  static RecoveredTrial fromJson(const nlohmann::json& j, const ModelConfig& c,
                                 const std::string& logPath);
};

// A line of a run log that is a recovered trial's record.
bool isRecoveredRecord(const nlohmann::json& j);

}  // namespace pp
