// Mixing masks and apply_mix: box areas, box shapes, ClassMix class selection and that one mask
// moves the same pixels in images, labels and confidences.
#include "augment/mix.h"
#include "core/error.h"
#include "unit_test.h"

using namespace s4seg;

static const c10::Device kCpu(torch::kCPU);

// True when the image's true pixels form one axis-aligned rectangle; reports its size.
static bool is_rectangle(const torch::Tensor& m, int64_t* rows, int64_t* cols) {
  torch::Tensor r = m.any(1), c = m.any(0);
  *rows = r.sum().item<int64_t>();
  *cols = c.sum().item<int64_t>();
  // The rows and columns that are used must be contiguous runs, and the box must be full.
  auto contiguous = [](const torch::Tensor& used, int64_t n) {
    if (n == 0) return true;
    torch::Tensor idx = used.nonzero().view(-1);
    return idx[-1].item<int64_t>() - idx[0].item<int64_t>() + 1 == n;
  };
  return contiguous(r, *rows) && contiguous(c, *cols) && m.sum().item<int64_t>() == *rows * *cols;
}

static void half_box_covers_half_the_image(void**) {
  torch::manual_seed(1);
  const int64_t H = 8, W = 12;
  for (int rep = 0; rep < 20; ++rep) {
    torch::Tensor m = cutmix_half_box_mask(4, H, W, 1.0, kCpu);
    assert_true(m.sizes() == torch::IntArrayRef({4, H, W}) && m.scalar_type() == torch::kBool);
    for (int64_t b = 0; b < 4; ++b) {
      int64_t rows = 0, cols = 0;
      assert_true(is_rectangle(m[b], &rows, &cols));
      // w in (W/2, W]; h = round(H·W/2 / w) so |h·w - H·W/2| <= w/2 <= W/2 pixels.
      assert_true(cols > W / 2 && cols <= W);
      assert_true(std::llabs(rows * cols - H * W / 2) * 2 <= cols);
    }
  }
}

static void half_box_is_exact_when_width_divides_area(void**) {
  // H = W = 2: w must be 2 (the only integer in (1, 2]), h = round(2/2) = 1: exactly 2 of 4 pixels.
  torch::manual_seed(2);
  torch::Tensor m = cutmix_half_box_mask(6, 2, 2, 1.0, kCpu);
  for (int64_t b = 0; b < 6; ++b) assert_int_equal(m[b].sum().item<int64_t>(), 2);
}

