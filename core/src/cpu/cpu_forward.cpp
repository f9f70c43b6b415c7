// The evaluation forward pass on the CPU (float32): padding removed and
// every step on one team of threads. See bert.h (packedForward) and
// docs/performance.md for the measurements behind each choice.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <optional>
#include <vector>

#include "cpu/forward.h"
#include "model/parallel.h"
#include "paretoprune/base/error.h"

namespace pp {

namespace {

// Where each sequence's tokens lie once padding is removed.
struct Packing {
  torch::Tensor rows;            // [N] int64: flat index b*T + t of each kept token
  torch::Tensor positions;       // [N] int64: t
  torch::Tensor firstRows;       // [B] int64: each sequence's first row among the N
  std::vector<int64_t> offsets;  // [B]
  std::vector<int64_t> lengths;  // [B]
  int64_t total = 0;
};

// The packing of a right-padded mask (each row ones, then zeros), or
// nothing for any other mask (the caller runs the padded pass).
std::optional<Packing> packRows(const torch::Tensor& mask) {
  const auto m = mask.to(torch::kFloat32).contiguous();
  const int64_t B = m.size(0), T = m.size(1);
  const float* p = m.data_ptr<float>();
  Packing k;
  std::vector<int64_t> rows, positions;
  for (int64_t b = 0; b < B; ++b) {
    const float* row = p + b * T;
    int64_t L = 0;
    while (L < T && row[L] == 1.0f) ++L;
    for (int64_t t = L; t < T; ++t)
      if (row[t] != 0.0f) return std::nullopt;
    if (L == 0) return std::nullopt;
    k.offsets.push_back(k.total);
    k.lengths.push_back(L);
    k.total += L;
    for (int64_t t = 0; t < L; ++t) {
      rows.push_back(b * T + t);
      positions.push_back(t);
    }
  }
  k.rows = torch::tensor(rows, torch::kLong);
  k.positions = torch::tensor(positions, torch::kLong);
  k.firstRows = torch::tensor(k.offsets, torch::kLong);
  return k;
}

// Int8 quantizes each sequence's activations on its own (gemm_int8.cpp):
// the ends of the sequences in rows [r0, r1) (both sequence boundaries),
// counted from r0.
RowGroups sequenceEnds(const Packing& k, int64_t r0, int64_t r1) {
  RowGroups ends;
  for (size_t b = 0; b < k.lengths.size(); ++b) {
    const int64_t end = k.offsets[b] + k.lengths[b];
    if (end > r0 && end <= r1) ends.push_back(end - r0);
  }
  if (ends.empty() || ends.back() != r1 - r0)
    throw Error("int8 product: rows split inside a sequence");
  return ends;
}

// `parts` + 1 row edges splitting [0, N): evenly, or (int8) at the
// sequence boundaries nearest to even, without empty parts.
std::vector<int64_t> rowEdges(const Packing& k, int64_t parts, bool bySequence) {
  const int64_t N = k.total;
  std::vector<int64_t> edges{0};
  for (int64_t c = 1; c <= parts; ++c) {
    int64_t e = N * c / parts;
    if (bySequence && c < parts) {
      int64_t best = N;  // the nearest sequence end
      for (size_t b = 0; b < k.lengths.size(); ++b) {
        const int64_t end = k.offsets[b] + k.lengths[b];
        if (std::llabs(end - e) < std::llabs(best - e)) best = end;
      }
      e = best;
    }
    if (e > edges.back()) edges.push_back(e);
  }
  return edges;
}

void activateInPlace(torch::Tensor& x, Act a) {
  switch (a) {
    case Act::GeluErf:
      at::gelu_(x);
      break;
    case Act::GeluTanh:
      at::gelu_(x, "tanh");
      break;
    case Act::Relu:
      at::relu_(x);
      break;
    case Act::Silu:
      at::silu_(x);
      break;
    case Act::Tanh:
      at::tanh_(x);
      break;
  }
}

// One of a layer's products: on its weights prepared for the GEMM seam
// where the trial has them (gemm_backend.h), else LibTorch's BLAS on `w`.
struct Linear {
  const GemmWeights* packed = nullptr;
  torch::Tensor w, b;  // w: undefined when packed
  int64_t outFeatures() const { return packed ? packed->outFeatures() : w.size(0); }
};

struct LayerLinears {
  Linear qkv, o, in, out;
};

LayerLinears linearsOf(const EncoderWeights& w, const FusedAttention& f, size_t l) {
  const LayerWeights& lw = w.layers[l];
  if (!f.packed.empty()) {
    const PackedLayer& p = f.packed[l];
    // The kernel reads biases as plain arrays.
    const auto c = [](const torch::Tensor& t) { return t.defined() ? t.contiguous() : t; };
    return {{&p.qkv, {}, c(f.qkv_b[l])},
            {&p.o, {}, c(lw.o_b)},
            {&p.in, {}, c(lw.i_b)},
            {&p.out, {}, c(lw.out_b)}};
  }
  return {{nullptr, f.qkv_w[l], f.qkv_b[l]},
          {nullptr, lw.o_w, lw.o_b},
          {nullptr, lw.i_w, lw.i_b},
          {nullptr, lw.out_w, lw.out_b}};
}

// Columns [n0, n1) of `out` (n1 -1: all): x W^T + bias, or (accumulate)
// out + x W^T. `x` and `out` rows with unit column stride.
// `groups`: int8's quantization groups of x's rows (RowGroups).
void linearInto(const Linear& lin, const torch::Tensor& x, torch::Tensor& out, bool accumulate,
                int64_t n0 = 0, int64_t n1 = -1, const RowGroups* groups = nullptr) {
  if (n1 < 0) n1 = lin.outFeatures();
  if (lin.packed) {
    if (x.size(1) != lin.packed->inFeatures() || n1 > out.size(1) || x.stride(1) != 1 ||
        out.stride(1) != 1 || x.size(0) > out.size(0))
      throw Error("packed product: shapes do not match its weights");
    lin.packed->run(x.data_ptr<float>(), x.stride(0), x.size(0),
                    accumulate ? nullptr : lin.b.data_ptr<float>(), out.data_ptr<float>(),
                    out.stride(0), n0, n1, groups);
    return;
  }
  auto part = out.narrow(1, n0, n1 - n0);
  const auto wt = lin.w.narrow(0, n0, n1 - n0).t();
  if (accumulate)
    part.addmm_(x, wt);
  else
    at::addmm_out(part, lin.b.narrow(0, n0, n1 - n0), x, wt);
}

// x W^T + bias (then the activation, if any), the output's columns split
// among the team: each thread runs its own single-threaded product on its
// share of the weights, and the activation on its own columns. Weights
// that run whole (oneDNN's) split the rows instead (int8: at sequence
// boundaries, each sequence quantized on its own).
torch::Tensor teamLinear(const torch::Tensor& x, const Linear& lin, const Packing& k, bool int8,
                         std::optional<Act> act = std::nullopt) {
  const int64_t N = lin.outFeatures();
  auto out = at::empty({x.size(0), N}, x.options());
  if (lin.packed && !lin.packed->columnRanges()) {
    const int64_t M = x.size(0);
    const auto edges =
        rowEdges(k, std::min<int64_t>(teamThreads(), std::max<int64_t>(1, M / 8)), int8);
    onTeam(static_cast<int64_t>(edges.size()) - 1, [&](int64_t c) {
      const int64_t r0 = edges[static_cast<size_t>(c)], r1 = edges[static_cast<size_t>(c) + 1];
      auto rows = out.narrow(0, r0, r1 - r0);
      const RowGroups groups = int8 ? sequenceEnds(k, r0, r1) : RowGroups{};
      linearInto(lin, x.narrow(0, r0, r1 - r0), rows, false, 0, -1, int8 ? &groups : nullptr);
      if (act) activateInPlace(rows, *act);
    });
    return out;
  }
  const RowGroups all = int8 ? sequenceEnds(k, 0, x.size(0)) : RowGroups{};
  // Column blocks a multiple of 64 wide (whole panels), at least 128.
  const int64_t chunks = std::min<int64_t>(teamThreads(), std::max<int64_t>(1, N / 128));
  auto edge = [&](int64_t c) { return c == chunks ? N : (N * c / chunks) / 64 * 64; };
  onTeam(chunks, [&](int64_t c) {
    const int64_t n0 = edge(c), n1 = edge(c + 1);
    linearInto(lin, x, out, false, n0, n1, int8 ? &all : nullptr);
    if (act) {
      auto part = out.narrow(1, n0, n1 - n0);
      activateInPlace(part, *act);
    }
  });
  return out;
}

// One sequence's attention for heads [h0, h0 + n) on our packed kernel:
// per head, the keys packed as the weights of the scores' product, the
// softmax in place, the values packed (transposed) for the context's.
// Scores are computed for whole panels of keys (the columns past L come
// out zero and are left out of the softmax and the next product).
void packedHeads(const float* rows, int64_t ld, int64_t L, int64_t h, int64_t d, int64_t h0,
                 int64_t n, float* ctx, int64_t ctxLd) {
  const int64_t width = PackedWeights::wholePanels(L);
  thread_local std::vector<float> scores, zeros;  // zeros: only ever read
  scores.resize(static_cast<size_t>(L * width));
  if (zeros.size() < static_cast<size_t>(std::max(width, d))) zeros.resize(std::max(width, d));
  for (int64_t i = h0; i < h0 + n; ++i) {
    const PackedWeights keys({{rows + (h + i) * d, L, ld, 1.0f}}, d);
    gemmPacked(rows + i * d, ld, L, keys, zeros.data(), scores.data(), width, 0, width);
    softmaxRows(scores.data(), L, L, width);
    const auto values = PackedWeights::transposed(rows + (2 * h + i) * d, L, d, ld);
    gemmPacked(scores.data(), width, L, values, zeros.data(), ctx + i * d, ctxLd);
  }
}

// Each sequence's attention over its own tokens only: per sequence and
// group of heads, scores from strided views of the fused product (no
// copies; the scale is in the query weights, no mask is needed: no
// padding), softmax, and the context written straight into its columns
// of `ctx` [N, h*d]. Tasks: every sequence, its heads split so that a
// batch smaller than the team still fills it. `packed`: on our kernel
// (packedHeads), else LibTorch's batched products.
void teamAttention(const torch::Tensor& qkv, const Packing& k, int64_t h, int64_t d,
                   torch::Tensor& ctx, bool packed) {
  const int64_t B = static_cast<int64_t>(k.lengths.size());
  const int64_t threads = teamThreads();
  const int64_t split = std::min<int64_t>(h, std::max<int64_t>(1, (threads + B - 1) / B));
  onTeam(B * split, [&](int64_t task) {
    const int64_t b = task / split, part = task % split;
    const int64_t h0 = h * part / split, n = h * (part + 1) / split - h0;
    const int64_t L = k.lengths[static_cast<size_t>(b)], off = k.offsets[static_cast<size_t>(b)];
    if (packed) {
      packedHeads(qkv.data_ptr<float>() + off * qkv.stride(0), qkv.stride(0), L, h, d, h0, n,
                  ctx.data_ptr<float>() + off * ctx.stride(0), ctx.stride(0));
      return;
    }
    const auto rows = qkv.narrow(0, off, L).view({L, 3, h, d});
    const auto q = rows.select(1, 0).narrow(1, h0, n).transpose(0, 1);      // [n, L, d]
    const auto kT = rows.select(1, 1).narrow(1, h0, n).permute({1, 2, 0});  // [n, d, L]
    const auto v = rows.select(1, 2).narrow(1, h0, n).transpose(0, 1);      // [n, L, d]
    const auto probs = at::_softmax(at::bmm(q, kT), -1, false);
    auto out = ctx.narrow(0, off, L).view({L, h, d}).narrow(1, h0, n).transpose(0, 1);
    at::bmm_out(out, probs, v);
  });
}

// LayerNorm(y + residual) by rows, split among the team; y is added to
// in place.
torch::Tensor teamAddLayerNorm(torch::Tensor& y, const torch::Tensor& residual,
                               const torch::Tensor& weight, const torch::Tensor& bias, double eps) {
  const int64_t N = y.size(0), H = y.size(1);
  const int64_t chunks = std::min<int64_t>(teamThreads(), std::max<int64_t>(1, N / 16));
  if (chunks <= 1) return at::layer_norm(y.add_(residual), {H}, weight, bias, eps);
  auto out = at::empty_like(y);
  onTeam(chunks, [&](int64_t c) {
    const int64_t r0 = N * c / chunks, n = N * (c + 1) / chunks - r0;
    auto rows = y.narrow(0, r0, n).add_(residual.narrow(0, r0, n));
    out.narrow(0, r0, n).copy_(at::layer_norm(rows, {H}, weight, bias, eps));
  });
  return out;
}

// The work of layer `lw` after attention for one block of rows: output
// projection, residual and LayerNorm, feed-forward, residual and
// LayerNorm. Bias and residual are summed first and the products added
// in place (no extra pass over the output).
torch::Tensor layerAfterAttention(const LayerWeights& lw, const LayerLinears& lin, Act act,
                                  double eps, const torch::Tensor& ctxRows,
                                  const torch::Tensor& xRows, const RowGroups* groups) {
  const int64_t H = xRows.size(1);
  auto y = xRows + lw.o_b;
  if (ctxRows.defined()) linearInto(lin.o, ctxRows, y, true, 0, -1, groups);
  const auto x1 = at::layer_norm(y, {H}, lw.ln1_w, lw.ln1_b, eps);
  y = x1 + lw.out_b;
  if (lw.units() > 0) {
    auto inter = at::empty({x1.size(0), lw.units()}, x1.options());
    linearInto(lin.in, x1, inter, false, 0, -1, groups);
    activateInPlace(inter, act);
    linearInto(lin.out, inter, y, true, 0, -1, groups);
  }
  return at::layer_norm(y, {H}, lw.ln2_w, lw.ln2_b, eps);
}

// Each team thread keeps one block of rows through every layer: all work
// but attention is row by row, so a layer is two team jobs (attention;
// then the rest of the layer and the next layer's fused query/key/value
// product on each block), and each thread's BLAS products run on its
// rows against the whole weight matrices.
torch::Tensor rowBlockLayers(const EncoderWeights& w, Act act, double eps,
                             const FusedAttention& fused, const Packing& k, torch::Tensor x,
                             int64_t blocks) {
  const int64_t N = k.total, d = w.headSize;
  const std::vector<int64_t> edges = rowEdges(k, blocks, fused.int8);
  blocks = static_cast<int64_t>(edges.size()) - 1;
  // Int8: each block's sequences, quantized on their own.
  std::vector<RowGroups> groups(static_cast<size_t>(blocks));
  if (fused.int8)
    for (size_t c = 0; c < groups.size(); ++c) groups[c] = sequenceEnds(k, edges[c], edges[c + 1]);
  auto groupsOf = [&](int64_t c) { return fused.int8 ? &groups[static_cast<size_t>(c)] : nullptr; };
  auto rowsOf = [&](const torch::Tensor& t, int64_t c) {
    return t.narrow(0, edges[static_cast<size_t>(c)],
                    edges[static_cast<size_t>(c) + 1] - edges[static_cast<size_t>(c)]);
  };
  std::vector<torch::Tensor> xs(static_cast<size_t>(blocks));
  for (int64_t c = 0; c < blocks; ++c) xs[static_cast<size_t>(c)] = rowsOf(x, c);
  // Layer l's fused product of every row, from the blocks.
  auto qkvFor = [&](size_t l) {
    if (l >= w.layers.size() || w.layers[l].heads == 0) return torch::Tensor();
    return at::empty({N, 3 * w.layers[l].heads * d}, x.options());
  };
  torch::Tensor qkv = qkvFor(0);
  if (qkv.defined()) {
    const LayerLinears first = linearsOf(w, fused, 0);
    onTeam(blocks, [&](int64_t c) {
      auto out = rowsOf(qkv, c);
      linearInto(first.qkv, xs[static_cast<size_t>(c)], out, false, 0, -1, groupsOf(c));
    });
  }
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const auto& lw = w.layers[l];
    torch::Tensor ctx;
    if (lw.heads > 0) {
      ctx = at::empty({N, lw.heads * d}, x.options());
      teamAttention(qkv, k, lw.heads, d, ctx, fused.packedAttention);
    }
    torch::Tensor next = qkvFor(l + 1);
    const LayerLinears lin = linearsOf(w, fused, l);
    const LayerLinears nextLin = next.defined() ? linearsOf(w, fused, l + 1) : LayerLinears{};
    onTeam(blocks, [&](int64_t c) {
      auto& xc = xs[static_cast<size_t>(c)];
      xc = layerAfterAttention(lw, lin, act, eps, ctx.defined() ? rowsOf(ctx, c) : torch::Tensor(),
                               xc, groupsOf(c));
      if (next.defined()) {
        auto out = rowsOf(next, c);
        linearInto(nextLin.qkv, xc, out, false, 0, -1, groupsOf(c));
      }
    });
    qkv = next;
  }
  return blocks == 1 ? xs[0] : at::cat(xs);
}

// One step at a time, each split among the team by output columns (or by
// rows, for the LayerNorms): for batches too short to give every thread a
// block of rows worth a product of its own.
torch::Tensor columnSplitLayers(const EncoderWeights& w, Act act, double eps,
                                const FusedAttention& fused, const Packing& k, torch::Tensor x) {
  const int64_t H = x.size(1), d = w.headSize;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const auto& lw = w.layers[l];
    const int64_t h = lw.heads;
    const LayerLinears lin = linearsOf(w, fused, l);
    torch::Tensor y;
    if (h > 0) {
      const auto qkv = teamLinear(x, lin.qkv, k, fused.int8);
      auto ctx = at::empty({k.total, h * d}, x.options());
      teamAttention(qkv, k, h, d, ctx, fused.packedAttention);
      y = teamLinear(ctx, lin.o, k, fused.int8);
    } else {
      y = lw.o_b.expand({k.total, H}).clone();
    }
    x = teamAddLayerNorm(y, x, lw.ln1_w, lw.ln1_b, eps);
    if (lw.units() > 0)
      y = teamLinear(teamLinear(x, lin.in, k, fused.int8, act), lin.out, k, fused.int8);
    else
      y = lw.out_b.expand({k.total, H}).clone();
    x = teamAddLayerNorm(y, x, lw.ln2_w, lw.ln2_b, eps);
  }
  return x;
}

