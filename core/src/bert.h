// Internal, Torch-level view of a BERT classifier: weight tensors, the
// forward pass (full, masked or on sliced weights) and slicing. Only core's
// .cpp files, tests and benches include this; public headers stay Torch-free.
#pragma once
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ThreadLocalState.h>
#include <torch/torch.h>

#include "compute_team.h"
#include "packed_gemm.h"
#include "paretoprune/config.h"
#include "paretoprune/subnet.h"
#include "paretoprune/tokenizer.h"

namespace pp {

class SafetensorsFile;

// fn(i) for every i in [0, n) on the evaluation team (compute_team.h), each
// call under the caller's thread-local LibTorch state (grad and inference
// mode: the team's threads would otherwise, say, refuse to write the
// caller's inference tensors).
template <class Fn>
void onTeam(int64_t n, Fn&& fn) {
  const at::ThreadLocalState state;
  runOnTeam(n, [&](int64_t i) {
    at::ThreadLocalStateGuard guard(state);
    fn(i);
  });
}

struct LayerWeights {
  torch::Tensor q_w, q_b, k_w, k_b, v_w, v_b;  // [heads*d, H], [heads*d]
  torch::Tensor o_w, o_b, ln1_w, ln1_b;        // [H, heads*d], [H]
  torch::Tensor i_w, i_b, out_w, out_b;        // [U, H], [U], [H, U], [H]
  torch::Tensor ln2_w, ln2_b;
  int64_t heads = 0;
  int64_t units() const { return i_w.size(0); }
  std::vector<torch::Tensor*> all();
};

struct BertWeights {
  torch::Tensor word_emb, pos_emb, type_emb, emb_ln_w, emb_ln_b;
  std::vector<LayerWeights> layers;
  torch::Tensor pool_w, pool_b, cls_w, cls_b;
  int64_t headSize = 0;
  std::vector<torch::Tensor*> all();
  // Hugging Face names (BertForSequenceClassification) with the tensors.
  std::vector<std::pair<std::string, torch::Tensor>> named() const;
};

enum class Act { GeluErf, GeluTanh, Relu, Silu, Tanh };
Act activationFor(const std::string& hfName);

struct Batch {
  torch::Tensor ids, typeIds, mask;  // [B, T] int64, int64, float
};

struct ForwardOptions {
  bool training = false;  // dropout on (as configured)
  // Evaluation with fused attention on the CPU: packedForward where it
  // applies (false: the padded pass, for comparisons).
  bool packed = true;
  double hiddenDropout = 0.0;
  double attentionDropout = 0.0;
};

// Per-layer multipliers of head outputs and feed-forward units, applied to
// the activations (for gradients with respect to them: importance).
struct SubnetMasks {
  std::vector<torch::Tensor> heads, units;  // per layer; undefined = keep all
};

// A layer's products with their weights packed for gemmPacked: query, key
// and value stacked (the attention scale in the query rows), the output
// projection, the feed-forward's two. Empty where the layer has no heads
// (qkv, o) or no units (in, out).
struct PackedLayer {
  PackedWeights qkv, o, in, out;
};

// For evaluation only: each layer's query, key and value products stacked
// into one ([3 heads*d, H]), with the attention scale 1/sqrt(d) folded into
// the query rows. Made once per trial from the weights it runs
// (fuseAttention); layers without heads have undefined tensors. Float32
// weights on a CPU with AVX2 and FMA get `packed` instead of `qkv_w`
// (packed_gemm.h): packedForward runs every product on them.
struct FusedAttention {
  std::vector<torch::Tensor> qkv_w, qkv_b;
  std::vector<PackedLayer> packed;  // per layer, or empty
};
// Whether fuseAttention packs the weights (where it can: float32 on a CPU
// with AVX2/FMA). Auto: where the evaluation team has the cores
// (teamThreads() >= OpenBLAS's threads: useComputeThreads(Evaluation));
// under the training policy (team of 1, OpenBLAS on the cores: training's
// validation) the products stay on the multi-threaded BLAS.
enum class WeightPacking { Auto, Always, Never };
FusedAttention fuseAttention(const BertWeights& w, WeightPacking pack = WeightPacking::Auto);

// OpenBLAS's threads now (LibTorch's intra-op threads where the BLAS is
// not OpenBLAS).
int blasThreads();

// Logits [B, numLabels]. `masks` null runs every layer unmasked. `fused`
// (from fuseAttention(w)) runs one product where three would, for
// evaluation: not with masks or in training.
torch::Tensor bertForward(const BertWeights& w, Act act, double eps, const Batch& b,
                          const SubnetMasks* masks = nullptr, const ForwardOptions& opts = {},
                          const FusedAttention* fused = nullptr);

// The evaluation pass on the CPU in float32 (bertForward runs it for
// fused attention): padding removed (the batch's tokens packed into one
// [tokens, H] matrix, each sequence attending to its own tokens only), and
// every step on LibTorch's intra-op threads as one team: matrix products
// split by output columns, each thread running single-threaded BLAS on its
// share, attention split by sequence and head, elementwise steps in place.
// With OpenBLAS at one thread this keeps one pool of threads busy, not
// two competing ones. Undefined (the caller runs the padded pass) on other
// devices and types, and for a mask that is not right-padding.
torch::Tensor packedForward(const BertWeights& w, Act act, double eps, const Batch& b,
                            const FusedAttention& fused);

// Only the kept weights: fewer layers, smaller tensors. Kept heads and units
// stay in ascending original index order.
BertWeights sliceWeights(const BertWeights& w, const SubNetwork& s,
                         const std::vector<std::vector<int64_t>>& headOrder,
                         const std::vector<std::vector<int64_t>>& unitOrder);

// The kept layers at full width, the removed heads' and units' columns of
// the output projections zeroed: the sub-network's function at the full
// layers' cost (never more than the full model's), for shapes where
// slicing does not pay. Layers with no heads or no units skip that part.
BertWeights maskWeights(const BertWeights& w, const SubNetwork& s,
                        const std::vector<std::vector<int64_t>>& headOrder,
                        const std::vector<std::vector<int64_t>>& unitOrder);

// Kept indices (ascending) of layer l's heads / units under the importance order.
std::vector<int64_t> keptIndices(const std::vector<int64_t>& order, int64_t count);

// Heads and units permuted per layer: new index i holds what old index
// perm[l][i] held. The full model computes the same function afterwards.
BertWeights permuteWeights(const BertWeights& w, const std::vector<std::vector<int64_t>>& headPerm,
                           const std::vector<std::vector<int64_t>>& unitPerm);

// Loads and checks every tensor against `c`; throws pp::Error naming the tensor.
BertWeights loadWeights(const SafetensorsFile& f, const BertConfig& c);
void saveWeights(const BertWeights& w, const std::string& path,
                 const std::map<std::string, std::string>& metadata = {});

struct ModelImpl {
  // The weights on `device` ("cpu": `weights` itself); other devices get
  // one copy each, made on first use and shared by every worker there.
  const BertWeights& weightsOn(const std::string& device) const;

