// Activation checkpointing (models/checkpoint.h, ResNet stages): the same outputs, gradients and
// BatchNorm statistics as without it; the recomputation follows the forward's BatchNorm rank group.
#include "models/checkpoint.h"
#include "models/resnet.h"
#include "unit_test.h"

#include <vector>

using namespace s4seg;

static ResNet tiny_resnet(bool checkpointing) {
  torch::manual_seed(3);
  ResNetOptions o;
  o.depth = "resnet18";
  o.width = 8;
  o.output_stride = 8;
  ResNet net(o);
  net->train();
  net->set_activation_checkpointing(checkpointing);
  return net;
}

struct StepResult {
  torch::Tensor low, high;
  std::vector<torch::Tensor> grads, buffers;
};

static StepResult one_step(ResNet& net, const torch::Tensor& x) {
  ResNetFeatures f = net->forward(x);
  (f.high.square().mean() + f.low.mean()).backward();
  StepResult r{f.low.detach(), f.high.detach(), {}, {}};
  for (const auto& p : net->parameters()) r.grads.push_back(p.grad().clone());
  for (const auto& b : net->buffers()) r.buffers.push_back(b.clone());
  return r;
}

static double max_diff(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  assert_int_equal(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, (a[i].to(torch::kDouble) - b[i].to(torch::kDouble)).abs().max().item<double>());
  return m;
}

static void resnet_gradients_and_statistics_match_without_checkpointing(void**) {
  torch::Tensor x = torch::randn({2, 3, 32, 32});
  ResNet plain = tiny_resnet(false), ckpt = tiny_resnet(true);
  StepResult a = one_step(plain, x), b = one_step(ckpt, x);
  assert_true(torch::allclose(a.high, b.high, 0, 1e-6) && torch::allclose(a.low, b.low, 0, 1e-6));
  assert_true(max_diff(a.grads, b.grads) < 1e-5);
  // Running statistics moved once (num_batches_tracked is 1 everywhere, not 2).
  assert_true(max_diff(a.buffers, b.buffers) < 1e-6);
  for (const auto& item : ckpt->named_buffers())
    if (item.key().find("num_batches_tracked") != std::string::npos) assert_int_equal(item.value().item<int64_t>(), 1);
  for (const auto& g : b.grads) assert_true(g.abs().sum().item<double>() > 0);
}

static void eval_and_no_grad_run_plainly(void**) {
  int calls = 0;
  Segment twice = [&calls](const torch::Tensor& t) {
    ++calls;
    return t * 2;
  };
  torch::Tensor x = torch::ones({3}, torch::requires_grad());
  {
    torch::NoGradGuard no_grad;
    assert_true(torch::equal(checkpointed(twice, x), torch::full({3}, 2.0)));
  }
  // An input that needs no gradient: no recomputation, and nothing is lost.
  torch::Tensor w = torch::ones({3}, torch::requires_grad());
  Segment scaled = [&calls, &w](const torch::Tensor& t) {
    ++calls;
    return t * w;
  };
  checkpointed(scaled, torch::full({3}, 5.0)).sum().backward();
  assert_int_equal(calls, 2);
  assert_true(torch::equal(w.grad(), torch::full({3}, 5.0)));
}

static void segment_runs_again_in_the_backward_pass(void**) {
  int calls = 0;
  torch::Tensor w = torch::full({3}, 3.0, torch::requires_grad());
  Segment cube = [&calls, &w](const torch::Tensor& t) {
    ++calls;
    return (t * w).pow(3);
  };
  torch::Tensor x = torch::tensor({1.0, 2.0, -1.0}, torch::requires_grad());
  torch::Tensor y = checkpointed(cube, x);
  assert_int_equal(calls, 1);
  assert_false(y.grad_fn() == nullptr);
  y.sum().backward();
  assert_int_equal(calls, 2);
  // d/dx (wx)³ = 3w³x², d/dw = 3w²x³
  assert_true(torch::allclose(x.grad(), 3 * w.detach().pow(3) * x.detach().pow(2)));
  assert_true(torch::allclose(w.grad(), 3 * w.detach().pow(2) * x.detach().pow(3)));
}

static void recomputation_uses_the_forwards_rank_group(void**) {
  torch::Tensor x = torch::randn({2, 3, 32, 32});
  int sums = 0;
  RankGroup counting{[&sums](std::vector<torch::Tensor>&) { ++sums; }, 0, 1};  // one rank: sums are identities
  auto count_step = [&](bool checkpointing) {
    ResNet net = tiny_resnet(checkpointing);
    sums = 0;
    StepResult r;
    {
      BatchNormSyncScope scope(&counting);
      r = one_step(net, x);
    }
    return std::make_pair(sums, r);
  };
  auto plain = count_step(false), ckpt = count_step(true);
  // The recomputed stages' BatchNorm layers all-reduced again: the group reached the backward.
  assert_true(ckpt.first > plain.first);
  assert_true(max_diff(plain.second.grads, ckpt.second.grads) < 1e-5);
  assert_true(max_diff(plain.second.buffers, ckpt.second.buffers) < 1e-6);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(resnet_gradients_and_statistics_match_without_checkpointing),
      cmocka_unit_test(eval_and_no_grad_run_plainly),
      cmocka_unit_test(segment_runs_again_in_the_backward_pass),
      cmocka_unit_test(recomputation_uses_the_forwards_rank_group),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
