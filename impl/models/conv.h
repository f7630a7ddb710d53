// The convolution every DeepLabV3+ layer uses: torch::nn::Conv2d with one change for CPU inference.
//
// LibTorch (1.13 and 2.x) sends a CPU float convolution to oneDNN only when the batch is above 1,
// the input holds more than 20,480 values or the kernel is larger than 3×3; otherwise it runs its
// naive kernels (slow_conv_dilated2d, thnn_conv2d), about 9× slower at batch 1 on the demo model
// (docs/performance.md). Batch-1 inference on small images is exactly what an embedded host runs,
// so inside an InferenceConvScope (prediction, evaluation, pseudo-labelling through the labeler) a
// CPU float convolution always goes to oneDNN. Everything else, training and its no-grad teacher and
// checkpoint forwards included, keeps LibTorch's choice, so training numerics do not change.
#pragma once
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace s4seg {

struct Conv2dSpec {
  int64_t in = 1, out = 1, kernel = 1;
  int64_t stride = 1, dilation = 1;
  int64_t padding = -1;  // -1: dilation·(kernel/2), "same" for odd kernels at stride 1
  bool bias = false;
};

// The usual spec in one call: kernel k, "same" padding.
Conv2dSpec conv_spec(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t dilation = 1, bool bias = false);

// Parameters and buffers are nn::Conv2d's (weight, bias), so model files do not change.
class OneDnnConv2dImpl : public torch::nn::Conv2dImpl {
 public:
  explicit OneDnnConv2dImpl(const Conv2dSpec& spec);
  torch::Tensor forward(const torch::Tensor& input);

 private:
  int64_t padding_, stride_, dilation_;
};
TORCH_MODULE(OneDnnConv2d);

// Marks this thread's forwards as inference (gradients off) for the convolutions above.
class InferenceConvScope {
 public:
  InferenceConvScope();
  ~InferenceConvScope();
  InferenceConvScope(const InferenceConvScope&) = delete;
  InferenceConvScope& operator=(const InferenceConvScope&) = delete;

 private:
  bool previous_;
};

// True when forward() above would take the oneDNN path for this input (exposed for its test).
bool conv_uses_onednn(const torch::Tensor& input);

}  // namespace s4seg