  std::string dir;
  BertConfig config;
  std::optional<WordPieceTokenizer> tokenizer;
  BertWeights weights;
  Act act = Act::GeluErf;
  std::string checksum;
  std::vector<std::vector<int64_t>> headOrder, unitOrder;
  mutable std::mutex replicaMutex;
  mutable std::map<std::string, BertWeights> replicas;
};

// All tensors of `w` copied to `device`.
BertWeights weightsTo(const BertWeights& w, const torch::Device& device);

std::vector<std::vector<int64_t>> identityOrder(const BertConfig& c, bool heads);

// Writes a loadable model directory into the existing `dir`: config.json,
// model.safetensors, the tokenizer files and, unless identity, the
// importance order (paretoprune_order.json).
void writeModelFiles(const std::string& dir, const BertConfig& c, const BertWeights& w,
                     const WordPieceTokenizer* tok,
                     const std::vector<std::vector<int64_t>>& headOrder,
                     const std::vector<std::vector<int64_t>>& unitOrder,
                     const std::map<std::string, std::string>& metadata = {});

// Weights drawn from N(0, stddev) with our platform-stable generator
// (LayerNorm weights 1 + N(0, stddev)): identical on every LibTorch version.
BertWeights randomWeights(const BertConfig& c, double stddev, uint64_t seed);

// A two-label classifier's config of the given shape, for random weights
// in benchmarks and tests.
BertConfig shapedConfig(int64_t layers, int64_t hidden, int64_t heads, int64_t units, int64_t vocab,
                        int64_t maxPositions = 512);

}  // namespace pp
