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