static void half_box_probability_zero_and_one(void**) {
  torch::manual_seed(3);
  for (int rep = 0; rep < 10; ++rep) {
    assert_false(cutmix_half_box_mask(3, 6, 6, 0.0, kCpu).any().item<bool>());
    assert_true(cutmix_half_box_mask(3, 6, 6, 1.0, kCpu).sum({1, 2}).gt(0).all().item<bool>());
  }
  // p = 0.5: one draw for the batch, so every image in a call is boxed or none is.
  int boxed = 0;
  for (int rep = 0; rep < 40; ++rep) {
    torch::Tensor any = cutmix_half_box_mask(3, 6, 6, 0.5, kCpu).any(2).any(1);
    assert_true(any.all().item<bool>() == any.any().item<bool>());
    boxed += any.all().item<bool>() ? 1 : 0;
  }
  assert_true(boxed > 5 && boxed < 35);  // ~20 expected; P(outside) < 1e-5
  ASSERT_THROWS_STATUS(cutmix_half_box_mask(1, 4, 4, 1.5, kCpu), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(cutmix_half_box_mask(1, 4, 4, -0.1, kCpu), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(cutmix_half_box_mask(1, 0, 4, 0.5, kCpu), Status::InvalidArgument);
}

static void boxes_single_box_area_in_range(void**) {
  // One box of area fraction prop ∈ [0.25, 0.5]; each side is rounded to a pixel, so the area is
  // off by at most (h + w)/2 + 1/4 pixels: (64 + 64)/2 + 0.25 of 4096 < 0.016.
  torch::manual_seed(4);
  const int64_t S = 64;
  torch::Tensor m = cutmix_boxes_mask(32, S, S, 1, 0.25, 0.5, kCpu);
  const double tol = (S + 0.25) / (S * S);
  for (int64_t b = 0; b < 32; ++b) {
    int64_t rows = 0, cols = 0;
    assert_true(is_rectangle(m[b], &rows, &cols));
    double frac = m[b].sum().item<double>() / (S * S);
    assert_true(frac >= 0.25 - tol && frac <= 0.5 + tol);
  }
}

static void boxes_union_stays_within_total_proportion(void**) {
  // Three boxes of prop/3 each: the union is at most prop_max (+ rounding) and at least one box.
  torch::manual_seed(5);
  const int64_t S = 64;
  torch::Tensor m = cutmix_boxes_mask(32, S, S, 3, 0.25, 0.5, kCpu);
  const double tol = 3 * (S + 0.25) / (S * S);
  torch::Tensor frac = m.sum({1, 2}).to(torch::kDouble) / (S * S);
  assert_true(frac.max().item<double>() <= 0.5 + tol);
  assert_true(frac.min().item<double>() >= 0.25 / 3 - tol / 3);
  // prop 0 → empty boxes, prop 1 with one box → the whole image.
  assert_false(cutmix_boxes_mask(2, 8, 8, 3, 0.0, 0.0, kCpu).any().item<bool>());
  assert_true(cutmix_boxes_mask(2, 8, 8, 1, 1.0, 1.0, kCpu).all().item<bool>());
}

static void boxes_reject_bad_arguments(void**) {
  ASSERT_THROWS_STATUS(cutmix_boxes_mask(1, 8, 8, 0, 0.25, 0.5, kCpu), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(cutmix_boxes_mask(1, 8, 8, 3, 0.5, 0.25, kCpu), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(cutmix_boxes_mask(1, 8, 8, 3, -0.1, 0.25, kCpu), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(cutmix_boxes_mask(1, 8, 8, 3, 0.25, 1.5, kCpu), Status::InvalidArgument);
}

// Image 0: classes {0, 1, 2} and ignore; image 1: {3, 7}; image 2: {5}; image 3: only ignore.
static torch::Tensor classmix_labels() {
  torch::Tensor l = torch::full({4, 3, 4}, 255, torch::kLong);
  l[0].narrow(0, 0, 1).fill_(0);
  l[0].narrow(0, 1, 1).narrow(1, 0, 2).fill_(1);
  l[0].narrow(0, 2, 1).narrow(1, 1, 2).fill_(2);
  l[1].narrow(1, 0, 2).fill_(3);
  l[1].narrow(1, 2, 2).fill_(7);
  l[2].fill_(5);
  return l;
}

static void classmix_picks_whole_classes_half_rounded_up(void**) {
  torch::manual_seed(6);
  torch::Tensor labels = classmix_labels();
  const int64_t expected_classes[] = {2, 1, 1, 0};  // ceil(n/2) for n = 3, 2, 1, 0
  bool seen_class0_in = false, seen_class0_out = false;
  for (int rep = 0; rep < 20; ++rep) {
    torch::Tensor m = classmix_mask(labels);
    assert_true(m.sizes() == labels.sizes() && m.scalar_type() == torch::kBool);
    assert_false((m & (labels == 255)).any().item<bool>());  // ignore is never pasted
    for (int64_t b = 0; b < 4; ++b) {
      int64_t chosen = 0;
      for (int64_t c : {0, 1, 2, 3, 5, 7}) {
        torch::Tensor of_c = labels[b] == c;
        if (!of_c.any().item<bool>()) continue;
        int64_t in = (m[b] & of_c).sum().item<int64_t>();
        assert_true(in == 0 || in == of_c.sum().item<int64_t>());  // whole class or nothing
        chosen += in > 0 ? 1 : 0;
        if (b == 0 && c == 0) (in > 0 ? seen_class0_in : seen_class0_out) = true;
      }
      assert_int_equal(chosen, expected_classes[b]);
    }
  }
  // The choice is random: class 0 is kept with probability 2/3, so 20 draws show both outcomes
  // except with probability (2/3)^20 + (1/3)^20 ≈ 3e-4 (and the seed is fixed).
  assert_true(seen_class0_in && seen_class0_out);
}

static void classmix_rejects_bad_labels(void**) {
  ASSERT_THROWS_STATUS(classmix_mask(torch::zeros({2, 4, 4}, torch::kFloat)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(classmix_mask(torch::zeros({4, 4}, torch::kLong)), Status::InvalidArgument);
  // Labels outside [0, 254] are ignored like 255: never chosen.
  assert_false(classmix_mask(torch::full({1, 2, 2}, 256, torch::kLong)).any().item<bool>());
  assert_false(classmix_mask(torch::tensor({-1, 255, 300, -7}, torch::kLong).view({1, 2, 2})).any().item<bool>());
  assert_true(classmix_mask(torch::tensor({-1, 3, 300, 3}, torch::kLong).view({1, 2, 2}))
                  .equal(torch::tensor({false, true, false, true}).view({1, 2, 2})));
}

static void partner_is_next_image(void**) {
  assert_true(torch::equal(partner_index(4, kCpu), torch::tensor({1, 2, 3, 0}, torch::kLong)));
  assert_true(torch::equal(partner_index(1, kCpu), torch::tensor({0}, torch::kLong)));
  ASSERT_THROWS_STATUS(partner_index(0, kCpu), Status::InvalidArgument);
}

static void apply_mix_moves_the_same_pixels_everywhere(void**) {
  // B = 2, 1x2 images; each takes its right pixel from its partner (0 ← 1, 1 ← 0).
  torch::Tensor mask = torch::tensor({false, true, false, true}, torch::kBool).view({2, 1, 2});
  torch::Tensor partner = partner_index(2, kCpu);
  torch::Tensor images = torch::arange(12, torch::kFloat).view({2, 3, 1, 2});  // value = 6b + 2c + x
  torch::Tensor labels = torch::tensor({10, 11, 20, 21}, torch::kLong).view({2, 1, 2});
  torch::Tensor conf = torch::tensor({0.1, 0.2, 0.3, 0.4}, torch::kFloat).view({2, 1, 2});
  std::vector<torch::Tensor> out = apply_mix(mask, partner, {images, labels, conf});
  assert_int_equal(out.size(), 3);
  torch::Tensor expected_images =
      torch::tensor({0., 7., 2., 9., 4., 11., 6., 1., 8., 3., 10., 5.}, torch::kFloat).view({2, 3, 1, 2});
  assert_true(torch::equal(out[0], expected_images));
  assert_true(torch::equal(out[1], torch::tensor({10, 21, 20, 11}, torch::kLong).view({2, 1, 2})));
  assert_true(torch::equal(out[2], torch::tensor({0.1, 0.4, 0.3, 0.2}, torch::kFloat).view({2, 1, 2})));
  assert_true(out[1].scalar_type() == torch::kLong && out[2].scalar_type() == torch::kFloat);
}

static void apply_mix_with_generated_masks_stays_consistent(void**) {
  // Labels and every image channel encode the source image, so a mixed pixel must agree across all.
  torch::manual_seed(7);
  const int64_t B = 3, H = 6, W = 5;
  torch::Tensor src = torch::arange(B, torch::kLong).view({B, 1, 1}).expand({B, H, W}).contiguous();
  torch::Tensor images = src.to(torch::kFloat).unsqueeze(1).expand({B, 3, H, W}).contiguous();
  torch::Tensor partner = partner_index(B, kCpu);
  for (const torch::Tensor& mask : {cutmix_half_box_mask(B, H, W, 1.0, kCpu), cutmix_boxes_mask(B, H, W, 3, 0.25, 0.5, kCpu),
                                    classmix_mask(torch::randint(0, 4, {B, H, W}, torch::kLong)).index_select(0, partner)}) {
    std::vector<torch::Tensor> out = apply_mix(mask, partner, {images, src});
    torch::Tensor expected = torch::where(mask, partner.view({B, 1, 1}).expand({B, H, W}), src);
    assert_true(torch::equal(out[1], expected));
    for (int64_t c = 0; c < 3; ++c) assert_true(torch::equal(out[0].select(1, c), expected.to(torch::kFloat)));
  }
}

static void apply_mix_rejects_mismatched_shapes(void**) {
  torch::Tensor mask = torch::zeros({2, 4, 4}, torch::kBool);
  torch::Tensor partner = partner_index(2, kCpu);
  ASSERT_THROWS_STATUS(apply_mix(mask, partner, {torch::zeros({2, 3, 4, 5})}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(apply_mix(mask, partner, {torch::zeros({3, 4, 4})}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(apply_mix(mask, partner, {torch::zeros({4, 4})}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(apply_mix(mask.to(torch::kFloat), partner, {torch::zeros({2, 4, 4})}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(apply_mix(mask, partner_index(3, kCpu), {torch::zeros({2, 4, 4})}), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(half_box_covers_half_the_image),
      cmocka_unit_test(half_box_is_exact_when_width_divides_area),
      cmocka_unit_test(half_box_probability_zero_and_one),
      cmocka_unit_test(boxes_single_box_area_in_range),
      cmocka_unit_test(boxes_union_stays_within_total_proportion),
      cmocka_unit_test(boxes_reject_bad_arguments),
      cmocka_unit_test(classmix_picks_whole_classes_half_rounded_up),
      cmocka_unit_test(classmix_rejects_bad_labels),
      cmocka_unit_test(partner_is_next_image),
      cmocka_unit_test(apply_mix_moves_the_same_pixels_everywhere),
      cmocka_unit_test(apply_mix_with_generated_masks_stays_consistent),
      cmocka_unit_test(apply_mix_rejects_mismatched_shapes),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
