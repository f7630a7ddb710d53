// Schedule, optimizer, augmentation geometry and metrics on tiny tensors.
#include <torch/version.h>
#include "augment/weak.h"
#include "core/error.h"
#include "infer/evaluator.h"
#include "optim/lr_schedule.h"
#include "optim/grad_clip.h"
#include "optim/sgd.h"
#include "unit_test.h"

using namespace s4seg;

static void poly_lr_follows_formula(void**) {
  ASSERT_NEAR(poly_lr(0.1, 0, 100, 0, 0.9, 0), 0.1, 1e-12);
  ASSERT_NEAR(poly_lr(0.1, 50, 100, 0, 0.9, 0), 0.1 * std::pow(0.5, 0.9), 1e-12);
  ASSERT_NEAR(poly_lr(0.1, 100, 100, 0, 0.9, 0), 0.0, 1e-12);
  ASSERT_NEAR(poly_lr(0.1, 100, 100, 0, 0.9, 1e-4), 1e-4, 1e-12);  // floor
}

static void poly_lr_warms_up_linearly(void**) {
  ASSERT_NEAR(poly_lr(0.1, 0, 100, 10, 0.9, 0), 0.01, 1e-12);
  ASSERT_NEAR(poly_lr(0.1, 9, 100, 10, 0.9, 0), 0.1, 1e-12);
  ASSERT_NEAR(poly_lr(0.1, 55, 100, 10, 1.0, 0), 0.05, 1e-12);  // halfway through the poly part
}

static void sgd_momentum_and_weight_decay_match_formula(void**) {
  torch::Tensor p = torch::tensor({1.0}, torch::kFloat).requires_grad_(true);
  Sgd sgd({{"g", {p}, 2.0}}, SgdOptions{0.5, 0.1, false});
  // Step 1: g = 1 + 0.1·1 = 1.1; b = 1.1; θ = 1 − 0.1·2·1.1 = 0.78
  p.mutable_grad() = torch::tensor({1.0}, torch::kFloat);
  sgd.step(0.1);
  ASSERT_NEAR(p.item<double>(), 0.78, 1e-6);
  // Step 2: g = 1 + 0.1·0.78 = 1.078; b = 0.5·1.1 + 1.078 = 1.628; θ = 0.78 − 0.2·1.628 = 0.4544
  p.mutable_grad() = torch::tensor({1.0}, torch::kFloat);
  sgd.step(0.1);
  ASSERT_NEAR(p.item<double>(), 0.4544, 1e-6);
}

static void sgd_nesterov_uses_lookahead(void**) {
  torch::Tensor p = torch::tensor({0.0}, torch::kFloat).requires_grad_(true);
  Sgd sgd({{"g", {p}, 1.0}}, SgdOptions{0.9, 0.0, true});
  p.mutable_grad() = torch::tensor({1.0}, torch::kFloat);
  sgd.step(1.0);  // b = 1; d = g + 0.9·b = 1.9
  ASSERT_NEAR(p.item<double>(), -1.9, 1e-6);
}

static void sgd_state_round_trips(void**) {
  torch::Tensor p = torch::tensor({1.0, 2.0}, torch::kFloat).requires_grad_(true);
  Sgd a({{"g", {p}, 1.0}}, SgdOptions{0.9, 0.0, false});
  p.mutable_grad() = torch::ones({2});
  a.step(0.1);
  Records r;
  a.save(r);
  torch::Tensor q = p.detach().clone().requires_grad_(true);
  Sgd b({{"g", {q}, 1.0}}, SgdOptions{0.9, 0.0, false});
  b.load(r, "test");
  p.mutable_grad() = torch::ones({2});
  q.mutable_grad() = torch::ones({2});
  a.step(0.1);
  b.step(0.1);
  assert_true(torch::equal(p, q));
}

