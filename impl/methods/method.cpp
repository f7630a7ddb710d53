#include "methods/method.h"

namespace s4seg {

std::vector<torch::Tensor> module_state(torch::nn::Module& m) {
  std::vector<torch::Tensor> out = m.parameters();
  for (const auto& b : m.buffers()) out.push_back(b);
  return out;
}

std::vector<torch::Tensor> module_buffers(torch::nn::Module& m) { return m.buffers(); }

std::vector<torch::Tensor> Method::replicated_state() { return module_state(*inference_model().net); }

std::vector<torch::Tensor> Method::rank_averaged_state() { return module_buffers(*inference_model().net); }

std::vector<SegmentationNetImpl*> Method::trained_nets() { return {inference_model().net.get()}; }

}  // namespace s4seg
