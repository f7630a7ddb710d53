// Unsupervised and prototype losses (semi_losses.h) on tensors small enough to check by hand.
#include "core/error.h"
#include "losses/gathered_dot.h"
#include "losses/semi_losses.h"
#include "unit_test.h"

using namespace s4seg;

// One image, three pixels, two classes. Pixel 0: logits (0, 0) → p = 0.5 each; pixel 1: (ln 3, 0)
// → p(class 0) = 0.75; pixel 2: (5, 0), always ignored in these tests.
static torch::Tensor three_pixel_logits() {
  return torch::tensor({0.0, std::log(3.0), 5.0, 0.0, 0.0, 0.0}, torch::kFloat).view({1, 2, 1, 3});
}

static torch::Tensor labels_of(std::initializer_list<int64_t> v, int64_t b, int64_t h, int64_t w) {
  return torch::tensor(std::vector<int64_t>(v), torch::kLong).view({b, h, w});
}

// ---- weighted_cross_entropy ---------------------------------------------------------------------

static void weighted_ce_matches_hand_computed_value(void**) {
  torch::Tensor labels = labels_of({1, 0, 255}, 1, 1, 3);
  torch::Tensor weight = torch::tensor({0.5, 2.0, 7.0}, torch::kFloat).view({1, 1, 3});
  // Σ w·CE over the two valid pixels, divided by |V| = 2; the ignored pixel's weight 7 plays no part.
  double expected = (0.5 * std::log(2.0) + 2.0 * -std::log(0.75)) / 2;
  ASSERT_NEAR(weighted_cross_entropy(three_pixel_logits(), labels, weight).item<double>(), expected, 1e-6);
}

static void weighted_ce_of_all_ignored_is_zero_with_gradient(void**) {
  torch::Tensor logits = three_pixel_logits().requires_grad_(true);
  torch::Tensor labels = torch::full({1, 1, 3}, 255, torch::kLong);
  torch::Tensor loss = weighted_cross_entropy(logits, labels, torch::ones({1, 1, 3}));
  assert_true(loss.item<double>() == 0.0);
  loss.backward();
  assert_true(logits.grad().defined() && logits.grad().abs().sum().item<double>() == 0.0);
}

static void weighted_ce_returns_float32_for_bf16_logits(void**) {
  torch::Tensor logits = three_pixel_logits().to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor loss = weighted_cross_entropy(logits, labels_of({1, 0, 255}, 1, 1, 3), torch::ones({1, 1, 3}));
  assert_true(loss.scalar_type() == torch::kFloat && loss.dim() == 0);
  loss.backward();
  assert_true(logits.grad().scalar_type() == torch::kBFloat16);
}

