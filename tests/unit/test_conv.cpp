// OneDnnConv2d (models/conv.h): batch-1 CPU float inference goes to oneDNN and agrees with
// LibTorch's own convolution; training, and no-grad forwards outside an InferenceConvScope, keep
// LibTorch's path bit for bit.
#include "core/torch_compat.h"
#include "models/conv.h"
#include "unit_test.h"

using namespace s4seg;

// The reference: LibTorch's functional convolution with the module's weights and geometry.
static torch::Tensor reference(OneDnnConv2d& conv, const Conv2dSpec& s, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const int64_t pad = s.dilation * (s.kernel / 2);
  return torch::conv2d(x, conv->weight, conv->bias, {s.stride, s.stride}, {pad, pad}, {s.dilation, s.dilation});
}

static void inference_matches_libtorch_for_the_deeplab_shapes(void**) {
  torch::manual_seed(0);
  // ASPP-like dilated 3×3, a strided 3×3, a 1×1 with bias, the 7×7 stem: batch 1, tiny inputs,
  // exactly the case LibTorch sends to its naive kernels.
  for (const Conv2dSpec& s : {conv_spec(8, 6, 3, 1, 12, false), conv_spec(8, 6, 3, 2, 1, false), conv_spec(8, 4, 1, 1, 1, true),
                              conv_spec(3, 5, 7, 2, 1, false)}) {
    OneDnnConv2d conv(s);
    torch::Tensor x = torch::randn({1, s.in, 9, 7});
    torch::Tensor expect = reference(conv, s, x);
    torch::NoGradGuard no_grad;
    assert_false(conv_uses_onednn(x));  // a no-grad forward in training (the EMA teacher's)
    assert_true(torch::equal(conv->forward(x), conv->torch::nn::Conv2dImpl::forward(x)));
    InferenceConvScope inference;
    assert_true(conv_uses_onednn(x) == at::hasMKLDNN());
    torch::Tensor got = conv->forward(x);
    assert_true(got.sizes() == expect.sizes());
    assert_true((got - expect).abs().max().item<double>() < 1e-5);
    // A channels_last input gives the same numbers.
    torch::Tensor cl = conv->forward(x.contiguous(at::MemoryFormat::ChannelsLast));
    assert_true((cl - expect).abs().max().item<double>() < 1e-5);
  }
}

static void training_keeps_libtorchs_path_and_gradients(void**) {
  torch::manual_seed(1);
  OneDnnConv2d conv(conv_spec(4, 3, 3, 1, 2, true));
  torch::Tensor x = torch::randn({1, 4, 6, 6}, torch::requires_grad());
  assert_false(conv_uses_onednn(x));
  {
    InferenceConvScope inference;  // gradients on: still LibTorch's path
    assert_false(conv_uses_onednn(x));
  }
  torch::Tensor y = conv->forward(x);
  // Same call as LibTorch's module, so the very same bits.
  assert_true(torch::equal(y, conv->torch::nn::Conv2dImpl::forward(x)));
  y.square().sum().backward();
  assert_true(conv->weight.grad().defined() && conv->bias.grad().defined() && x.grad().defined());
  assert_true(conv->weight.grad().abs().sum().item<double>() > 0);
}

static void other_dtypes_fall_back(void**) {
  OneDnnConv2d conv(conv_spec(2, 2, 3, 1, 1, false));
  conv->to(torch::kDouble);
  torch::NoGradGuard no_grad;
  InferenceConvScope inference;
  torch::Tensor x = torch::randn({1, 2, 5, 5}, torch::kDouble);
  assert_false(conv_uses_onednn(x));
  torch::Tensor y = conv->forward(x);
  assert_true(y.scalar_type() == torch::kDouble && y.sizes() == torch::IntArrayRef({1, 2, 5, 5}));
}

static void cpu_autocast_keeps_libtorchs_bf16_path(void**) {
  OneDnnConv2d conv(conv_spec(2, 2, 3, 1, 1, false));
  torch::NoGradGuard no_grad;
  InferenceConvScope inference;
  torch::Tensor x = torch::randn({1, 2, 5, 5});
  Bf16Autocast autocast(c10::DeviceType::CPU, true);
  assert_false(conv_uses_onednn(x));
  assert_true(conv->forward(x).scalar_type() == torch::kBFloat16);
}

static void parameter_names_are_conv2ds(void**) {
  OneDnnConv2d conv(conv_spec(2, 3, 1, 1, 1, true));
  auto params = conv->named_parameters();
  assert_int_equal(params.size(), 2);
  assert_true(params.contains("weight") && params.contains("bias"));
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(inference_matches_libtorch_for_the_deeplab_shapes),
      cmocka_unit_test(training_keeps_libtorchs_path_and_gradients),
      cmocka_unit_test(other_dtypes_fall_back),
      cmocka_unit_test(cpu_autocast_keeps_libtorchs_bf16_path),
      cmocka_unit_test(parameter_names_are_conv2ds),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
