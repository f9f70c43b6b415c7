// The seam for the matrix products of evaluation (in the spirit of
// CTranslate2's src/cpu/backend.h): named GEMM backends, and weights
// prepared once per trial in the layout the chosen backend reads fastest
// (packing is the backend's policy: our kernel's panels, oneDNN's
// reordered blocks, or the rows as they are for OpenBLAS). Which backend
// runs is chosen by measuring (gemm_choice.h). No Torch here.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu_features.h"
#include "cpu/packed_gemm.h"

namespace pp {

enum class GemmBackend {
  Packed,  // our AVX2/FMA kernel on panels packed once (packed_gemm.h)
  Blas,    // OpenBLAS's sgemm on the weights as they are (it packs per call)
  Onednn,  // oneDNN's matmul on weights reordered once
};
// Arithmetic of the products: float32, or bfloat16 inputs with float32
// accumulation and output (oneDNN only; everything else stays float32), or
// int8 as our onnx-int8 export runs in ONNX Runtime (gemm_int8.h): weights
// int8, symmetric, one scale per matrix; activations uint8, dynamically
// quantized per group of rows (one sequence); int32 accumulation; float
// out. Int8 runs on onednn (VNNI or AMX) or on our portable integer
// kernel, named packed.
enum class GemmType { Float32, BFloat16, Int8 };

const char* gemmBackendName(GemmBackend b);  // packed, blas, onednn
const char* gemmTypeName(GemmType t);        // fp32, bf16, int8
// Throws pp::Error naming the backends for an unknown name.
GemmBackend parseGemmBackend(const std::string& name);
std::vector<GemmBackend> allGemmBackends();

// Why `b` cannot run products of type `t` on a CPU with `f` ("" where it
// can): no AVX2 for the packed kernel, no BLAS symbol, no AVX512_BF16 or
// AMX for bf16 (oneDNN would emulate it, far slower than fp32), blas for
// int8, no AVX512_VNNI or AMX-INT8 for onednn int8 (its kernels without
// them may saturate 16-bit sums: not the export's numerics).
std::string gemmUnavailable(GemmBackend b, GemmType t, const CpuFeatures& f = cpuFeatures());

// The backend and arithmetic a trial's products run with.
struct GemmPlan {
  GemmBackend backend = GemmBackend::Packed;
  GemmType type = GemmType::Float32;
};

// Rows quantized together by an int8 product: the end of each group, in
// order, the last one the product's row count (null: all rows one group).
// Other types ignore them.
using RowGroups = std::vector<int64_t>;

// One weight matrix W [N, K] (out-features x in-features, as nn.Linear
// stores it) prepared for one backend. Copies share the prepared data.
class GemmWeights {
 public:
  GemmWeights() = default;
  // The rows of `parts`, one after another, each `depth` long (each
  // part's scale applied as it is copied; int8: each part quantized on its
  // own, as the export quantizes each matrix, its scale applied to the
  // part's outputs).
  GemmWeights(const GemmPlan& plan, const std::vector<RowSource>& parts, int64_t depth);

  int64_t outFeatures() const { return n_; }
  int64_t inFeatures() const { return k_; }
  bool empty() const { return n_ == 0; }
  const GemmPlan& plan() const { return plan_; }
  // Whether run() takes column ranges (n0, n1) narrower than all of N;
  // oneDNN's prepared weights run whole (callers split rows instead).
  bool columnRanges() const;

  // As gemmPacked: c[i, j] for rows i < m and columns j in [n0, n1)
  // (n1 -1: N): a[i, :] . W[j, :] + bias[j], or (bias null) added to what
  // c holds. n0 a multiple of PackedWeights::kPanel. Single-threaded.
  // `groups`: how int8 quantizes the rows of `a` (RowGroups).
  void run(const float* a, int64_t lda, int64_t m, const float* bias, float* c, int64_t ldc,
           int64_t n0 = 0, int64_t n1 = -1, const RowGroups* groups = nullptr) const;

