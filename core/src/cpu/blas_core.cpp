// OpenBLAS 0.3.21 (Debian 12's) has no entry for AMD Zen 4: on such a CPU
// it falls back to its Intel AVX-512 kernels (Cooperlake). Zen 4 runs
// AVX-512 as two 256-bit halves, and OpenBLAS's AVX2 kernels (Haswell) are
// faster there: measured 5-7% on BERT-shaped products and on the whole
// evaluation (bench_forward, docs/performance.md). Before main() (no BLAS
// call can be running yet) we ask OpenBLAS to choose again with Haswell's
// kernels, through its own runtime-dispatch entry points, on exactly that
// case: an AMD family 0x19 CPU, OpenBLAS on an AVX-512 kernel set, and no
// OPENBLAS_CORETYPE from the user (which always wins).
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"

#include <cstdlib>
#include <cstring>

#include <dlfcn.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace pp {

namespace {

using CoreName = char* (*)();
using Hook = void (*)();

bool amdFamily19() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return false;
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  if (std::strcmp(vendor, "AuthenticAMD") != 0) return false;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  unsigned family = (a >> 8) & 0xf;
  if (family == 0xf) family += (a >> 20) & 0xff;
  return family == 0x19;
#else
  return false;
#endif
}

std::string currentCore() {
  auto name = reinterpret_cast<CoreName>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* n = name ? name() : nullptr;
  return n ? n : "";
}

bool chooseKernels() {
  if (std::getenv("OPENBLAS_CORETYPE") || !amdFamily19()) return false;
  const std::string core = currentCore();
  if (core != "Cooperlake" && core != "SkylakeX") return false;
  auto quit = reinterpret_cast<Hook>(::dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  auto init = reinterpret_cast<Hook>(::dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  if (!quit || !init) return false;
  // gotoblas_dynamic_init reads OPENBLAS_CORETYPE; our child processes
  // should not inherit it, so it is set only for the call.
  ::setenv("OPENBLAS_CORETYPE", "Haswell", 0);
  quit();
  init();
  ::unsetenv("OPENBLAS_CORETYPE");
  return currentCore() == "Haswell";
}

const bool kChosen = chooseKernels();

}  // namespace

std::string blasCoreName() {
  const std::string core = currentCore();
  return core.empty() || !kChosen ? core : core + " (chosen by ParetoPrune)";
}

}  // namespace pp
