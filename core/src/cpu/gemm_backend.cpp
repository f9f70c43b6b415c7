#include "cpu/gemm_backend.h"

#include <cstring>

#include "paretoprune/base/error.h"

namespace pp {

const char* gemmBackendName(GemmBackend b) {
  switch (b) {
    case GemmBackend::Packed:
      return "packed";
    case GemmBackend::Blas:
      return "blas";
    case GemmBackend::Onednn:
      return "onednn";
  }
  return "?";
}

const char* gemmTypeName(GemmType t) {
  switch (t) {
    case GemmType::Float32:
      return "fp32";
    case GemmType::BFloat16:
      return "bf16";
    case GemmType::Int8:
      return "int8";
  }
  return "?";
}

std::vector<GemmBackend> allGemmBackends() {
  return {GemmBackend::Packed, GemmBackend::Blas, GemmBackend::Onednn};
}

GemmBackend parseGemmBackend(const std::string& name) {
  for (GemmBackend b : allGemmBackends())
    if (name == gemmBackendName(b)) return b;
  if (name == "openblas") return GemmBackend::Blas;
  if (name == "dnnl" || name == "mkldnn") return GemmBackend::Onednn;
  throw Error("unknown GEMM backend \"" + name + "\" (packed, blas or onednn; or auto)");
}

std::string gemmUnavailable(GemmBackend b, GemmType t, const CpuFeatures& f) {
  if (t == GemmType::BFloat16) {
    if (b != GemmBackend::Onednn) return std::string("bf16 products run on onednn only");
    if (!f.bf16())
      return "this CPU (" + f.model +
             ") has neither AVX512_BF16 nor AMX: bf16 products would be emulated, slower than "
             "fp32";
  }
  if (t == GemmType::Int8) {
    if (b == GemmBackend::Blas)
      return "int8 products run on onednn or packed (our portable integer kernel), not blas";
    if (b == GemmBackend::Packed) return "";  // plain C++: any CPU
    if (!onednnAvailable()) return "oneDNN is not available";
    if (!f.avx512Vnni && !f.amxInt8)
      return "this CPU (" + f.model +
             ") has neither AVX512_VNNI nor AMX-INT8: oneDNN's int8 kernels could saturate";
    return "";
  }
  switch (b) {
    case GemmBackend::Packed:
      return packedGemmSupported() && f.avx2 && f.fma ? "" : "this CPU has no AVX2/FMA";
    case GemmBackend::Blas:
      return blasAvailable() ? "" : "no cblas_sgemm in this process";
    case GemmBackend::Onednn:
      return onednnAvailable() ? "" : "oneDNN is not available";
  }
  return "unknown backend";
}

namespace {
struct PackedImpl : GemmWeights::Impl {
  PackedWeights w;
  explicit PackedImpl(PackedWeights p) : w(std::move(p)) {}
  void run(const float* a, int64_t lda, int64_t m, const float* bias, float* c, int64_t ldc,
           int64_t n0, int64_t n1) const override {
    gemmPacked(a, lda, m, w, bias, c, ldc, n0, n1);
  }
};

std::vector<float> gatherRows(const std::vector<RowSource>& parts, int64_t depth, int64_t n) {
  std::vector<float> w(static_cast<size_t>(n * depth));
  float* out = w.data();
  for (const RowSource& p : parts)
    for (int64_t r = 0; r < p.rows; ++r, out += depth) {
      const float* src = p.data + r * p.stride;
      if (p.scale == 1.0f)
        std::memcpy(out, src, static_cast<size_t>(depth) * sizeof(float));
      else
        for (int64_t i = 0; i < depth; ++i) out[i] = src[i] * p.scale;
    }
  return w;
}
}  // namespace

GemmWeights::GemmWeights(const GemmPlan& plan, const std::vector<RowSource>& parts, int64_t depth)
    : plan_(plan), k_(depth) {
  for (const RowSource& p : parts) n_ += p.rows;
  if (n_ == 0) return;
  const std::string why = gemmUnavailable(plan.backend, plan.type);
  if (!why.empty())
    throw Error(std::string("GEMM backend ") + gemmBackendName(plan.backend) + " (" +
                gemmTypeName(plan.type) + "): " + why);
  if (plan.type == GemmType::Int8) {
    impl_ = int8Weights(parts, depth, plan.backend == GemmBackend::Onednn);
    return;
  }
  switch (plan.backend) {
    case GemmBackend::Packed:
      impl_ = std::make_shared<PackedImpl>(PackedWeights(parts, depth));
      break;
    case GemmBackend::Blas:
      impl_ = blasWeights(gatherRows(parts, depth, n_), n_, depth);
      break;
    case GemmBackend::Onednn:
      impl_ = onednnWeights(gatherRows(parts, depth, n_), n_, depth, plan.type);
      break;
  }
}

bool GemmWeights::columnRanges() const {
  return !impl_ || impl_->columnRanges();
}

void GemmWeights::run(const float* a, int64_t lda, int64_t m, const float* bias, float* c,
                      int64_t ldc, int64_t n0, int64_t n1, const RowGroups* groups) const {
  if (n1 < 0) n1 = n_;
  if (!impl_ || m == 0 || n1 <= n0) return;
  if (n0 < 0 || n1 > n_ || n0 % PackedWeights::kPanel != 0)
    throw Error("GEMM: column range [" + std::to_string(n0) + ", " + std::to_string(n1) + ") of " +
                std::to_string(n_));
  if ((n0 != 0 || n1 != n_) && !impl_->columnRanges())
    throw Error(std::string("GEMM: ") + gemmBackendName(plan_.backend) +
                " runs whole weight matrices only");
  if (groups && (groups->empty() || groups->back() != m))
    throw Error("GEMM: row groups end at " + std::to_string(groups->empty() ? 0 : groups->back()) +
                ", not at the product's " + std::to_string(m) + " rows");
  impl_->runGroups(a, lda, m, bias, c, ldc, n0, n1, groups);
}

}  // namespace pp
