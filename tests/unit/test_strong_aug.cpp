// Photometric strong augmentation: each operation against a value known by hand, and the
// composed strong_photometric for shape, dtype, range, reproducibility and its identity settings.
#include "augment/input.h"
#include "augment/strong.h"
#include "core/error.h"
#include "unit_test.h"

using namespace s4seg;

// (B, 3, H, W) in [0, 1], reproducible.
static torch::Tensor random_images(int64_t b, int64_t h, int64_t w, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::rand({b, 3, h, w});
}

static torch::Tensor factors(std::initializer_list<double> v) { return torch::tensor(std::vector<double>(v), torch::kFloat); }

// One pixel per image of the given RGB colour, (1, 3, 1, 1).
static torch::Tensor pixel(double r, double g, double b) { return torch::tensor({r, g, b}, torch::kFloat).view({1, 3, 1, 1}); }

static torch::Tensor denormalize_for_test(const torch::Tensor& n) {
  torch::Tensor mean = torch::tensor({0.485, 0.456, 0.406}, torch::kFloat).view({1, 3, 1, 1});
  torch::Tensor std = torch::tensor({0.229, 0.224, 0.225}, torch::kFloat).view({1, 3, 1, 1});
  return n * std + mean;
}

static void brightness_scales_and_clamps(void**) {
  torch::Tensor x = random_images(2, 4, 4, 1);
  assert_true(torch::equal(adjust_brightness(x, factors({1.0, 1.0})), x));  // factor 1: identity, bit for bit
  torch::Tensor y = adjust_brightness(x, factors({0.5, 2.0}));
  assert_true(torch::allclose(y[0], x[0] * 0.5));
  assert_true(torch::allclose(y[1], (x[1] * 2.0).clamp(0.0, 1.0)));  // clamped to [0, 1]
  assert_true(y.max().item<double>() <= 1.0);
}

static void contrast_blends_towards_mean_luma(void**) {
  torch::Tensor x = random_images(2, 4, 4, 2);
  assert_true(torch::equal(adjust_contrast(x, factors({1.0, 1.0})), x));
  // Factor 0: every value becomes the image's mean luma 0.299·R̄ + 0.587·Ḡ + 0.114·B̄.
  torch::Tensor y = adjust_contrast(x, factors({0.0, 0.0}));
  for (int64_t b = 0; b < 2; ++b) {
    torch::Tensor m = x[b].mean({1, 2});
    double luma = 0.299 * m[0].item<double>() + 0.587 * m[1].item<double>() + 0.114 * m[2].item<double>();
    ASSERT_NEAR(y[b].min().item<double>(), luma, 1e-6);
    ASSERT_NEAR(y[b].max().item<double>(), luma, 1e-6);
  }
}

static void saturation_zero_is_greyscale(void**) {
  torch::Tensor x = random_images(2, 3, 5, 3);
  assert_true(torch::allclose(adjust_saturation(x, factors({0.0, 0.0})), to_greyscale(x), 0.0, 1e-6));
  assert_true(torch::equal(adjust_saturation(x, factors({1.0, 1.0})), x));
}

static void greyscale_uses_601_luma_on_all_channels(void**) {
  torch::Tensor x = random_images(2, 4, 4, 4);
  torch::Tensor g = to_greyscale(x);
  assert_true(g.sizes() == x.sizes());
  assert_true(torch::equal(g.select(1, 0), g.select(1, 1)) && torch::equal(g.select(1, 1), g.select(1, 2)));
  ASSERT_NEAR(to_greyscale(pixel(1, 0, 0))[0][0][0][0].item<double>(), 0.299, 1e-6);
  ASSERT_NEAR(to_greyscale(pixel(0, 1, 0))[0][1][0][0].item<double>(), 0.587, 1e-6);
  ASSERT_NEAR(to_greyscale(pixel(1, 1, 1))[0][2][0][0].item<double>(), 1.0, 1e-6);
}

static void hue_zero_is_identity(void**) {
  torch::Tensor x = random_images(2, 8, 8, 5);
  // The RGB→HSV→RGB round trip is exact up to float rounding, greys included.
  x.select(0, 0).narrow(1, 0, 1).narrow(2, 0, 1).fill_(0.5);  // a grey pixel
  assert_true(torch::allclose(adjust_hue(x, factors({0.0, 0.0})), x, 0.0, 1e-5));
}

