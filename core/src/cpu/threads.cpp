#include "paretoprune/cpu/threads.h"

#include <dlfcn.h>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/version.h>

#include "base/compute_team.h"
#include "cpu/threads_impl.h"

namespace pp {

using OpenblasSetThreads = void (*)(int);

void setComputeThreads(int torchThreads, int blasThreads) {
  if (torchThreads > 0) at::set_num_threads(torchThreads);
  if (blasThreads > 0) {
    if (auto fn =
            reinterpret_cast<OpenblasSetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
      fn(blasThreads);
  }
}

int blasThreads() {
  using OpenblasGetThreads = int (*)();
  static const auto get =
      reinterpret_cast<OpenblasGetThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : at::get_num_threads();
}

void useComputeThreads(ComputeUse use, int threads) {
  // blas_core.cpp chooses OpenBLAS's kernels before main(); naming them
  // here links it into every program that computes.
  static_cast<void>(blasCoreName());
  threads = std::max(1, threads);
  if (use == ComputeUse::Evaluation) {
    setComputeThreads(1, 1);
    setTeamThreads(threads);
  } else {
    setTeamThreads(1);
    setComputeThreads(1, threads);
  }
}

int hardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

std::string torchVersion() {
#ifdef TORCH_VERSION
  return TORCH_VERSION;
#else
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
#endif
}

}  // namespace pp
