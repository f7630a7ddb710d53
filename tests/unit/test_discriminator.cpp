// s4GAN discriminator shapes (patch and image-level, even and odd sizes) and the tensors around it:
// min-max input, one-hot with ignore, and the patch-score to pixel-mask mapping.
#include "core/error.h"
#include "models/discriminator.h"
#include "unit_test.h"

using namespace s4seg;

static Discriminator small_disc(bool patch, int64_t in_channels = 7) {
  DiscriminatorOptions o;
  o.in_channels = in_channels;
  o.ndf = 4;
  o.patch = patch;
  return Discriminator(o);
}

static bool has_sizes(const torch::Tensor& t, std::vector<int64_t> sizes) {
  return t.defined() && t.sizes() == torch::IntArrayRef(sizes);
}

// ---- Discriminator --------------------------------------------------------------------------------

static void patch_output_is_one_score_per_16x16(void**) {
  torch::manual_seed(1);
  Discriminator d = small_disc(true);
  DiscriminatorOutput out = d(torch::randn({2, 7, 64, 64}));
  assert_true(has_sizes(out.logits, {2, 1, 4, 4}));
  assert_true(has_sizes(out.score, {2, 1, 4, 4}));
  assert_true(has_sizes(out.features, {2, 32}));
  assert_true(torch::allclose(out.score, torch::sigmoid(out.logits)));
  assert_true((out.score > 0).all().item<bool>() && (out.score < 1).all().item<bool>());
}

static void image_level_output_is_one_score_per_image(void**) {
  torch::manual_seed(2);
  Discriminator d = small_disc(false);
  DiscriminatorOutput out = d(torch::randn({2, 7, 64, 64}));
  assert_true(has_sizes(out.logits, {2, 1, 1, 1}));
  assert_true(has_sizes(out.score, {2, 1, 1, 1}));
  assert_true(has_sizes(out.features, {2, 32}));
  assert_true((out.score > 0).all().item<bool>() && (out.score < 1).all().item<bool>());
}

static void odd_sizes_give_what_the_convs_give(void**) {
  torch::manual_seed(3);
  Discriminator patch = small_disc(true);
  Discriminator image = small_disc(false);
  // 40 → 20 → 10 → 5 → 2; 24 → 12 → 6 → 3 → 1
  torch::Tensor x = torch::randn({2, 7, 40, 24});
  assert_true(has_sizes(patch(x).logits, {2, 1, 2, 1}));
  assert_true(has_sizes(image(x).logits, {2, 1, 1, 1}));
  assert_true(has_sizes(image(x).features, {2, 32}));
  // Sides below 16 (even 1) are padded up to one cell.
  assert_true(has_sizes(patch(torch::randn({1, 7, 5, 33})).logits, {1, 1, 1, 2}));
  assert_true(has_sizes(patch(torch::randn({1, 7, 1, 1})).logits, {1, 1, 1, 1}));
  assert_true(has_sizes(image(torch::randn({3, 7, 15, 1})).logits, {3, 1, 1, 1}));
}

static void short_sides_are_padded_by_replicating_the_last_row(void**) {
  torch::manual_seed(6);
  Discriminator d = small_disc(true);
  d->eval();
  torch::Tensor x = torch::randn({1, 7, 5, 20});
  // Rows 5..15 repeat row 4.
  torch::Tensor padded = torch::cat({x, x.slice(2, 4, 5).expand({1, 7, 11, 20})}, 2);
  assert_true(torch::allclose(d(x).logits, d(padded).logits, 1e-5, 1e-6));
  assert_true(has_sizes(d(x).logits, {1, 1, 1, 1}));
}

static void features_are_the_pooled_map_the_head_reads(void**) {
  // Image-level: logits = Linear(features), so a linear head on the returned features reproduces them.
  torch::manual_seed(4);
  Discriminator d = small_disc(false);
  d->eval();
  DiscriminatorOutput out = d(torch::randn({2, 7, 32, 32}));
  torch::Tensor w, b;
  for (auto& item : d->named_parameters()) {
    if (item.key() == "image_head.weight") w = item.value();
    if (item.key() == "image_head.bias") b = item.value();
  }
  assert_true(w.defined() && b.defined());
  torch::Tensor again = torch::addmm(b, out.features, w.t()).view({2, 1, 1, 1});
  assert_true(torch::allclose(again, out.logits, 1e-5, 1e-6));
  // Gradients reach the first conv through the pooled features.
  out.logits.sum().backward();
  bool first_conv_has_grad = false;
  for (auto& item : d->named_parameters())
    if (item.key() == "conv1.weight") first_conv_has_grad = item.value().grad().defined();
  assert_true(first_conv_has_grad);
}

