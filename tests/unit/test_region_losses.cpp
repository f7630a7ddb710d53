// Mask-classification and RC²L region losses (region_losses.h) on tensors small enough to check by hand.
#include <limits>
#include <vector>

#include "core/error.h"
#include "losses/region_losses.h"
#include "unit_test.h"

using namespace s4seg;

static torch::Tensor ftensor(std::initializer_list<double> v) {
  return torch::tensor(std::vector<double>(v), torch::kDouble).to(torch::kFloat);
}

static torch::Tensor labels_of(std::initializer_list<int64_t> v, int64_t h, int64_t w) {
  return torch::tensor(std::vector<int64_t>(v), torch::kLong).view({h, w});
}

// −log softmax(row)[target] in double.
static double ce_of(const std::vector<double>& row, size_t target) {
  double mx = row[0];
  for (double x : row) mx = std::max(mx, x);
  double s = 0;
  for (double x : row) s += std::exp(x - mx);
  return std::log(s) + mx - row[target];
}

static void assert_zero_with_graph(const torch::Tensor& loss, const torch::Tensor& input) {
  assert_true(loss.dim() == 0 && loss.scalar_type() == torch::kFloat);
  assert_true(loss.item<double>() == 0.0);
  loss.backward();
  assert_true(input.grad().defined() && input.grad().abs().sum().item<double>() == 0.0);
}

// ---- mask_average_pool ---------------------------------------------------------------------------

static void map_matches_hand_values(void**) {
  // m0 selects pixel (0,0); m1 weighs (0,0), (0,1) by 0.5 and (1,1) by 1.
  torch::Tensor masks = ftensor({1, 0, 0, 0, 0.5, 0.5, 0, 1}).view({2, 2, 2});
  torch::Tensor feature = ftensor({1, 2, 3, 4, 10, 20, 30, 40}).view({2, 2, 2});
  torch::Tensor r = mask_average_pool(masks, feature, 0.0);
  assert_true(r.sizes() == torch::IntArrayRef({2, 2}) && r.scalar_type() == torch::kFloat);
  ASSERT_NEAR(r[0][0].item<double>(), 1.0, 1e-6);
  ASSERT_NEAR(r[0][1].item<double>(), 10.0, 1e-6);
  ASSERT_NEAR(r[1][0].item<double>(), (0.5 * 1 + 0.5 * 2 + 4) / 2.0, 1e-6);
  ASSERT_NEAR(r[1][1].item<double>(), (0.5 * 10 + 0.5 * 20 + 40) / 2.0, 1e-5);
  // The default eps only matters for empty masks, which pool to 0 instead of NaN.
  torch::Tensor with_empty = mask_average_pool(torch::cat({masks, torch::zeros({1, 2, 2})}), feature);
  ASSERT_NEAR(with_empty[1][0].item<double>(), 2.75, 1e-5);
  assert_true(with_empty[2].abs().sum().item<double>() == 0.0);
}

static void map_batched_equals_per_image_and_has_gradients(void**) {
  torch::manual_seed(5);
  torch::Tensor masks = torch::rand({2, 3, 4, 5}).requires_grad_(true);
  torch::Tensor feature = torch::randn({2, 6, 4, 5}).to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor r = mask_average_pool(masks, feature);
  assert_true(r.sizes() == torch::IntArrayRef({2, 3, 6}) && r.scalar_type() == torch::kFloat);
  for (int64_t b = 0; b < 2; ++b)
    assert_true(torch::allclose(r[b], mask_average_pool(masks[b], feature[b]), 1e-5, 1e-6));
  r.sum().backward();
  assert_true(masks.grad().abs().sum().item<double>() > 0);
  assert_true(feature.grad().scalar_type() == torch::kBFloat16 && feature.grad().abs().sum().item<double>() > 0);
}

