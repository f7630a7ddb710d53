// Pseudo-label construction and filters on inputs small enough to check by hand.
#include <vector>

#include "core/error.h"
#include "models/tensor_codec.h"
#include "pseudo/pseudo_labels.h"
#include "unit_test.h"

using namespace s4seg;

namespace {

torch::Tensor longs(std::vector<int64_t> v, std::vector<int64_t> shape) {
  return torch::tensor(v, torch::kLong).view(shape);
}
torch::Tensor floats(std::vector<float> v, std::vector<int64_t> shape) {
  return torch::tensor(v, torch::kFloat).view(shape);
}
bool same(const torch::Tensor& a, const torch::Tensor& b) { return a.sizes() == b.sizes() && a.equal(b); }
bool close(const torch::Tensor& a, const torch::Tensor& b, double tol = 1e-6) {
  return a.sizes() == b.sizes() && (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>() <= tol;
}

// A (B, H, W) PseudoLabels with the given labels and confidences, entropy 0 and weight 1 where valid.
PseudoLabels make_pl(const torch::Tensor& labels, const torch::Tensor& conf) {
  PseudoLabels pl;
  pl.labels = labels.clone();
  pl.confidence = conf.clone();
  pl.entropy = torch::zeros_like(conf);
  pl.weight = (labels != 255).to(torch::kFloat);
  return pl;
}

std::unique_ptr<PseudoFilter> filter(const std::string& kind, double threshold = 0.95, int64_t classes = 2,
                                     double momentum = 0.999) {
  FilterOptions o;
  o.kind = kind;
  o.threshold = threshold;
  o.num_classes = classes;
  o.adaptive_momentum = momentum;
  return make_filter(o);
}

}  // namespace

// probs (1, 2, 1, 3): pixel 0 (0.75, 0.25), pixel 1 (0.2, 0.8), pixel 2 (1, 0) ignored.
static void from_probs_gives_argmax_max_entropy_and_padding(void**) {
  torch::Tensor probs = floats({0.75f, 0.2f, 1.0f, 0.25f, 0.8f, 0.0f}, {1, 2, 1, 3});
  torch::Tensor ignore = torch::tensor({false, false, true}).view({1, 1, 3});
  PseudoLabels pl = pseudo_labels_from_probs(probs, ignore);
  assert_true(same(pl.labels, longs({0, 1, 255}, {1, 1, 3})));
  assert_true(close(pl.confidence, floats({0.75f, 0.8f, 1.0f}, {1, 1, 3})));
  double h0 = -(0.75 * std::log(0.75) + 0.25 * std::log(0.25));
  double h1 = -(0.2 * std::log(0.2) + 0.8 * std::log(0.8));
  assert_true(close(pl.entropy, floats({float(h0), float(h1), 0.0f}, {1, 1, 3}), 1e-5));
  assert_true(same(pl.weight, floats({1, 1, 0}, {1, 1, 3})));
  // Without an ignore mask every pixel is labelled.
  PseudoLabels all = pseudo_labels_from_probs(probs);
  assert_true(same(all.labels, longs({0, 1, 0}, {1, 1, 3})));
  assert_true(same(all.weight, torch::ones({1, 1, 3})));
}

// τ = 0.95: conf exactly τ stays, just below goes; padding stays padding.
static void threshold_keeps_exactly_conf_at_least_tau(void**) {
  torch::Tensor labels = longs({0, 1, 1, 0, 255, 1}, {1, 2, 3});
  torch::Tensor conf = floats({0.99f, 0.95f, 0.9499f, 0.5f, 0.99f, 1.0f}, {1, 2, 3});
  PseudoLabels pl = make_pl(labels, conf);
  filter("threshold", 0.95)->apply(pl, FilterContext{});
  assert_true(same(pl.labels, longs({0, 1, 255, 255, 255, 1}, {1, 2, 3})));
  assert_true(same(pl.weight, floats({1, 1, 0, 0, 0, 1}, {1, 2, 3})));
  // The caller's tensors are not rewritten in place.
  assert_true(same(labels, longs({0, 1, 1, 0, 255, 1}, {1, 2, 3})));
}

// Entropies 0.1, 0.2, ..., 1.0 on ten valid pixels plus two padding pixels with entropy 0.
static PseudoLabels entropy_ramp() {
  std::vector<float> ent;
  for (int i = 1; i <= 10; ++i) ent.push_back(0.1f * i);
  ent.push_back(0.0f);
  ent.push_back(0.0f);
  torch::Tensor labels = torch::zeros({1, 3, 4}, torch::kLong);
  labels.view(-1).slice(0, 10, 12).fill_(255);
  PseudoLabels pl = make_pl(labels, torch::ones({1, 3, 4}));
  pl.entropy = floats(ent, {1, 3, 4});
  return pl;
}

static int64_t kept(const PseudoLabels& pl) { return (pl.labels != 255).sum().item<int64_t>(); }

static void entropy_anneals_from_eighty_to_all(void**) {
  FilterOptions o;
  o.kind = "entropy";
  o.keep_start = 0.8;
  o.keep_end = 1.0;
  auto f = make_filter(o);
  FilterContext ctx;
  ctx.total_iterations = 100;

  ctx.iteration = 0;  // k = 0.8 of 10 valid: the eight lowest entropies
  PseudoLabels pl = entropy_ramp();
  f->apply(pl, ctx);
  assert_int_equal(kept(pl), 8);
  assert_true(same(pl.labels != 255, (pl.entropy < 0.85f) & (pl.entropy > 0.0f)));  // the 8 lowest valid
  assert_true(same(pl.weight, (pl.labels != 255).to(torch::kFloat)));

  ctx.iteration = 50;  // k = 0.9
  pl = entropy_ramp();
  f->apply(pl, ctx);
  assert_int_equal(kept(pl), 9);

  ctx.iteration = 100;  // k = 1: every valid pixel
  pl = entropy_ramp();
  f->apply(pl, ctx);
  assert_int_equal(kept(pl), 10);

  ctx.iteration = 500;  // past the end: clamped at keep_end
  pl = entropy_ramp();
  f->apply(pl, ctx);
  assert_int_equal(kept(pl), 10);
}

// Image 0: 4 valid, 3 with conf ≥ 0.9 → 0.75. Image 1: 3 valid (one padding), 1 confident → 1/3.
static void soft_weight_is_per_image_confident_share(void**) {
  torch::Tensor labels = longs({0, 1, 0, 1, 1, 255, 0, 0}, {2, 1, 4});
  torch::Tensor conf = floats({0.95f, 0.9f, 0.99f, 0.2f, 0.95f, 0.99f, 0.5f, 0.3f}, {2, 1, 4});
  PseudoLabels pl = make_pl(labels, conf);
  filter("soft", 0.9)->apply(pl, FilterContext{});
  const float t = 1.0f / 3.0f;
  assert_true(close(pl.weight, floats({0.75f, 0.75f, 0.75f, 0.75f, t, 0.0f, t, t}, {2, 1, 4})));
  assert_true(same(pl.labels, labels));  // soft: nothing is dropped
}

static void agreement_keeps_matching_pixels(void**) {
  torch::Tensor labels = longs({0, 1, 2, 255}, {1, 2, 2});
  PseudoLabels pl = make_pl(labels, torch::ones({1, 2, 2}));
  FilterContext ctx;
  ctx.proto_labels = longs({0, 2, 2, 255}, {1, 2, 2});
  filter("agreement", 0.95, 3)->apply(pl, ctx);
  assert_true(same(pl.labels, longs({0, 255, 2, 255}, {1, 2, 2})));
  assert_true(same(pl.weight, floats({1, 0, 1, 0}, {1, 2, 2})));
  // Without prototype labels it is a usage error.
  PseudoLabels again = make_pl(labels, torch::ones({1, 2, 2}));
  ASSERT_THROWS_STATUS(filter("agreement")->apply(again, FilterContext{}), Status::InvalidArgument);
}

// Class 0: conf 0.95, 0.85 (mean 0.9). Class 1: conf 0.6, 0.3 (mean 0.45). τ = 0.8, momentum 0:
// τ_0 = 0.8, τ_1 = 0.8·0.45/0.9 = 0.4, so class 1's 0.6 survives where the fixed τ drops it.
static PseudoLabels adaptive_batch() {
  return make_pl(longs({0, 0, 1, 1}, {1, 1, 4}), floats({0.95f, 0.85f, 0.6f, 0.3f}, {1, 1, 4}));
}

static void class_adaptive_lowers_threshold_of_hard_class(void**) {
  PseudoLabels fixed = adaptive_batch();
  filter("threshold", 0.8)->apply(fixed, FilterContext{});
  assert_true(same(fixed.labels, longs({0, 0, 255, 255}, {1, 1, 4})));

  auto f = filter("class_adaptive", 0.8, 2, 0.0);
  assert_true(f->name() == "class_adaptive");
  PseudoLabels pl = adaptive_batch();
  f->apply(pl, FilterContext{});
  assert_true(same(pl.labels, longs({0, 0, 1, 255}, {1, 1, 4})));
  assert_true(same(pl.weight, floats({1, 1, 1, 0}, {1, 1, 4})));

  // EMA arithmetic: momentum 0.5 from the initial 1/C = 0.5: m = (0.7, 0.475).
  auto g = filter("class_adaptive", 0.8, 2, 0.5);
  PseudoLabels pl2 = adaptive_batch();
  g->apply(pl2, FilterContext{});
  Records r;
  g->save(r, "pl.");
  assert_true(close(decode_tensor(r.at("pl.class_confidence"), "test"), floats({0.7f, 0.475f}, {2})));
}

// A skipped iteration (FilterContext::apply false on the device) filters with the state as it is
// and leaves it there.
static void class_adaptive_state_holds_when_not_applied(void**) {
  auto f = filter("class_adaptive", 0.8, 2, 0.5);
  Records before;
  f->save(before, "pl.");
  FilterContext skip;
  skip.apply = torch::zeros({}, torch::kBool);
  PseudoLabels pl = adaptive_batch();
  f->apply(pl, skip);
  assert_true(same(pl.labels, longs({0, 0, 255, 255}, {1, 1, 4})));  // uniform state: τ_c = τ
  Records after;
  f->save(after, "pl.");
  assert_true(after.at("pl.class_confidence") == before.at("pl.class_confidence"));
  FilterContext go;
  go.apply = torch::ones({}, torch::kBool);
  PseudoLabels pl2 = adaptive_batch();
  f->apply(pl2, go);
  f->save(after, "pl.");
  assert_true(close(decode_tensor(after.at("pl.class_confidence"), "test"), floats({0.7f, 0.475f}, {2})));
}

static void class_adaptive_state_round_trips(void**) {
  auto a = filter("class_adaptive", 0.8, 2, 0.0);
  PseudoLabels pl = adaptive_batch();
  a->apply(pl, FilterContext{});
  Records r;
  a->save(r, "f.");
  assert_true(close(decode_tensor(r.at("f.class_confidence"), "test"), floats({0.9f, 0.45f}, {2})));

  // Momentum 1 never adapts, so what it does is decided by the state alone.
  auto fresh = filter("class_adaptive", 0.8, 2, 1.0);
  PseudoLabels p1 = adaptive_batch();
  fresh->apply(p1, FilterContext{});
  assert_true(same(p1.labels, longs({0, 0, 255, 255}, {1, 1, 4})));  // uniform state: τ_c = τ

  auto loaded = filter("class_adaptive", 0.8, 2, 1.0);
  loaded->load(r, "f.", "test");
  Records r2;
  loaded->save(r2, "f.");
  assert_true(r2.at("f.class_confidence") == r.at("f.class_confidence"));
  PseudoLabels p2 = adaptive_batch();
  loaded->apply(p2, FilterContext{});
  assert_true(same(p2.labels, longs({0, 0, 1, 255}, {1, 1, 4})));

  // A mis-shaped or missing record is a Format error and leaves the state alone.
  Records bad;
  bad["f.class_confidence"] = encode_tensor(torch::ones({3}));
  ASSERT_THROWS_STATUS(loaded->load(bad, "f.", "test"), Status::Format);
  bad["f.class_confidence"] = encode_tensor(torch::ones({2}, torch::kLong));
  ASSERT_THROWS_STATUS(loaded->load(bad, "f.", "test"), Status::Format);
  ASSERT_THROWS_STATUS(loaded->load(Records{}, "f.", "test"), Status::Format);
  Records r3;
  loaded->save(r3, "f.");
  assert_true(r3.at("f.class_confidence") == r.at("f.class_confidence"));
}

static void keep_stats_counts_predicted_and_kept(void**) {
  // Teacher argmax over 3 classes, one padding pixel; threshold 0.9 drops two pixels.
  torch::Tensor labels = longs({0, 0, 1, 2, 2, 2, 255, 1}, {2, 2, 2});
  torch::Tensor conf = floats({0.95f, 0.5f, 0.99f, 0.91f, 0.2f, 0.93f, 1.0f, 0.9f}, {2, 2, 2});
  PseudoLabels pl = make_pl(labels, conf);
  torch::Tensor predicted = pl.labels.clone();
  filter("threshold", 0.9, 3)->apply(pl, FilterContext{});
  KeepStats s = keep_stats(pl, predicted, 3);
  assert_true(s.predicted.scalar_type() == torch::kLong && s.kept.scalar_type() == torch::kLong);
  assert_true(same(s.predicted, longs({2, 2, 3}, {3})));
  assert_true(same(s.kept, longs({1, 2, 2}, {3})));
  // Soft weights of 0 count as not kept.
  PseudoLabels soft = make_pl(labels, conf);
  soft.weight.view(-1)[2] = 0.0f;
  KeepStats s2 = keep_stats(soft, predicted, 3);
  assert_true(same(s2.kept, longs({2, 1, 3}, {3})));
  ASSERT_THROWS_STATUS(keep_stats(pl, predicted, 1), Status::InvalidArgument);
}

// Agreement then soft weighting: the soft share is over what agreement left valid.
static void filters_compose(void**) {
  torch::Tensor labels = longs({0, 1, 1, 0}, {1, 1, 4});
  torch::Tensor conf = floats({0.99f, 0.5f, 0.98f, 0.97f}, {1, 1, 4});
  PseudoLabels pl = make_pl(labels, conf);
  FilterContext ctx;
  ctx.proto_labels = longs({0, 1, 0, 0}, {1, 1, 4});  // pixel 2 disagrees
  filter("agreement")->apply(pl, ctx);
  filter("soft", 0.9)->apply(pl, ctx);
  // Valid after agreement: pixels 0, 1, 3; confident among them: 0 and 3 → 2/3.
  const float t = 2.0f / 3.0f;
  assert_true(same(pl.labels, longs({0, 1, 255, 0}, {1, 1, 4})));
  assert_true(close(pl.weight, floats({t, t, 0.0f, t}, {1, 1, 4})));
  // Then a threshold on top drops pixel 1 as well.
  filter("threshold", 0.9)->apply(pl, ctx);
  assert_true(same(pl.labels, longs({0, 255, 255, 0}, {1, 1, 4})));
  assert_true(close(pl.weight, floats({t, 0.0f, 0.0f, t}, {1, 1, 4})));
}

static void none_keeps_everything(void**) {
  torch::Tensor labels = longs({0, 1, 255, 1}, {1, 2, 2});
  PseudoLabels pl = make_pl(labels, floats({0.1f, 0.2f, 0.3f, 0.4f}, {1, 2, 2}));
  auto f = filter("none");
  f->apply(pl, FilterContext{});
  assert_true(same(pl.labels, labels));
  assert_true(same(pl.weight, floats({1, 1, 0, 1}, {1, 2, 2})));
}

static void make_filter_rejects_bad_options(void**) {
  FilterOptions o;
  o.kind = "median";
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  o = FilterOptions{};
  o.threshold = 1.5;
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  o.threshold = -0.1;
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  o = FilterOptions{};
  o.num_classes = 1;
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  o = FilterOptions{};
  o.kind = "entropy";
  o.keep_start = 0.0;
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  o.keep_start = 0.8;
  o.keep_end = 1.2;
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  o.keep_start = 0.9;
  o.keep_end = 0.8;
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  o = FilterOptions{};
  o.kind = "class_adaptive";
  o.adaptive_momentum = 1.5;
  ASSERT_THROWS_STATUS(make_filter(o), Status::InvalidArgument);
  for (const char* kind : {"threshold", "class_adaptive", "entropy", "soft", "agreement", "none"}) {
    o = FilterOptions{};
    o.kind = kind;
    assert_true(make_filter(o)->name() == kind);
  }
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(from_probs_gives_argmax_max_entropy_and_padding),
      cmocka_unit_test(threshold_keeps_exactly_conf_at_least_tau),
      cmocka_unit_test(entropy_anneals_from_eighty_to_all),
      cmocka_unit_test(soft_weight_is_per_image_confident_share),
      cmocka_unit_test(agreement_keeps_matching_pixels),
      cmocka_unit_test(class_adaptive_lowers_threshold_of_hard_class),
      cmocka_unit_test(class_adaptive_state_round_trips), cmocka_unit_test(class_adaptive_state_holds_when_not_applied),
      cmocka_unit_test(keep_stats_counts_predicted_and_kept),
      cmocka_unit_test(filters_compose),
      cmocka_unit_test(none_keeps_everything),
      cmocka_unit_test(make_filter_rejects_bad_options),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