static void hue_third_rotates_primaries(void**) {
  // A shift of 1/3 of the circle maps red → green → blue → red; -1/3 goes the other way.
  torch::Tensor rgb = torch::cat({pixel(1, 0, 0), pixel(0, 1, 0), pixel(0, 0, 1)}, 0);
  torch::Tensor gbr = torch::cat({pixel(0, 1, 0), pixel(0, 0, 1), pixel(1, 0, 0)}, 0);
  const double third = 1.0 / 3.0;
  assert_true(torch::allclose(adjust_hue(rgb, factors({third, third, third})), gbr, 0.0, 1e-5));
  assert_true(torch::allclose(adjust_hue(gbr, factors({-third, -third, -third})), rgb, 0.0, 1e-5));
  // A darker, desaturated colour keeps its value and saturation: (0.6, 0.3, 0.3) → (0.3, 0.6, 0.3).
  assert_true(torch::allclose(adjust_hue(pixel(0.6, 0.3, 0.3), factors({third})), pixel(0.3, 0.6, 0.3), 0.0, 1e-5));
  // Grey has no hue: unchanged by any shift.
  assert_true(torch::allclose(adjust_hue(pixel(0.4, 0.4, 0.4), factors({0.25})), pixel(0.4, 0.4, 0.4), 0.0, 1e-6));
}

static void blur_preserves_constant_and_mean(void**) {
  torch::Tensor c = torch::full({2, 3, 7, 9}, 0.37f);
  assert_true(torch::allclose(gaussian_blur(c, factors({0.5, 2.0})), c, 0.0, 1e-6));
  torch::Tensor x = random_images(2, 32, 32, 6);
  torch::Tensor y = gaussian_blur(x, factors({1.0, 2.0}));
  assert_true(y.sizes() == x.sizes());
  // Reflect padding keeps the mean only approximately (border pixels are counted twice).
  for (int64_t b = 0; b < 2; ++b) ASSERT_NEAR(y[b].mean().item<double>(), x[b].mean().item<double>(), 0.01);
  assert_true(y.std().item<double>() < 0.5 * x.std().item<double>());  // i.i.d. noise is smoothed
}

static void blur_of_impulse_is_separable_gaussian(void**) {
  // An impulse in channel 2 of image 1 (σ = 1) becomes w(dy)·w(dx) with w(k) ∝ e^{-k²/2}; the
  // kernel radius is shared by the batch (3·max σ = 6), so the tail at k = 4 is still there.
  // Image 0 (σ = 2) and the other channels stay zero.
  torch::Tensor x = torch::zeros({2, 3, 13, 13});
  x[1][2][6][6] = 1.0;
  torch::Tensor y = gaussian_blur(x, factors({2.0, 1.0}));
  torch::Tensor p = y[1][2];
  ASSERT_NEAR(p.sum().item<double>(), 1.0, 1e-5);
  ASSERT_NEAR((p[6][7] / p[6][6]).item<double>(), std::exp(-0.5), 1e-5);
  ASSERT_NEAR((p[8][6] / p[6][6]).item<double>(), std::exp(-2.0), 1e-5);
  ASSERT_NEAR((p[7][7] / p[6][6]).item<double>(), std::exp(-1.0), 1e-5);
  ASSERT_NEAR((p[6][10] / p[6][6]).item<double>(), std::exp(-8.0), 1e-6);
  assert_true(y[0].abs().max().item<double>() == 0.0);
  assert_true(y[1].narrow(0, 0, 2).abs().max().item<double>() == 0.0);
}

static void blur_sigma_is_per_image(void**) {
  torch::Tensor x = random_images(2, 16, 16, 7);
  torch::Tensor y = gaussian_blur(x, factors({0.1, 2.0}));
  // σ = 0.1: neighbour weight e^{-1/(2·0.01)} ≈ 2e-22, so image 0 passes through.
  assert_true(torch::allclose(y[0], x[0], 0.0, 1e-6));
  assert_true((y[1] - x[1]).abs().max().item<double>() > 0.1);
}

static void blur_handles_images_smaller_than_kernel(void**) {
  // σ = 2 wants radius 6; a 2x3 image clips it to 1 and 2 so reflect padding stays valid.
  torch::Tensor c = torch::full({1, 3, 2, 3}, 0.8f);
  assert_true(torch::allclose(gaussian_blur(c, factors({2.0})), c, 0.0, 1e-6));
  torch::Tensor one = torch::rand({1, 3, 1, 1});
  assert_true(torch::allclose(gaussian_blur(one, factors({2.0})), one));
}

