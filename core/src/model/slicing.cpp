#include "model/slicing.h"

#include <algorithm>

#include "model/parallel.h"
#include "paretoprune/base/error.h"

namespace pp {

std::vector<int64_t> keptIndices(const std::vector<int64_t>& order, int64_t count) {
  std::vector<int64_t> idx(
      order.begin(), order.begin() + std::min<int64_t>(count, static_cast<int64_t>(order.size())));
  std::sort(idx.begin(), idx.end());
  return idx;
}

namespace {
// Heads `heads` (in this order) of a layer: query/key/value rows and
// output-projection columns, d per head.
void selectHeads(LayerWeights& lw, const LayerWeights& src, const std::vector<int64_t>& heads,
                 int64_t d, const torch::TensorOptions& idxOpts) {
  std::vector<int64_t> rows;
  for (int64_t hIdx : heads)
    for (int64_t j = 0; j < d; ++j) rows.push_back(hIdx * d + j);
  auto idx = torch::tensor(rows, idxOpts);
  lw.q_w = src.q_w.index_select(0, idx);
  lw.q_b = src.q_b.index_select(0, idx);
  lw.k_w = src.k_w.index_select(0, idx);
  lw.k_b = src.k_b.index_select(0, idx);
  lw.v_w = src.v_w.index_select(0, idx);
  lw.v_b = src.v_b.index_select(0, idx);
  lw.o_w = src.o_w.index_select(1, idx);
  lw.heads = static_cast<int64_t>(heads.size());
}

// Feed-forward units `units` (in this order): input rows, output columns.
void selectUnits(LayerWeights& lw, const LayerWeights& src, const std::vector<int64_t>& units,
                 const torch::TensorOptions& idxOpts) {
  auto idx = torch::tensor(units, idxOpts);
  lw.i_w = src.i_w.index_select(0, idx);
  lw.i_b = src.i_b.index_select(0, idx);
  lw.out_w = src.out_w.index_select(1, idx);
}

// The kept layers of `s`, each made from its source layer by `narrow`
// (embeddings, pooler and classifier shared with `w`).
template <class Narrow>
EncoderWeights keptLayers(const EncoderWeights& w, const SubNetwork& s, Narrow&& narrow) {
  EncoderWeights o = w;
  std::vector<size_t> kept;
  for (size_t l = 0; l < s.layers.size(); ++l)
    if (s.layers[l].kept()) kept.push_back(l);
  o.layers.assign(kept.size(), LayerWeights{});
  // Layer by layer on the evaluation team: slicing is copying, and each
  // trial's copies are inside its evaluation time.
  onTeam(static_cast<int64_t>(kept.size()), [&](int64_t i) {
    const size_t l = kept[static_cast<size_t>(i)];
    LayerWeights lw = w.layers[l];
    narrow(lw, w.layers[l], s.layers[l], l);
    o.layers[static_cast<size_t>(i)] = std::move(lw);
  });
  return o;
}

// 1 for the columns of the kept blocks, 0 elsewhere: `kept` indices of
// blocks `width` columns wide, `n` blocks.
torch::Tensor columnMask(const std::vector<int64_t>& kept, int64_t n, int64_t width,
                         const torch::TensorOptions& o) {
  std::vector<float> mask(static_cast<size_t>(n * width), 0.0f);
  for (int64_t i : kept) std::fill_n(mask.begin() + i * width, width, 1.0f);
  return torch::tensor(mask).view({1, n * width}).to(o.device(), o.dtype());
}
}  // namespace

EncoderWeights sliceWeights(const EncoderWeights& w, const SubNetwork& s,
                            const std::vector<std::vector<int64_t>>& headOrder,
                            const std::vector<std::vector<int64_t>>& unitOrder) {
  const int64_t d = w.headSize;
  auto idxOpts = torch::TensorOptions().dtype(torch::kLong).device(w.emb.word.device());
  return keptLayers(
      w, s, [&](LayerWeights& lw, const LayerWeights& src, const LayerChoice& ch, size_t l) {
        if (ch.heads != src.heads)
          selectHeads(lw, src, keptIndices(headOrder[l], ch.heads), d, idxOpts);
        if (ch.units != src.units())
          selectUnits(lw, src, keptIndices(unitOrder[l], ch.units), idxOpts);
      });
}

namespace {
// Rows (or columns, along `dim`) `idx` of `dst` set to `src`.
void putBack(torch::Tensor& dst, int64_t dim, const torch::Tensor& idx, const torch::Tensor& src) {
  dst.index_copy_(dim, idx, src.to(dst.dtype()));
}

EncoderWeights deepCopy(const EncoderWeights& w) {
  EncoderWeights o = w;
  for (torch::Tensor* t : o.all()) *t = t->detach().clone();
  return o;
}
}  // namespace

EncoderWeights unsliceWeights(const EncoderWeights& full, const EncoderWeights& sliced,
                              const SubNetwork& s,
                              const std::vector<std::vector<int64_t>>& headOrder,
                              const std::vector<std::vector<int64_t>>& unitOrder) {
  torch::NoGradGuard noGrad;
  EncoderWeights o = deepCopy(full);
  const EncoderWeights in = deepCopy(sliced);
  o.emb = in.emb;
  o.head = in.head;
  const int64_t d = full.headSize;
  auto idxOpts = torch::TensorOptions().dtype(torch::kLong).device(full.emb.word.device());
  size_t i = 0;
  for (size_t l = 0; l < s.layers.size(); ++l) {
    if (!s.layers[l].kept()) continue;
    if (i >= in.layers.size())
      throw Error("unslice: fewer sliced layers than the sub-network keeps");
    LayerWeights& dst = o.layers[l];
    const LayerWeights& src = in.layers[i++];
    std::vector<int64_t> rows;
    for (int64_t h : keptIndices(headOrder[l], s.layers[l].heads))
      for (int64_t j = 0; j < d; ++j) rows.push_back(h * d + j);
    const auto hIdx = torch::tensor(rows, idxOpts);
    for (auto [a, b] : {std::pair{&dst.q_w, &src.q_w},
                        {&dst.q_b, &src.q_b},
                        {&dst.k_w, &src.k_w},
                        {&dst.k_b, &src.k_b},
                        {&dst.v_w, &src.v_w},
                        {&dst.v_b, &src.v_b}})
      putBack(*a, 0, hIdx, *b);
    putBack(dst.o_w, 1, hIdx, src.o_w);
    const auto uIdx = torch::tensor(keptIndices(unitOrder[l], s.layers[l].units), idxOpts);
    putBack(dst.i_w, 0, uIdx, src.i_w);
    putBack(dst.i_b, 0, uIdx, src.i_b);
    putBack(dst.out_w, 1, uIdx, src.out_w);
    for (auto [a, b] : {std::pair{&dst.o_b, &src.o_b},
                        {&dst.ln1_w, &src.ln1_w},
                        {&dst.ln1_b, &src.ln1_b},
                        {&dst.out_b, &src.out_b},
                        {&dst.ln2_w, &src.ln2_w},
                        {&dst.ln2_b, &src.ln2_b}})
      *a = b->clone();
  }
  return o;
}

EncoderWeights maskWeights(const EncoderWeights& w, const SubNetwork& s,
                           const std::vector<std::vector<int64_t>>& headOrder,
                           const std::vector<std::vector<int64_t>>& unitOrder) {
  const int64_t d = w.headSize;
  auto idxOpts = torch::TensorOptions().dtype(torch::kLong).device(w.emb.word.device());
  auto maskOpts = w.emb.word.options();
  return keptLayers(
      w, s, [&](LayerWeights& lw, const LayerWeights& src, const LayerChoice& ch, size_t l) {
        // No heads or no units: nothing to compute, as in the sliced layer.
        if (ch.heads == 0)
          selectHeads(lw, src, {}, d, idxOpts);
        else if (ch.heads != src.heads)
          lw.o_w =
              src.o_w * columnMask(keptIndices(headOrder[l], ch.heads), src.heads, d, maskOpts);
        if (ch.units == 0)
          selectUnits(lw, src, {}, idxOpts);
        else if (ch.units != src.units())
          lw.out_w =
              src.out_w * columnMask(keptIndices(unitOrder[l], ch.units), src.units(), 1, maskOpts);
      });
}

EncoderWeights permuteWeights(const EncoderWeights& w,
                              const std::vector<std::vector<int64_t>>& headPerm,
                              const std::vector<std::vector<int64_t>>& unitPerm) {
  if (headPerm.size() != w.layers.size() || unitPerm.size() != w.layers.size())
    throw Error("permutation: one order per layer expected");
  EncoderWeights o = w;
  const int64_t d = w.headSize;
  auto idxOpts = torch::TensorOptions().dtype(torch::kLong).device(w.emb.word.device());
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const auto& src = w.layers[l];
    auto& lw = o.layers[l];
    if (static_cast<int64_t>(headPerm[l].size()) != src.heads ||
        static_cast<int64_t>(unitPerm[l].size()) != src.units())
      throw Error("permutation of layer " + std::to_string(l) +
                  " does not match its heads and units");
    selectHeads(lw, src, headPerm[l], d, idxOpts);
    selectUnits(lw, src, unitPerm[l], idxOpts);
  }
  return o;
}

}  // namespace pp
