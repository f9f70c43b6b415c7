#include "bert.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "paretoprune/error.h"
#include "paretoprune/safetensors.h"

namespace pp {

std::vector<torch::Tensor*> LayerWeights::all() {
  return {&q_w,   &q_b,   &k_w, &k_b, &v_w,   &v_b,   &o_w,   &o_b,
          &ln1_w, &ln1_b, &i_w, &i_b, &out_w, &out_b, &ln2_w, &ln2_b};
}

std::vector<torch::Tensor*> BertWeights::all() {
  std::vector<torch::Tensor*> v = {&word_emb, &pos_emb, &type_emb, &emb_ln_w, &emb_ln_b};
  for (auto& l : layers)
    for (auto* t : l.all()) v.push_back(t);
  for (auto* t : {&pool_w, &pool_b, &cls_w, &cls_b}) v.push_back(t);
  return v;
}

namespace {
const char* kLayerNames[] = {"attention.self.query.weight",
                             "attention.self.query.bias",
                             "attention.self.key.weight",
                             "attention.self.key.bias",
                             "attention.self.value.weight",
                             "attention.self.value.bias",
                             "attention.output.dense.weight",
                             "attention.output.dense.bias",
                             "attention.output.LayerNorm.weight",
                             "attention.output.LayerNorm.bias",
                             "intermediate.dense.weight",
                             "intermediate.dense.bias",
                             "output.dense.weight",
                             "output.dense.bias",
                             "output.LayerNorm.weight",
                             "output.LayerNorm.bias"};
const char* kEmbNames[] = {"bert.embeddings.word_embeddings.weight",
                           "bert.embeddings.position_embeddings.weight",
                           "bert.embeddings.token_type_embeddings.weight",
                           "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias"};
const char* kTailNames[] = {"bert.pooler.dense.weight", "bert.pooler.dense.bias",
                            "classifier.weight", "classifier.bias"};

std::string shapeStr(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}
}  // namespace

std::vector<std::pair<std::string, torch::Tensor>> BertWeights::named() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  const torch::Tensor emb[] = {word_emb, pos_emb, type_emb, emb_ln_w, emb_ln_b};
  for (int i = 0; i < 5; ++i) out.emplace_back(kEmbNames[i], emb[i]);
  for (size_t l = 0; l < layers.size(); ++l) {
    auto& lw = const_cast<LayerWeights&>(layers[l]);
    auto ts = lw.all();
    for (size_t i = 0; i < ts.size(); ++i)
      out.emplace_back("bert.encoder.layer." + std::to_string(l) + "." + kLayerNames[i], *ts[i]);
  }
  const torch::Tensor tail[] = {pool_w, pool_b, cls_w, cls_b};
  for (int i = 0; i < 4; ++i) out.emplace_back(kTailNames[i], tail[i]);
  return out;
}

Act activationFor(const std::string& n) {
  if (n == "gelu") return Act::GeluErf;
  if (n == "gelu_new" || n == "gelu_pytorch_tanh" || n == "gelu_fast") return Act::GeluTanh;
  if (n == "relu") return Act::Relu;
  if (n == "silu" || n == "swish") return Act::Silu;
  if (n == "tanh") return Act::Tanh;
  throw Error("unsupported activation \"" + n + "\"");
}

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
}  // namespace

std::vector<int64_t> keptIndices(const std::vector<int64_t>& order, int64_t count) {
  std::vector<int64_t> idx(
      order.begin(), order.begin() + std::min<int64_t>(count, static_cast<int64_t>(order.size())));
  std::sort(idx.begin(), idx.end());
  return idx;
}

std::vector<std::vector<int64_t>> identityOrder(const BertConfig& c, bool heads) {
  std::vector<std::vector<int64_t>> o;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    int64_t n = heads ? c.headsInLayer(l) : c.unitsInLayer(l);
    std::vector<int64_t> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
    o.push_back(std::move(v));
  }
  return o;
}

namespace {
// Rows of a float32 matrix [rows, K] with unit column stride (a narrowed
// view's rows keep the stride of the tensor it came from).
RowSource rowsOf(const torch::Tensor& t, float scale = 1.0f) {
  return {t.data_ptr<float>(), t.size(0), t.stride(0), scale};
}

PackedLayer packLayer(const LayerWeights& lw, float scale) {
  PackedLayer p;
  const auto c = [](const torch::Tensor& t) { return t.stride(1) == 1 ? t : t.contiguous(); };
  if (lw.heads > 0) {
    const auto q = c(lw.q_w), k = c(lw.k_w), v = c(lw.v_w), o = c(lw.o_w);
    p.qkv = PackedWeights({rowsOf(q, scale), rowsOf(k), rowsOf(v)}, q.size(1));
    p.o = PackedWeights({rowsOf(o)}, o.size(1));
  }
  if (lw.units() > 0) {
    const auto i = c(lw.i_w), out = c(lw.out_w);
    p.in = PackedWeights({rowsOf(i)}, i.size(1));
    p.out = PackedWeights({rowsOf(out)}, out.size(1));
  }
  return p;
}
}  // namespace