static void map_rejects_bad_shapes(void**) {
  ASSERT_THROWS_STATUS(mask_average_pool(torch::rand({2, 3, 3}), torch::rand({4, 3, 2})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_average_pool(torch::rand({1, 2, 3, 3}), torch::rand({2, 4, 3, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_average_pool(torch::rand({2, 3, 3}), torch::rand({1, 4, 3, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_average_pool(torch::rand({9}), torch::rand({9})), Status::InvalidArgument);
}

// ---- semantic_to_mask_targets --------------------------------------------------------------------

static void mask_targets_one_mask_per_present_class(void**) {
  torch::Tensor labels = labels_of({2, 0, 255, 2, 2, 0}, 2, 3);
  MaskTargets t = semantic_to_mask_targets(labels, 3);
  assert_true(t.classes.scalar_type() == torch::kLong && t.classes.sizes() == torch::IntArrayRef({2}));
  assert_int_equal(t.classes[0].item<int64_t>(), 0);
  assert_int_equal(t.classes[1].item<int64_t>(), 2);
  assert_true(t.masks.scalar_type() == torch::kFloat);
  assert_true(torch::equal(t.masks[0], ftensor({0, 1, 0, 0, 0, 1}).view({2, 3})));
  assert_true(torch::equal(t.masks[1], ftensor({1, 0, 0, 1, 1, 0}).view({2, 3})));
  assert_true(torch::equal(t.valid, (labels != 255)));

  MaskTargets none = semantic_to_mask_targets(torch::full({2, 3}, 255, torch::kLong), 3);
  assert_int_equal(none.classes.numel(), 0);
  assert_true(none.masks.sizes() == torch::IntArrayRef({0, 2, 3}));
  assert_false(none.valid.any().item<bool>());

  std::vector<MaskTargets> batch = semantic_to_mask_targets_batch(torch::stack({labels, labels.clone().fill_diagonal_(1)}), 3);
  assert_int_equal(static_cast<int64_t>(batch.size()), 2);
  assert_int_equal(batch[0].classes.numel(), 2);
  assert_int_equal(batch[1].classes.numel(), 3);
}

static void mask_targets_reject_bad_labels(void**) {
  ASSERT_THROWS_STATUS(semantic_to_mask_targets(labels_of({0, 3}, 1, 2), 3), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(semantic_to_mask_targets(labels_of({-1, 0}, 1, 2), 3), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(semantic_to_mask_targets(labels_of({0, 1}, 1, 2).to(torch::kInt), 3), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(semantic_to_mask_targets(torch::zeros({2}, torch::kLong), 3), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(semantic_to_mask_targets(labels_of({0, 1}, 1, 2), 0), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(semantic_to_mask_targets_batch(labels_of({0, 1}, 1, 2), 3), Status::InvalidArgument);
}

// ---- pairwise costs ------------------------------------------------------------------------------

static void pairwise_dice_cost_hand_values(void**) {
  torch::Tensor p = ftensor({1, 0, 0.5, 0.5}).view({2, 2});
  torch::Tensor t = ftensor({1, 0, 0, 1}).view({2, 2});
  torch::Tensor d = pairwise_dice_cost(p, t);
  // 1 − (2·inter + 1)/(Σp + Σt + 1): (1,0)·(1,0) → 0; (1,0)·(0,1) → 1 − 1/3; (.5,.5)·either → 1 − 2/3.
  ASSERT_NEAR(d[0][0].item<double>(), 0.0, 1e-6);
  ASSERT_NEAR(d[0][1].item<double>(), 2.0 / 3, 1e-6);
  ASSERT_NEAR(d[1][0].item<double>(), 1.0 / 3, 1e-6);
  ASSERT_NEAR(d[1][1].item<double>(), 1.0 / 3, 1e-6);
  ASSERT_THROWS_STATUS(pairwise_dice_cost(p, torch::rand({2, 3})), Status::InvalidArgument);
}

static void pairwise_sigmoid_ce_cost_hand_values(void**) {
  torch::Tensor z = ftensor({0, std::log(3.0)}).view({1, 2});
  torch::Tensor t = ftensor({1, 0, 0, 1}).view({2, 2});
  torch::Tensor e = pairwise_sigmoid_ce_cost(z, t);
  // BCE(0, ·) = ln 2; BCE(ln 3, 0) = ln 4; BCE(ln 3, 1) = ln 4/3.
  ASSERT_NEAR(e[0][0].item<double>(), (std::log(2.0) + std::log(4.0)) / 2, 1e-6);
  ASSERT_NEAR(e[0][1].item<double>(), (std::log(2.0) + std::log(4.0 / 3)) / 2, 1e-6);
  // Soft targets and larger sizes agree with the element-wise torch BCE.
  torch::manual_seed(6);
  torch::Tensor zz = torch::randn({4, 50}) * 5, tt = torch::rand({3, 50});
  torch::Tensor got = pairwise_sigmoid_ce_cost(zz, tt);
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 3; ++j)
      ASSERT_NEAR(got[i][j].item<double>(), torch::binary_cross_entropy_with_logits(zz[i], tt[j]).item<double>(), 1e-5);
  // No pixels: zero cost rather than 0/0.
  assert_true(pairwise_sigmoid_ce_cost(torch::zeros({2, 0}), torch::zeros({3, 0})).abs().sum().item<double>() == 0.0);
  ASSERT_THROWS_STATUS(pairwise_sigmoid_ce_cost(zz, torch::rand({3, 49})), Status::InvalidArgument);
}

// ---- match_queries -------------------------------------------------------------------------------

// Mask logits ±8 that reproduce a binary mask.
static torch::Tensor logits_for(const torch::Tensor& mask) { return (mask * 2 - 1) * 8; }

static void match_queries_picks_the_query_that_predicts_each_target(void**) {
  torch::manual_seed(7);
  const int64_t n = 5, k = 3, p = 12;
  torch::Tensor target_masks = (torch::rand({2, p}) > 0.5).to(torch::kFloat);
  torch::Tensor target_classes = torch::tensor({2, 0}, torch::kLong);
  torch::Tensor class_logits = torch::randn({n, k + 1}) * 0.1;
  torch::Tensor mask_logits = torch::randn({n, p});
  // Query 3 predicts target 0 (class 2), query 1 target 1 (class 0).
  mask_logits[3] = logits_for(target_masks[0]);
  mask_logits[1] = logits_for(target_masks[1]);
  class_logits[3][2] = 6;
  class_logits[1][0] = 6;
  std::vector<int64_t> m = match_queries(class_logits, mask_logits, target_classes, target_masks);
  assert_true(m == std::vector<int64_t>({3, 1}));
  // The class term alone decides when masks carry no information.
  MatchWeights cls_only{1, 0, 0};
  torch::Tensor flat = torch::zeros({n, p});
  torch::Tensor cl = torch::zeros({n, k + 1});
  cl[4][2] = 5;
  cl[0][0] = 5;
  assert_true(match_queries(cl, flat, target_classes, target_masks, cls_only) == std::vector<int64_t>({4, 0}));
  // No targets: nothing to match.
  assert_true(match_queries(class_logits, mask_logits, torch::zeros({0}, torch::kLong), torch::zeros({0, p})).empty());
}

static void match_queries_survives_nan_and_rejects_bad_input(void**) {
  torch::Tensor tm = torch::ones({2, 4});
  torch::Tensor tc = torch::tensor({0, 1}, torch::kLong);
  torch::Tensor cl = torch::zeros({3, 3});
  torch::Tensor ml = torch::zeros({3, 4});
  ml[1][2] = std::numeric_limits<float>::quiet_NaN();
  std::vector<int64_t> m = match_queries(cl, ml, tc, tm);
  assert_int_equal(static_cast<int64_t>(m.size()), 2);
  assert_true(m[0] != m[1]);
  // More targets than queries, classes out of range (K = 2 is no-object), shape mismatches.
  ASSERT_THROWS_STATUS(match_queries(cl.narrow(0, 0, 1), ml.narrow(0, 0, 1), tc, tm), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(match_queries(cl, ml, torch::tensor({0, 2}, torch::kLong), tm), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(match_queries(cl, ml, tc, torch::ones({2, 5})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(match_queries(cl, ml, tc.to(torch::kInt), tm), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(match_queries(cl, torch::zeros({2, 4}), tc, tm), Status::InvalidArgument);
}

// ---- mask_set_loss -------------------------------------------------------------------------------

// One 2×2 image, labels top row class 0, bottom row class 1 (K = 2), three queries: query 1
// predicts class 0's mask and class, query 2 class 1's, query 0 no-object with a flat mask.
struct SetCase {
  torch::Tensor class_logits;  // (1, 3, 3)
  torch::Tensor mask_logits;   // (1, 3, 2, 2)
  std::vector<MaskTargets> targets;
};

static SetCase set_case() {
  SetCase c;
  torch::Tensor labels = labels_of({0, 0, 1, 1}, 2, 2);
  c.targets = {semantic_to_mask_targets(labels, 2)};
  c.class_logits = ftensor({0, 0, 3, 2, 0, 0, 0, 1, 0}).view({1, 3, 3});
  torch::Tensor m = torch::zeros({3, 2, 2});
  m[1] = logits_for(c.targets[0].masks[0]) / 4;  // ±2
  m[2] = logits_for(c.targets[0].masks[1]) / 8;  // ±1
  c.mask_logits = m.unsqueeze(0);
  return c;
}

static void set_loss_matches_hand_computed_terms(void**) {
  SetCase c = set_case();
  SetLossWeights w;  // 2, 5, 5, no-object 0.1
  SetLossTerms t = mask_set_loss(c.class_logits, c.mask_logits, c.targets, w);
  for (const torch::Tensor& x : {t.cls, t.mask, t.dice}) assert_true(x.dim() == 0 && x.scalar_type() == torch::kFloat);
  // Matching: target 0 (class 0) → query 1, target 1 (class 1) → query 2; query 0 → no-object (2).
  double ce0 = ce_of({0, 0, 3}, 2), ce1 = ce_of({2, 0, 0}, 0), ce2 = ce_of({0, 1, 0}, 1);
  ASSERT_NEAR(t.cls.item<double>(), 2 * (0.1 * ce0 + ce1 + ce2) / (0.1 + 1 + 1), 1e-5);
  // Each matched mask has logits ±a on 4 pixels with the target: BCE = softplus(−a), dice
  // = 1 − (2·2σ(a) + 1)/(2σ(a) + 2(1 − σ(a)) + 2 + 1) = 1 − (4σ(a) + 1)/5.
  auto sig = [](double a) { return 1 / (1 + std::exp(-a)); };
  auto softplus = [](double a) { return std::log1p(std::exp(a)); };
  ASSERT_NEAR(t.mask.item<double>(), 5 * (softplus(-2) + softplus(-1)) / 2, 1e-5);
  double dice = (1 - (4 * sig(2) + 1) / 5) + (1 - (4 * sig(1) + 1) / 5);
  ASSERT_NEAR(t.dice.item<double>(), 5 * dice / 2, 1e-5);
  ASSERT_NEAR(t.total().item<double>(), (t.cls + t.mask + t.dice).item<double>(), 1e-6);
}

static void set_loss_is_invariant_to_query_order(void**) {
  SetCase c = set_case();
  torch::Tensor perm = torch::tensor({2, 0, 1}, torch::kLong);
  SetLossTerms a = mask_set_loss(c.class_logits, c.mask_logits, c.targets);
  SetLossTerms b = mask_set_loss(c.class_logits.index_select(1, perm), c.mask_logits.index_select(1, perm), c.targets);
  ASSERT_NEAR(a.total().item<double>(), b.total().item<double>(), 1e-5);
  // A prediction whose masks are swapped against the classes costs more.
  torch::Tensor swapped = c.mask_logits.index_select(1, torch::tensor({0, 2, 1}, torch::kLong));
  assert_true(mask_set_loss(c.class_logits, swapped, c.targets).total().item<double>() > a.total().item<double>());
}

static void set_loss_no_object_weight(void**) {
  SetCase c = set_case();
  SetLossWeights w;
  w.cls = 1;
  w.no_object = 1;
  double ce0 = ce_of({0, 0, 3}, 2), ce1 = ce_of({2, 0, 0}, 0), ce2 = ce_of({0, 1, 0}, 1);
  ASSERT_NEAR(mask_set_loss(c.class_logits, c.mask_logits, c.targets, w).cls.item<double>(), (ce0 + ce1 + ce2) / 3, 1e-5);
  w.no_object = 0;
  ASSERT_NEAR(mask_set_loss(c.class_logits, c.mask_logits, c.targets, w).cls.item<double>(), (ce1 + ce2) / 2, 1e-5);
  // An image without targets: every query is no-object; with weight 0 the CE has no mass and is 0.
  std::vector<MaskTargets> empty = {semantic_to_mask_targets(torch::full({2, 2}, 255, torch::kLong), 2)};
  SetLossTerms t = mask_set_loss(c.class_logits, c.mask_logits, empty, w);
  assert_true(t.cls.item<double>() == 0.0 && t.mask.item<double>() == 0.0 && t.dice.item<double>() == 0.0);
  w.no_object = 0.1;
  t = mask_set_loss(c.class_logits, c.mask_logits, empty, w);
  double all_no_object = (ce0 + ce_of({2, 0, 0}, 2) + ce_of({0, 1, 0}, 2)) / 3;
  ASSERT_NEAR(t.cls.item<double>(), all_no_object, 1e-5);
}

static void set_loss_counts_valid_pixels_only(void**) {
  SetCase c = set_case();
  // Ignore pixel (1,1): the matched BCE/dice only see three pixels, and changing the logits there
  // changes nothing.
  torch::Tensor labels = labels_of({0, 0, 1, 255}, 2, 2);
  std::vector<MaskTargets> tg = {semantic_to_mask_targets(labels, 2)};
  SetLossTerms a = mask_set_loss(c.class_logits, c.mask_logits, tg);
  torch::Tensor changed = c.mask_logits.clone();
  changed.select(2, 1).select(2, 1).fill_(-30);
  SetLossTerms b = mask_set_loss(c.class_logits, changed, tg);
  ASSERT_NEAR(a.total().item<double>(), b.total().item<double>(), 1e-6);
  auto softplus = [](double x) { return std::log1p(std::exp(x)); };
  ASSERT_NEAR(a.mask.item<double>(), 5 * (softplus(-2) + softplus(-1)) / 2, 1e-5);
  // A target whose pixels are all invalid still counts but adds no mask terms.
  MaskTargets dead = semantic_to_mask_targets(labels_of({0, 0, 1, 1}, 2, 2), 2);
  dead.valid = torch::zeros({2, 2}, torch::kBool);
  SetLossTerms d = mask_set_loss(c.class_logits, c.mask_logits, {dead});
  assert_true(d.mask.item<double>() == 0.0 && d.dice.item<double>() == 0.0);
  assert_true(std::isfinite(d.cls.item<double>()));
}

static void set_loss_gradients_bf16_and_batches(void**) {
  SetCase c = set_case();
  torch::Tensor cls = torch::cat({c.class_logits, c.class_logits}).to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor masks = torch::cat({c.mask_logits, c.mask_logits}).to(torch::kBFloat16).requires_grad_(true);
  // Image 1 is all ignored: its queries only enter the class CE, and the mask terms average over
  // image 0's two targets.
  std::vector<MaskTargets> tg = {c.targets[0], semantic_to_mask_targets(torch::full({2, 2}, 255, torch::kLong), 2)};
  SetLossTerms t = mask_set_loss(cls, masks, tg);
  assert_true(t.cls.scalar_type() == torch::kFloat && t.mask.scalar_type() == torch::kFloat &&
              t.dice.scalar_type() == torch::kFloat && t.total().dim() == 0);
  SetLossTerms single = mask_set_loss(c.class_logits, c.mask_logits, c.targets);
  ASSERT_NEAR(t.mask.item<double>(), single.mask.item<double>(), 2e-2);
  ASSERT_NEAR(t.dice.item<double>(), single.dice.item<double>(), 2e-2);
  t.total().backward();
  assert_true(cls.grad().scalar_type() == torch::kBFloat16 && masks.grad().scalar_type() == torch::kBFloat16);
  assert_true(cls.grad()[0].abs().sum().item<double>() > 0 && cls.grad()[1].abs().sum().item<double>() > 0);
  assert_true(masks.grad()[0].abs().sum().item<double>() > 0);
  assert_true(masks.grad()[1].abs().sum().item<double>() == 0.0);
}

static void set_loss_rejects_bad_input(void**) {
  SetCase c = set_case();
  ASSERT_THROWS_STATUS(mask_set_loss(c.class_logits, c.mask_logits, {}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_set_loss(c.class_logits, c.mask_logits.narrow(2, 0, 1), c.targets), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_set_loss(c.class_logits.narrow(1, 0, 2), c.mask_logits, c.targets), Status::InvalidArgument);
  // Two targets for a single query.
  ASSERT_THROWS_STATUS(mask_set_loss(c.class_logits.narrow(1, 0, 1), c.mask_logits.narrow(1, 0, 1), c.targets),
                       Status::InvalidArgument);
  // Classes beyond K (here K = 1).
  ASSERT_THROWS_STATUS(mask_set_loss(c.class_logits.narrow(2, 0, 2), c.mask_logits, c.targets), Status::InvalidArgument);
  MaskTargets bad = c.targets[0];
  bad.valid = torch::ones({2, 2});
  ASSERT_THROWS_STATUS(mask_set_loss(c.class_logits, c.mask_logits, {bad}), Status::InvalidArgument);
  SetLossWeights w;
  w.no_object = -1;
  ASSERT_THROWS_STATUS(mask_set_loss(c.class_logits, c.mask_logits, c.targets, w), Status::InvalidArgument);
}

// ---- region_mask_contrastive ----------------------------------------------------------------------

static void rmc_matches_hand_value(void**) {
  // Student masks (1,0) and (0,1), teacher (1,0): dice 1 and 1/3; τ = 0.5 → logits (2, 2/3).
  torch::Tensor s = ftensor({1, 0, 0, 1}).view({2, 2}).requires_grad_(true);
  torch::Tensor t = ftensor({1, 0}).view({1, 2}).requires_grad_(true);
  torch::Tensor loss = region_mask_contrastive(s, t, {0}, 0.5);
  assert_true(loss.dim() == 0 && loss.scalar_type() == torch::kFloat);
  ASSERT_NEAR(loss.item<double>(), std::log1p(std::exp(-4.0 / 3)), 1e-6);
  ASSERT_NEAR(region_mask_contrastive(s, t, {1}, 0.5).item<double>(), std::log1p(std::exp(4.0 / 3)), 1e-6);
  loss.backward();
  assert_true(s.grad().abs().sum().item<double>() > 0);
  assert_false(t.grad().defined());  // teacher side is detached
}

static void rmc_prefers_the_right_correspondence(void**) {
  torch::manual_seed(8);
  torch::Tensor student = torch::rand({5, 30});
  std::vector<int64_t> matched = {3, 0, 4};
  torch::Tensor teacher = student.index_select(0, torch::tensor(matched, torch::kLong));
  double right = region_mask_contrastive(student, teacher, matched, 0.2).item<double>();
  double wrong = region_mask_contrastive(student, teacher, {0, 4, 3}, 0.2).item<double>();
  assert_true(right < wrong);
  // Sharper (more binary) student masks that agree with the teacher lower it further.
  torch::Tensor sharp = (student > 0.5).to(torch::kFloat);
  torch::Tensor sharp_teacher = sharp.index_select(0, torch::tensor(matched, torch::kLong));
  double mismatched = region_mask_contrastive(1 - sharp, sharp_teacher, matched, 0.2).item<double>();
  assert_true(region_mask_contrastive(sharp, sharp_teacher, matched, 0.2).item<double>() < mismatched);
}

static void rmc_empty_and_bad_input(void**) {
  torch::Tensor s = torch::rand({3, 4}).requires_grad_(true);
  assert_zero_with_graph(region_mask_contrastive(s, torch::zeros({0, 4}), {}, 0.2), s);
  torch::Tensor t = torch::rand({2, 4});
  ASSERT_THROWS_STATUS(region_mask_contrastive(s, t, {0}, 0.2), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_mask_contrastive(s, t, {0, 3}, 0.2), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_mask_contrastive(s, t, {1, 1}, 0.2), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_mask_contrastive(s, t, {0, 1}, 0.0), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_mask_contrastive(s, torch::rand({2, 5}), {0, 1}, 0.2), Status::InvalidArgument);
}

// ---- region_feature_contrastive -------------------------------------------------------------------

static void rfc_matches_hand_value(void**) {
  // cos with the teacher (3, 0): 1 for (1, 0), 0 for (0, 2); τ = 0.5 → logits (2, 0).
  torch::Tensor s = ftensor({1, 0, 0, 2}).view({2, 2}).to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor t = ftensor({3, 0}).view({1, 2}).requires_grad_(true);
  torch::Tensor loss = region_feature_contrastive(s, t, {0}, 0.5);
  assert_true(loss.dim() == 0 && loss.scalar_type() == torch::kFloat);
  ASSERT_NEAR(loss.item<double>(), std::log1p(std::exp(-2.0)), 1e-6);
  ASSERT_NEAR(region_feature_contrastive(s, t, {1}, 0.5).item<double>(), std::log1p(std::exp(2.0)), 1e-6);
  loss.backward();
  assert_true(s.grad().abs().sum().item<double>() > 0);
  assert_false(t.grad().defined());
}

static void rfc_prefers_the_right_correspondence(void**) {
  torch::manual_seed(9);
  torch::Tensor student = torch::randn({6, 16});
  std::vector<int64_t> matched = {5, 1};
  torch::Tensor teacher = student.index_select(0, torch::tensor(matched, torch::kLong)) * 3;  // scale does not matter
  double right = region_feature_contrastive(student, teacher, matched, 0.1).item<double>();
  assert_true(right < region_feature_contrastive(student, teacher, {1, 5}, 0.1).item<double>());
  assert_true(right < region_feature_contrastive(-student, teacher, matched, 0.1).item<double>());
  torch::Tensor s = student.clone().requires_grad_(true);
  assert_zero_with_graph(region_feature_contrastive(s, torch::zeros({0, 16}), {}, 0.1), s);
  ASSERT_THROWS_STATUS(region_feature_contrastive(student, torch::rand({2, 15}), matched, 0.1), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_feature_contrastive(student, teacher, {6, 1}, 0.1), Status::InvalidArgument);
}

// ---- region_class_consistency ---------------------------------------------------------------------

static void rcc_matches_hand_value(void**) {
  // Three queries, K = 2; teacher region of class 1 matched to query 2; queries 0, 1 → no-object.
  torch::Tensor z = ftensor({0, 1, 2, 1, 0, 0, 0, 3, 1}).view({3, 3}).requires_grad_(true);
  torch::Tensor loss = region_class_consistency(z, torch::tensor({1}, torch::kLong), {2}, 0.1);
  assert_true(loss.dim() == 0 && loss.scalar_type() == torch::kFloat);
  double expected = (0.1 * ce_of({0, 1, 2}, 2) + 0.1 * ce_of({1, 0, 0}, 2) + ce_of({0, 3, 1}, 1)) / 1.2;
  ASSERT_NEAR(loss.item<double>(), expected, 1e-6);
  // The right query (which predicts class 1) beats a wrong one.
  assert_true(loss.item<double>() < region_class_consistency(z, torch::tensor({1}, torch::kLong), {1}, 0.1).item<double>());
  loss.backward();
  assert_true(z.grad().abs().sum().item<double>() > 0);
}

static void rcc_empty_and_bad_input(void**) {
  torch::Tensor z = torch::randn({3, 3}).requires_grad_(true);
  assert_zero_with_graph(region_class_consistency(z, torch::zeros({0}, torch::kLong), {}, 0.1), z);
  ASSERT_THROWS_STATUS(region_class_consistency(z, torch::tensor({2}, torch::kLong), {0}, 0.1), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_class_consistency(z, torch::tensor({1}, torch::kLong), {3}, 0.1), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_class_consistency(z, torch::tensor({1, 0}, torch::kLong), {0}, 0.1),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(region_class_consistency(z, torch::tensor({1}, torch::kLong), {0}, -0.5), Status::InvalidArgument);
}

// ---- semantic_mask_consistency --------------------------------------------------------------------

static void smc_matches_hand_values(void**) {
  // One image of 1×2 pixels, K = 2, labels (0, ignore).
  torch::Tensor labels = torch::tensor({0, 255}, torch::kLong).view({1, 1, 2});
  // Pixel 0 predicts class 0 (argmax): only class 0 enters the dice.
  torch::Tensor s = ftensor({0.8, 0.5, 0.3, 0.5}).view({1, 2, 1, 2});
  double bce = (-std::log(0.8) - std::log(0.7)) / 2;
  double dice0 = 1 - (2 * 0.8 + 1) / (0.8 + 1 + 1);
  torch::Tensor loss = semantic_mask_consistency(s, labels);
  assert_true(loss.dim() == 0 && loss.scalar_type() == torch::kFloat);
  ASSERT_NEAR(loss.item<double>(), bce + dice0, 1e-5);
  // Pixel 0 predicts class 1: both classes enter the dice.
  torch::Tensor s2 = ftensor({0.3, 0.5, 0.8, 0.5}).view({1, 2, 1, 2});
  double bce2 = (-std::log(0.3) - std::log(0.2)) / 2;
  double d0 = 1 - (2 * 0.3 + 1) / (0.3 + 1 + 1), d1 = 1 - 1 / (0.8 + 1);
  ASSERT_NEAR(semantic_mask_consistency(s2, labels).item<double>(), bce2 + (d0 + d1) / 2, 1e-5);
}

static void smc_prefers_agreement_and_handles_empty(void**) {
  torch::manual_seed(10);
  torch::Tensor labels = torch::randint(0, 3, {2, 4, 4}, torch::kLong);
  labels[0][0][0] = 255;
  torch::Tensor onehot = torch::one_hot(labels.clamp_max(2), 3).permute({0, 3, 1, 2}).to(torch::kFloat);
  torch::Tensor agree = onehot * 0.9 + 0.05;
  torch::Tensor disagree = onehot.roll(1, 1) * 0.9 + 0.05;
  assert_true(semantic_mask_consistency(agree, labels).item<double>() <
              semantic_mask_consistency(disagree, labels).item<double>());
  torch::Tensor s = agree.to(torch::kBFloat16).requires_grad_(true);
  torch::Tensor loss = semantic_mask_consistency(s, labels);
  assert_true(loss.scalar_type() == torch::kFloat);
  loss.backward();
  assert_true(s.grad().abs().sum().item<double>() > 0);
  // All ignored.
  torch::Tensor s0 = agree.clone().requires_grad_(true);
  assert_zero_with_graph(semantic_mask_consistency(s0, torch::full({2, 4, 4}, 255, torch::kLong)), s0);
  // Scores above 1 (unnormalised MaskFormer S) stay finite.
  assert_true(std::isfinite(semantic_mask_consistency(agree * 3, labels).item<double>()));
  ASSERT_THROWS_STATUS(semantic_mask_consistency(agree, labels.clamp_max(3) + 1), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(semantic_mask_consistency(agree, labels[0]), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(semantic_mask_consistency(agree[0], labels), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(map_matches_hand_values),
      cmocka_unit_test(map_batched_equals_per_image_and_has_gradients),
      cmocka_unit_test(map_rejects_bad_shapes),
      cmocka_unit_test(mask_targets_one_mask_per_present_class),
      cmocka_unit_test(mask_targets_reject_bad_labels),
      cmocka_unit_test(pairwise_dice_cost_hand_values),
      cmocka_unit_test(pairwise_sigmoid_ce_cost_hand_values),
      cmocka_unit_test(match_queries_picks_the_query_that_predicts_each_target),
      cmocka_unit_test(match_queries_survives_nan_and_rejects_bad_input),
      cmocka_unit_test(set_loss_matches_hand_computed_terms),
      cmocka_unit_test(set_loss_is_invariant_to_query_order),
      cmocka_unit_test(set_loss_no_object_weight),
      cmocka_unit_test(set_loss_counts_valid_pixels_only),
      cmocka_unit_test(set_loss_gradients_bf16_and_batches),
      cmocka_unit_test(set_loss_rejects_bad_input),
      cmocka_unit_test(rmc_matches_hand_value),
      cmocka_unit_test(rmc_prefers_the_right_correspondence),
      cmocka_unit_test(rmc_empty_and_bad_input),
      cmocka_unit_test(rfc_matches_hand_value),
      cmocka_unit_test(rfc_prefers_the_right_correspondence),
      cmocka_unit_test(rcc_matches_hand_value),
      cmocka_unit_test(rcc_empty_and_bad_input),
      cmocka_unit_test(smc_matches_hand_values),
      cmocka_unit_test(smc_prefers_agreement_and_handles_empty),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
