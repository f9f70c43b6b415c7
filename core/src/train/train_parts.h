// Internal: the parts of a fine-tuning loop that super-network training
// (train.cpp) and recovery (recover.cpp) share: the distillation loss,
// AdamW with weight decay on matrices only, the warm-up-then-linear-decay
// schedule, gradient clipping and the one device a run trains on.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pp {

// T^2 * KL(teacher || student) at temperature T (up to the teacher's
// entropy, a constant): `teacherProbs` is softmax(teacher logits / T). For
// a tagger's logits [B, T, K], per token, averaged over the tokens `mask`
// keeps.
torch::Tensor distillLoss(const torch::Tensor& student, const torch::Tensor& teacherProbs, double T,
                          const torch::Tensor& mask = {});

// Hidden-state distillation's layer map: layer j (1-based) of a student of
// m layers is matched to layer ceil(j * N / m) of the teacher's N (the
// uniform map of TinyBERT; the student's last layer to the teacher's
// last). Returns the teacher's layer (1-based) per student layer.
std::vector<int64_t> hiddenLayerMap(int64_t studentLayers, int64_t teacherLayers);

// The mean over the student's layers of the squared distance of each
// layer's output [B, T, H] to its mapped teacher layer's (hiddenLayerMap),
// per element, over the tokens `mask` [B, T] keeps. Zero for no layers.
torch::Tensor hiddenStateLoss(const std::vector<torch::Tensor>& student,
                              const std::vector<torch::Tensor>& teacher, const torch::Tensor& mask);

// AdamW over `params` (leaf tensors that require gradients): weight decay
// on matrices (dim >= 2), none on biases and LayerNorm.
std::unique_ptr<torch::optim::AdamW> makeAdamW(const std::vector<torch::Tensor>& params, double lr,
                                               double weightDecay);
void setLearningRate(torch::optim::Optimizer& opt, double lr);

// Linear warm-up over `warmup` steps, then linear decay to zero at `total`.
double scheduledRate(double base, int64_t step, int64_t total, int64_t warmup);

// Clips the gradients' global norm to `maxNorm` (<= 0: no clipping).
void clipGradients(const std::vector<torch::Tensor>& params, double maxNorm);

// The one device a run trains on: the first that `spec` names (auto, cpu,
// cuda, cuda:N); pp::Error "COMMAND: --device: ..." when there is none.
std::string trainingDevice(const std::string& spec, const std::string& command);

}  // namespace pp