static void eval_mode_is_deterministic_and_train_mode_drops(void**) {
  torch::manual_seed(5);
  DiscriminatorOptions o;
  o.in_channels = 7;
  o.ndf = 4;
  o.dropout = 0.5;
  Discriminator d(o);
  torch::Tensor x = torch::randn({2, 7, 32, 32});
  d->eval();
  assert_true(torch::equal(d(x).logits, d(x).logits));
  d->train();
  assert_false(torch::equal(d(x).features, d(x).features));
}

static void discriminator_rejects_bad_inputs(void**) {
  Discriminator d = small_disc(true);
  ASSERT_THROWS_STATUS(d(torch::randn({2, 6, 32, 32})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(d(torch::randn({7, 32, 32})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(d(torch::zeros({2, 7, 32, 32}, torch::kLong)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(d(torch::Tensor()), Status::InvalidArgument);
  DiscriminatorOptions o;
  o.in_channels = 0;
  ASSERT_THROWS_STATUS(Discriminator{o}, Status::InvalidArgument);
  o.in_channels = 3;
  o.dropout = 1.0;
  ASSERT_THROWS_STATUS(Discriminator{o}, Status::InvalidArgument);
}

// ---- discriminator_input -------------------------------------------------------------------------

static void input_is_probs_then_batch_min_max_image(void**) {
  torch::Tensor probs = torch::rand({2, 4, 3, 5});
  torch::Tensor images = torch::randn({2, 3, 3, 5});
  // Push the extremes into different images so a per-image min-max would differ.
  images[0][0][0][0] = -4.0;
  images[1][2][2][4] = 6.0;
  torch::Tensor in = discriminator_input(probs, images);
  assert_true(has_sizes(in, {2, 7, 3, 5}));
  assert_true(torch::equal(in.slice(1, 0, 4), probs));
  torch::Tensor img = in.slice(1, 4, 7);
  ASSERT_NEAR(img.min().item<double>(), 0.0, 1e-6);
  ASSERT_NEAR(img.max().item<double>(), 1.0, 1e-6);
  assert_true(torch::allclose(img, (images + 4.0) / 10.0, 1e-5, 1e-6));
  // A constant batch maps to 0, not NaN.
  torch::Tensor flat = discriminator_input(probs, torch::full({2, 3, 3, 5}, 2.5)).slice(1, 4, 7);
  assert_true((flat == 0).all().item<bool>());
}

static void input_rejects_mismatched_shapes(void**) {
  ASSERT_THROWS_STATUS(discriminator_input(torch::rand({2, 4, 3, 5}), torch::rand({2, 3, 3, 4})),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(discriminator_input(torch::rand({2, 4, 3, 5}), torch::rand({1, 3, 3, 5})),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(discriminator_input(torch::rand({4, 3, 5}), torch::rand({3, 3, 5})), Status::InvalidArgument);
}

// ---- one_hot_with_ignore -------------------------------------------------------------------------

static void one_hot_is_zero_at_ignored_pixels(void**) {
  torch::Tensor masks = torch::tensor({0, 2, 255, 1}, torch::kLong).view({1, 2, 2});
  torch::Tensor oh = one_hot_with_ignore(masks, 3);
  assert_true(oh.scalar_type() == torch::kFloat);
  torch::Tensor expected = torch::tensor({1, 0, 0, 0,   // class 0
                                          0, 0, 0, 1,   // class 1
                                          0, 1, 0, 0},  // class 2
                                         torch::kFloat)
                               .view({1, 3, 2, 2});
  assert_true(torch::equal(oh, expected));
}

static void one_hot_rejects_out_of_range_labels(void**) {
  ASSERT_THROWS_STATUS(one_hot_with_ignore(torch::tensor({0, 3}, torch::kLong).view({1, 1, 2}), 3),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(one_hot_with_ignore(torch::tensor({0, -1}, torch::kLong).view({1, 1, 2}), 3),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(one_hot_with_ignore(torch::tensor({0, 254}, torch::kLong).view({1, 1, 2}), 3),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(one_hot_with_ignore(torch::zeros({1, 1, 2}, torch::kInt), 3), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(one_hot_with_ignore(torch::zeros({1, 2}, torch::kLong), 3), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(one_hot_with_ignore(torch::zeros({1, 1, 2}, torch::kLong), 0), Status::InvalidArgument);
}

// ---- patch_scores_to_pixel_mask ------------------------------------------------------------------

// Scores (0.9 0.1 / 0.7 0.5) at threshold 0.6 → decisions (1 0 / 1 0).
static torch::Tensor two_by_two_scores() { return torch::tensor({0.9, 0.1, 0.7, 0.5}, torch::kFloat).view({1, 1, 2, 2}); }

static torch::Tensor bool_grid(std::initializer_list<int> v, int64_t h, int64_t w) {
  return torch::tensor(std::vector<int>(v), torch::kInt).view({1, h, w}).to(torch::kBool);
}

static void patch_mask_4x4_repeats_each_patch_2x2(void**) {
  torch::Tensor m = patch_scores_to_pixel_mask(two_by_two_scores(), 0.6, 4, 4);
  assert_true(m.scalar_type() == torch::kBool);
  assert_true(torch::equal(m, bool_grid({1, 1, 0, 0,  //
                                         1, 1, 0, 0,  //
                                         1, 1, 0, 0,  //
                                         1, 1, 0, 0},
                                        4, 4)));
  // The score must be strictly above the threshold: 0.5 at threshold 0.5 stays out.
  assert_true(torch::equal(patch_scores_to_pixel_mask(two_by_two_scores(), 0.5, 4, 4), m));
  torch::Tensor top = patch_scores_to_pixel_mask(two_by_two_scores(), 0.8, 4, 4);
  assert_true(torch::equal(top, bool_grid({1, 1, 0, 0,  //
                                           1, 1, 0, 0,  //
                                           0, 0, 0, 0,  //
                                           0, 0, 0, 0},
                                          4, 4)));
}

static void patch_mask_5x3_uses_floor_of_scaled_index(void**) {
  // Distinct decision per patch: (1 0 / 0 1). Rows y = 0..4 → floor(2y/5) = 0 0 0 1 1;
  // columns x = 0..2 → floor(2x/3) = 0 0 1.
  torch::Tensor score = torch::tensor({0.9, 0.1, 0.2, 0.8}, torch::kFloat).view({1, 1, 2, 2});
  torch::Tensor m = patch_scores_to_pixel_mask(score, 0.6, 5, 3);
  assert_true(torch::equal(m, bool_grid({1, 1, 0,  //
                                         1, 1, 0,  //
                                         1, 1, 0,  //
                                         0, 0, 1,  //
                                         0, 0, 1},
                                        5, 3)));
}

static void patch_mask_from_image_score_covers_whole_image(void**) {
  torch::Tensor score = torch::tensor({0.7, 0.3}, torch::kFloat).view({2, 1, 1, 1});
  torch::Tensor m = patch_scores_to_pixel_mask(score, 0.6, 3, 5);
  assert_true(has_sizes(m, {2, 3, 5}));
  assert_true(m[0].all().item<bool>());
  assert_false(m[1].any().item<bool>());
}

static void patch_mask_rejects_bad_inputs(void**) {
  ASSERT_THROWS_STATUS(patch_scores_to_pixel_mask(torch::rand({1, 2, 2, 2}), 0.6, 4, 4), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(patch_scores_to_pixel_mask(torch::rand({1, 2, 2}), 0.6, 4, 4), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(patch_scores_to_pixel_mask(two_by_two_scores(), 0.6, 0, 4), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(patch_scores_to_pixel_mask(torch::ones({1, 1, 2, 2}, torch::kLong), 0.6, 4, 4),
                       Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(patch_output_is_one_score_per_16x16),
      cmocka_unit_test(image_level_output_is_one_score_per_image),
      cmocka_unit_test(odd_sizes_give_what_the_convs_give),
      cmocka_unit_test(short_sides_are_padded_by_replicating_the_last_row),
      cmocka_unit_test(features_are_the_pooled_map_the_head_reads),
      cmocka_unit_test(eval_mode_is_deterministic_and_train_mode_drops),
      cmocka_unit_test(discriminator_rejects_bad_inputs),
      cmocka_unit_test(input_is_probs_then_batch_min_max_image),
      cmocka_unit_test(input_rejects_mismatched_shapes),
      cmocka_unit_test(one_hot_is_zero_at_ignored_pixels),
      cmocka_unit_test(one_hot_rejects_out_of_range_labels),
      cmocka_unit_test(patch_mask_4x4_repeats_each_patch_2x2),
      cmocka_unit_test(patch_mask_5x3_uses_floor_of_scaled_index),
      cmocka_unit_test(patch_mask_from_image_score_covers_whole_image),
      cmocka_unit_test(patch_mask_rejects_bad_inputs),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
