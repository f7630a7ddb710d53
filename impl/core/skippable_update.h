// Pieces for updates that a bool scalar on the device can cancel without the host reading it
// (train.read_every > 1): the step is queued whatever happens, and `apply` decides on the device
// whether its writes stay.
#pragma once
#include <torch/types.h>

#include <vector>

namespace s4seg {

// Copies of `tensors` taken before an update, for restore_unless.
std::vector<torch::Tensor> snapshot(const std::vector<torch::Tensor>& tensors);

// tensors[k] ← apply ? tensors[k] : saved[k]. Exact (a select, not arithmetic), so NaN or
// infinite values written by a cancelled update do not leak through.
void restore_unless(const torch::Tensor& apply, const std::vector<torch::Tensor>& tensors, const std::vector<torch::Tensor>& saved);

// dst ← apply ? src : dst, keeping dst's dtype and device.
void copy_if(const torch::Tensor& apply, const torch::Tensor& dst, const torch::Tensor& src);

// A 0-dim float tensor on apply's device: `value` where apply is true, `otherwise` where false.
torch::Tensor select_scalar(const torch::Tensor& apply, double value, double otherwise);

// Throws Error(InvalidArgument) unless `apply` is undefined or a one-element bool tensor.
void check_apply(const torch::Tensor& apply, const char* who);

}  // namespace s4seg
