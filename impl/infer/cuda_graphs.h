// CUDA-graph replay of the inference forward (model.cuda_graphs): the forward is captured once per
// input shape and then replayed as one graph launch, so that a small batch no longer waits on the
// host launching several hundred kernels one by one.
#pragma once
#include <torch/types.h>

#include <functional>
#include <memory>

namespace s4seg {

struct Model;

// The input shapes one model has seen and the graphs captured for them (at most
// kMaxCapturedShapes, least recently used first out). Lives in Model; guarded by Model::mutex like
// the network itself.
class InferenceGraphs;

constexpr size_t kMaxCapturedShapes = 4;
constexpr size_t kMaxTrackedShapes = 32;

// What is captured: the images in, class probabilities out. It must run on the current CUDA stream
// without reading anything back to the host.
using CapturedFn = std::function<torch::Tensor(const torch::Tensor&)>;

// Runs forward(x) for x on a CUDA device through the model's graph for x's shape and `variant` (the
// caller's settings that change what `forward` launches, such as autocast): the first call with a
// shape runs eagerly, the second captures, later ones replay. The result is the caller's own tensor. A capture that fails throws Error(Device) with
// CUDA's reason, for that shape and every later call with it. Caller holds model.mutex. The graph
// reads the weights where they are, so in-place weight updates (training, loading weights) show
// in the next replay. Builds without CUDA run forward(x).
torch::Tensor run_as_cuda_graph(Model& model, const torch::Tensor& x, int variant, const CapturedFn& forward);

}  // namespace s4seg
