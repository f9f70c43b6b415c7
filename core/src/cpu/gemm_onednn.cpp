// The oneDNN backend: oneDNN's matmul (the libdnnl LibTorch links) on
// weights reordered once per trial into the blocked layout its kernels
// read (format "any" chosen for 128 rows), float32 or bfloat16; bfloat16
// products take their input rows rounded to bfloat16 here and give
// float32 out. Primitives are made per shape and row count and kept per
// thread.
// Every call runs on the calling thread alone: the evaluation team
// provides the parallelism (oneDNN's OpenMP would otherwise start a pool
// per team thread).
#include <dlfcn.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include <dnnl.hpp>

#include "cpu/gemm_backend.h"
#include "paretoprune/base/error.h"

namespace pp {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// OpenMP's threads for oneDNN calls made on this thread: one (set once per thread).
void ompSingleThreaded() {
  thread_local bool done = false;
  if (done) return;
  using SetThreads = void (*)(int);
  static const auto fn = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (fn) fn(1);
  done = true;
}

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dt typeOf(GemmType t) {
  switch (t) {
    case GemmType::BFloat16:
      return dt::bf16;
    case GemmType::Int8:
      return dt::s8;
    case GemmType::Float32:
      break;
  }
  return dt::f32;
}

dnnl::matmul::primitive_desc matmulDesc(int64_t m, int64_t lda, int64_t ldc, int64_t n, int64_t k,
                                        GemmType t, const dnnl::memory::desc& wei, bool bias,
                                        bool accumulate) {
  const dnnl::memory::desc src({m, k}, typeOf(t), dnnl::memory::dims{lda, 1});
  const dnnl::memory::desc dst({m, n}, dt::f32, dnnl::memory::dims{ldc, 1});
  const dnnl::memory::desc b =
      bias ? dnnl::memory::desc({1, n}, dt::f32, tag::ab) : dnnl::memory::desc();
  dnnl::primitive_attr attr;
  if (accumulate) {
    dnnl::post_ops po;
    po.append_sum(1.0f);
    attr.set_post_ops(po);
  }
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, wei, b, dst), attr, engine());
}

// Rows of `a` rounded to bfloat16 (nearest, ties to even), packed [m, k].
const uint16_t* toBf16(const float* a, int64_t lda, int64_t m, int64_t k) {
  thread_local std::vector<uint16_t> buf;
  buf.resize(static_cast<size_t>(m * k));
  for (int64_t i = 0; i < m; ++i) {
    const float* row = a + i * lda;
    uint16_t* out = buf.data() + i * k;
    for (int64_t j = 0; j < k; ++j) {
      uint32_t u;
      std::memcpy(&u, &row[j], 4);
      u += 0x7fffu + ((u >> 16) & 1u);
      out[j] = static_cast<uint16_t>(u >> 16);
    }
  }
  return buf.data();
}

struct OnednnImpl : GemmWeights::Impl {
  int64_t n = 0, k = 0;
  GemmType type = GemmType::Float32;
  dnnl::memory::desc md;
  dnnl::memory weights;

  bool columnRanges() const override { return false; }

  void run(const float* a, int64_t lda, int64_t m, const float* bias, float* c, int64_t ldc,
           int64_t, int64_t) const override {
    ompSingleThreaded();
    const void* src = a;
    if (type == GemmType::BFloat16) {
      src = toBf16(a, lda, m, k);
      lda = k;
    }
    // Primitives made on this thread, by shape, strides and kind: they do
    // not hold the weights (passed at execution), so trials of the same
    // shapes share them.
    using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int>;
    struct Hash {
      size_t operator()(const Key& x) const {
        size_t h = 0;
        for (int64_t v : {std::get<0>(x), std::get<1>(x), std::get<2>(x), std::get<3>(x),
                          std::get<4>(x), static_cast<int64_t>(std::get<5>(x))})
          h = h * 1000003u ^ std::hash<int64_t>()(v);
        return h;
      }
    };
    thread_local std::unordered_map<Key, dnnl::matmul, Hash> cache;
    const Key key{n, k, m, lda, ldc, (bias ? 1 : 0) + (type == GemmType::BFloat16 ? 2 : 0)};
    auto it = cache.find(key);
    if (it == cache.end()) {
      if (cache.size() > 4096) cache.clear();
      it = cache
               .emplace(key, dnnl::matmul(matmulDesc(m, lda, ldc, n, k, type, md, bias != nullptr,
                                                     bias == nullptr)))
               .first;
    }
    const dnnl::memory::desc srcMd({m, k}, typeOf(type), dnnl::memory::dims{lda, 1});
    const dnnl::memory::desc dstMd({m, n}, dt::f32, dnnl::memory::dims{ldc, 1});
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, dnnl::memory(srcMd, engine(), const_cast<void*>(src))},
        {DNNL_ARG_WEIGHTS, weights},
        {DNNL_ARG_DST, dnnl::memory(dstMd, engine(), c)}};
    if (bias)
      args.emplace(DNNL_ARG_BIAS,
                   dnnl::memory({{1, n}, dt::f32, tag::ab}, engine(), const_cast<float*>(bias)));
    thread_local dnnl::stream stream(engine());
    it->second.execute(stream, args);
  }
};

