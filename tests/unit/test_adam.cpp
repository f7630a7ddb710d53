// Adam (train/adam.h): hand-computed steps, agreement with torch::optim::Adam, and checkpoints.
#include "core/error.h"
#include "models/tensor_codec.h"
#include "optim/adam.h"
#include "unit_test.h"

using namespace s4seg;

static void adam_steps_match_hand_computed_values(void**) {
  torch::Tensor p = torch::tensor({1.0}, torch::kFloat).requires_grad_(true);
  Adam adam({p}, AdamOptions{0.9, 0.99, 1e-8, 0.0});
  // Step 1, g = 2: m = 0.2, v = 0.04; m̂ = 2, v̂ = 4; θ = 1 − 0.1·2/(2 + 1e-8) ≈ 0.9
  p.mutable_grad() = torch::tensor({2.0}, torch::kFloat);
  adam.step(0.1);
  ASSERT_NEAR(p.item<double>(), 1.0 - 0.1 * 2.0 / (2.0 + 1e-8), 1e-6);
  // Step 2, g = −1: m = 0.18 − 0.1 = 0.08, v = 0.0396 + 0.01 = 0.0496;
  // θ = 0.9 − 0.1·(0.08/0.19) / (√(0.0496/0.0199) + 1e-8)
  p.mutable_grad() = torch::tensor({-1.0}, torch::kFloat);
  adam.step(0.1);
  double expected = 0.9 - 0.1 * (0.08 / 0.19) / (std::sqrt(0.0496 / 0.0199) + 1e-8);
  ASSERT_NEAR(p.item<double>(), expected, 1e-6);
  assert_int_equal(adam.steps(0), 2);
}

static void adam_weight_decay_adds_to_gradient(void**) {
  torch::Tensor p = torch::tensor({2.0}, torch::kFloat).requires_grad_(true);
  Adam adam({p}, AdamOptions{0.5, 0.75, 0.0, 0.5});
  // g = 1 + 0.5·2 = 2; m = 0.5·2 = 1, v = 0.25·4 = 1; m̂ = 2, v̂ = 4; θ = 2 − 0.3·2/2 = 1.7
  p.mutable_grad() = torch::tensor({1.0}, torch::kFloat);
  adam.step(0.3);
  ASSERT_NEAR(p.item<double>(), 1.7, 1e-6);
  // g = 1 + 0.5·1.7 = 1.85; m = 0.5 + 0.925 = 1.425; v = 0.75 + 0.25·3.4225 = 1.605625;
  // m̂ = 1.425/0.75 = 1.9, v̂ = 1.605625/0.4375 = 3.67; θ = 1.7 − 0.3·1.9/√3.67
  p.mutable_grad() = torch::tensor({1.0}, torch::kFloat);
  adam.step(0.3);
  ASSERT_NEAR(p.item<double>(), 1.7 - 0.3 * 1.9 / std::sqrt(3.67), 1e-6);
}

static void adam_skips_parameters_without_gradient(void**) {
  torch::Tensor a = torch::tensor({1.0}, torch::kFloat).requires_grad_(true);
  torch::Tensor b = torch::tensor({5.0}, torch::kFloat).requires_grad_(true);
  Adam adam({a, b}, AdamOptions{});
  a.mutable_grad() = torch::tensor({1.0}, torch::kFloat);
  adam.step(0.1);
  assert_true(b.item<double>() == 5.0);
  assert_int_equal(adam.steps(0), 1);
  assert_int_equal(adam.steps(1), 0);
  adam.zero_grad();
  assert_false(a.grad().defined());
  Records r;
  adam.save(r, "d/");
  assert_true(r.count("d/adam/0/exp_avg") == 1 && r.count("d/adam/1/exp_avg") == 0);
}

// A tiny least-squares problem: loss = mean((x·W + c − y)²).
struct Problem {
  torch::Tensor x, y;
  Problem() {
    torch::manual_seed(7);
    x = torch::randn({8, 3});
    y = torch::randn({8, 2});
  }
  void backward(const torch::Tensor& w, const torch::Tensor& c) const {
    (torch::matmul(x, w) + c - y).pow(2).mean().backward();
  }
};