  struct Impl {
    virtual ~Impl() = default;
    virtual bool columnRanges() const { return true; }
    virtual void run(const float* a, int64_t lda, int64_t m, const float* bias, float* c,
                     int64_t ldc, int64_t n0, int64_t n1) const = 0;
    // Int8's products quantize by groups; the others ignore them.
    virtual void runGroups(const float* a, int64_t lda, int64_t m, const float* bias, float* c,
                           int64_t ldc, int64_t n0, int64_t n1, const RowGroups*) const {
      run(a, lda, m, bias, c, ldc, n0, n1);
    }
  };

 private:
  std::shared_ptr<const Impl> impl_;
  GemmPlan plan_;
  int64_t n_ = 0, k_ = 0;
};

// The backends' own preparations (gemm_blas.cpp, gemm_onednn.cpp): W's
// rows as one row-major float32 matrix [N, K].
std::shared_ptr<const GemmWeights::Impl> blasWeights(std::vector<float> w, int64_t n, int64_t k);
std::shared_ptr<const GemmWeights::Impl> onednnWeights(const std::vector<float>& w, int64_t n,
                                                       int64_t k, GemmType t);
// Int8 (gemm_int8.cpp): the parts quantized as the export does, the
// integer products on oneDNN or (onednn false) on our kernel: the
// AVX512_VNNI one where the CPU has it (and `vnni`), else the portable one.
std::shared_ptr<const GemmWeights::Impl> int8Weights(const std::vector<RowSource>& parts,
                                                     int64_t depth, bool onednn, bool vnni = true);
// oneDNN's u8 x s8 -> s32 product on int8 weights W [N, K] reordered once:
// c [m, N] (row-major) = a [m, K] (row-major, uint8) times W^T.
struct Int8Product {
  virtual ~Int8Product() = default;
  virtual void run(const uint8_t* a, int64_t m, int32_t* c) const = 0;
};
std::shared_ptr<const Int8Product> onednnInt8Product(const int8_t* w, int64_t n, int64_t k);
// Our AVX512_VNNI kernel (gemm_int8_vnni.cpp), the int8 `packed` backend
// where the CPU has AVX512_VNNI: int8 weights W [N, K] in panels of 16
// columns by groups of 4 in-features, the depth padded with zeros.
struct Int8Panels {
  Int8Panels() = default;
  Int8Panels(const int8_t* q, int64_t n, int64_t k);
  int64_t n = 0, k = 0, quads = 0, panels = 0;
  std::vector<int8_t> data;
  int64_t panelBytes() const { return quads * 64; }
};
// The epilogue of an int8 product (gemm_int8.cpp): per column its weight
// row's sum, weight scale and part scale; per row of `a` its zero point
// and scale; the bias (null: add to what c holds).
struct Int8Epilogue {
  const int32_t* rowSum = nullptr;
  const float* scale = nullptr;
  const float* outScale = nullptr;
  const int32_t* zeros = nullptr;
  const float* xs = nullptr;
  const float* bias = nullptr;
};
bool int8VnniAvailable();
// c[i, j] for rows i < m, columns j in [n0, n1) (n0 a multiple of 16):
// the epilogue of the u8 x s8 sums of a[i, :] (uint8, rows lda apart,
// readable to a multiple of 4 bytes) and W[j, :].
void int8VnniProduct(const uint8_t* a, int64_t lda, int64_t m, const Int8Panels& b, int64_t n0,
                     int64_t n1, const Int8Epilogue& e, float* c, int64_t ldc);
bool blasAvailable();
bool onednnAvailable();
// "OpenBLAS 0.3.21 ..." and "oneDNN 2.6.3": for the choice's cache key.
std::string blasVersion();
std::string onednnVersion();
// The oneDNN implementation a product of that shape would run ("brg:avx512_core", ...).
std::string onednnImplName(int64_t m, int64_t n, int64_t k, GemmType t);

}  // namespace pp