// Rows per thread from which each thread runs its own products on its
// rows (rowBlockLayers) rather than sharing each product's columns.
constexpr int64_t kMinBlockRows = 128;

}  // namespace

torch::Tensor packedForward(const EncoderWeights& w, Act act, double eps, const Batch& b,
                            const FusedAttention& fused) {
  if (!b.ids.device().is_cpu() || w.emb.word.scalar_type() != torch::kFloat32) return {};
  const auto packing = packRows(b.mask);
  if (!packing) return {};
  const Packing& k = *packing;
  auto x = embed(w, eps, b.ids.reshape({-1}).index_select(0, k.rows),
                 b.typeIds.reshape({-1}).index_select(0, k.rows), k.positions);
  const int64_t team = teamThreads();
  x = team > 1 && k.total < kMinBlockRows * team ? columnSplitLayers(w, act, eps, fused, k, x)
                                                 : rowBlockLayers(w, act, eps, fused, k, x, team);
  if (w.tokenHead) {  // a tagger: logits on every kept row, back to [B, T, labels]
    const int64_t B = b.ids.size(0), T = b.ids.size(1), K = w.head.cls_w.size(0);
    auto out = at::zeros({B * T, K}, x.options());
    out.index_copy_(0, k.rows, torch::linear(x, w.head.cls_w, w.head.cls_b));
    return out.view({B, T, K});
  }
  const auto first = x.index_select(0, k.firstRows);
  return classify(w, first);
}

}  // namespace pp