static void ops_reject_bad_inputs(void**) {
  torch::Tensor x = random_images(2, 4, 4, 8);
  ASSERT_THROWS_STATUS(adjust_brightness(x, factors({1.0})), Status::InvalidArgument);  // one factor per image
  ASSERT_THROWS_STATUS(to_greyscale(torch::rand({2, 1, 4, 4})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(gaussian_blur(x, factors({1.0, 0.0})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(adjust_hue(torch::ones({2, 3, 4, 4}, torch::kLong), factors({0.0, 0.0})), Status::InvalidArgument);
}

static StrongAugOptions no_augmentation() {
  StrongAugOptions o;
  o.jitter_p = o.grey_p = o.blur_p = 0.0;
  return o;
}

static void strong_with_zero_probabilities_is_identity(void**) {
  torch::Tensor n = normalize_images(random_images(3, 8, 8, 9) * 255.0);
  torch::Tensor out = strong_photometric(n, no_augmentation());
  // Only the denormalise/renormalise round trip touches the values.
  assert_true(torch::allclose(out, n, 0.0, 1e-5));
}

static void strong_keeps_shape_dtype_and_range(void**) {
  torch::Tensor n = normalize_images(random_images(4, 9, 7, 10) * 255.0);
  StrongAugOptions o;
  o.jitter_p = o.grey_p = o.blur_p = 1.0;
  torch::Tensor out = strong_photometric(n, o);
  assert_true(out.sizes() == n.sizes());
  assert_true(out.scalar_type() == torch::kFloat);
  assert_true(out.device() == n.device());
  torch::Tensor x = denormalize_for_test(out);
  assert_true(x.min().item<double>() >= -1e-5 && x.max().item<double>() <= 1.0 + 1e-5);
  assert_false(torch::allclose(out, n, 0.0, 1e-3));  // it did something
}

static void strong_greyscale_only_gives_equal_channels(void**) {
  torch::Tensor n = normalize_images(random_images(2, 5, 5, 11) * 255.0);
  StrongAugOptions o = no_augmentation();
  o.grey_p = 1.0;
  torch::Tensor x = denormalize_for_test(strong_photometric(n, o));
  assert_true(torch::allclose(x.select(1, 0), x.select(1, 1), 0.0, 1e-5));
  assert_true(torch::allclose(x.select(1, 1), x.select(1, 2), 0.0, 1e-5));
}

static void strong_is_reproducible_from_the_seed(void**) {
  torch::Tensor n = normalize_images(random_images(4, 6, 6, 12) * 255.0);
  StrongAugOptions o;
  torch::manual_seed(99);
  torch::Tensor a = strong_photometric(n, o);
  torch::manual_seed(99);
  torch::Tensor b = strong_photometric(n, o);
  assert_true(torch::equal(a, b));
}

static void strong_rejects_bad_options(void**) {
  torch::Tensor n = torch::zeros({1, 3, 4, 4});
  StrongAugOptions o;
  o.jitter_p = 1.5;
  ASSERT_THROWS_STATUS(strong_photometric(n, o), Status::InvalidArgument);
  o = StrongAugOptions();
  o.hue = 0.6;
  ASSERT_THROWS_STATUS(strong_photometric(n, o), Status::InvalidArgument);
  o = StrongAugOptions();
  o.blur_sigma_min = 3.0;  // > blur_sigma_max
  ASSERT_THROWS_STATUS(strong_photometric(n, o), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(strong_photometric(torch::zeros({1, 4, 4}), StrongAugOptions()), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(brightness_scales_and_clamps),
      cmocka_unit_test(contrast_blends_towards_mean_luma),
      cmocka_unit_test(saturation_zero_is_greyscale),
      cmocka_unit_test(greyscale_uses_601_luma_on_all_channels),
      cmocka_unit_test(hue_zero_is_identity),
      cmocka_unit_test(hue_third_rotates_primaries),
      cmocka_unit_test(blur_preserves_constant_and_mean),
      cmocka_unit_test(blur_of_impulse_is_separable_gaussian),
      cmocka_unit_test(blur_sigma_is_per_image),
      cmocka_unit_test(blur_handles_images_smaller_than_kernel),
      cmocka_unit_test(ops_reject_bad_inputs),
      cmocka_unit_test(strong_with_zero_probabilities_is_identity),
      cmocka_unit_test(strong_keeps_shape_dtype_and_range),
      cmocka_unit_test(strong_greyscale_only_gives_equal_channels),
      cmocka_unit_test(strong_is_reproducible_from_the_seed),
      cmocka_unit_test(strong_rejects_bad_options),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