// u8 x s8 -> s32 on weights reordered once (gemm_int8.cpp quantizes and
// scales; this is the integer product alone: no zero points, no scales).
struct OnednnInt8 : Int8Product {
  int64_t n = 0, k = 0;
  dnnl::memory::desc md;
  dnnl::memory weights;

  static dnnl::matmul::primitive_desc desc(int64_t m, int64_t n, int64_t k,
                                           const dnnl::memory::desc& wei) {
    const dnnl::memory::desc src({m, k}, dt::u8, tag::ab), dst({m, n}, dt::s32, tag::ab);
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, wei, dst), engine());
  }

  void run(const uint8_t* a, int64_t m, int32_t* c) const override {
    ompSingleThreaded();
    using Key = std::tuple<int64_t, int64_t, int64_t>;
    struct Hash {
      size_t operator()(const Key& x) const {
        return (std::hash<int64_t>()(std::get<0>(x)) * 1000003u ^
                std::hash<int64_t>()(std::get<1>(x))) *
                   1000003u ^
               std::hash<int64_t>()(std::get<2>(x));
      }
    };
    thread_local std::unordered_map<Key, dnnl::matmul, Hash> cache;
    const Key key{n, k, m};
    auto it = cache.find(key);
    if (it == cache.end()) {
      if (cache.size() > 4096) cache.clear();
      it = cache.emplace(key, dnnl::matmul(desc(m, n, k, md))).first;
    }
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, dnnl::memory({{m, k}, dt::u8, tag::ab}, engine(), const_cast<uint8_t*>(a))},
        {DNNL_ARG_WEIGHTS, weights},
        {DNNL_ARG_DST, dnnl::memory({{m, n}, dt::s32, tag::ab}, engine(), c)}};
    thread_local dnnl::stream stream(engine());
    it->second.execute(stream, args);
  }
};

}  // namespace

std::shared_ptr<const Int8Product> onednnInt8Product(const int8_t* w, int64_t n, int64_t k) {
  ompSingleThreaded();
  auto impl = std::make_shared<OnednnInt8>();
  impl->n = n;
  impl->k = k;
  try {
    impl->md = OnednnInt8::desc(128, n, k, {{k, n}, dt::s8, tag::any}).weights_desc();
    dnnl::memory user({{k, n}, dt::s8, tag::ba}, engine(), const_cast<int8_t*>(w));
    impl->weights = dnnl::memory(impl->md, engine());
    dnnl::stream s(engine());
    dnnl::reorder(user, impl->weights).execute(s, user, impl->weights);
    s.wait();
  } catch (const dnnl::error& e) {
    throw Error("oneDNN could not prepare a " + std::to_string(n) + " x " + std::to_string(k) +
                " int8 weight matrix: " + e.what());
  }
  return impl;
}

bool onednnAvailable() {
  try {
    static_cast<void>(engine());
    return true;
  } catch (...) {
    return false;
  }
}

std::string onednnVersion() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch);
}

std::shared_ptr<const GemmWeights::Impl> onednnWeights(const std::vector<float>& w, int64_t n,
                                                       int64_t k, GemmType t) {
  ompSingleThreaded();
  auto impl = std::make_shared<OnednnImpl>();
  impl->n = n;
  impl->k = k;
  impl->type = t;
  const dnnl::memory::desc any({k, n}, typeOf(t), tag::any);
  try {
    impl->md = matmulDesc(128, k, n, n, k, t, any, true, false).weights_desc();
    // W [N, K] row-major is the matmul's weights [K, N] with strides (1, K).
    dnnl::memory user({{k, n}, dt::f32, tag::ba}, engine(), const_cast<float*>(w.data()));
    impl->weights = dnnl::memory(impl->md, engine());
    dnnl::stream s(engine());
    dnnl::reorder(user, impl->weights).execute(s, user, impl->weights);
    s.wait();
  } catch (const dnnl::error& e) {
    throw Error(std::string("oneDNN could not prepare a ") + std::to_string(n) + " x " +
                std::to_string(k) + " " + gemmTypeName(t) + " weight matrix: " + e.what());
  }
  return impl;
}

std::string onednnImplName(int64_t m, int64_t n, int64_t k, GemmType t) {
  ompSingleThreaded();
  const dnnl::memory::desc any({k, n}, typeOf(t), tag::any);
  if (t == GemmType::Int8) return OnednnInt8::desc(m, n, k, any).impl_info_str();
  return matmulDesc(m, k, n, n, k, t, any, true, false).impl_info_str();
}

}  // namespace pp