static void adam_matches_torch_optim_adam(void**) {
  Problem pr;
  torch::Tensor w0 = torch::randn({3, 2}), c0 = torch::randn({2});
  torch::Tensor w1 = w0.clone().requires_grad_(true), c1 = c0.clone().requires_grad_(true);
  torch::Tensor w2 = w0.clone().requires_grad_(true), c2 = c0.clone().requires_grad_(true);
  Adam ours({w1, c1}, AdamOptions{0.9, 0.99, 1e-8, 0.01});
  torch::optim::Adam ref({w2, c2}, torch::optim::AdamOptions(0.05).betas({0.9, 0.99}).eps(1e-8).weight_decay(0.01));
  for (int i = 0; i < 6; ++i) {
    ours.zero_grad();
    ref.zero_grad();
    pr.backward(w1, c1);
    pr.backward(w2, c2);
    ours.step(0.05);
    ref.step();
  }
  assert_true(torch::allclose(w1, w2, 1e-6, 1e-7));
  assert_true(torch::allclose(c1, c2, 1e-6, 1e-7));
  assert_false(torch::allclose(w1, w0));  // it did move
}

static void adamw_matches_torch_optim_adamw(void**) {
  Problem pr;
  torch::Tensor w0 = torch::randn({3, 2}), c0 = torch::randn({2});
  torch::Tensor w1 = w0.clone().requires_grad_(true), c1 = c0.clone().requires_grad_(true);
  torch::Tensor w2 = w0.clone().requires_grad_(true), c2 = c0.clone().requires_grad_(true);
  AdamOptions o{0.9, 0.999, 1e-8, 0.1};
  o.decoupled_weight_decay = true;
  Adam ours({w1, c1}, o);
  torch::optim::AdamW ref({w2, c2}, torch::optim::AdamWOptions(0.05).betas({0.9, 0.999}).eps(1e-8).weight_decay(0.1));
  for (int i = 0; i < 6; ++i) {
    ours.zero_grad();
    ref.zero_grad();
    pr.backward(w1, c1);
    pr.backward(w2, c2);
    ours.step(0.05);
    ref.step();
  }
  assert_true(torch::allclose(w1, w2, 1e-5, 1e-6));
  assert_true(torch::allclose(c1, c2, 1e-5, 1e-6));
}

static void adamw_decays_weights_without_gradient_signal(void**) {
  // A zero gradient leaves m = v = 0, so the only change is the decoupled decay θ·(1 − lr·wd);
  // with L2 decay the same step would move θ by a full Adam step instead.
  torch::Tensor p = torch::tensor({2.0}, torch::kFloat).requires_grad_(true);
  AdamOptions o{0.9, 0.999, 1e-8, 0.5};
  o.decoupled_weight_decay = true;
  Adam adam({p}, o);
  p.mutable_grad() = torch::zeros({1});
  adam.step(0.1);
  ASSERT_NEAR(p.item<double>(), 2.0 * (1 - 0.1 * 0.5), 1e-6);
}

static void adam_lr_multipliers_scale_each_parameter(void**) {
  // Adam's first step moves each parameter by lr·mult·sign(g) (m̂/√v̂ = ±1).
  torch::Tensor a = torch::tensor({1.0}, torch::kFloat).requires_grad_(true);
  torch::Tensor b = torch::tensor({1.0}, torch::kFloat).requires_grad_(true);
  Adam adam({a, b}, AdamOptions{0.9, 0.99, 0.0, 0.0}, {1.0, 10.0});
  a.mutable_grad() = torch::tensor({3.0}, torch::kFloat);
  b.mutable_grad() = torch::tensor({-0.5}, torch::kFloat);
  adam.step(0.01);
  ASSERT_NEAR(a.item<double>(), 1.0 - 0.01, 1e-6);
  ASSERT_NEAR(b.item<double>(), 1.0 + 0.1, 1e-6);
  ASSERT_THROWS_STATUS(Adam({a, b}, AdamOptions{}, {1.0}), Status::InvalidArgument);
}

