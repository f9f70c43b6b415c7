// Which GEMM backend (gemm_backend.h) runs evaluation's products on this
// machine: forced (--gemm, PARETOPRUNE_GEMM), else measured once on the
// model's own product shapes with the evaluation team's threads, and
// cached as JSON under $XDG_CACHE_HOME/paretoprune (~/.cache fallback),
// keyed by CPU model, thread count, library versions, shapes and
// precision; never chosen by CPU name alone.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "cpu/gemm_backend.h"
#include "paretoprune/formats/config.h"

namespace pp {

struct GemmShape {
  int64_t n = 0, k = 0;  // out-features, in-features
};

// The full model's distinct products (query/key/value fused, output
// projection, feed-forward in and out).
std::vector<GemmShape> modelGemmShapes(const ModelConfig& c);

struct GemmChoice {
  GemmPlan plan;
  std::string how;                                    // "forced by --gemm", "measured", "cached"
  std::string reason;                                 // why: rates or the refusal of bf16
  std::vector<std::pair<std::string, double>> rates;  // "onednn fp32" -> GFLOP/s
  // "onednn fp32 (measured: onednn fp32 212.0, packed fp32 180.3, ...)"
  std::string line() const;
};

// Everything the choice depends on, injectable for tests.
struct GemmChoiceRequest {
  std::vector<GemmShape> shapes;
  int threads = 1;
  GemmType type = GemmType::Float32;
  std::string forced;    // a backend name; "" or "auto": measure (or the cache)
  std::string cacheDir;  // "": $XDG_CACHE_HOME/paretoprune, else ~/.cache/paretoprune
  CpuFeatures cpu = cpuFeatures();
  std::string versions;  // "": the libraries in this process
  int rows = 128;        // rows per thread in the measurement
};

// Throws pp::Error where bf16 is asked for and this CPU cannot run it
// fast (gemmUnavailable), or a forced backend cannot run here.
GemmChoice chooseGemm(const GemmChoiceRequest& r);
std::string gemmCacheKey(const GemmChoiceRequest& r);
std::string gemmLibraryVersions();  // our kernel's, OpenBLAS's and oneDNN's

// For evaluation: the choice for this model at `type` with the team's
// threads, the forced name of setGemmBackend (else PARETOPRUNE_GEMM),
// kept for the process's life once made.
GemmChoice gemmChoiceFor(const ModelConfig& c, GemmType type);

}  // namespace pp
