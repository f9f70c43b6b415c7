// Trial keys: how the window's chart, table and selection name a trial when
// several runs are shown at once (run comparison), where trial ids repeat
// from run to run. A key packs the run's index with the trial's id; run 0's
// keys are its trial ids, so a single run needs no translation.
#pragma once
#include <cstdint>

namespace ppui {

constexpr int64_t kRunStride = int64_t(1) << 40;  // trial ids of a run stay below this

constexpr int64_t trialKey(int run, int64_t id) {
  return static_cast<int64_t>(run) * kRunStride + id;
}
// Ids start at -1 (the full model).
constexpr int runOfKey(int64_t key) {
  return static_cast<int>((key + 1) / kRunStride);
}
constexpr int64_t idOfKey(int64_t key) {
  return key - static_cast<int64_t>(runOfKey(key)) * kRunStride;
}

}  // namespace ppui
