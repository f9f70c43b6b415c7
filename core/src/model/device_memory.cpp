#include "model/device_memory.h"

#include <new>

#include <c10/util/Exception.h>

#ifdef PARETOPRUNE_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace pp {

#ifdef PARETOPRUNE_WITH_CUDA
namespace {
namespace alloc = c10::cuda::CUDACachingAllocator;
constexpr size_t kAggregate = 0;  // StatType::AGGREGATE: all pools together
}  // namespace

int64_t peakDeviceBytes(const c10::Device& d) {
  if (!d.is_cuda()) return 0;
  return alloc::getDeviceStats(d.has_index() ? d.index() : 0).allocated_bytes[kAggregate].peak;
}

void resetPeakDeviceBytes(const c10::Device& d) {
  if (d.is_cuda()) alloc::resetPeakStats(d.has_index() ? d.index() : 0);
}

void releaseCachedDeviceMemory(const c10::Device& d) {
  if (d.is_cuda()) alloc::emptyCache();
}
#else
int64_t peakDeviceBytes(const c10::Device&) {
  return 0;
}
void resetPeakDeviceBytes(const c10::Device&) {}
void releaseCachedDeviceMemory(const c10::Device&) {}
#endif

bool isOutOfMemory(const std::exception& e) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&e) || dynamic_cast<const std::bad_alloc*>(&e))
    return true;
  if (!dynamic_cast<const c10::Error*>(&e)) return false;
  // LibTorch 1.13's CPU allocator throws a plain c10::Error.
  const std::string what = e.what();
  for (const char* s : {"out of memory", "can't allocate memory", "not enough memory"})
    if (what.find(s) != std::string::npos) return true;
  return false;
}

std::string errorSummary(const std::exception& e) {
  const auto* c = dynamic_cast<const c10::Error*>(&e);
  std::string s = c ? c->what_without_backtrace() : e.what();
  const size_t nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

}  // namespace pp
