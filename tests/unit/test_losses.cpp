// Cross-entropy with ignore and OHEM on tensors small enough to check by hand.
#include "losses/cross_entropy.h"
#include "unit_test.h"

using namespace s4seg;

// Two pixels, two classes: logits (0,0) → p = 0.5 each; (ln 3, 0) → p(class 0) = 0.75.
static torch::Tensor two_pixel_logits() {
  return torch::tensor({0.0, std::log(3.0), 0.0, 0.0}, torch::kFloat).view({1, 2, 1, 2});
}

static void ce_matches_hand_computed_mean(void**) {
  torch::Tensor target = torch::tensor({0, 0}, torch::kLong).view({1, 1, 2});
  double expected = (-std::log(0.5) - std::log(0.75)) / 2;
  ASSERT_NEAR(ignore_cross_entropy(two_pixel_logits(), target).item<double>(), expected, 1e-6);
}

static void ce_skips_ignored_pixels(void**) {
  torch::Tensor target = torch::tensor({255, 0}, torch::kLong).view({1, 1, 2});
  ASSERT_NEAR(ignore_cross_entropy(two_pixel_logits(), target).item<double>(), -std::log(0.75), 1e-6);
}

static void ce_of_all_ignored_is_zero_with_gradient(void**) {
  torch::Tensor logits = two_pixel_logits().requires_grad_(true);
  torch::Tensor target = torch::full({1, 1, 2}, 255, torch::kLong);
  torch::Tensor loss = ignore_cross_entropy(logits, target);
  assert_true(loss.item<double>() == 0.0);
  loss.backward();  // must not throw: an all-ignored batch still has a graph
  assert_true(logits.grad().abs().sum().item<double>() == 0.0);
}

static void ce_rejects_mismatched_shapes(void**) {
  bool thrown = false;
  try {
    ignore_cross_entropy(two_pixel_logits(), torch::zeros({1, 2, 2}, torch::kLong));
  } catch (const c10::Error&) {
    thrown = true;
  }
  assert_true(thrown);
}

static void ohem_keeps_only_hard_pixels_above_min_kept(void**) {
  // Pixel 0 (p = 0.5) is hard, pixel 1 (p = 0.75) easy at thresh 0.7; min_kept 1 keeps only the hard one.
  torch::Tensor target = torch::tensor({0, 0}, torch::kLong).view({1, 1, 2});
  ASSERT_NEAR(ohem_cross_entropy(two_pixel_logits(), target, 0.7, 1).item<double>(), -std::log(0.5), 1e-6);
}

static void ohem_min_kept_raises_the_threshold(void**) {
  // min_kept 2 forces both pixels in although pixel 1 is easy: the plain mean.
  torch::Tensor target = torch::tensor({0, 0}, torch::kLong).view({1, 1, 2});
  double expected = (-std::log(0.5) - std::log(0.75)) / 2;
  ASSERT_NEAR(ohem_cross_entropy(two_pixel_logits(), target, 0.7, 2).item<double>(), expected, 1e-6);
}

static void ohem_ignores_ignored_pixels(void**) {
  torch::Tensor target = torch::tensor({0, 255}, torch::kLong).view({1, 1, 2});
  ASSERT_NEAR(ohem_cross_entropy(two_pixel_logits(), target, 0.7, 100).item<double>(), -std::log(0.5), 1e-6);
}

static void ohem_keeps_every_pixel_when_fewer_than_min_kept(void**) {
  // Both pixels are easy at thresh 0.1, but min_kept 5 exceeds the 2 pixels: both stay.
  torch::Tensor target = torch::tensor({0, 0}, torch::kLong).view({1, 1, 2});
  double expected = (-std::log(0.5) - std::log(0.75)) / 2;
  ASSERT_NEAR(ohem_cross_entropy(two_pixel_logits(), target, 0.1, 5).item<double>(), expected, 1e-6);
}

static void ohem_of_all_ignored_is_zero(void**) {
  torch::Tensor target = torch::full({1, 1, 2}, 255, torch::kLong);
  assert_true(ohem_cross_entropy(two_pixel_logits(), target, 0.7, 1).item<double>() == 0.0);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ce_matches_hand_computed_mean),        cmocka_unit_test(ce_skips_ignored_pixels),
      cmocka_unit_test(ce_of_all_ignored_is_zero_with_gradient), cmocka_unit_test(ce_rejects_mismatched_shapes),
      cmocka_unit_test(ohem_keeps_only_hard_pixels_above_min_kept), cmocka_unit_test(ohem_min_kept_raises_the_threshold),
      cmocka_unit_test(ohem_ignores_ignored_pixels), cmocka_unit_test(ohem_keeps_every_pixel_when_fewer_than_min_kept),
      cmocka_unit_test(ohem_of_all_ignored_is_zero),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
