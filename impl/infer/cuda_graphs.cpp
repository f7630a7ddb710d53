#include "infer/cuda_graphs.h"

#include <list>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor_text.h"
#include "core/text.h"
#include "core/torch_compat.h"
#include "models/model.h"

#if defined(S4SEG_WITH_CUDA)
#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace s4seg {

#if defined(S4SEG_WITH_CUDA)

namespace {

struct CapturedForward {
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;  // channels_last or not
  c10::ScalarType dtype;
  int variant = 0;
  torch::Tensor input;   // the graph reads its images here
  torch::Tensor output;  // and writes its result here, in its private memory pool
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  std::string failure;  // why the capture failed; empty when it worked

  bool matches(const torch::Tensor& x, int v) const {
    return variant == v && dtype == x.scalar_type() && x.sizes().vec() == sizes && x.strides().vec() == strides;
  }
};

// Restores a global flag on every way out of the capture.
struct CudnnBenchmarkOn {
  bool before = at::globalContext().benchmarkCuDNN();
  CudnnBenchmarkOn() { at::globalContext().setBenchmarkCuDNN(true); }
  ~CudnnBenchmarkOn() { at::globalContext().setBenchmarkCuDNN(before); }
};

// Cached weight casts made inside a capture would live in the graph's pool but be freed when the
// autocast scope clears its cache: PyTorch captures with the cache off, and so do we.
struct AutocastCacheOff {
  bool before = at::autocast::is_autocast_cache_enabled();
  AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(false); }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(before); }
};

// Captures forward(c.input) into c.graph. Errors before the capture itself (out of memory in the
// warm-up, say) are thrown; an error during the capture is kept in c.failure.
void capture(CapturedForward& c, const torch::Tensor& x, const CapturedFn& forward) {
  c10::cuda::CUDAGuard on_device(x.device());
  c10::cuda::CUDAStream caller = c10::cuda::getCurrentCUDAStream();
  c.input = x.clone();  // keeps x's memory format
  // Capture must not run on the legacy default stream; the side stream first waits for the
  // caller's work (the input copy) and the caller later waits for the side stream.
  c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool();
  at::cuda::CUDAEvent input_ready;
  input_ready.record(caller);
  input_ready.block(side);
  {
    c10::cuda::CUDAStreamGuard on_side(side);
    CudnnBenchmarkOn benchmark;
    AutocastCacheOff no_cast_cache;
    // Outside the capture: cuDNN picks its algorithms for these shapes and the allocator grows,
    // neither of which may happen while capturing.
    for (int i = 0; i < 2; ++i) forward(c.input);
    auto graph = std::make_unique<at::cuda::CUDAGraph>();
    try {
#if S4SEG_TORCH_AT_LEAST(2, 0)
      // Thread-local mode: the host's other threads may go on using CUDA during the capture.
      graph->capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
#else
      graph->capture_begin();
#endif
      try {
        c.output = forward(c.input);
      } catch (...) {
        // Leave the stream out of capture mode before reporting.
        cudaGraph_t broken = nullptr;
        if (cudaStreamEndCapture(side.stream(), &broken) == cudaSuccess && broken) cudaGraphDestroy(broken);
        throw;
      }
      graph->capture_end();
      c.graph = std::move(graph);
    } catch (const c10::Error& e) {
      c.failure = first_line(e.what_without_backtrace());
    } catch (const std::exception& e) {
      c.failure = first_line(e.what());
    }
  }
  at::cuda::CUDAEvent side_done;
  side_done.record(side);
  side_done.block(caller);
  if (!c.failure.empty()) c.input = c.output = torch::Tensor();
}

}  // namespace

class InferenceGraphs {
 public:
  std::list<CapturedForward> entries;  // most recently used first
};

torch::Tensor run_as_cuda_graph(Model& model, const torch::Tensor& x, int variant, const CapturedFn& forward) {
  require(x.is_cuda(), "CUDA graphs need the images on a CUDA device");
  if (!model.inference_graphs) model.inference_graphs = std::make_shared<InferenceGraphs>();
  std::list<CapturedForward>& entries = model.inference_graphs->entries;
  auto it = entries.begin();
  while (it != entries.end() && !it->matches(x, variant)) ++it;
  if (it == entries.end()) {
    // First sight of this shape: remember it and run eagerly. A shape seen once (evaluation on
    // images of many sizes) then costs no capture.
    CapturedForward c;
    c.sizes = x.sizes().vec();
    c.strides = x.strides().vec();
    c.dtype = x.scalar_type();
    c.variant = variant;
    entries.push_front(std::move(c));
    if (entries.size() > kMaxTrackedShapes) entries.pop_back();
    return forward(x);
  }
  entries.splice(entries.begin(), entries, it);
  CapturedForward& c = entries.front();
  if (!c.graph && c.failure.empty()) {
    // Second sight: capture, after releasing the least recently used graph beyond the limit.
    size_t captured = 0;
    for (const CapturedForward& e : entries) captured += e.graph ? 1 : 0;
    for (auto e = entries.rbegin(); captured >= kMaxCapturedShapes && e != entries.rend(); ++e)
      if (e->graph) {
        e->graph.reset();  // its memory pool goes back to the allocator
        e->input = e->output = torch::Tensor();
        --captured;
      }
    capture(c, x, forward);
  }
  if (!c.failure.empty())
    fail(Status::Device, "CUDA graph capture of the inference forward failed for input " + shape_of(x) +
                             " (model.cuda_graphs = false, or s4seg_model_set_cuda_graphs(model, 0), predicts without graphs): " +
                             c.failure);
  c10::cuda::CUDAGuard on_device(x.device());
  c.input.copy_(x);
  c.graph->replay();
  return c.output.clone();  // the next replay overwrites the graph's output
}

#else

class InferenceGraphs {};

torch::Tensor run_as_cuda_graph(Model&, const torch::Tensor& x, int, const CapturedFn& forward) { return forward(x); }

#endif

}  // namespace s4seg
