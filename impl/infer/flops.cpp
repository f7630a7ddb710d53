#include "infer/flops.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <cstring>

#include "augment/input.h"
#include "core/error.h"

namespace s4seg {

namespace {
// RecordFunction callbacks are plain function pointers: the count lives in a thread-local, and
// the callback is registered for this thread only.
thread_local double t_flops = 0;

int64_t int_at(const c10::IValue& v, size_t i) {
  const auto list = v.toIntList();
  return list.size() == 1 ? list.get(0) : list.get(i);
}

// aten::convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)
double convolution_flops(c10::ArrayRef<const c10::IValue> in) {
  if (in.size() < 9 || !in[0].isTensor() || !in[1].isTensor()) return 0;
  const at::Tensor& x = in[0].toTensor();
  const at::Tensor& w = in[1].toTensor();
  if (x.dim() != 4 || w.dim() != 4 || in[6].toBool()) return 0;  // 2-D, not transposed: all s4seg uses
  double out_pixels = 1;
  for (size_t d = 0; d < 2; ++d) {
    const int64_t size = x.size(static_cast<int64_t>(2 + d)), k = w.size(static_cast<int64_t>(2 + d));
    const int64_t stride = int_at(in[3], d), pad = int_at(in[4], d), dil = int_at(in[5], d);
    out_pixels *= static_cast<double>((size + 2 * pad - dil * (k - 1) - 1) / stride + 1);
  }
  // weight (Cout, Cin/groups, kh, kw): each output value is Cin/groups·kh·kw multiply-adds.
  return 2.0 * static_cast<double>(x.size(0)) * out_pixels * static_cast<double>(w.numel());
}

double matmul_flops(const char* name, c10::ArrayRef<const c10::IValue> in) {
  const bool with_bias = std::strcmp(name, "aten::addmm") == 0 || std::strcmp(name, "aten::baddbmm") == 0;
  const size_t a = with_bias ? 1 : 0;
  if (in.size() < a + 2 || !in[a].isTensor() || !in[a + 1].isTensor()) return 0;
  const at::Tensor& x = in[a].toTensor();
  const at::Tensor& y = in[a + 1].toTensor();
  if (x.dim() < 2 || y.dim() < 2) return 0;
  // (..., n, k) @ (..., k, m): batch · n · m · k multiply-adds.
  return 2.0 * static_cast<double>(x.numel()) * static_cast<double>(y.size(-1));
}

std::unique_ptr<at::ObserverContext> count_op(const at::RecordFunction& fn) {
  const char* name = fn.name();
  if (std::strcmp(name, "aten::convolution") == 0) {
    t_flops += convolution_flops(fn.inputs());
  } else if (std::strcmp(name, "aten::mm") == 0 || std::strcmp(name, "aten::addmm") == 0 ||
             std::strcmp(name, "aten::bmm") == 0 || std::strcmp(name, "aten::baddbmm") == 0) {
    t_flops += matmul_flops(name, fn.inputs());
  }
  return nullptr;
}
}  // namespace

double forward_flops(Model& model, int64_t height, int64_t width) {
  require(height >= 8 && width >= 8 && height <= 16384 && width <= 16384,
          "FLOP count: image size must be in 8..16384, got " + std::to_string(width) + "x" + std::to_string(height));
  std::lock_guard<std::recursive_mutex> lock(model.mutex);
  torch::NoGradGuard no_grad;
  const bool was_training = model.net->is_training();
  model.net->eval();
  torch::Tensor x = normalize_images(torch::zeros({1, 3, height, width}, torch::TensorOptions().device(model.device)));
  t_flops = 0;
  at::CallbackHandle handle = at::addThreadLocalCallback(at::RecordFunctionCallback(&count_op).needsInputs(true));
  try {
    model.net->forward(x);
  } catch (...) {
    at::removeCallback(handle);
    model.net->train(was_training);
    throw;
  }
  at::removeCallback(handle);
  model.net->train(was_training);
  return t_flops;
}

}  // namespace s4seg
