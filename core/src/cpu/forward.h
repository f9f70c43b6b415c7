// Internal: the forward pass of an encoder classifier on LibTorch (any
// device, any dtype; training, masks for importance) and, for evaluation
// on the CPU, the packed pass on weights packed once per trial
// (cpu/cpu_forward.cpp, cpu/packed_gemm.h). Family differences (position
// offset, type embeddings, the head) come with the weights
// (EncoderWeights::layout, set by the family at load).
#pragma once
#include <vector>

#include "cpu/gemm_backend.h"
#include "model/weights.h"

namespace pp {

struct ForwardOptions {
  bool training = false;  // dropout on (as configured)
  // Evaluation with fused attention on the CPU: packedForward where it
  // applies (false: the padded pass, for comparisons).
  bool packed = true;
  double hiddenDropout = 0.0;
  double attentionDropout = 0.0;
  // Not null: each layer's output [B, T, H] (after its second LayerNorm) is
  // appended, in order, for hidden-state distillation. The padded pass only
  // (not the fused evaluation pass).
  std::vector<torch::Tensor>* layerOutputs = nullptr;
};

// Per-layer multipliers of head outputs and feed-forward units, applied to
// the activations (for gradients with respect to them: importance).
struct SubnetMasks {
  std::vector<torch::Tensor> heads, units;  // per layer; undefined = keep all
};

// A layer's products with their weights prepared for the trial's GEMM
// backend (gemm_backend.h): query, key and value stacked (the attention
// scale in the query rows), the output projection, the feed-forward's
// two. Empty where the layer has no heads (qkv, o) or no units (in, out).
struct PackedLayer {
  GemmWeights qkv, o, in, out;
};

// For evaluation only: each layer's query, key and value products stacked
// into one ([3 heads*d, H]), with the attention scale 1/sqrt(d) folded into
// the query rows. Made once per trial from the weights it runs
// (fuseAttention); layers without heads have undefined tensors. Float32
// weights on the CPU get `packed` instead of `qkv_w`: packedForward runs
// every product through the GEMM seam (the plan's backend and type), and
// attention on our packed kernel where the CPU has AVX2/FMA.
struct FusedAttention {
  std::vector<torch::Tensor> qkv_w, qkv_b;
  std::vector<PackedLayer> packed;  // per layer, or empty
  bool packedAttention = false;     // attention's products on packed_gemm
  // The products in int8 (GemmType::Int8): only packedForward runs them,
  // each sequence's activations quantized on their own.
  bool int8 = false;
};
// Whether fuseAttention prepares the weights for the seam (where it can:
// float32 on a CPU). Auto: where the evaluation team has the cores
// (teamThreads() >= OpenBLAS's threads: useComputeThreads(Evaluation));
// under the training policy (team of 1, OpenBLAS on the cores: training's
// validation) the products stay on the multi-threaded BLAS through LibTorch.
// An int8 plan always prepares them (int8 has no other path).
enum class WeightPacking { Auto, Always, Never };
FusedAttention fuseAttention(const EncoderWeights& w, WeightPacking pack = WeightPacking::Auto,
                             const GemmPlan& plan = {});

// Logits [B, numLabels] ([B, T, numLabels] for a tagger: w.tokenHead,
// zeros where the mask is 0 on the packed pass). `masks` null runs every layer unmasked. `fused`
// (from fuseAttention(w)) runs one product where three would, for
// evaluation: not with masks or in training.
torch::Tensor encoderForward(const EncoderWeights& w, Act act, double eps, const Batch& b,
                             const SubnetMasks* masks = nullptr, const ForwardOptions& opts = {},
                             const FusedAttention* fused = nullptr);

// The evaluation pass on the CPU in float32 (encoderForward runs it for
// fused attention): padding removed (the batch's tokens packed into one
// [tokens, H] matrix, each sequence attending to its own tokens only), and
// every step on LibTorch's intra-op threads as one team: matrix products
// split by output columns, each thread running single-threaded BLAS on its
// share, attention split by sequence and head, elementwise steps in place.
// With OpenBLAS at one thread this keeps one pool of threads busy, not
// two competing ones. Undefined (the caller runs the padded pass) on other
// devices and types, and for a mask that is not right-padding.
torch::Tensor packedForward(const EncoderWeights& w, Act act, double eps, const Batch& b,
                            const FusedAttention& fused);

// The embeddings' output [B, T, H] before dropout (word + position from the
// layout's offset + token type where the family has them, LayerNorm).
torch::Tensor embed(const EncoderWeights& w, double eps, const torch::Tensor& ids,
                    const torch::Tensor& typeIds, const torch::Tensor& positions);
// The head on the first token's hidden state [B, H]: logits [B, labels].
torch::Tensor classify(const EncoderWeights& w, const torch::Tensor& first);

}  // namespace pp
