// RRN adversarial losses (adversarial_losses.h) against values computed by hand.
#include "core/error.h"
#include "losses/adversarial_losses.h"
#include "unit_test.h"

using namespace s4seg;

// ---- feature_matching_loss -----------------------------------------------------------------------

static void feature_matching_is_l1_of_batch_means(void**) {
  // real means (2, 0, 1), fake means (1, 2, 1): |1| + |−2| + |0| over D = 3 → 1.
  torch::Tensor real = torch::tensor({1.0, 0.0, 0.0, 3.0, 0.0, 2.0}, torch::kFloat).view({2, 3});
  torch::Tensor fake = torch::tensor({1.0, 2.0, 1.0}, torch::kFloat).view({1, 3});
  ASSERT_NEAR(feature_matching_loss(real, fake).item<double>(), 1.0, 1e-6);
  // Batch means first: per-sample differences that cancel in the mean cost nothing.
  torch::Tensor fake2 = torch::tensor({0.0, 0.0, 2.0, 4.0, 0.0, 0.0}, torch::kFloat).view({2, 3});
  ASSERT_NEAR(feature_matching_loss(real, fake2).item<double>(), 0.0, 1e-6);
}

static void feature_matching_gradient_and_dtype(void**) {
  torch::Tensor real = torch::tensor({1.0, 0.0}, torch::kFloat).view({1, 2});
  torch::Tensor fake = torch::tensor({0.0, 1.0, 0.0, 1.0}, torch::kBFloat16).view({2, 2}).requires_grad_(true);
  torch::Tensor loss = feature_matching_loss(real, fake);
  assert_true(loss.scalar_type() == torch::kFloat && loss.dim() == 0);
  ASSERT_NEAR(loss.item<double>(), 1.0, 1e-6);  // (|1 − 0| + |0 − 1|) / 2
  loss.backward();
  // d/d fake[b, d] = −sign(real_mean − fake_mean)_d / (D·B') = (−0.25, +0.25)
  torch::Tensor expected = torch::tensor({-0.25, 0.25, -0.25, 0.25}, torch::kFloat).view({2, 2});
  assert_true(torch::allclose(fake.grad().to(torch::kFloat), expected));
}