// A skipped update (apply false on the device) leaves weights and momentum exactly as they were,
// NaN gradients included, also at the first step; an applied one equals the unguarded step.
static void sgd_skipped_update_changes_nothing(void**) {
  const torch::Tensor skip = torch::zeros({}, torch::kBool);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  torch::Tensor p = torch::tensor({1.0f, 2.0f}).requires_grad_(true);
  torch::Tensor q = p.detach().clone().requires_grad_(true);
  Sgd guarded({{"g", {p}, 2.0}}, SgdOptions{0.9, 0.1, false});
  Sgd plain({{"g", {q}, 2.0}}, SgdOptions{0.9, 0.1, false});

  p.mutable_grad() = torch::tensor({nan, 1.0f});
  guarded.step(0.1, skip);  // first step skipped: no momentum yet
  assert_true(torch::equal(p, torch::tensor({1.0f, 2.0f})));
  step_in_lockstep(guarded, plain, p, q, 2);
  p.mutable_grad() = torch::tensor({nan, std::numeric_limits<float>::infinity()});
  guarded.step(0.1, skip);
  assert_true(torch::equal(p, q));
  Records a, b;
  guarded.save(a);
  plain.save(b);
  assert_true(a == b);  // the momentum too
  step_in_lockstep(guarded, plain, p, q, 1);
  ASSERT_THROWS_STATUS(guarded.step(0.1, torch::ones({2}, torch::kBool)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(guarded.step(0.1, torch::ones({})), Status::InvalidArgument);
}

// The fused kernel's path (CUDA's in training) run on the CPU where this LibTorch has the kernel:
// a step the device says to skip leaves weights and momentum alone, first step included, and the
// steps it applies track the plain update. A gradient laid out unlike its parameter takes the
// copy-and-restore path instead.
static void sgd_fused_skip_on_the_device(void**) {
  if (!Sgd::fused_kernel_on_cpu()) {
    std::cout << "sgd_fused_skip_on_the_device: LibTorch " << TORCH_VERSION
              << " has no fused SGD kernel for CPU tensors; the copy-and-restore path is tested above\n";
    return;
  }
  const torch::Tensor skip = torch::zeros({}, torch::kBool), go = torch::ones({}, torch::kBool);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (bool nesterov : {false, true}) {
    torch::Tensor p = torch::tensor({1.0f, 2.0f}).requires_grad_(true);
    torch::Tensor q = p.detach().clone().requires_grad_(true);
    SgdOptions fused_options{0.9, 0.1, nesterov};
    fused_options.fused_on_cpu = true;
    Sgd fused({{"g", {p}, 2.0}}, fused_options);
    Sgd plain({{"g", {q}, 2.0}}, SgdOptions{0.9, 0.1, nesterov});
    p.mutable_grad() = torch::tensor({nan, 1.0f});
    fused.step(0.1, skip);
    assert_true(fused.last_step_fused());
    assert_true(torch::equal(p, torch::tensor({1.0f, 2.0f})));
    for (int k = 0; k < 3; ++k) {
      p.mutable_grad() = torch::tensor({0.5f, -1.0f}) * (k + 1);
      q.mutable_grad() = torch::tensor({0.5f, -1.0f}) * (k + 1);
      fused.step(0.1, go);
      plain.step(0.1);
      assert_true(torch::allclose(p, q, 1e-6, 1e-7));
      if (k == 1) {  // a skip between applied steps: nothing moves (the momentum neither: the next steps still track)
        const torch::Tensor before = p.detach().clone();
        p.mutable_grad() = torch::tensor({std::numeric_limits<float>::infinity(), 1.0f});
        fused.step(0.1, skip);
        assert_true(torch::equal(p, before));
      }
    }
  }
  // Not fusable: a (2, 2) parameter whose gradient is transposed (other strides).
  torch::Tensor w = torch::ones({2, 2}).requires_grad_(true);
  SgdOptions o{0.9, 0.0, false};
  o.fused_on_cpu = true;
  Sgd mixed({{"g", {w}, 1.0}}, o);
  w.mutable_grad() = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}).t();
  mixed.step(0.5, go);
  assert_false(mixed.last_step_fused());
  assert_true(torch::allclose(w, torch::tensor({{0.5f, -0.5f}, {0.0f, -1.0f}})));
}

