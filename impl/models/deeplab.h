// DeepLabV3+ decoder, parametric as ALGORITHMS.md section 1.2 asks: ASPP rates, ASPP width,
// low-level projection width, head depth and dropout; exposes the pre-head feature (the
// concatenation of upsampled ASPP output and low-level projection) for prototype methods.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "models/conv.h"

namespace s4seg {

struct DeepLabOptions {
  int64_t high_channels = 2048;
  int64_t low_channels = 256;
  int64_t num_classes = 2;
  int64_t aspp_channels = 256;
  std::vector<int64_t> aspp_rates = {6, 12, 18};
  int64_t low_level_channels = 48;
  int64_t head_convs = 2;
  double dropout = 0.1;
  int64_t rep_dim = 0;  // representation head output channels (CSS); 0 = no head
  bool classifier = true;  // false: a mask-classification head (RC²L) reads head_feature instead
};

struct DecoderOutput {
  torch::Tensor logits;   // (B, C, H/4, W/4)
  torch::Tensor feature;  // (B, aspp_channels + low_level_channels, H/4, W/4)
  torch::Tensor rep;      // (B, rep_dim, H/4, W/4); undefined without a representation head
  torch::Tensor head_feature;  // (B, aspp_channels, H/4, W/4): the head convolutions' output
};

class AsppImpl : public torch::nn::Module {
 public:
  AsppImpl(int64_t in, int64_t out, const std::vector<int64_t>& rates, double dropout);
  torch::Tensor forward(torch::Tensor x);

 private:
  std::vector<torch::nn::Sequential> branches_;
  OneDnnConv2d pool_conv{nullptr};
  torch::nn::Sequential project{nullptr};
};
TORCH_MODULE(Aspp);

class DeepLabV3PlusImpl : public torch::nn::Module {
 public:
  explicit DeepLabV3PlusImpl(const DeepLabOptions& o);
  DecoderOutput forward(torch::Tensor low, torch::Tensor high);

 private:
  Aspp aspp{nullptr};
  torch::nn::Sequential low_proj{nullptr}, head{nullptr};
  OneDnnConv2d classifier{nullptr};
  torch::nn::Sequential rep_head{nullptr};
};
TORCH_MODULE(DeepLabV3Plus);

}  // namespace s4seg
