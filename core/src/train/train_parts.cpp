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

std::vector<int64_t> hiddenLayerMap(int64_t studentLayers, int64_t teacherLayers) {
  std::vector<int64_t> map;
  for (int64_t j = 1; j <= studentLayers; ++j)
    map.push_back((j * teacherLayers + studentLayers - 1) / studentLayers);
  return map;
}

torch::Tensor hiddenStateLoss(const std::vector<torch::Tensor>& student,
                              const std::vector<torch::Tensor>& teacher,
                              const torch::Tensor& mask) {
  if (student.empty()) return torch::zeros({}, mask.options().dtype(torch::kFloat32));
  const auto map =
      hiddenLayerMap(static_cast<int64_t>(student.size()), static_cast<int64_t>(teacher.size()));
  const auto m = mask.to(torch::kFloat32).unsqueeze(-1);  // [B, T, 1]
  const double elements = m.sum().clamp_min(1.0).item<double>() * student[0].size(-1);
  torch::Tensor sum;
  for (size_t j = 0; j < student.size(); ++j) {
    const auto& t = teacher.at(static_cast<size_t>(map[j] - 1));
    const auto d = ((student[j].to(torch::kFloat32) - t.to(torch::kFloat32)).pow(2) * m).sum();
    sum = sum.defined() ? sum + d : d;
  }
  return sum / (elements * static_cast<double>(student.size()));
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
