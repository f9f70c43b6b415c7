// What this CPU offers the matrix products: its model name and the vector
// and matrix extensions a GEMM backend may use (AVX2/FMA, AVX-512,
// AVX512_BF16, AVX512_VNNI, AMX), read once from cpuid and the OS's saved
// register state. Tests inject other features (bf16 refused without them).
#pragma once
#include <string>

namespace pp {

struct CpuFeatures {
  std::string model;  // "AMD EPYC 9R45 ...", from the brand string
  bool avx2 = false, fma = false;
  bool avx512 = false;  // AVX-512 F, BW, VL (and the OS saves the registers)
  bool avx512Bf16 = false, avx512Vnni = false;
  bool amxBf16 = false, amxInt8 = false;  // with the OS's permission for the tiles
  // "avx2 fma avx512 avx512_bf16 avx512_vnni", the ones present.
  std::string extensions() const;
  bool bf16() const { return avx512Bf16 || amxBf16; }
};

// This machine's, read once.
const CpuFeatures& cpuFeatures();

}  // namespace pp