// Parameters at different step counts (one gets gradients only from the third step) are each
// updated as torch::optim::Adam updates them, bit for bit.
static void adam_with_uneven_steps_matches_torch_optim_adam(void**) {
  torch::manual_seed(11);
  std::vector<torch::Tensor> init{torch::randn({3, 2}), torch::randn({2}), torch::randn({4})};
  std::vector<torch::Tensor> ours, ref;
  for (auto& t : init) {
    ours.push_back(t.clone().requires_grad_(true));
    ref.push_back(t.clone().requires_grad_(true));
  }
  Adam adam(ours, AdamOptions{0.9, 0.99, 1e-8, 0.01});
  torch::optim::Adam torch_adam(ref, torch::optim::AdamOptions(0.05).betas({0.9, 0.99}).eps(1e-8).weight_decay(0.01));
  for (int step = 0; step < 5; ++step) {
    adam.zero_grad();
    torch_adam.zero_grad();
    for (size_t i = 0; i < init.size(); ++i) {
      if (i == 2 && step < 2) continue;
      torch::Tensor g = torch::randn(init[i].sizes());
      ours[i].mutable_grad() = g.clone();
      ref[i].mutable_grad() = g.clone();
    }
    adam.step(0.05);
    torch_adam.step();
  }
  assert_int_equal(adam.steps(0), 5);
  assert_int_equal(adam.steps(2), 3);
  for (size_t i = 0; i < init.size(); ++i) assert_true(torch::equal(ours[i], ref[i]));
}

// Two optimizers over separate copies of the same parameters, stepped `steps` times with the
// gradients of the problem.
static void step_with_problem(Adam& adam, const Problem& pr, torch::Tensor& w, torch::Tensor& c, int steps) {
  for (int i = 0; i < steps; ++i) {
    adam.zero_grad();
    pr.backward(w, c);
    adam.step(0.05);
  }
}

static void adam_state_round_trips(void**) {
  Problem pr;
  torch::Tensor w1 = torch::randn({3, 2}).requires_grad_(true), c1 = torch::randn({2}).requires_grad_(true);
  Adam a({w1, c1}, AdamOptions{});
  step_with_problem(a, pr, w1, c1, 3);
  Records r;
  a.save(r, "d1/");
  torch::Tensor w2 = w1.detach().clone().requires_grad_(true), c2 = c1.detach().clone().requires_grad_(true);
  Adam b({w2, c2}, AdamOptions{});
  b.load(r, "d1/", "test");
  assert_int_equal(b.steps(0), 3);
  step_with_problem(a, pr, w1, c1, 2);
  step_with_problem(b, pr, w2, c2, 2);
  assert_true(torch::equal(w1, w2) && torch::equal(c1, c2));
}