static void feature_matching_rejects_bad_shapes(void**) {
  ASSERT_THROWS_STATUS(feature_matching_loss(torch::rand({2, 3}), torch::rand({2, 4})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(feature_matching_loss(torch::rand({2, 3, 1, 1}), torch::rand({2, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(feature_matching_loss(torch::rand({0, 3}), torch::rand({2, 3})), Status::InvalidArgument);
}

// ---- discriminator_loss --------------------------------------------------------------------------

static void discriminator_loss_of_zero_logits_is_ln2(void**) {
  // σ(0) = ½: both BCE terms are ln 2, whatever the shapes.
  torch::Tensor fake = torch::zeros({3, 1, 4, 4});
  torch::Tensor real = torch::zeros({2, 1, 1, 1});
  ASSERT_NEAR(discriminator_loss(fake, real).item<double>(), std::log(2.0), 1e-6);
}

static void discriminator_loss_matches_bce(void**) {
  // fake logit x → −ln(1 − σ(x)) = ln(1 + e^x); real logit y → −ln σ(y) = ln(1 + e^−y).
  torch::Tensor fake = torch::tensor({1.0, -2.0}, torch::kFloat).view({2, 1, 1, 1});
  torch::Tensor real = torch::tensor({3.0}, torch::kFloat).view({1, 1, 1, 1});
  double f = (std::log1p(std::exp(1.0)) + std::log1p(std::exp(-2.0))) / 2;
  double r = std::log1p(std::exp(-3.0));
  ASSERT_NEAR(discriminator_loss(fake, real).item<double>(), 0.5 * (f + r), 1e-6);
  // Swapping roles with negated logits gives the same loss (symmetry of the two BCE terms).
  torch::Tensor swapped = discriminator_loss(-real, -fake);
  double f2 = std::log1p(std::exp(-3.0));
  double r2 = (std::log1p(std::exp(1.0)) + std::log1p(std::exp(-2.0))) / 2;
  ASSERT_NEAR(swapped.item<double>(), 0.5 * (f2 + r2), 1e-6);
  ASSERT_NEAR(swapped.item<double>(), discriminator_loss(fake, real).item<double>(), 1e-6);
}

static void discriminator_loss_is_finite_when_saturated(void**) {
  // Confidently wrong: σ(200) rounds to 1 in float32, where BCE on probabilities would be inf/100.
  torch::Tensor fake = torch::full({1, 1, 2, 2}, 200.0).requires_grad_(true);
  torch::Tensor real = torch::full({1, 1, 2, 2}, -200.0);
  torch::Tensor loss = discriminator_loss(fake, real);
  ASSERT_NEAR(loss.item<double>(), 200.0, 1e-3);
  loss.backward();
  // d/dx ½·mean softplus(x) = ½·σ(x)/4 = 0.125
  assert_true(torch::allclose(fake.grad(), torch::full({1, 1, 2, 2}, 0.125)));
}

static void discriminator_loss_rejects_bad_inputs(void**) {
  ASSERT_THROWS_STATUS(discriminator_loss(torch::zeros({0}), torch::zeros({1})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(discriminator_loss(torch::zeros({1}), torch::zeros({1}, torch::kLong)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(discriminator_loss(torch::Tensor(), torch::zeros({1})), Status::InvalidArgument);
}

// ---- local_selection_loss ------------------------------------------------------------------------

// One image, 1×3 pixels, 2 classes. Pixel 0: (ln 3, 0) → argmax 0, p = 0.75; pixel 1: (0, ln 4)
// → argmax 1, p = 0.8; pixel 2: (0, 5) → argmax 1.
static torch::Tensor three_pixel_logits() {
  return torch::tensor({std::log(3.0), 0.0, 0.0, 0.0, std::log(4.0), 5.0}, torch::kFloat).view({1, 2, 1, 3});
}

static torch::Tensor sel(std::initializer_list<int> v) {
  return torch::tensor(std::vector<int>(v), torch::kInt).view({1, 1, 3}).to(torch::kBool);
}

static void local_selection_uses_own_argmax_on_selected_pixels(void**) {
  // Pixels 0 and 1 selected: (−ln 0.75 − ln 0.8) / 2; pixel 2 contributes nothing.
  double expected = -(std::log(0.75) + std::log(0.8)) / 2;
  ASSERT_NEAR(local_selection_loss(three_pixel_logits(), sel({1, 1, 0})).item<double>(), expected, 1e-6);
  ASSERT_NEAR(local_selection_loss(three_pixel_logits(), sel({0, 1, 0})).item<double>(), -std::log(0.8), 1e-6);
}

static void local_selection_gradient_is_softmax_minus_own_one_hot(void**) {
  torch::Tensor logits = three_pixel_logits().requires_grad_(true);
  local_selection_loss(logits, sel({1, 0, 0})).backward();
  // Only pixel 0: softmax (0.75, 0.25) − one-hot(0) = (−0.25, 0.25); the others get 0.
  torch::Tensor expected = torch::tensor({-0.25, 0.0, 0.0, 0.25, 0.0, 0.0}, torch::kFloat).view({1, 2, 1, 3});
  assert_true(torch::allclose(logits.grad(), expected, 1e-5, 1e-6));
}

static void local_selection_empty_is_zero_with_gradient(void**) {
  torch::Tensor logits = three_pixel_logits().requires_grad_(true);
  torch::Tensor loss = local_selection_loss(logits, sel({0, 0, 0}));
  assert_true(loss.item<double>() == 0.0 && loss.requires_grad());
  loss.backward();
  assert_true(logits.grad().defined() && logits.grad().abs().sum().item<double>() == 0.0);
}

static void local_selection_returns_float32_for_bf16(void**) {
  torch::Tensor logits = three_pixel_logits().to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor loss = local_selection_loss(logits, sel({1, 1, 1}));
  assert_true(loss.scalar_type() == torch::kFloat && loss.dim() == 0);
  loss.backward();
  assert_true(logits.grad().scalar_type() == torch::kBFloat16);
}

static void local_selection_rejects_bad_inputs(void**) {
  torch::Tensor logits = three_pixel_logits();
  ASSERT_THROWS_STATUS(local_selection_loss(logits, torch::ones({1, 1, 3}, torch::kInt)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(local_selection_loss(logits, torch::ones({1, 1, 2}, torch::kBool)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(local_selection_loss(logits.view({2, 1, 3}), torch::ones({1, 1, 3}, torch::kBool)),
                       Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(feature_matching_is_l1_of_batch_means),
      cmocka_unit_test(feature_matching_gradient_and_dtype),
      cmocka_unit_test(feature_matching_rejects_bad_shapes),
      cmocka_unit_test(discriminator_loss_of_zero_logits_is_ln2),
      cmocka_unit_test(discriminator_loss_matches_bce),
      cmocka_unit_test(discriminator_loss_is_finite_when_saturated),
      cmocka_unit_test(discriminator_loss_rejects_bad_inputs),
      cmocka_unit_test(local_selection_uses_own_argmax_on_selected_pixels),
      cmocka_unit_test(local_selection_gradient_is_softmax_minus_own_one_hot),
      cmocka_unit_test(local_selection_empty_is_zero_with_gradient),
      cmocka_unit_test(local_selection_returns_float32_for_bf16),
      cmocka_unit_test(local_selection_rejects_bad_inputs),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
