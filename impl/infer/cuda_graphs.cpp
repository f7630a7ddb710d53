#include "infer/cuda_graphs.h"

#include <string>
#include <unordered_map>

#include "core/error.h"
#include "core/tensor_text.h"
#include "core/text.h"
#include "core/torch_compat.h"
#include "infer/graph_schedule.h"
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

// One captured forward; which key it belongs to, and when it is captured, replayed or freed, is
// the GraphSchedule's business.
struct CapturedForward {
  torch::Tensor input;   // the graph reads its images here
  torch::Tensor output;  // and writes its result here, in its private memory pool
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  std::string failure;  // why the capture failed; empty when it worked
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
  GraphSchedule schedule{kMaxCapturedShapes, kMaxTrackedShapes};
  std::unordered_map<uint64_t, CapturedForward> graphs;  // by GraphSchedule::Plan::id
};

torch::Tensor run_as_cuda_graph(Model& model, const torch::Tensor& x, int variant, const CapturedFn& forward) {
  require(x.is_cuda(), "CUDA graphs need the images on a CUDA device");
  if (!model.inference_graphs) model.inference_graphs = std::make_shared<InferenceGraphs>();
  InferenceGraphs& g = *model.inference_graphs;
  GraphKey key;
  key.sizes = x.sizes().vec();
  key.strides = x.strides().vec();
  key.dtype = x.scalar_type();
  key.variant = variant;
  GraphSchedule::Plan plan = g.schedule.next(key);
  for (uint64_t id : plan.release) g.graphs.erase(id);  // their memory pools go back to the allocator
  switch (plan.action) {
    case GraphAction::RunEagerly:
      return forward(x);
    case GraphAction::Capture: {
      CapturedForward& c = g.graphs[plan.id];
      try {
        capture(c, x, forward);
      } catch (...) {  // before the capture itself (out of memory in the warm-up): tried again next time
        g.graphs.erase(plan.id);
        throw;
      }
      g.schedule.captured(plan.id, c.failure);
      if (!c.failure.empty()) {
        plan.failure = c.failure;
        g.graphs.erase(plan.id);
        break;
      }
      [[fallthrough]];
    }
    case GraphAction::Replay: {
      CapturedForward& c = g.graphs.at(plan.id);
      c10::cuda::CUDAGuard on_device(x.device());
      c.input.copy_(x);
      c.graph->replay();
      return c.output.clone();  // the next replay overwrites the graph's output
    }
    case GraphAction::Failed:
      break;
  }
  fail(Status::Device, "CUDA graph capture of the inference forward failed for input " + shape_of(x) +
                           " (model.cuda_graphs = false, or s4seg_model_set_cuda_graphs(model, 0), predicts without graphs): " +
                           plan.failure);
}

#else

class InferenceGraphs {};

torch::Tensor run_as_cuda_graph(Model&, const torch::Tensor& x, int, const CapturedFn& forward) { return forward(x); }

#endif

}  // namespace s4seg