static void adam_bad_records_throw_format_and_change_nothing(void**) {
  Problem pr;
  torch::Tensor w1 = torch::randn({3, 2}).requires_grad_(true), c1 = torch::randn({2}).requires_grad_(true);
  Adam a({w1, c1}, AdamOptions{});
  step_with_problem(a, pr, w1, c1, 2);
  Records good;
  a.save(good, "d1/");

  // b has one step of its own; a copy of it (ref) tells whether a failed load changed anything.
  torch::Tensor w2 = w1.detach().clone().requires_grad_(true), c2 = c1.detach().clone().requires_grad_(true);
  torch::Tensor w3 = w1.detach().clone().requires_grad_(true), c3 = c1.detach().clone().requires_grad_(true);
  Adam b({w2, c2}, AdamOptions{}), ref({w3, c3}, AdamOptions{});
  step_with_problem(b, pr, w2, c2, 1);
  step_with_problem(ref, pr, w3, c3, 1);

  auto without = [&](const std::string& key) {
    Records r = good;
    r.erase(key);
    return r;
  };
  auto with = [&](const std::string& key, const torch::Tensor& t) {
    Records r = good;
    r[key] = encode_tensor(t);
    return r;
  };
  // The first parameter's records are valid in every case, so a partial load would show.
  ASSERT_THROWS_STATUS(b.load(without("d1/adam/1/exp_avg_sq"), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(without("d1/adam/1/step"), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(without("d1/adam/count"), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(good, "d2/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(with("d1/adam/1/exp_avg", torch::zeros({3})), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(with("d1/adam/1/exp_avg", torch::zeros({2}, torch::kLong)), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(with("d1/adam/1/exp_avg_sq", -torch::ones({2})), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(with("d1/adam/1/step", torch::tensor(2.0)), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(with("d1/adam/1/step", torch::tensor(int64_t(-1))), "d1/", "test"), Status::Format);
  ASSERT_THROWS_STATUS(b.load(with("d1/adam/count", torch::tensor(int64_t(3))), "d1/", "test"), Status::Format);
  Records garbage = good;
  garbage["d1/adam/1/exp_avg"] = "not a tensor";
  ASSERT_THROWS_STATUS(b.load(garbage, "d1/", "test"), Status::Format);

  assert_int_equal(b.steps(0), 1);
  assert_int_equal(b.steps(1), 1);
  step_with_problem(b, pr, w2, c2, 2);
  step_with_problem(ref, pr, w3, c3, 2);
  assert_true(torch::equal(w2, w3) && torch::equal(c2, c3));
}

// A skipped update (apply false, decided on the device) leaves weights and moments as they were,
// its first step included; with the step counts put back, training goes on exactly as if it had
// never been queued. A NaN gradient in a skipped update leaks nowhere.
static void adamw_skipped_update_changes_nothing(void**) {
  const torch::Tensor skip = torch::zeros({}, torch::kBool);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  AdamOptions o{0.9, 0.99, 1e-8, 0.1, /*decoupled_weight_decay=*/true};
  torch::Tensor p = torch::tensor({1.0f, 2.0f}).requires_grad_(true);
  torch::Tensor q = p.detach().clone().requires_grad_(true);
  Adam guarded({p}, o), plain({q}, o);

  const std::vector<int64_t> before = guarded.step_counts();
  p.mutable_grad() = torch::tensor({nan, 1.0f});
  guarded.step(0.1, skip);  // the first step, skipped: moments stay zero
  assert_true(torch::equal(p, torch::tensor({1.0f, 2.0f})));
  assert_int_equal(guarded.steps(0), 1);  // the host counted it ...
  guarded.set_step_counts(before);        // ... until told that it was skipped
  step_in_lockstep(guarded, plain, p, q, 3);
  const std::vector<int64_t> mid = guarded.step_counts();
  p.mutable_grad() = torch::tensor({nan, std::numeric_limits<float>::infinity()});
  guarded.step(0.1, skip);
  guarded.set_step_counts(mid);
  Records a, b;
  guarded.save(a, "");
  plain.save(b, "");
  assert_true(a == b);  // moments and step counts
  step_in_lockstep(guarded, plain, p, q, 1);
  ASSERT_THROWS_STATUS(guarded.step(0.1, torch::ones({2}, torch::kBool)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(guarded.set_step_counts({1, 2}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(guarded.set_step_counts({-1}), Status::InvalidArgument);
}

static void adam_rejects_bad_options(void**) {
  torch::Tensor p = torch::zeros({1}).requires_grad_(true);
  ASSERT_THROWS_STATUS(Adam({p}, AdamOptions{1.0, 0.99, 1e-8, 0.0}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(Adam({p}, AdamOptions{0.9, -0.1, 1e-8, 0.0}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(Adam({p}, AdamOptions{0.9, 0.99, -1.0, 0.0}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(Adam({p}, AdamOptions{0.9, 0.99, 1e-8, -1.0}), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(Adam({torch::zeros({1}, torch::kLong)}, AdamOptions{}), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(adam_steps_match_hand_computed_values),
      cmocka_unit_test(adam_weight_decay_adds_to_gradient),
      cmocka_unit_test(adam_skips_parameters_without_gradient),
      cmocka_unit_test(adam_matches_torch_optim_adam),
      cmocka_unit_test(adamw_matches_torch_optim_adamw),
      cmocka_unit_test(adamw_decays_weights_without_gradient_signal),
      cmocka_unit_test(adam_lr_multipliers_scale_each_parameter), cmocka_unit_test(adam_with_uneven_steps_matches_torch_optim_adam),
      cmocka_unit_test(adam_state_round_trips),
      cmocka_unit_test(adam_bad_records_throw_format_and_change_nothing),
      cmocka_unit_test(adamw_skipped_update_changes_nothing),
      cmocka_unit_test(adam_rejects_bad_options),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
