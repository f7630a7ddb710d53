#include "models/conv.h"

#include <ATen/Context.h>
#include <ATen/ops/mkldnn_convolution.h>
#include <torch/autograd.h>

#include "core/torch_compat.h"

namespace s4seg {

namespace {
thread_local bool t_inference = false;

int64_t padding_of(const Conv2dSpec& s) { return s.padding >= 0 ? s.padding : s.dilation * (s.kernel / 2); }

torch::nn::Conv2dOptions options_of(const Conv2dSpec& s) {
  return torch::nn::Conv2dOptions(s.in, s.out, s.kernel).stride(s.stride).padding(padding_of(s)).dilation(s.dilation).bias(s.bias);
}
}  // namespace

Conv2dSpec conv_spec(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation, bool bias) {
  Conv2dSpec s;
  s.in = in;
  s.out = out;
  s.kernel = kernel;
  s.stride = stride;
  s.dilation = dilation;
  s.bias = bias;
  return s;
}

OneDnnConv2dImpl::OneDnnConv2dImpl(const Conv2dSpec& spec)
    : torch::nn::Conv2dImpl(options_of(spec)),
      padding_(padding_of(spec)),
      stride_(spec.stride),
      dilation_(spec.dilation) {}

InferenceConvScope::InferenceConvScope() : previous_(t_inference) { t_inference = true; }
InferenceConvScope::~InferenceConvScope() { t_inference = previous_; }

bool conv_uses_onednn(const torch::Tensor& input) {
  // Under CPU autocast LibTorch's conv2d runs in bf16, which always goes to oneDNN; calling
  // mkldnn_convolution directly would bypass autocast and stay in float32.
  return t_inference && !torch::GradMode::is_enabled() && !autocast_enabled(c10::DeviceType::CPU) &&
         input.device().is_cpu() && input.scalar_type() == torch::kFloat && input.dim() == 4 &&
         input.layout() == torch::kStrided && at::hasMKLDNN() && at::globalContext().userEnabledMkldnn();
}

torch::Tensor OneDnnConv2dImpl::forward(const torch::Tensor& input) {
  if (!conv_uses_onednn(input) || weight.scalar_type() != torch::kFloat || !weight.device().is_cpu())
    return torch::nn::Conv2dImpl::forward(input);
  c10::optional<torch::Tensor> b;
  if (bias.defined()) b = bias;
  return at::mkldnn_convolution(input, weight, b, {padding_, padding_}, {stride_, stride_}, {dilation_, dilation_},
                                /*groups=*/1);
}

}  // namespace s4seg
