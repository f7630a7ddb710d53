// The segmentation network: ResNet encoder ("backbone.*") + DeepLabV3+ decoder ("decoder.*"), and
// the optional parts some methods need, kept in the one module so that model files, predict,
// evaluate and the labeler work alike for every family:
//   - a second branch ("branch2_backbone.*", "branch2_decoder.*"): RRN's co-trained pair; forward()
//     then averages the two branches' logits;
//   - a mask-classification head ("mask_head.*") on the decoder feature (RC²L); forward() then
//     returns MaskFormer's semantic scores as logits (log of the normalised scores);
//   - discriminators ("discriminator1.*", "discriminator2.*"), one per branch (RRN), saved with the
//     model so the labeler can filter pseudo-labels with them.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "models/deeplab.h"
#include "models/discriminator.h"
#include "models/mask_head.h"
#include "models/resnet.h"

namespace s4seg {

struct SegNetOptions {
  ResNetOptions backbone;
  DeepLabOptions decoder;
  int64_t branches = 1;           // 1 or 2
  bool mask_head = false;         // mask-classification head instead of the per-pixel classifier
  MaskHeadOptions mask;
  std::string discriminator = "none";  // none | patch | image: one per branch
  int64_t discriminator_width = 64;    // ndf
  // Reads model.* keys; "auto" builds the plain model (apply_method_model_defaults resolves them first).
  static SegNetOptions from_config(const Config& c);
};

struct SegOutput {
  torch::Tensor logits;   // (B, C, H/4, W/4): upsample with upsample_logits for full size
  torch::Tensor feature;  // decoder feature before the head
  torch::Tensor rep;      // representation head output (B, rep_dim, H/4, W/4); undefined without one
  // Mask head only (undefined otherwise):
  torch::Tensor class_logits;  // (B, N, K+1), the last class is "no object"
  torch::Tensor mask_logits;   // (B, N, H/4, W/4)
  torch::Tensor pixel_embed;   // (B, hidden, H/4, W/4): the feature regions are pooled from
};

class SegmentationNetImpl : public torch::nn::Module {
 public:
  explicit SegmentationNetImpl(const SegNetOptions& o);
  // `x`: normalised float images (B, 3, H, W). With two branches: their logits averaged (the rest
  // of the output is branch 1's).
  SegOutput forward(torch::Tensor x);
  // One branch (0 or 1) alone.
  SegOutput forward_branch(torch::Tensor x, int64_t branch);
  // UniMatch feature perturbation: one encoder pass; the decoder runs on the clean features and on
  // channel-dropped copies (Dropout2d with probability p) of both encoder outputs. Returns
  // {clean, perturbed}.
  std::pair<SegOutput, SegOutput> forward_with_feature_dropout(torch::Tensor x, double p);
  std::vector<torch::Tensor> encoder_parameters();
  std::vector<torch::Tensor> decoder_parameters();
  int64_t num_classes() const { return num_classes_; }
  int64_t rep_dim() const { return rep_dim_; }
  int64_t branches() const { return branches_; }
  bool has_mask_head() const { return !mask_head.is_empty(); }
  // Discriminators: 0 or one per branch; discriminator(k) pairs with branch k.
  int64_t discriminator_count() const { return static_cast<int64_t>(discriminators_.size()); }
  Discriminator& discriminator(int64_t k) { return discriminators_.at(static_cast<size_t>(k)); }
  // Parameters of the segmentation part only (discriminators excluded).
  std::vector<torch::Tensor> segmentation_parameters();
  // When frozen, train() leaves every BatchNorm layer in eval mode: normalisation by the running
  // statistics, which stay as they are (train.batchnorm = frozen).
  void set_batchnorm_frozen(bool frozen);
  // Training forwards recompute each backbone stage's activations in the backward pass instead of
  // keeping them (train.activation_checkpointing = backbone; models/checkpoint.h).
  void set_activation_checkpointing(bool on);
  void train(bool on = true) override;

 private:
  ResNet backbone{nullptr}, backbone2{nullptr};
  DeepLabV3Plus decoder{nullptr}, decoder2{nullptr};
  MaskHead mask_head{nullptr};
  std::vector<Discriminator> discriminators_;
  int64_t num_classes_;
  int64_t rep_dim_;
  int64_t branches_;
  bool batchnorm_frozen_ = false;
};
TORCH_MODULE(SegmentationNet);

// Bilinear resize of logits to (height, width).
torch::Tensor upsample_logits(const torch::Tensor& logits, int64_t height, int64_t width);

}  // namespace s4seg