static void weighted_ce_rejects_bad_shapes(void**) {
  torch::Tensor logits = three_pixel_logits();
  torch::Tensor labels = labels_of({1, 0, 255}, 1, 1, 3);
  ASSERT_THROWS_STATUS(weighted_cross_entropy(logits, torch::zeros({1, 1, 2}, torch::kLong), torch::ones({1, 1, 2})),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(weighted_cross_entropy(logits, labels, torch::ones({1, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(weighted_cross_entropy(logits, labels.to(torch::kInt), torch::ones({1, 1, 3})),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(weighted_cross_entropy(logits.view({2, 1, 3}), labels, torch::ones({1, 1, 3})),
                       Status::InvalidArgument);
}

// ---- rescaled_cross_entropy ---------------------------------------------------------------------

static void rescaled_ce_is_mean_times_total_over_kept(void**) {
  // Four pixels (1×1×4), two kept: L = (4/2) · mean(CE of the kept).
  torch::Tensor logits = torch::tensor({0.0, std::log(3.0), 5.0, 1.0, 0.0, 0.0, 0.0, 0.0}, torch::kFloat).view({1, 2, 1, 4});
  torch::Tensor labels = labels_of({1, 0, 255, 255}, 1, 1, 4);
  double mean = (std::log(2.0) - std::log(0.75)) / 2;
  ASSERT_NEAR(rescaled_cross_entropy(logits, labels).item<double>(), mean * 4.0 / 2.0, 1e-6);
  // Nothing dropped: the plain mean.
  torch::Tensor all = labels_of({1, 0, 0, 0}, 1, 1, 4);
  torch::Tensor logp = torch::log_softmax(logits, 1);
  double plain = -(logp[0][1][0][0] + logp[0][0][0][1] + logp[0][0][0][2] + logp[0][0][0][3]).item<double>() / 4;
  ASSERT_NEAR(rescaled_cross_entropy(logits, all).item<double>(), plain, 1e-6);
}

static void rescaled_ce_of_all_ignored_is_zero_with_gradient(void**) {
  torch::Tensor logits = three_pixel_logits().requires_grad_(true);
  torch::Tensor loss = rescaled_cross_entropy(logits, torch::full({1, 1, 3}, 255, torch::kLong));
  assert_true(loss.item<double>() == 0.0);
  loss.backward();
  assert_true(logits.grad().defined() && logits.grad().abs().sum().item<double>() == 0.0);
}

static void rescaled_ce_rejects_bad_shapes(void**) {
  ASSERT_THROWS_STATUS(rescaled_cross_entropy(three_pixel_logits(), torch::zeros({1, 3}, torch::kLong)),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(rescaled_cross_entropy(three_pixel_logits(), torch::zeros({2, 1, 3}, torch::kLong)),
                       Status::InvalidArgument);
}

// ---- attention_threshold_cross_entropy -------------------------------------------------------------

// Two images of 1×3 pixels. Image 0: pixel (0,0) label 1 (CE ln 2), pixel (ln 3, 0) label 0
// (CE −ln 0.75), pixel (200, 0) label 0 (CE exactly 0 in float32). Image 1: the same logits.
static torch::Tensor two_image_logits() {
  torch::Tensor one = torch::tensor({0.0, std::log(3.0), 200.0, 0.0, 0.0, 0.0}, torch::kFloat).view({1, 2, 1, 3});
  return torch::cat({one, one}, 0);
}

static void attention_ce_is_mean_of_positive_weighted_terms(void**) {
  torch::Tensor labels = labels_of({1, 0, 0, 1, 255, 0}, 2, 1, 3);
  torch::Tensor weight = torch::cat({torch::full({1, 1, 3}, 0.5), torch::full({1, 1, 3}, 0.25)}, 0);
  // Positive terms: 0.5·ln 2, 0.5·(−ln 0.75) (image 0), 0.25·ln 2 (image 1); the zero-CE pixels and
  // the ignored pixel are not counted.
  double expected = (0.5 * std::log(2.0) - 0.5 * std::log(0.75) + 0.25 * std::log(2.0)) / 3;
  ASSERT_NEAR(attention_threshold_cross_entropy(two_image_logits(), labels, weight).item<double>(), expected, 1e-6);
}

static void attention_ce_zero_weight_image_dilutes_the_mean(void**) {
  torch::Tensor labels = labels_of({1, 0, 0, 1, 0, 1}, 2, 1, 3);
  torch::Tensor weight = torch::cat({torch::full({1, 1, 3}, 0.5), torch::zeros({1, 1, 3})}, 0);
  torch::Tensor both = attention_threshold_cross_entropy(two_image_logits(), labels, weight);
  torch::Tensor first = attention_threshold_cross_entropy(two_image_logits().slice(0, 0, 1), labels.slice(0, 0, 1),
                                                          weight.slice(0, 0, 1));
  // Image 0 has two pixels with CE > 0, image 1 (weight 0) three: they add nothing to the sum but
  // count in the denominator (the ReCo/CSS code).
  ASSERT_NEAR(first.item<double>(), 0.5 * (std::log(2.0) - std::log(0.75)) / 2, 1e-6);
  ASSERT_NEAR(both.item<double>(), 0.5 * (std::log(2.0) - std::log(0.75)) / 5, 1e-6);
}

static void attention_ce_of_empty_set_is_zero_with_gradient(void**) {
  torch::Tensor logits = two_image_logits().requires_grad_(true);
  torch::Tensor labels = labels_of({1, 0, 0, 1, 255, 0}, 2, 1, 3);
  torch::Tensor loss = attention_threshold_cross_entropy(logits, labels, torch::zeros({2, 1, 3}));
  assert_true(loss.item<double>() == 0.0);
  loss.backward();
  assert_true(logits.grad().defined() && logits.grad().abs().sum().item<double>() == 0.0);
}

static void attention_ce_rejects_bad_shapes(void**) {
  torch::Tensor labels = labels_of({1, 0, 0, 1, 255, 0}, 2, 1, 3);
  ASSERT_THROWS_STATUS(attention_threshold_cross_entropy(two_image_logits(), labels, torch::ones({2})),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(attention_threshold_cross_entropy(two_image_logits(), labels.view({2, 3}), torch::ones({2, 3})),
                       Status::InvalidArgument);
}

// ---- prototype_info_nce --------------------------------------------------------------------------

static ProtoContrastOptions small_options(int64_t queries, int64_t negatives, double tau) {
  ProtoContrastOptions o;
  o.num_queries = queries;
  o.num_negatives = negatives;
  o.temperature = tau;
  o.strong_threshold = 0.8;
  return o;
}

static void info_nce_matches_closed_form_for_orthogonal_classes(void**) {
  // Every pixel of a class has the same direction (lengths differ to exercise the normalisation),
  // so sampling does not matter: anchor = prototype (cos 1), negatives orthogonal (cos 0), and
  // each anchor's CE is log(1 + K·exp((0 − 1)/τ)).
  torch::Tensor reps = torch::tensor({2.0, 0.0, 0.5, 0.0, 0.0, 3.0, 0.0, 1.0, 0.0, 0.2}, torch::kFloat).view({5, 2});
  torch::Tensor labels = torch::tensor({0, 0, 1, 1, 1}, torch::kLong);
  torch::Tensor indicator = torch::full({5}, 0.1);
  torch::Tensor protos = torch::tensor({1.0, 0.0, 0.0, 4.0}, torch::kFloat).view({2, 2});
  const double tau = 0.5;
  const int64_t k = 3;
  double expected = std::log(1.0 + k * std::exp(-1.0 / tau));
  ASSERT_NEAR(prototype_info_nce(reps, labels, indicator, protos, small_options(4, k, tau)).item<double>(), expected, 1e-5);
  // K = 1 reduces to log(1 + exp((0 − 1)/τ)).
  ASSERT_NEAR(prototype_info_nce(reps, labels, indicator, protos, small_options(4, 1, tau)).item<double>(),
              std::log(1.0 + std::exp(-1.0 / tau)), 1e-5);
}

static void info_nce_matches_closed_form_for_oblique_classes(void**) {
  // Class 0 pixels point at (0.6, 0.8): cos 0.6 to p_0 = (1, 0), cos 0.8 to the class-1 pixels (0, 1).
  // Class 1 pixels: cos 1 to p_1 = (0, 1), cos 0.8 to the class-0 pixels.
  torch::Tensor reps = torch::tensor({0.6, 0.8, 1.2, 1.6, 0.0, 2.0}, torch::kFloat).view({3, 2});
  torch::Tensor labels = torch::tensor({0, 0, 1}, torch::kLong);
  torch::Tensor indicator = torch::zeros({3});
  torch::Tensor protos = torch::tensor({1.0, 0.0, 0.0, 1.0}, torch::kFloat).view({2, 2});
  const double tau = 0.5;
  const int64_t k = 5;
  double ce0 = std::log(1.0 + k * std::exp((0.8 - 0.6) / tau));
  double ce1 = std::log(1.0 + k * std::exp((0.8 - 1.0) / tau));
  ASSERT_NEAR(prototype_info_nce(reps, labels, indicator, protos, small_options(8, k, tau)).item<double>(), (ce0 + ce1) / 2,
              1e-5);
}

static void info_nce_draws_anchors_from_the_hard_set(void**) {
  // Class 0: hard pixels (indicator < δ_s) along p_0, one easy pixel orthogonal to it. Class 1 has
  // no hard pixel, so all its pixels are anchors. Every pixel is orthogonal to the other class.
  // Hard anchors only and the fallback for class 1 give log(1 + K·e^{−1/τ}) for both classes;
  // an easy anchor would give log(1 + K) and skipping class 1 would halve the value.
  torch::Tensor reps =
      torch::tensor({1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 3.0}, torch::kFloat).view({5, 3});
  torch::Tensor labels = torch::tensor({0, 0, 0, 1, 1}, torch::kLong);
  torch::Tensor indicator = torch::tensor({0.1, 0.5, 0.95, 0.9, 0.99}, torch::kFloat);
  torch::Tensor protos = torch::tensor({1.0, 0.0, 0.0, 0.0, 0.0, 1.0}, torch::kFloat).view({2, 3});
  reps.requires_grad_(true);
  const double tau = 0.5;
  const int64_t k = 4;
  torch::Tensor loss = prototype_info_nce(reps, labels, indicator, protos, small_options(64, k, tau));
  ASSERT_NEAR(loss.item<double>(), std::log(1.0 + k * std::exp(-1.0 / tau)), 1e-5);
  loss.backward();
  // The easy class-0 pixel is only ever a (detached) negative: no gradient reaches it.
  assert_true(reps.grad()[2].abs().sum().item<double>() == 0.0);
}

static void info_nce_samples_negative_classes_by_prototype_similarity(void**) {
  // Three classes in 2-D: p_0 = (1, 0), p_1 = (0, 1), p_2 = (−1, 0), every pixel on its prototype.
  // For anchor class 0, negatives come from class 1 (cos 0) with π_1 = 1/(1 + e^{−2}) and class 2
  // (cos −1) with π_2 = e^{−2}/(1 + e^{−2}) at τ = 0.5; class 2 is symmetric; class 1 sees cos 0
  // to both. With many negatives the counts concentrate, so per anchor
  //   CE ≈ log(e^{1/τ} + K·Σ_j π_j e^{cos_j/τ}) − 1/τ.
  // Uniform class sampling would give a value lower by about 0.45 for classes 0 and 2.
  torch::manual_seed(7);
  torch::Tensor reps = torch::tensor({1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 2.0, 0.0}, torch::kFloat).view({4, 2});
  torch::Tensor labels = torch::tensor({0, 1, 2, 0}, torch::kLong);
  torch::Tensor protos = torch::tensor({1.0, 0.0, 0.0, 1.0, -1.0, 0.0}, torch::kFloat).view({3, 2});
  const double tau = 0.5;
  const int64_t k = 4096;
  const double pi1 = 1.0 / (1.0 + std::exp(-2.0)), pi2 = 1.0 - pi1;
  double ce02 = std::log(std::exp(2.0) + k * (pi1 + pi2 * std::exp(-2.0))) - 2.0;
  double ce1 = std::log(std::exp(2.0) + k) - 2.0;
  double expected = (2 * ce02 + ce1) / 3;
  double got = prototype_info_nce(reps, labels, torch::zeros({4}), protos, small_options(16, k, tau)).item<double>();
  ASSERT_NEAR(got, expected, 0.01);
}

static void info_nce_with_fewer_than_two_classes_is_zero_with_gradient(void**) {
  torch::Tensor reps = torch::randn({4, 3}).requires_grad_(true);
  torch::Tensor protos = torch::randn({3, 3});
  torch::Tensor loss = prototype_info_nce(reps, torch::full({4}, 2, torch::kLong), torch::zeros({4}), protos,
                                          small_options(8, 8, 0.5));
  assert_true(loss.item<double>() == 0.0 && loss.scalar_type() == torch::kFloat);
  loss.backward();
  assert_true(reps.grad().defined() && reps.grad().abs().sum().item<double>() == 0.0);
  // No pixels at all.
  torch::Tensor none = torch::zeros({0, 3}).requires_grad_(true);
  torch::Tensor empty = prototype_info_nce(none, torch::zeros({0}, torch::kLong), torch::zeros({0}), protos,
                                           small_options(8, 8, 0.5));
  assert_true(empty.item<double>() == 0.0);
  empty.backward();
}

static void info_nce_gradient_flows_into_anchors_only(void**) {
  torch::manual_seed(3);
  torch::Tensor reps = torch::randn({12, 4}).requires_grad_(true);
  torch::Tensor labels = torch::tensor({0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, torch::kLong);
  torch::Tensor protos = torch::randn({3, 4}).requires_grad_(true);  // must be detached inside
  torch::Tensor loss = prototype_info_nce(reps, labels, torch::zeros({12}), protos, small_options(16, 16, 0.5));
  assert_true(loss.scalar_type() == torch::kFloat && std::isfinite(loss.item<double>()));
  loss.backward();
  assert_true(reps.grad().defined() && reps.grad().abs().sum().item<double>() > 0.0);
  assert_true(!protos.grad().defined());
}

// gathered_dot's value and gradient equal the direct Σ_d a[q, d]·table[index[q, k], d], and the
// table gets no gradient, on both of its paths: a table of 300 rows (≤ 8·K: one matrix product)
// and one of 5000 rows, gathered 32 anchors at a time (K = 512, D = 256) in the forward and again in
// the backward pass, across chunk borders (Q = 70: chunks of 32, 32 and 6).
static void gathered_dot_matches_the_direct_product(void**) {
  for (const int64_t n : {int64_t{300}, int64_t{5000}}) {
    torch::manual_seed(21);
    const int64_t q = 70, k = 512, d = 256;
    torch::Tensor a = torch::randn({q, d});
    torch::Tensor table = torch::randn({n, d}).requires_grad_(true);
    torch::Tensor index = torch::randint(0, n, {q, k}, torch::kLong);
    torch::Tensor g = torch::randn({q, k});
    torch::Tensor x = a.clone().requires_grad_(true);
    torch::Tensor got = gathered_dot(x, table, index);
    (got * g).sum().backward();
    torch::Tensor y = a.clone().requires_grad_(true);
    torch::Tensor direct = (y.unsqueeze(1) * table.detach().index_select(0, index.reshape(-1)).view({q, k, d})).sum(-1);
    (direct * g).sum().backward();
    assert_true(torch::allclose(got, direct, 1e-4, 1e-4));
    assert_true(torch::allclose(x.grad(), y.grad(), 1e-4, 1e-4));
    assert_true(!table.grad().defined());
    ASSERT_THROWS_STATUS(gathered_dot(a, table, index.narrow(0, 0, 5)), Status::InvalidArgument);
  }
}

static void info_nce_decreases_when_anchors_move_toward_their_prototype(void**) {
  torch::manual_seed(11);
  torch::Tensor reps = torch::randn({10, 4});
  torch::Tensor labels = torch::tensor({0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, torch::kLong);
  torch::Tensor protos = torch::randn({2, 4});
  const ProtoContrastOptions o = small_options(32, 32, 0.5);
  auto loss_at = [&](const torch::Tensor& r) {
    torch::manual_seed(5);  // the same anchors and negatives each time (sampling ignores the values)
    return prototype_info_nce(r, labels, torch::zeros({10}), protos, o);
  };
  torch::Tensor x = reps.clone().requires_grad_(true);
  torch::Tensor before = loss_at(x);
  before.backward();
  torch::Tensor stepped = (reps - 0.05 * x.grad()).detach();
  assert_true(loss_at(stepped).item<double>() < before.item<double>());
  // Class-0 pixels in the (e_0, e_2) plane at angle θ from p_0 = e_0, class-1 pixels on p_1 = e_1:
  // every negative stays orthogonal, so L = (log(1 + K·e^{−cos θ/τ}) + log(1 + K·e^{−1/τ}))/2,
  // which falls as θ shrinks.
  auto oblique = [&](double theta) {
    torch::Tensor r = torch::zeros({10, 4});
    for (int64_t i = 0; i < 5; ++i) {
      r[i][0] = std::cos(theta);
      r[i][2] = std::sin(theta);
      r[5 + i][1] = 1.0;
    }
    torch::Tensor axes = torch::eye(4).slice(0, 0, 2);
    torch::manual_seed(5);
    return prototype_info_nce(r, labels, torch::zeros({10}), axes, o).item<double>();
  };
  const double pi = std::acos(-1.0);
  auto closed = [&](double theta) {
    return (std::log(1.0 + 32 * std::exp(-std::cos(theta) / 0.5)) + std::log(1.0 + 32 * std::exp(-1.0 / 0.5))) / 2;
  };
  ASSERT_NEAR(oblique(pi / 3), closed(pi / 3), 1e-5);
  ASSERT_NEAR(oblique(pi / 6), closed(pi / 6), 1e-5);
  assert_true(oblique(pi / 6) < oblique(pi / 3));
}

static void info_nce_returns_float32_for_bf16_reps(void**) {
  torch::Tensor reps = torch::randn({6, 4}).to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor labels = torch::tensor({0, 1, 0, 1, 0, 1}, torch::kLong);
  torch::Tensor loss = prototype_info_nce(reps, labels, torch::zeros({6}, torch::kBFloat16), torch::randn({2, 4}),
                                          small_options(4, 4, 0.5));
  assert_true(loss.scalar_type() == torch::kFloat);
  loss.backward();
  assert_true(reps.grad().defined() && reps.grad().scalar_type() == torch::kBFloat16);
}

// Labels outside [0, C) (255, or a class with no prototype) take no part: the loss is the one of
// the other pixels alone, drawn from the same random numbers (the draws depend on C, Q and K only).
static void info_nce_leaves_out_pixels_without_a_class(void**) {
  torch::manual_seed(4);
  torch::Tensor reps = torch::randn({7, 3});
  torch::Tensor protos = torch::randn({2, 3});
  const ProtoContrastOptions o = small_options(8, 8, 0.5);
  torch::Tensor labels = torch::tensor({0, 255, 1, 2, 0, -1, 1}, torch::kLong);
  torch::Tensor kept = torch::tensor({0, 2, 4, 6}, torch::kLong);
  torch::manual_seed(9);
  const double with_ignored = prototype_info_nce(reps, labels, torch::zeros({7}), protos, o).item<double>();
  torch::manual_seed(9);
  const double without = prototype_info_nce(reps.index_select(0, kept), labels.index_select(0, kept), torch::zeros({4}),
                                            protos, o)
                             .item<double>();
  assert_true(std::isfinite(without) && without > 0);
  ASSERT_NEAR(with_ignored, without, 1e-6);
  // Only ignored pixels and one class: nothing to contrast.
  torch::Tensor one = torch::tensor({255, 0, 255, 0, 7, 0, 255}, torch::kLong);
  assert_true(prototype_info_nce(reps, one, torch::zeros({7}), protos, o).item<double>() == 0.0);
}

static void info_nce_rejects_bad_inputs(void**) {
  torch::Tensor reps = torch::randn({4, 3});
  torch::Tensor labels = torch::tensor({0, 1, 0, 1}, torch::kLong);
  torch::Tensor ind = torch::zeros({4});
  torch::Tensor protos = torch::randn({2, 3});
  const ProtoContrastOptions o = small_options(4, 4, 0.5);
  ASSERT_THROWS_STATUS(prototype_info_nce(reps.view({2, 2, 3}), labels, ind, protos, o), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels.slice(0, 0, 3), ind, protos, o), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels.to(torch::kInt), ind, protos, o), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels, torch::zeros({3}), protos, o), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels, ind, torch::randn({2, 5}), o), Status::InvalidArgument);
  ProtoContrastOptions bad = o;
  bad.num_queries = 0;
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels, ind, protos, bad), Status::InvalidArgument);
  bad = o;
  bad.num_negatives = 0;
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels, ind, protos, bad), Status::InvalidArgument);
  bad = o;
  bad.temperature = 0;
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels, ind, protos, bad), Status::InvalidArgument);
  bad = o;
  bad.strong_threshold = 1.5;
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels, ind, protos, bad), Status::InvalidArgument);
  bad.strong_threshold = -0.1;
  ASSERT_THROWS_STATUS(prototype_info_nce(reps, labels, ind, protos, bad), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(weighted_ce_matches_hand_computed_value),
      cmocka_unit_test(weighted_ce_of_all_ignored_is_zero_with_gradient),
      cmocka_unit_test(weighted_ce_returns_float32_for_bf16_logits),
      cmocka_unit_test(weighted_ce_rejects_bad_shapes),
      cmocka_unit_test(rescaled_ce_is_mean_times_total_over_kept),
      cmocka_unit_test(rescaled_ce_of_all_ignored_is_zero_with_gradient),
      cmocka_unit_test(rescaled_ce_rejects_bad_shapes),
      cmocka_unit_test(attention_ce_is_mean_of_positive_weighted_terms),
      cmocka_unit_test(attention_ce_zero_weight_image_dilutes_the_mean),
      cmocka_unit_test(attention_ce_of_empty_set_is_zero_with_gradient),
      cmocka_unit_test(attention_ce_rejects_bad_shapes),
      cmocka_unit_test(info_nce_matches_closed_form_for_orthogonal_classes),
      cmocka_unit_test(info_nce_matches_closed_form_for_oblique_classes),
      cmocka_unit_test(info_nce_draws_anchors_from_the_hard_set),
      cmocka_unit_test(info_nce_samples_negative_classes_by_prototype_similarity),
      cmocka_unit_test(info_nce_with_fewer_than_two_classes_is_zero_with_gradient),
      cmocka_unit_test(info_nce_gradient_flows_into_anchors_only),
      cmocka_unit_test(gathered_dot_matches_the_direct_product),
      cmocka_unit_test(info_nce_decreases_when_anchors_move_toward_their_prototype),
      cmocka_unit_test(info_nce_returns_float32_for_bf16_reps),
      cmocka_unit_test(info_nce_leaves_out_pixels_without_a_class),
      cmocka_unit_test(info_nce_rejects_bad_inputs),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
