// s4GAN discriminator for RRN (ALGORITHMS.md 4.2, 4.6) and the tensors around it: the
// (probabilities ⊕ min-max image) input, one-hot ground truth with ignore, and the patch-score to
// pixel-mask mapping used by the local selection loss.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace s4seg {

struct DiscriminatorOptions {
  int64_t in_channels;   // C + 3: class probabilities (or one-hot) followed by the image
  int64_t ndf = 64;      // width of the first conv; the last has 8·ndf
  bool patch = true;     // true: region-level score map (the paper); false: one score per image (the code)
  double dropout = 0.5;  // Dropout2d after each of the first three convs; 0 disables it
};

struct DiscriminatorOutput {
  torch::Tensor logits;    // pre-sigmoid scores: (B, 1, h', w') patch map when patch, else (B, 1, 1, 1)
  torch::Tensor score;     // sigmoid(logits)
  torch::Tensor features;  // (B, 8·ndf) globally average-pooled last feature map, for feature matching
};

// Four conv 4×4 / stride 2 / padding 1 (ndf, 2ndf, 4ndf, 8ndf) with LeakyReLU 0.2, Dropout2d after
// the first three, then the head. A 2^k input side gives h' = H/16; other sides give what the convs
// give (floor(H/2) per conv); a side below 16 is replicate-padded to 16 first, so h' ≥ 1 always.
// Input: floating (B, in_channels, H, W); anything else throws Error(InvalidArgument).
class DiscriminatorImpl : public torch::nn::Module {
 public:
  explicit DiscriminatorImpl(const DiscriminatorOptions& o);
  DiscriminatorOutput forward(torch::Tensor x);
  const DiscriminatorOptions& options() const { return options_; }

 private:
  DiscriminatorOptions options_;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv4{nullptr};
  torch::nn::Dropout2d drop{nullptr};
  torch::nn::Conv2d patch_head{nullptr};  // patch: 1×1 conv 8ndf → 1
  torch::nn::Linear image_head{nullptr};  // image-level: Linear 8ndf → 1 on the pooled features
};
TORCH_MODULE(Discriminator);

// cat(probs, (images − min)/(max − min + 1e-8)) along channels, min/max over the whole batch
// tensor (the RRN/s4GAN code). probs: floating (B, C, H, W); images: floating (B, K, H, W), same
// device. The result has probs' dtype. No gradient flows into images.
torch::Tensor discriminator_input(const torch::Tensor& probs, const torch::Tensor& images);

// The "real" probabilities of the discriminator: float (B, C, H, W) one-hot of int64 masks
// (B, H, W), all-zero where the mask is 255 (ignore). Any other label outside [0, C) throws
// Error(InvalidArgument) (one device sync for the check).
torch::Tensor one_hot_with_ignore(const torch::Tensor& masks, int64_t num_classes);

// bool (B, H, W): pixel (y, x) takes the decision score > threshold of the patch covering it,
// patch row floor(y·h'/H), column floor(x·w'/W) (nearest). A (B, 1, 1, 1) image-level score gives
// a whole-image mask. score: floating (B, 1, h', w'); height, width ≥ 1.
torch::Tensor patch_scores_to_pixel_mask(const torch::Tensor& score, double threshold, int64_t height, int64_t width);
// The scores themselves spread the same way: (B, H, W) in score's dtype, no gradient.
torch::Tensor patch_scores_to_pixels(const torch::Tensor& score, int64_t height, int64_t width);

}  // namespace s4seg
