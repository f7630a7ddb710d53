// The segmentation network: ResNet encoder ("backbone.*") + DeepLabV3+ decoder ("decoder.*").
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "models/deeplab.h"
#include "models/resnet.h"

namespace s4seg {

struct SegNetOptions {
  ResNetOptions backbone;
  DeepLabOptions decoder;
  // Reads model.* keys.
  static SegNetOptions from_config(const Config& c);
};

struct SegOutput {
  torch::Tensor logits;   // (B, C, H/4, W/4): upsample with upsample_logits for full size
  torch::Tensor feature;  // decoder feature before the head
  torch::Tensor rep;      // representation head output (B, rep_dim, H/4, W/4); undefined without one
};

class SegmentationNetImpl : public torch::nn::Module {
 public:
  explicit SegmentationNetImpl(const SegNetOptions& o);
  // `x`: normalised float images (B, 3, H, W).
  SegOutput forward(torch::Tensor x);
  // UniMatch feature perturbation: one encoder pass; the decoder runs on the clean features and on
  // channel-dropped copies (Dropout2d with probability p) of both encoder outputs. Returns
  // {clean, perturbed}.
  std::pair<SegOutput, SegOutput> forward_with_feature_dropout(torch::Tensor x, double p);
  std::vector<torch::Tensor> encoder_parameters();
  std::vector<torch::Tensor> decoder_parameters();
  int64_t num_classes() const { return num_classes_; }
  int64_t rep_dim() const { return rep_dim_; }

 private:
  ResNet backbone{nullptr};
  DeepLabV3Plus decoder{nullptr};
  int64_t num_classes_;
  int64_t rep_dim_;
};
TORCH_MODULE(SegmentationNet);

// Bilinear resize of logits to (height, width).
torch::Tensor upsample_logits(const torch::Tensor& logits, int64_t height, int64_t width);

}  // namespace s4seg
