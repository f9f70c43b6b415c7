#include "train/train_parts.h"

#include <algorithm>

#include "paretoprune/base/error.h"
#include "paretoprune/eval/evaluator.h"

namespace pp {

torch::Tensor distillLoss(const torch::Tensor& student, const torch::Tensor& teacherProbs, double T,
                          const torch::Tensor& mask) {
  auto logp = torch::log_softmax(student / T, -1);
  auto perRow = -(teacherProbs * logp).sum(-1);
  if (student.dim() == 2) return perRow.mean() * (T * T);
  const auto m = mask.to(perRow.scalar_type());
  return (perRow * m).sum() / m.sum().clamp_min(1.0) * (T * T);
}

std::unique_ptr<torch::optim::AdamW> makeAdamW(const std::vector<torch::Tensor>& params, double lr,
                                               double weightDecay) {
  std::vector<torch::Tensor> decay, noDecay;
  for (const auto& t : params) (t.dim() >= 2 ? decay : noDecay).push_back(t);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(lr).weight_decay(weightDecay)));
  groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(lr).weight_decay(0.0)));
  return std::make_unique<torch::optim::AdamW>(std::move(groups));
}

void setLearningRate(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
}

double scheduledRate(double base, int64_t step, int64_t total, int64_t warmup) {
  if (step < warmup) return base * static_cast<double>(step + 1) / static_cast<double>(warmup);
  return base * std::max(0.0, static_cast<double>(total - step)) /
         static_cast<double>(std::max<int64_t>(1, total - warmup));
}

void clipGradients(const std::vector<torch::Tensor>& params, double maxNorm) {
  if (maxNorm > 0) torch::nn::utils::clip_grad_norm_(params, maxNorm);
}

std::string trainingDevice(const std::string& spec, const std::string& command) {
  try {
    return resolveDevices(spec).front();
  } catch (const Error& e) {
    throw Error(command + ": --device: " + e.what());
  }
}

}  // namespace pp
