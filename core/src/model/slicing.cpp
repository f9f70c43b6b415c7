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
