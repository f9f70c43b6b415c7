// Which matrix-product backend evaluation runs on (core/src/cpu/gemm_choice.h):
// chosen by a short measurement on the model's shapes at first use, cached
// per CPU, threads and library versions; forced by --gemm or PARETOPRUNE_GEMM.
#pragma once
#include <string>

namespace pp {

struct ModelConfig;

// "auto" (or ""): measure; else packed, blas or onednn, for every later
// choice in this process (over PARETOPRUNE_GEMM). Throws pp::Error for an
// unknown name.
void setGemmBackend(const std::string& name);
// One line for `info`, the search header and benchmarks: the backend and
// precision chosen for this model and why ("onednn fp32 (measured: ...)").
// `precision`: fp32 or bf16. Throws pp::Error where bf16 is refused.
std::string gemmChoiceLine(const ModelConfig& c, const std::string& precision = "fp32");
// "AMD EPYC ... (family 26 model 2 ...); avx2 fma avx512 avx512_bf16 ..."
std::string cpuDescription();

}  // namespace pp
