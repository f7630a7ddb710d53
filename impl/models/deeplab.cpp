#include "models/deeplab.h"

#include <torch/nn/functional/upsampling.h>

#include "models/batch_norm.h"
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>

namespace s4seg {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {
OneDnnConv2d conv(int64_t in, int64_t out, int64_t k, int64_t dilation = 1, bool bias = false) {
  return OneDnnConv2d(conv_spec(in, out, k, 1, dilation, bias));
}

nn::Sequential conv_bn_relu(int64_t in, int64_t out, int64_t k, int64_t dilation = 1) {
  return nn::Sequential(conv(in, out, k, dilation), SyncBatchNorm2d(out), nn::ReLU(nn::ReLUOptions(true)));
}

torch::Tensor resize_to(const torch::Tensor& x, const torch::Tensor& like) {
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{like.size(2), like.size(3)})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

void init_decoder(nn::Module& m) {
  for (auto& sub : m.modules(false)) {
    if (auto* c = sub->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanIn, torch::kReLU);
      if (c->options.bias()) nn::init::zeros_(c->bias);
    } else if (auto* b = sub->as<SyncBatchNorm2d>()) {
      nn::init::ones_(b->weight);
      nn::init::zeros_(b->bias);
    }
  }
}
}  // namespace

AsppImpl::AsppImpl(int64_t in, int64_t out, const std::vector<int64_t>& rates, double dropout) {
  branches_.push_back(register_module("b0", conv_bn_relu(in, out, 1)));
  for (size_t i = 0; i < rates.size(); ++i)
    branches_.push_back(register_module("b" + std::to_string(i + 1), conv_bn_relu(in, out, 3, rates[i])));
  // The image-pooling branch has no BatchNorm: a 1x1 map has one value per channel per image,
  // which BatchNorm cannot normalise at batch size 1.
  pool_conv = register_module("pool_conv", conv(in, out, 1, 1, true));
  const int64_t cat = out * static_cast<int64_t>(rates.size() + 2);
  project = conv_bn_relu(cat, out, 1);
  if (dropout > 0) project->push_back(nn::Dropout(nn::DropoutOptions(dropout)));
  register_module("project", project);
}

torch::Tensor AsppImpl::forward(torch::Tensor x) {
  std::vector<torch::Tensor> outs;
  outs.reserve(branches_.size() + 1);
  for (auto& b : branches_) outs.push_back(b->forward(x));
  torch::Tensor pooled = torch::relu(pool_conv(x.mean({2, 3}, /*keepdim=*/true)));
  outs.push_back(pooled.expand({-1, -1, x.size(2), x.size(3)}));
  return project->forward(torch::cat(outs, 1));
}

DeepLabV3PlusImpl::DeepLabV3PlusImpl(const DeepLabOptions& o) {
  aspp = register_module("aspp", Aspp(o.high_channels, o.aspp_channels, o.aspp_rates, o.dropout));
  low_proj = register_module("low_proj", conv_bn_relu(o.low_channels, o.low_level_channels, 1));
  head = nn::Sequential();
  int64_t in = o.aspp_channels + o.low_level_channels;
  for (int64_t i = 0; i < o.head_convs; ++i) {
    head->push_back(conv(in, o.aspp_channels, 3));
    head->push_back(SyncBatchNorm2d(o.aspp_channels));
    head->push_back(nn::ReLU(nn::ReLUOptions(true)));
    if (o.dropout > 0) head->push_back(nn::Dropout(nn::DropoutOptions(o.dropout)));
    in = o.aspp_channels;
  }
  register_module("head", head);
  if (o.classifier) classifier = register_module("classifier", conv(in, o.num_classes, 1, 1, true));
  if (o.rep_dim > 0) {
    // ReCo/CSS representation head: a parallel branch on the same feature as the classifier.
    const int64_t feat = o.aspp_channels + o.low_level_channels;
    rep_head = nn::Sequential(conv(feat, o.aspp_channels, 3),
                              SyncBatchNorm2d(o.aspp_channels), nn::ReLU(nn::ReLUOptions(true)),
                              conv(o.aspp_channels, o.rep_dim, 1, 1, true));
    register_module("rep_head", rep_head);
  }
  init_decoder(*this);
}

DecoderOutput DeepLabV3PlusImpl::forward(torch::Tensor low, torch::Tensor high) {
  torch::Tensor l = low_proj->forward(low);
  torch::Tensor feature = torch::cat({resize_to(aspp->forward(high), l), l}, 1);
  DecoderOutput out;
  out.feature = feature;
  out.head_feature = head->forward(feature);
  if (!classifier.is_empty()) out.logits = classifier(out.head_feature);
  if (!rep_head.is_empty()) out.rep = rep_head->forward(feature);
  return out;
}

}  // namespace s4seg
