// Internal: AutocastScope runs the forward passes made while it lives under
// autocast to a lower-precision type (bfloat16) on the CPU or CUDA: weights
// stay float32 (the master copy the optimizer updates), each matrix product
// casts its inputs. Backward runs after the scope ends, as autograd expects.
// LibTorch 2.4 replaced the device-specific calls by device-generic ones
// (and deprecated the old); both are handled here.
#pragma once
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace pp {

class AutocastScope {
 public:
  // Does nothing when `enabled` is false.
  AutocastScope(c10::DeviceType device, bool enabled, at::ScalarType type = at::kBFloat16)
      : device_(device), enabled_(enabled) {
    if (!enabled_) return;
    wasEnabled_ = isEnabled();
    wasType_ = dtype();
    setEnabled(true);
    setDtype(type);
    at::autocast::increment_nesting();
  }
  ~AutocastScope() {
    if (!enabled_) return;
    // Casts of the weights are cached while any scope is open; they go stale
    // after the optimizer's step.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    setEnabled(wasEnabled_);
    setDtype(wasType_);
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  bool isEnabled() const {
    return at::autocast::is_autocast_enabled(device_);
  }
  void setEnabled(bool on) const {
    at::autocast::set_autocast_enabled(device_, on);
  }
  at::ScalarType dtype() const {
    return at::autocast::get_autocast_dtype(device_);
  }
  void setDtype(at::ScalarType t) const {
    at::autocast::set_autocast_dtype(device_, t);
  }
#else
  bool cuda() const {
    return device_ == c10::DeviceType::CUDA;
  }
  bool isEnabled() const {
    return cuda() ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
  }
  void setEnabled(bool on) const {
    cuda() ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on);
  }
  at::ScalarType dtype() const {
    return cuda() ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
  }
  void setDtype(at::ScalarType t) const {
    cuda() ? at::autocast::set_autocast_gpu_dtype(t) : at::autocast::set_autocast_cpu_dtype(t);
  }
#endif

  c10::DeviceType device_;
  bool enabled_;
  bool wasEnabled_ = false;
  at::ScalarType wasType_ = at::kBFloat16;
};

}  // namespace pp