// The multi-tensor update equals torch::optim::SGD bit for bit, over two groups with their own
// learning-rate multipliers, for plain and Nesterov momentum, with a parameter that has no
// gradient at some steps (its momentum starts late).
static void sgd_matches_torch_optim_sgd_over_groups(void**) {
  for (bool nesterov : {false, true}) {
    torch::manual_seed(3);
    std::vector<torch::Tensor> init{torch::randn({4, 3}), torch::randn({3}), torch::randn({2, 2, 3, 3}), torch::randn({5})};
    std::vector<torch::Tensor> ours, ref;
    for (auto& t : init) {
      ours.push_back(t.clone().requires_grad_(true));
      ref.push_back(t.clone().requires_grad_(true));
    }
    Sgd sgd({{"a", {ours[0], ours[1]}, 1.0}, {"b", {ours[2], ours[3]}, 10.0}}, SgdOptions{0.9, 1e-2, nesterov});
    auto ref_options = [&](double lr) { return torch::optim::SGDOptions(lr).momentum(0.9).weight_decay(1e-2).nesterov(nesterov); };
    torch::optim::SGD ref_a({ref[0], ref[1]}, ref_options(0.01)), ref_b({ref[2], ref[3]}, ref_options(0.1));
    for (int step = 0; step < 5; ++step) {
      sgd.zero_grad();
      ref_a.zero_grad();
      ref_b.zero_grad();
      for (size_t i = 0; i < init.size(); ++i) {
        if (i == 3 && step < 2) continue;  // no gradient yet
        torch::Tensor g = torch::randn(init[i].sizes());
        ours[i].mutable_grad() = g.clone();
        ref[i].mutable_grad() = g.clone();
      }
      sgd.step(0.01);
      ref_a.step();
      ref_b.step();
    }
    for (size_t i = 0; i < init.size(); ++i) {
      assert_true(torch::equal(ours[i], ref[i]));
      assert_false(torch::equal(ours[i], init[i]));
    }
  }
}

static void gradient_clipping_matches_libtorch(void**) {
  torch::manual_seed(4);
  std::vector<torch::Tensor> ours, ref;
  for (auto shape : {std::vector<int64_t>{3, 4}, std::vector<int64_t>{7}, std::vector<int64_t>{2, 2, 2}}) {
    torch::Tensor p = torch::randn(shape);
    torch::Tensor g = torch::randn(shape) * 3;
    ours.push_back(p.clone().requires_grad_(true));
    ref.push_back(p.clone().requires_grad_(true));
    ours.back().mutable_grad() = g.clone();
    ref.back().mutable_grad() = g.clone();
  }
  torch::Tensor unused = torch::zeros({2}).requires_grad_(true);  // no gradient: ignored
  ours.push_back(unused);
  const double ref_norm = torch::nn::utils::clip_grad_norm_(ref, 1.5);
  torch::Tensor norm = clip_gradient_norm(ours, 1.5);
  ASSERT_NEAR(norm.item<double>(), ref_norm, 1e-5);
  assert_true(ref_norm > 1.5);  // the case clips
  for (size_t i = 0; i < ref.size(); ++i) assert_true(torch::allclose(ours[i].grad(), ref[i].grad(), 1e-6, 1e-7));
  double clipped = 0;
  for (size_t i = 0; i < ref.size(); ++i) clipped += ours[i].grad().pow(2).sum().item<double>();
  ASSERT_NEAR(std::sqrt(clipped), 1.5, 1e-4);
  // Under the limit nothing changes.
  torch::Tensor before = ours[0].grad().clone();
  clip_gradient_norm(ours, 100.0);
  assert_true(torch::equal(ours[0].grad(), before));
  assert_false(clip_gradient_norm({unused}, 1.0).defined());
  ASSERT_THROWS_STATUS(clip_gradient_norm(ours, 0.0), Status::InvalidArgument);
}

