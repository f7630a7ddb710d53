// Photometric strong augmentation on device tensors (ALGORITHMS.md section 7 "StrongAug"):
// colour jitter, random greyscale and Gaussian blur, each drawn per image. Geometry is left alone
// so pseudo-labels made on the weak view stay aligned.
#pragma once
#include <torch/types.h>

namespace s4seg {

struct StrongAugOptions {
  double jitter_p = 0.8;     // probability of colour jitter per image
  double brightness = 0.5;   // factor drawn from [1-b, 1+b]
  double contrast = 0.5;     // factor drawn from [1-c, 1+c]
  double saturation = 0.5;   // factor drawn from [1-s, 1+s]
  double hue = 0.25;         // shift drawn from [-h, h] (fraction of the hue circle), h <= 0.5
  double grey_p = 0.2;       // probability of greyscale per image
  double blur_p = 0.5;       // probability of Gaussian blur per image
  double blur_sigma_min = 0.1, blur_sigma_max = 2.0;  // sigma in pixels, drawn per image
};

// `images`: float (B, 3, H, W), ImageNet-normalised (as the weak augmentation returns them).
// Returns the strongly augmented batch, normalised the same way, same shape, device and dtype.
// Random draws come from LibTorch's default generator (the trainer seeds it per iteration).
torch::Tensor strong_photometric(const torch::Tensor& images, const StrongAugOptions& o);

// The individual operations, on float images in [0, 1] (B, 3, H, W), with per-image factors
// (B) as float tensors on the same device; exposed for tests and for methods that need one.
torch::Tensor adjust_brightness(const torch::Tensor& x, const torch::Tensor& factor);
torch::Tensor adjust_contrast(const torch::Tensor& x, const torch::Tensor& factor);   // around each image's grey mean
torch::Tensor adjust_saturation(const torch::Tensor& x, const torch::Tensor& factor);
torch::Tensor adjust_hue(const torch::Tensor& x, const torch::Tensor& shift);          // RGB→HSV, shift, back
torch::Tensor to_greyscale(const torch::Tensor& x);                                      // ITU-R 601 luma, 3 channels
torch::Tensor gaussian_blur(const torch::Tensor& x, const torch::Tensor& sigma);        // per-image sigma, reflect padding

}  // namespace s4seg
