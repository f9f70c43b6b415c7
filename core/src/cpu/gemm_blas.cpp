// The BLAS backend: OpenBLAS's cblas_sgemm (the BLAS LibTorch links, found
// in the process), on the weights' rows as they are: it packs its panels
// on every call.
#include <dlfcn.h>

#include <cstring>

#include "cpu/gemm_backend.h"

namespace pp {

namespace {

// cblas_sgemm with 32-bit integers (Debian's OpenBLAS, not INTERFACE64).
using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                       float, float*, int);
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

Sgemm sgemm() {
  static const auto fn = reinterpret_cast<Sgemm>(::dlsym(RTLD_DEFAULT, "cblas_sgemm"));
  return fn;
}

struct BlasImpl : GemmWeights::Impl {
  std::vector<float> w;  // [N, K]
  int64_t n = 0, k = 0;
  void run(const float* a, int64_t lda, int64_t m, const float* bias, float* c, int64_t ldc,
           int64_t n0, int64_t n1) const override {
    const int64_t cols = n1 - n0;
    float beta = 1.0f;
    if (bias) {
      for (int64_t i = 0; i < m; ++i)
        std::memcpy(c + i * ldc + n0, bias + n0, static_cast<size_t>(cols) * sizeof(float));
    }
    sgemm()(kRowMajor, kNoTrans, kTrans, static_cast<int>(m), static_cast<int>(cols),
            static_cast<int>(k), 1.0f, a, static_cast<int>(lda), w.data() + n0 * k,
            static_cast<int>(k), beta, c + n0, static_cast<int>(ldc));
  }
};

}  // namespace

bool blasAvailable() {
  return sgemm() != nullptr;
}

std::string blasVersion() {
  using Config = char* (*)();
  static const auto fn = reinterpret_cast<Config>(::dlsym(RTLD_DEFAULT, "openblas_get_config"));
  return fn ? std::string(fn()) : std::string(blasAvailable() ? "a BLAS" : "none");
}

std::shared_ptr<const GemmWeights::Impl> blasWeights(std::vector<float> w, int64_t n, int64_t k) {
  auto impl = std::make_shared<BlasImpl>();
  impl->w = std::move(w);
  impl->n = n;
  impl->k = k;
  return impl;
}

}  // namespace pp