static void crop_grid_identity_reproduces_image(void**) {
  // scale 1, offset 0, no flip, crop = size: grid_sample returns the input exactly.
  torch::Tensor img = torch::arange(16, torch::kFloat).view({1, 1, 4, 4});
  CropParams p{1.0, 0, 0, false};
  torch::Tensor grid = crop_grid(4, 4, 4, p, torch::TensorOptions().dtype(torch::kFloat));
  torch::Tensor out = torch::nn::functional::grid_sample(
      img, grid, torch::nn::functional::GridSampleFuncOptions().mode(torch::kNearest).align_corners(false));
  assert_true(torch::equal(out, img));
}

static void crop_grid_flip_and_offset(void**) {
  torch::Tensor img = torch::arange(16, torch::kFloat).view({1, 1, 4, 4});
  CropParams p{1.0, 1, 2, true};  // rows 1..2, columns 2..3 mirrored
  torch::Tensor grid = crop_grid(4, 4, 2, p, torch::TensorOptions().dtype(torch::kFloat));
  torch::Tensor out = torch::nn::functional::grid_sample(
      img, grid, torch::nn::functional::GridSampleFuncOptions().mode(torch::kNearest).align_corners(false));
  torch::Tensor expected = torch::tensor({7.0, 6.0, 11.0, 10.0}, torch::kFloat).view({1, 1, 2, 2});
  assert_true(torch::equal(out, expected));
}

static void weak_augment_marks_padding_ignore(void**) {
  // A 4x4 image at scale 1 in an 8x8 crop: at least 48 padded pixels must be 255.
  LoadedSample s;
  s.image.width = s.image.height = 4;
  s.image.channels = 3;
  s.image.pixels.assign(48, 100);
  s.mask.width = s.mask.height = 4;
  s.mask.channels = 1;
  s.mask.pixels.assign(16, 1);
  WeakAugOptions o;
  o.crop = 8;
  o.scale_min = o.scale_max = 1.0;
  std::mt19937_64 rng(3);
  AugmentedBatch b = weak_augment({s}, torch::kCPU, o, rng);
  assert_true(b.masks.sizes() == torch::IntArrayRef({1, 8, 8}));
  assert_int_equal((b.masks == 255).sum().item<int64_t>(), 48);
  assert_int_equal((b.masks == 1).sum().item<int64_t>(), 16);
}

static void confusion_metrics_match_hand_count(void**) {
  // gt:   0 0 1 1 255   pred: 0 1 1 1 0  → class 0: TP 1, FP 0, FN 1 → IoU 1/2; class 1: TP 2, FP 1 → 2/3
  torch::Tensor cm = torch::zeros({3, 3}, torch::kLong);
  accumulate_confusion(cm, torch::tensor({0, 0, 1, 1, 255}, torch::kUInt8), torch::tensor({0, 1, 1, 1, 0}, torch::kUInt8), 3);
  EvalResult r = metrics_from_confusion(cm);
  ASSERT_NEAR(r.class_iou[0], 0.5, 1e-12);
  ASSERT_NEAR(r.class_iou[1], 2.0 / 3.0, 1e-12);
  assert_true(std::isnan(r.class_iou[2]));  // absent from both: not averaged
  ASSERT_NEAR(r.miou, (0.5 + 2.0 / 3.0) / 2, 1e-12);
  ASSERT_NEAR(r.pixel_accuracy, 3.0 / 4.0, 1e-12);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(poly_lr_follows_formula),           cmocka_unit_test(poly_lr_warms_up_linearly),
      cmocka_unit_test(sgd_momentum_and_weight_decay_match_formula), cmocka_unit_test(sgd_nesterov_uses_lookahead),
      cmocka_unit_test(sgd_state_round_trips),             cmocka_unit_test(crop_grid_identity_reproduces_image),
      cmocka_unit_test(crop_grid_flip_and_offset),         cmocka_unit_test(weak_augment_marks_padding_ignore),
      cmocka_unit_test(confusion_metrics_match_hand_count), cmocka_unit_test(sgd_matches_torch_optim_sgd_over_groups),
      cmocka_unit_test(gradient_clipping_matches_libtorch), cmocka_unit_test(sgd_skipped_update_changes_nothing),
      cmocka_unit_test(sgd_fused_skip_on_the_device),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
