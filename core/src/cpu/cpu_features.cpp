#include "cpu/cpu_features.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace pp {

std::string CpuFeatures::extensions() const {
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (on) s += (s.empty() ? "" : " ") + std::string(name);
  };
  add(avx2, "avx2");
  add(fma, "fma");
  add(avx512, "avx512");
  add(avx512Bf16, "avx512_bf16");
  add(avx512Vnni, "avx512_vnni");
  add(amxBf16, "amx_bf16");
  add(amxInt8, "amx_int8");
  return s.empty() ? "none" : s;
}

namespace {

#if defined(__x86_64__) || defined(__i386__)
unsigned long long xcr0() {
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

std::string brandString() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000004) return "unknown CPU";
  char s[49] = {};
  for (unsigned i = 0; i < 3; ++i) {
    __get_cpuid(0x80000002 + i, &a, &b, &c, &d);
    std::memcpy(s + 16 * i, &a, 4);
    std::memcpy(s + 16 * i + 4, &b, 4);
    std::memcpy(s + 16 * i + 8, &c, 4);
    std::memcpy(s + 16 * i + 12, &d, 4);
  }
  std::string out(s);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  // The same brand string is sold in several generations: the family,
  // model and stepping tell them apart.
  __get_cpuid(1, &a, &b, &c, &d);
  unsigned family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
  if (family == 0xf) family += (a >> 20) & 0xff;
  if (family >= 6) model += ((a >> 16) & 0xf) << 4;
  return out + " (family " + std::to_string(family) + " model " + std::to_string(model) +
         " stepping " + std::to_string(a & 0xf) + ")";
}

// Linux hands out AMX tile state only on request (arch_prctl).
bool amxPermitted() {
#if defined(__linux__) && defined(__x86_64__)
  constexpr long kReqXcompPerm = 0x1023, kXfeatureTileData = 18;
  return ::syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureTileData) == 0;
#else
  return false;
#endif
}

CpuFeatures detect() {
  CpuFeatures f;
  f.model = brandString();
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1;
  const unsigned long long x = osxsave ? xcr0() : 0;
  const bool ymm = (x & 0x6) == 0x6, zmm = (x & 0xe6) == 0xe6, tiles = (x & 0x60000) == 0x60000;
  f.fma = ((c >> 12) & 1) && ymm;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.avx2 = ((b >> 5) & 1) && ymm;
  f.avx512 = ((b >> 16) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1) && zmm;
  f.avx512Vnni = f.avx512 && ((c >> 11) & 1);
  const bool amxTile = (d >> 24) & 1;
  const bool amxBf16 = (d >> 22) & 1, amxInt8 = (d >> 25) & 1;
  unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
  if (__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1)) f.avx512Bf16 = f.avx512 && ((a1 >> 5) & 1);
  if (amxTile && tiles && amxPermitted()) {
    f.amxBf16 = amxBf16;
    f.amxInt8 = amxInt8;
  }
  return f;
}
#else
CpuFeatures detect() {
  CpuFeatures f;
  f.model = "unknown CPU (not x86-64)";
  return f;
}
#endif

}  // namespace

const CpuFeatures& cpuFeatures() {
  static const CpuFeatures f = detect();
  return f;
}

}  // namespace pp
