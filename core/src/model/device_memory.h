// Internal: what training needs to know about a device's memory: the peak
// allocated (CUDA: the caching allocator's statistics, which need a LibTorch
// built with CUDA; elsewhere 0, "not measured"), giving cached blocks back,
// and whether an exception says an allocation failed for lack of memory.
#pragma once
#include <cstdint>
#include <exception>
#include <string>

#include <c10/core/Device.h>

namespace pp {

// Most bytes allocated on `d` since the last reset; 0 on the CPU (not measured).
int64_t peakDeviceBytes(const c10::Device& d);
void resetPeakDeviceBytes(const c10::Device& d);
// Frees the allocator's cached, unused blocks on `d` (after an out-of-memory).
void releaseCachedDeviceMemory(const c10::Device& d);

// True for an allocation failure: c10::OutOfMemoryError (CUDA's "CUDA out of
// memory"), the CPU allocator's "can't allocate memory" / "not enough
// memory", std::bad_alloc.
bool isOutOfMemory(const std::exception& e);

// The first line of e's message, without LibTorch's C++ backtrace.
std::string errorSummary(const std::exception& e);

}  // namespace pp
