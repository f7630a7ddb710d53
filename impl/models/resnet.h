// ResNet-18/34/50/101 encoders with torchvision parameter names (conv1, bn1, layerN.M.convK,
// layerN.M.downsample.{0,1}), so torchvision weights map without renaming. Stride-to-dilation
// replacement works for basic blocks too (torchvision refuses it there).
#pragma once
#include <torch/nn/module.h>
#include "models/batch_norm.h"
#include "models/conv.h"
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

namespace s4seg {

struct ResNetOptions {
  std::string depth = "resnet50";  // resnet18 | resnet34 | resnet50 | resnet101
  int64_t width = 64;              // base width (64 = torchvision)
  int64_t output_stride = 16;      // 8 or 16 (32 = torchvision's undilated classifier layout, for parity checks)
};

class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 1;
  BasicBlockImpl(int64_t in, int64_t planes, int64_t stride, int64_t dilation, bool downsample);
  torch::Tensor forward(torch::Tensor x);

 private:
  OneDnnConv2d conv1{nullptr}, conv2{nullptr};
  SyncBatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t in, int64_t planes, int64_t stride, int64_t dilation, bool downsample);
  torch::Tensor forward(torch::Tensor x);

 private:
  OneDnnConv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  SyncBatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

struct ResNetFeatures {
  torch::Tensor low;   // layer1 output, stride 4
  torch::Tensor high;  // layer4 output, output_stride
};

class ResNetImpl : public torch::nn::Module {
 public:
  explicit ResNetImpl(const ResNetOptions& options);
  ResNetFeatures forward(torch::Tensor x);
  // Every stage output: {stem (after max-pool), layer1, layer2, layer3, layer4}.
  std::vector<torch::Tensor> stages(torch::Tensor x);
  // Training forwards keep only each stage's input and output; the backward recomputes the rest
  // (models/checkpoint.h). Off by default.
  void set_activation_checkpointing(bool on) { checkpoint_stages_ = on; }
  int64_t low_channels() const { return low_channels_; }
  int64_t high_channels() const { return high_channels_; }

 private:
  OneDnnConv2d conv1{nullptr};
  SyncBatchNorm2d bn1{nullptr};
  torch::nn::MaxPool2d maxpool{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  int64_t low_channels_ = 0, high_channels_ = 0;
  bool checkpoint_stages_ = false;
  torch::Tensor run_stage(torch::nn::Sequential& stage, const torch::Tensor& x);
};
TORCH_MODULE(ResNet);

}  // namespace s4seg