FusedAttention fuseAttention(const BertWeights& w, WeightPacking packing) {
  const size_t L = w.layers.size();
  FusedAttention f{std::vector<torch::Tensor>(L), std::vector<torch::Tensor>(L), {}};
  const bool pack = packing != WeightPacking::Never &&
                    (packing == WeightPacking::Always || teamThreads() >= blasThreads()) && L > 0 &&
                    w.word_emb.device().is_cpu() && w.word_emb.scalar_type() == torch::kFloat32 &&
                    packedGemmSupported();
  if (pack) f.packed.resize(L);
  const double scale = 1.0 / std::sqrt(static_cast<double>(w.headSize));
  onTeam(static_cast<int64_t>(L), [&](int64_t i) {
    const auto l = static_cast<size_t>(i);
    const auto& lw = w.layers[l];
    if (pack) f.packed[l] = packLayer(lw, static_cast<float>(scale));
    if (lw.heads == 0) return;  // undefined: no attention
    if (!pack) f.qkv_w[l] = torch::cat({lw.q_w * scale, lw.k_w, lw.v_w});
    f.qkv_b[l] = torch::cat({lw.q_b * scale, lw.k_b, lw.v_b});
  });
  return f;
}

namespace {
// Refuses fused or packed weights made from another model or sub-network:
// the products would read and write past their tensors.
void checkFused(const BertWeights& w, const FusedAttention& f) {
  auto refuse = [](size_t l) {
    throw Error("bertForward: fused attention of another model (layer " + std::to_string(l) + ")");
  };
  const size_t L = w.layers.size();
  if (f.qkv_b.size() != L || f.qkv_w.size() != L || (!f.packed.empty() && f.packed.size() != L))
    refuse(L);
  const int64_t H = w.word_emb.size(1), d = w.headSize;
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

torch::Tensor bertForward(const BertWeights& w, Act act, double eps, const Batch& b,
                          const SubnetMasks* masks, const ForwardOptions& opts,
                          const FusedAttention* fused) {
  const bool useFused = fused && !masks && !opts.training;
  if (useFused) checkFused(w, *fused);
  if (useFused && opts.packed) {
    auto logits = packedForward(w, act, eps, b, *fused);
    if (logits.defined()) return logits;
  }
  const int64_t B = b.ids.size(0), T = b.ids.size(1), H = w.word_emb.size(1), d = w.headSize;
  auto dropout = [&](const torch::Tensor& x, double p) {
    return (opts.training && p > 0) ? torch::dropout(x, p, true) : x;
  };
  auto pos = torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(b.ids.device()));
  auto x = torch::embedding(w.word_emb, b.ids) + torch::embedding(w.pos_emb, pos).unsqueeze(0) +
           torch::embedding(w.type_emb, b.typeIds);
  x = torch::layer_norm(x, {H}, w.emb_ln_w, w.emb_ln_b, eps);
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
  }
  auto pooled = torch::tanh(torch::linear(x.select(1, 0), w.pool_w, w.pool_b));
  pooled = dropout(pooled, opts.hiddenDropout);
  return torch::linear(pooled, w.cls_w, w.cls_b);
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
BertWeights keptLayers(const BertWeights& w, const SubNetwork& s, Narrow&& narrow) {
  BertWeights o = w;
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

BertWeights sliceWeights(const BertWeights& w, const SubNetwork& s,
                         const std::vector<std::vector<int64_t>>& headOrder,
                         const std::vector<std::vector<int64_t>>& unitOrder) {
  const int64_t d = w.headSize;
  auto idxOpts = torch::TensorOptions().dtype(torch::kLong).device(w.word_emb.device());
  return keptLayers(
      w, s, [&](LayerWeights& lw, const LayerWeights& src, const LayerChoice& ch, size_t l) {
        if (ch.heads != src.heads)
          selectHeads(lw, src, keptIndices(headOrder[l], ch.heads), d, idxOpts);
        if (ch.units != src.units())
          selectUnits(lw, src, keptIndices(unitOrder[l], ch.units), idxOpts);
      });
}

BertWeights maskWeights(const BertWeights& w, const SubNetwork& s,
                        const std::vector<std::vector<int64_t>>& headOrder,
                        const std::vector<std::vector<int64_t>>& unitOrder) {
  const int64_t d = w.headSize;
  auto idxOpts = torch::TensorOptions().dtype(torch::kLong).device(w.word_emb.device());
  auto maskOpts = w.word_emb.options();
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

BertWeights weightsTo(const BertWeights& w, const torch::Device& device) {
  BertWeights o = w;
  for (torch::Tensor* t : o.all()) *t = t->to(device);
  return o;
}

const BertWeights& ModelImpl::weightsOn(const std::string& device) const {
  if (device.empty() || device == "cpu") return weights;
  std::lock_guard<std::mutex> lk(replicaMutex);
  auto it = replicas.find(device);
  if (it == replicas.end())
    it = replicas.emplace(device, weightsTo(weights, torch::Device(device))).first;
  return it->second;
}

BertWeights permuteWeights(const BertWeights& w, const std::vector<std::vector<int64_t>>& headPerm,
                           const std::vector<std::vector<int64_t>>& unitPerm) {
  if (headPerm.size() != w.layers.size() || unitPerm.size() != w.layers.size())
    throw Error("permutation: one order per layer expected");
  BertWeights o = w;
  const int64_t d = w.headSize;
  auto idxOpts = torch::TensorOptions().dtype(torch::kLong).device(w.word_emb.device());
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

BertWeights loadWeights(const SafetensorsFile& f, const BertConfig& c) {
  bool prefixed = false;
  for (const auto& t : f.tensors())
    if (t.name.rfind("bert.", 0) == 0) prefixed = true;
  std::set<std::string> used;
  auto fetch = [&](const std::string& canonical, std::vector<int64_t> shape) -> torch::Tensor {
    std::string name = canonical;
    if (!prefixed && name.rfind("bert.", 0) == 0) name = name.substr(5);
    const TensorView* t = f.find(name);
    if (!t)
      throw Error(f.path() + ": missing tensor \"" + name + "\" (expected shape " +
                  shapeStr(shape) + ")");
    if (t->shape != shape)
      throw Error(f.path() + ": tensor \"" + name + "\" has shape " + shapeStr(t->shape) +
                  ", expected " + shapeStr(shape));
    std::vector<float> data = SafetensorsFile::toFloat32(*t);
    used.insert(name);
    auto out = torch::empty(shape, torch::kFloat32);
    if (!data.empty()) std::memcpy(out.data_ptr<float>(), data.data(), data.size() * sizeof(float));
    if (!torch::isfinite(out).all().item<bool>())
      throw Error(f.path() + ": tensor \"" + name +
                  "\" contains NaN or infinite values; refusing to load it");
    return out;
  };
  const int64_t H = c.hidden_size, d = c.headSize();
  BertWeights w;
  w.headSize = d;
  w.word_emb = fetch(kEmbNames[0], {c.vocab_size, H});
  w.pos_emb = fetch(kEmbNames[1], {c.max_position_embeddings, H});
  w.type_emb = fetch(kEmbNames[2], {c.type_vocab_size, H});
  w.emb_ln_w = fetch(kEmbNames[3], {H});
  w.emb_ln_b = fetch(kEmbNames[4], {H});
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const int64_t a = c.headsInLayer(l) * d, U = c.unitsInLayer(l);
    const std::vector<std::vector<int64_t>> shapes = {{a, H}, {a}, {a, H}, {a}, {a, H}, {a},
                                                      {H, a}, {H}, {H},    {H}, {U, H}, {U},
                                                      {H, U}, {H}, {H},    {H}};
    LayerWeights lw;
    lw.heads = c.headsInLayer(l);
    auto ts = lw.all();
    for (size_t i = 0; i < ts.size(); ++i)
      *ts[i] = fetch("bert.encoder.layer." + std::to_string(l) + "." + kLayerNames[i], shapes[i]);
    w.layers.push_back(std::move(lw));
  }
  w.pool_w = fetch(kTailNames[0], {H, H});
  w.pool_b = fetch(kTailNames[1], {H});
  w.cls_w = fetch(kTailNames[2], {c.numLabels(), H});
  w.cls_b = fetch(kTailNames[3], {c.numLabels()});
  std::vector<std::string> unexpected;
  for (const auto& t : f.tensors()) {
    if (used.count(t.name)) continue;
    if (t.name == "bert.embeddings.position_ids" || t.name == "embeddings.position_ids") continue;
    unexpected.push_back(t.name);
  }
  if (!unexpected.empty()) {
    std::string list;
    for (size_t i = 0; i < unexpected.size() && i < 5; ++i)
      list += (i ? ", " : "") + ("\"" + unexpected[i] + "\"");
    if (unexpected.size() > 5) list += ", ... (" + std::to_string(unexpected.size()) + " in all)";
    throw Error(f.path() + ": unexpected tensor(s) " + list +
                " for a BertForSequenceClassification with this config.json");
  }
  return w;
}

void saveWeights(const BertWeights& w, const std::string& path,
                 const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;
  std::vector<TensorToWrite> out;
  for (auto& [name, t] : w.named()) {
    auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    keep.push_back(c);
    out.push_back({name, c.sizes().vec(), c.data_ptr<float>()});
  }
  std::map<std::string, std::string> meta = metadata;
  meta.emplace("format", "pt");
  writeSafetensors(path, out, meta);
}

}  // namespace pp
