#include "methods/method.h"

namespace s4seg {

std::vector<torch::Tensor> module_state(torch::nn::Module& m) {
  std::vector<torch::Tensor> out = m.parameters();
  for (const auto& b : m.buffers()) out.push_back(b);
  return out;
}

std::vector<torch::Tensor> module_buffers(torch::nn::Module& m) { return m.buffers(); }

MethodState Method::state() {
  MethodState s;
  SegmentationNet& net = inference_model().net;
  s.nets = {net.get()};
  s.replicated = module_state(*net);
  s.rank_averaged = module_buffers(*net);
  return s;
}

}  // namespace s4seg
