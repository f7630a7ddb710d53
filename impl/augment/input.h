// Turning decoded 8-bit images into network input on the device.
#pragma once
#include <c10/core/Device.h>
#include <torch/types.h>

#include "io/image.h"

namespace s4seg {

// (1, 3, H, W) uint8 on `device`; grey images are replicated to three channels. Pinned and
// non-blocking on CUDA.
torch::Tensor image_to_device(const Image& image, const c10::Device& device);
// (1, 1, H, W) uint8 mask on `device`.
torch::Tensor mask_to_device(const Image& mask, const c10::Device& device);
// float (B, 3, H, W) in 0..255 → ImageNet-normalised float.
torch::Tensor normalize_images(const torch::Tensor& images_0_255);

}  // namespace s4seg
