#include "cpu/forward.h"

#include <cmath>
#include <limits>

#include "cpu/threads_impl.h"
#include "model/parallel.h"
#include "paretoprune/base/error.h"

namespace pp {

namespace {
torch::Tensor activate(const torch::Tensor& x, Act a) {
  switch (a) {
    case Act::GeluErf:
      return torch::gelu(x);
    case Act::GeluTanh:
      return torch::gelu(x, "tanh");
    case Act::Relu:
      return torch::relu(x);
    case Act::Silu:
      return torch::silu(x);
    case Act::Tanh:
      return torch::tanh(x);
  }
  return x;
}

// The head's dense layer and its activation on the first token (BERT's
// pooler); the input itself where the family's head has none.
torch::Tensor headDense(const EncoderWeights& w, const torch::Tensor& first) {
  if (!w.head.dense_w.defined()) return first;
  return activate(torch::linear(first, w.head.dense_w, w.head.dense_b), w.headAct);
}
}  // namespace

namespace {
// Rows of a float32 matrix [rows, K] with unit column stride (a narrowed
// view's rows keep the stride of the tensor it came from).
RowSource rowsOf(const torch::Tensor& t, float scale = 1.0f) {
  return {t.data_ptr<float>(), t.size(0), t.stride(0), scale};
}

PackedLayer packLayer(const LayerWeights& lw, float scale, const GemmPlan& plan) {
  PackedLayer p;
  const auto c = [](const torch::Tensor& t) { return t.stride(1) == 1 ? t : t.contiguous(); };
  if (lw.heads > 0) {
    const auto q = c(lw.q_w), k = c(lw.k_w), v = c(lw.v_w), o = c(lw.o_w);
    p.qkv = GemmWeights(plan, {rowsOf(q, scale), rowsOf(k), rowsOf(v)}, q.size(1));
    p.o = GemmWeights(plan, {rowsOf(o)}, o.size(1));
  }
  if (lw.units() > 0) {
    const auto i = c(lw.i_w), out = c(lw.out_w);
    p.in = GemmWeights(plan, {rowsOf(i)}, i.size(1));
    p.out = GemmWeights(plan, {rowsOf(out)}, out.size(1));
  }
  return p;
}
}  // namespace

FusedAttention fuseAttention(const EncoderWeights& w, WeightPacking packing, const GemmPlan& plan) {
  const size_t L = w.layers.size();
  const bool int8 = plan.type == GemmType::Int8;
  FusedAttention f{std::vector<torch::Tensor>(L), std::vector<torch::Tensor>(L), {}, false, int8};
  if (int8 && packing == WeightPacking::Never)
    throw Error("int8 products run only on weights prepared for the GEMM seam");
  const bool pack = packing != WeightPacking::Never &&
                    (packing == WeightPacking::Always || int8 || teamThreads() >= blasThreads()) &&
                    L > 0 && w.emb.word.device().is_cpu() &&
                    w.emb.word.scalar_type() == torch::kFloat32 &&
                    gemmUnavailable(plan.backend, plan.type).empty();
  if (int8 && !pack)
    throw Error(std::string("int8 evaluation needs float32 weights on the CPU and the ") +
                gemmBackendName(plan.backend) +
                " int8 backend: " + gemmUnavailable(plan.backend, plan.type));
  if (pack) f.packed.resize(L);
  f.packedAttention = pack && packedGemmSupported();
  const double scale = 1.0 / std::sqrt(static_cast<double>(w.headSize));
  onTeam(static_cast<int64_t>(L), [&](int64_t i) {
    const auto l = static_cast<size_t>(i);
    const auto& lw = w.layers[l];
    if (pack) f.packed[l] = packLayer(lw, static_cast<float>(scale), plan);
    if (lw.heads == 0) return;  // undefined: no attention
    if (!pack) f.qkv_w[l] = torch::cat({lw.q_w * scale, lw.k_w, lw.v_w});
    f.qkv_b[l] = torch::cat({lw.q_b * scale, lw.k_b, lw.v_b});
  });
  return f;
}

namespace {
// Refuses fused or packed weights made from another model or sub-network:
// the products would read and write past their tensors.
void checkFused(const EncoderWeights& w, const FusedAttention& f) {
  auto refuse = [](size_t l) {
    throw Error("encoderForward: fused attention of another model (layer " + std::to_string(l) +
                ")");
  };
  const size_t L = w.layers.size();
  if (f.qkv_b.size() != L || f.qkv_w.size() != L || (!f.packed.empty() && f.packed.size() != L))
    refuse(L);
  const int64_t H = w.hidden(), d = w.headSize;
  for (size_t l = 0; l < L; ++l) {
    const LayerWeights& lw = w.layers[l];
    const int64_t hd = lw.heads * d, units = lw.units();
    if (lw.heads > 0 ? !f.qkv_b[l].defined() || f.qkv_b[l].size(0) != 3 * hd : f.qkv_b[l].defined())
      refuse(l);
    if (f.qkv_w[l].defined() && (f.qkv_w[l].size(0) != 3 * hd || f.qkv_w[l].size(1) != H))
      refuse(l);
    if (f.packed.empty()) continue;
    const PackedLayer& p = f.packed[l];
    if (p.qkv.outFeatures() != (lw.heads > 0 ? 3 * hd : 0) ||
        (lw.heads > 0 &&
         (p.qkv.inFeatures() != H || p.o.inFeatures() != hd || p.o.outFeatures() != H)) ||
        p.in.outFeatures() != units || p.out.inFeatures() != units ||
        (units > 0 && (p.in.inFeatures() != H || p.out.outFeatures() != H)))
      refuse(l);
  }
}

// Attention probabilities' context [B, T, h*d] from the fused product: one
// product for query, key and value; keys laid out transposed and
// contiguous ([B, h, d, T]), where the scores' product runs at the BLAS
// rate (a transposed view of keys ran it at a third: bench_forward
// --profile); the scale is in the query weights; the mask added in place.
torch::Tensor fusedAttention(const torch::Tensor& x, const torch::Tensor& qkvW,
                             const torch::Tensor& qkvB, const torch::Tensor& ext, int64_t h,
                             int64_t d) {
  const int64_t B = x.size(0), T = x.size(1);
  auto qkv = torch::linear(x, qkvW, qkvB).view({B, T, 3, h, d});
  auto q = qkv.select(2, 0).transpose(1, 2);                      // [B, h, T, d]
  auto kT = qkv.select(2, 1).permute({0, 2, 3, 1}).contiguous();  // [B, h, d, T]
  auto v = qkv.select(2, 2).transpose(1, 2);                      // [B, h, T, d]
  auto scores = torch::matmul(q, kT);
  scores.add_(ext);
  auto ctx = torch::matmul(torch::softmax(scores, -1), v);  // [B, h, T, d]
  return ctx.transpose(1, 2).reshape({B, T, h * d});
}
}  // namespace

torch::Tensor encoderForward(const EncoderWeights& w, Act act, double eps, const Batch& b,
                             const SubnetMasks* masks, const ForwardOptions& opts,
                             const FusedAttention* fused) {
  const bool useFused = fused && !masks && !opts.training && !opts.layerOutputs;
  if (useFused) checkFused(w, *fused);
  if (useFused && (opts.packed || fused->int8)) {
    auto logits = packedForward(w, act, eps, b, *fused);
    if (logits.defined()) return logits;
    if (fused->int8)
      throw Error("int8 evaluation needs right-padded batches of float32 tokens on the CPU");
  }
  if (fused && fused->int8) throw Error("int8 weights run evaluation only (no masks, no training)");
  const int64_t B = b.ids.size(0), T = b.ids.size(1), H = w.hidden(), d = w.headSize;
  auto dropout = [&](const torch::Tensor& x, double p) {
    return (opts.training && p > 0) ? torch::dropout(x, p, true) : x;
  };
  auto pos = torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(b.ids.device()));
  auto x = embed(w, eps, b.ids, b.typeIds, pos);
  x = dropout(x, opts.hiddenDropout);
  // Additive mask as transformers builds it: 0 where attended, the dtype's lowest value elsewhere.
  const double lowest =
      x.scalar_type() == torch::kHalf ? -65504.0 : std::numeric_limits<float>::lowest();
  auto ext = ((1.0 - b.mask) * lowest).view({B, 1, 1, T}).to(x.dtype());
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const auto& lw = w.layers[l];
    const int64_t h = lw.heads;
    torch::Tensor attnOut;
    if (h > 0 && useFused && fused->qkv_w[l].defined()) {
      attnOut = torch::linear(fusedAttention(x, fused->qkv_w[l], fused->qkv_b[l], ext, h, d),
                              lw.o_w, lw.o_b);
    } else if (h > 0) {
      auto q = torch::linear(x, lw.q_w, lw.q_b).view({B, T, h, d}).transpose(1, 2);
      auto k = torch::linear(x, lw.k_w, lw.k_b).view({B, T, h, d}).transpose(1, 2);
      auto v = torch::linear(x, lw.v_w, lw.v_b).view({B, T, h, d}).transpose(1, 2);
      auto scores = torch::matmul(q, k.transpose(-1, -2)) * scale + ext;
      auto probs = dropout(torch::softmax(scores, -1), opts.attentionDropout);
      auto ctx = torch::matmul(probs, v);  // [B, h, T, d]
      if (masks && masks->heads[l].defined())
        ctx = ctx * masks->heads[l].to(ctx.device(), ctx.scalar_type()).view({1, h, 1, 1});
      ctx = ctx.transpose(1, 2).reshape({B, T, h * d});
      attnOut = torch::linear(ctx, lw.o_w, lw.o_b);
    } else {
      attnOut = lw.o_b.expand({B, T, H});
    }
    x = torch::layer_norm(dropout(attnOut, opts.hiddenDropout) + x, {H}, lw.ln1_w, lw.ln1_b, eps);
    torch::Tensor ffn;
    if (lw.units() > 0) {
      auto inter = activate(torch::linear(x, lw.i_w, lw.i_b), act);
      if (masks && masks->units[l].defined())
        inter = inter * masks->units[l].to(inter.device(), inter.scalar_type());
      ffn = torch::linear(inter, lw.out_w, lw.out_b);
    } else {
      ffn = lw.out_b.expand({B, T, H});
    }
    x = torch::layer_norm(dropout(ffn, opts.hiddenDropout) + x, {H}, lw.ln2_w, lw.ln2_b, eps);
    if (opts.layerOutputs) opts.layerOutputs->push_back(x);
  }
  if (w.tokenHead)  // a tagger: the classifier on every token
    return torch::linear(dropout(x, opts.hiddenDropout), w.head.cls_w, w.head.cls_b);
  auto pooled = dropout(headDense(w, x.select(1, 0)), opts.hiddenDropout);
  return torch::linear(pooled, w.head.cls_w, w.head.cls_b);
}

torch::Tensor embed(const EncoderWeights& w, double eps, const torch::Tensor& ids,
                    const torch::Tensor& typeIds, const torch::Tensor& positions) {
  const auto pos = w.positionOffset ? positions + w.positionOffset : positions;
  torch::Tensor x;
  if (ids.dim() == 2)  // padded [B, T]: one row of positions for every sequence
    x = torch::embedding(w.emb.word, ids) + torch::embedding(w.emb.pos, pos).unsqueeze(0);
  else
    x = torch::embedding(w.emb.word, ids) + torch::embedding(w.emb.pos, pos);
  if (w.emb.type.defined()) x = x + torch::embedding(w.emb.type, typeIds);
  x = torch::layer_norm(x, {w.embeddingSize()}, w.emb.ln_w, w.emb.ln_b, eps);
  return w.emb.proj_w.defined() ? torch::linear(x, w.emb.proj_w, w.emb.proj_b) : x;
}

torch::Tensor classify(const EncoderWeights& w, const torch::Tensor& first) {
  return torch::linear(headDense(w, first), w.head.cls_w, w.head.cls_b);
}

}  // namespace pp
