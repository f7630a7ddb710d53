#include "augment/input.h"

#include <torch/torch.h>

namespace s4seg {

namespace {
torch::Tensor upload(torch::Tensor cpu, const c10::Device& device) {
  if (!device.is_cuda()) return cpu;
  return cpu.pin_memory().to(device, /*non_blocking=*/true);
}
}  // namespace

torch::Tensor image_to_device(const Image& image, const c10::Device& device) {
  Image rgb = to_channels(image, 3);
  torch::Tensor t = torch::from_blob(rgb.pixels.data(), {rgb.height, rgb.width, 3}, torch::kUInt8).clone();
  return upload(t.permute({2, 0, 1}).unsqueeze(0).contiguous(), device);
}

torch::Tensor mask_to_device(const Image& mask, const c10::Device& device) {
  torch::Tensor t = torch::from_blob(const_cast<uint8_t*>(mask.pixels.data()), {1, 1, mask.height, mask.width}, torch::kUInt8).clone();
  return upload(t, device);
}

torch::Tensor normalize_images(const torch::Tensor& x) {
  auto opts = torch::TensorOptions().dtype(x.scalar_type()).device(x.device());
  torch::Tensor mean = torch::tensor({0.485 * 255, 0.456 * 255, 0.406 * 255}, opts).view({1, 3, 1, 1});
  torch::Tensor std = torch::tensor({0.229 * 255, 0.224 * 255, 0.225 * 255}, opts).view({1, 3, 1, 1});
  return (x - mean) / std;
}

}  // namespace s4seg
