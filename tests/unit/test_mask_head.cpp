// Mask-classification head (mask_head.h): shapes, gradient flow, MaskFormer semantic inference on
// hand-built logits, a tiny overfit, input validation.
#include "core/error.h"
#include "models/mask_head.h"
#include "unit_test.h"

#include <set>
#include <string>

using namespace s4seg;

static MaskHeadOptions small_options() {
  MaskHeadOptions o;
  o.num_classes = 3;
  o.pixel_channels = 8;
  o.memory_channels = 12;
  o.hidden = 32;
  o.queries = 5;
  o.layers = 2;
  o.heads = 4;
  o.ffn = 48;
  return o;
}

static bool all_close(const torch::Tensor& a, const torch::Tensor& b, double tol) {
  return a.sizes() == b.sizes() && (a - b).abs().max().item<double>() <= tol;
}

// ---- forward ------------------------------------------------------------------------------------

static void forward_shapes_match_the_contract(void**) {
  torch::manual_seed(0);
  MaskHead head(small_options());
  MaskHeadOutput out = head->forward(torch::randn({2, 8, 16, 12}), torch::randn({2, 12, 4, 3}));
  assert_true(out.class_logits.sizes() == torch::IntArrayRef({2, 5, 4}));
  assert_true(out.mask_logits.sizes() == torch::IntArrayRef({2, 5, 16, 12}));
  assert_true(out.mask_embed.sizes() == torch::IntArrayRef({2, 5, 32}));
  assert_true(out.pixel_embed.sizes() == torch::IntArrayRef({2, 32, 16, 12}));
  assert_true(torch::isfinite(out.mask_logits).all().item<bool>());
  // mask_logits is the per-pixel dot product of the two embeddings.
  torch::Tensor expect = torch::einsum("bnc,bchw->bnhw", {out.mask_embed, out.pixel_embed});
  assert_true(all_close(out.mask_logits, expect, 1e-4));
  torch::Tensor s = mask_semantic_scores(out.class_logits, out.mask_logits);
  assert_true(s.sizes() == torch::IntArrayRef({2, 3, 16, 12}));
}

static void forward_accepts_one_pixel_maps_and_channels_last(void**) {
  torch::manual_seed(1);
  MaskHead head(small_options());
  head->eval();
  torch::Tensor pf = torch::randn({2, 8, 16, 12}), mem = torch::randn({2, 12, 4, 3});
  MaskHeadOutput plain = head->forward(pf, mem);
  MaskHeadOutput cl = head->forward(pf.contiguous(at::MemoryFormat::ChannelsLast),
                                    mem.contiguous(at::MemoryFormat::ChannelsLast));
  assert_true(all_close(plain.class_logits, cl.class_logits, 1e-5));
  assert_true(all_close(plain.mask_logits, cl.mask_logits, 1e-4));
  MaskHeadOutput tiny = head->forward(torch::randn({1, 8, 1, 1}), torch::randn({1, 12, 1, 1}));
  assert_true(tiny.mask_logits.sizes() == torch::IntArrayRef({1, 5, 1, 1}));
  assert_true(torch::isfinite(tiny.class_logits).all().item<bool>());
}

static void forward_is_deterministic_in_eval_with_dropout(void**) {
  torch::manual_seed(2);
  MaskHeadOptions o = small_options();
  o.dropout = 0.5;
  MaskHead head(o);
  torch::Tensor pf = torch::randn({1, 8, 6, 6}), mem = torch::randn({1, 12, 3, 3});
  head->eval();
  assert_true(all_close(head->forward(pf, mem).mask_logits, head->forward(pf, mem).mask_logits, 0.0));
  head->train();
  assert_true(!all_close(head->forward(pf, mem).class_logits, head->forward(pf, mem).class_logits, 1e-6));
}

static void bf16_parameters_give_finite_bf16_outputs(void**) {
  torch::manual_seed(3);
  MaskHead head(small_options());
  head->to(torch::kBFloat16);
  MaskHeadOutput out =
      head->forward(torch::randn({2, 8, 5, 7}, torch::kBFloat16), torch::randn({2, 12, 2, 3}, torch::kBFloat16));
  assert_true(out.mask_logits.scalar_type() == torch::kBFloat16);
  assert_true(torch::isfinite(out.mask_logits.to(torch::kFloat)).all().item<bool>());
  torch::Tensor logits = mask_semantic_logits(out.class_logits, out.mask_logits);
  assert_true(logits.scalar_type() == torch::kFloat);
  assert_true(torch::isfinite(logits).all().item<bool>());
}

static void parameter_names_are_readable(void**) {
  MaskHead head(small_options());
  std::set<std::string> names;
  for (const auto& p : head->named_parameters()) names.insert(p.key());
  for (const char* want : {"query_feat", "query_pos", "input_proj.weight", "layers.0.cross_attn.q_proj.weight",
                           "layers.1.self_attn.out_proj.bias", "layers.1.ffn_in.weight", "layers.0.ffn_norm.weight",
                           "decoder_norm.bias", "class_head.weight", "mask_mlp.2.weight", "pixel_proj.weight"})
    assert_true(names.count(want) == 1);
}

static void gradients_reach_all_parameters(void**) {
  torch::manual_seed(4);
  MaskHead head(small_options());
  MaskHeadOutput out = head->forward(torch::randn({2, 8, 6, 5}), torch::randn({2, 12, 3, 2}));
  // Random weights: a plain sum would be blind to parameters that only shift the outputs'
  // mean (LayerNorm cancels that).
  torch::Tensor loss = (out.class_logits * torch::randn_like(out.class_logits)).sum() +
                       (out.mask_logits * torch::randn_like(out.mask_logits)).sum();
  loss.backward();
  for (const auto& p : head->named_parameters()) {
    bool ok = p.value().grad().defined() && p.value().grad().abs().sum().item<double>() > 0;
    if (!ok) std::cerr << "no gradient: " << p.key() << "\n";
    assert_true(ok);
  }
}

static void sine_encoding_matches_the_formula(void**) {
  // h = 2, w = 3, hidden = 8: channels 0-3 encode y, 4-7 encode x; positions (i + 0.5)/n · 2π;
  // channel pair (2j, 2j+1) uses frequency 10000^(-2j/4).
  torch::Tensor pe = sine_position_encoding(2, 3, 8, torch::kCPU);
  assert_true(pe.sizes() == torch::IntArrayRef({6, 8}));
  const double pi = 3.14159265358979323846;
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x) {
      const double py = (y + 0.5) / 2 * 2 * pi, px = (x + 0.5) / 3 * 2 * pi;
      auto row = pe[y * 3 + x];
      ASSERT_NEAR(row[0].item<double>(), std::sin(py), 1e-5);
      ASSERT_NEAR(row[1].item<double>(), std::cos(py), 1e-5);
      ASSERT_NEAR(row[2].item<double>(), std::sin(py / 100.0), 1e-5);
      ASSERT_NEAR(row[3].item<double>(), std::cos(py / 100.0), 1e-5);
      ASSERT_NEAR(row[4].item<double>(), std::sin(px), 1e-5);
      ASSERT_NEAR(row[7].item<double>(), std::cos(px / 100.0), 1e-5);
    }
  // Odd hidden: y gets hidden/2 channels, x the rest.
  assert_true(sine_position_encoding(3, 1, 5, torch::kCPU).sizes() == torch::IntArrayRef({3, 5}));
}

// ---- semantic inference -------------------------------------------------------------------------

// Two queries, K = 2 (entries: class 0, class 1, no-object), two pixels.
// q0 class logits (ln 3, 0, 0) → p = (3/5, 1/5, 1/5); q1 (0, ln 2, 0) → (1/4, 1/2, 1/4).
// Pixel 0: mask logits q0 = 0 (σ = 1/2), q1 = ln 3 (σ = 3/4); pixel 1: q0 = −ln 3 (σ = 1/4), q1 = 0 (σ = 1/2).
static torch::Tensor two_query_class_logits() {
  return torch::tensor({std::log(3.0), 0.0, 0.0, 0.0, std::log(2.0), 0.0}, torch::kFloat).view({1, 2, 3});
}
static torch::Tensor two_query_mask_logits() {
  return torch::tensor({0.0, -std::log(3.0), std::log(3.0), 0.0}, torch::kFloat).view({1, 2, 1, 2});
}

static void semantic_scores_are_class_weighted_mask_sums(void**) {
  torch::Tensor s = mask_semantic_scores(two_query_class_logits(), two_query_mask_logits());
  assert_true(s.sizes() == torch::IntArrayRef({1, 2, 1, 2}) && s.scalar_type() == torch::kFloat);
  ASSERT_NEAR(s[0][0][0][0].item<double>(), 0.6 * 0.5 + 0.25 * 0.75, 1e-6);
  ASSERT_NEAR(s[0][1][0][0].item<double>(), 0.2 * 0.5 + 0.5 * 0.75, 1e-6);
  ASSERT_NEAR(s[0][0][0][1].item<double>(), 0.6 * 0.25 + 0.25 * 0.5, 1e-6);
  ASSERT_NEAR(s[0][1][0][1].item<double>(), 0.2 * 0.25 + 0.5 * 0.5, 1e-6);

  // Confident queries: q0 is class 1 on pixel 0 only, q1 class 0 on pixel 1 only → S is one-hot.
  torch::Tensor cls = torch::tensor({-50.0, 50.0, -50.0, 50.0, -50.0, -50.0}, torch::kFloat).view({1, 2, 3});
  torch::Tensor msk = torch::tensor({50.0, -50.0, -50.0, 50.0}, torch::kFloat).view({1, 2, 1, 2});
  torch::Tensor hard = mask_semantic_scores(cls, msk);
  torch::Tensor want = torch::tensor({0.0, 1.0, 1.0, 0.0}, torch::kFloat).view({1, 2, 1, 2});
  assert_true(all_close(hard, want, 1e-6));
}

static void semantic_scores_drop_no_object_mass(void**) {
  torch::Tensor cls = two_query_class_logits(), msk = two_query_mask_logits();
  torch::Tensor s = mask_semantic_scores(cls, msk);
  // Σ_k S = Σ_q (1 − p_q[no-object]) σ_q: pixel 0 = 4/5·1/2 + 3/4·3/4.
  ASSERT_NEAR(s.sum(1)[0][0][0].item<double>(), 0.8 * 0.5 + 0.75 * 0.75, 1e-6);
  // A third query sure of "no object" adds nothing, whatever its mask.
  torch::Tensor cls3 = torch::cat({cls, torch::tensor({-40.0, -40.0, 40.0}, torch::kFloat).view({1, 1, 3})}, 1);
  torch::Tensor msk3 = torch::cat({msk, torch::full({1, 1, 1, 2}, 30.0)}, 1);
  assert_true(all_close(mask_semantic_scores(cls3, msk3), s, 1e-7));
}

static void semantic_logits_preserve_argmax_and_normalised_scores(void**) {
  torch::manual_seed(5);
  torch::Tensor cls = torch::randn({2, 6, 5}) * 3, msk = torch::randn({2, 6, 7, 9}) * 4;
  torch::Tensor s = mask_semantic_scores(cls, msk);
  torch::Tensor l = mask_semantic_logits(cls, msk);
  assert_true(l.sizes() == s.sizes() && l.scalar_type() == torch::kFloat);
  assert_true(torch::equal(l.argmax(1), s.argmax(1)));
  assert_true(all_close(torch::softmax(l, 1), s / s.sum(1, true), 1e-6));
  assert_true((l <= 1e-6).all().item<bool>());
  // Everything "no object": S underflows towards 0, the logits stay finite.
  torch::Tensor none = torch::tensor({-100.0, -100.0, 100.0}, torch::kFloat).view({1, 1, 3}).expand({1, 4, 3});
  torch::Tensor l0 = mask_semantic_logits(none, torch::full({1, 4, 2, 2}, -100.0));
  assert_true(torch::isfinite(l0).all().item<bool>());
}

// ---- learning -----------------------------------------------------------------------------------

static void head_overfits_index_assigned_targets(void**) {
  torch::manual_seed(6);
  MaskHeadOptions o;
  o.num_classes = 3;
  o.pixel_channels = 16;
  o.memory_channels = 8;
  o.hidden = 32;
  o.queries = 4;
  o.layers = 2;
  o.heads = 4;
  o.ffn = 64;
  MaskHead head(o);
  // Four 4×4 quadrants of an 8×8 map, one-hot in channels 0-3 of F (so the targets are linearly
  // reachable from F), plus noise channels.
  torch::Tensor region = torch::zeros({8, 8}, torch::kLong);
  region.slice(0, 0, 4).slice(1, 4, 8).fill_(1);
  region.slice(0, 4, 8).slice(1, 0, 4).fill_(2);
  region.slice(0, 4, 8).slice(1, 4, 8).fill_(3);
  torch::Tensor onehot = torch::one_hot(region, 4).permute({2, 0, 1}).to(torch::kFloat);
  torch::Tensor pf = torch::cat({onehot, 0.5 * torch::randn({12, 8, 8})}, 0).unsqueeze(0);
  torch::Tensor mem = torch::randn({1, 8, 2, 2});
  // Query q → target q: q0 class 0 on region 0, q1 class 1 on regions 1 ∪ 2, q2 class 2 on region 3,
  // q3 "no object" (class index K = 3) with no mask target.
  torch::Tensor classes = torch::tensor({0, 1, 2, 3}, torch::kLong);
  torch::Tensor masks = torch::stack({region == 0, (region == 1) | (region == 2), region == 3}).to(torch::kFloat);
  auto loss_of = [&](const MaskHeadOutput& out) {
    return torch::cross_entropy_loss(out.class_logits[0], classes) +
           torch::binary_cross_entropy_with_logits(out.mask_logits[0].slice(0, 0, 3), masks);
  };
  torch::optim::Adam opt(head->parameters(), torch::optim::AdamOptions(1e-2));
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    torch::Tensor loss = loss_of(head->forward(pf, mem));
    if (step == 0) first = loss.item<double>();
    loss.backward();
    opt.step();
  }
  {
    torch::NoGradGuard ng;
    MaskHeadOutput out = head->forward(pf, mem);
    last = loss_of(out).item<double>();
    // The semantic map recovers the intended labels: region 0 → 0, regions 1 and 2 → 1, region 3 → 2.
    torch::Tensor pred = mask_semantic_logits(out.class_logits, out.mask_logits).argmax(1)[0];
    torch::Tensor want = torch::tensor({0, 1, 1, 2}, torch::kLong).index_select(0, region.view(-1)).view({8, 8});
    assert_true(torch::equal(pred, want));
  }
  if (!(last < first / 100)) std::cerr << "overfit loss " << first << " -> " << last << "\n";
  assert_true(last < first / 100);
}

// ---- validation ---------------------------------------------------------------------------------

static void invalid_options_throw(void**) {
  MaskHeadOptions o = small_options();
  o.heads = 5;  // 32 % 5 != 0
  ASSERT_THROWS_STATUS(MaskHead{o}, Status::InvalidArgument);
  o = small_options();
  o.layers = 0;
  ASSERT_THROWS_STATUS(MaskHead{o}, Status::InvalidArgument);
  o = small_options();
  o.num_classes = 0;
  ASSERT_THROWS_STATUS(MaskHead{o}, Status::InvalidArgument);
  o = small_options();
  o.queries = 0;
  ASSERT_THROWS_STATUS(MaskHead{o}, Status::InvalidArgument);
  o = small_options();
  o.dropout = 1.0;
  ASSERT_THROWS_STATUS(MaskHead{o}, Status::InvalidArgument);
}

static void invalid_inputs_throw(void**) {
  MaskHead head(small_options());
  torch::Tensor pf = torch::randn({2, 8, 6, 6}), mem = torch::randn({2, 12, 3, 3});
  ASSERT_THROWS_STATUS(head->forward(torch::randn({8, 6, 6}), mem), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(head->forward(pf, torch::randn({2, 12, 9})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(head->forward(torch::randn({2, 7, 6, 6}), mem), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(head->forward(pf, torch::randn({2, 11, 3, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(head->forward(pf, torch::randn({1, 12, 3, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(head->forward(torch::randn({2, 8, 0, 6}), mem), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(head->forward(pf.to(torch::kLong), mem), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(head->forward(torch::Tensor(), mem), Status::InvalidArgument);

  torch::Tensor cls = torch::randn({2, 5, 4}), msk = torch::randn({2, 5, 3, 3});
  ASSERT_THROWS_STATUS(mask_semantic_scores(cls.view({10, 4}), msk), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_semantic_scores(cls, msk.view({2, 5, 9})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_semantic_scores(cls, torch::randn({2, 4, 3, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_semantic_scores(cls, torch::randn({1, 5, 3, 3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_semantic_scores(torch::randn({2, 5, 1}), msk), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(mask_semantic_logits(cls.to(torch::kLong), msk), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(sine_position_encoding(0, 3, 8, torch::kCPU), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(forward_shapes_match_the_contract),
      cmocka_unit_test(forward_accepts_one_pixel_maps_and_channels_last),
      cmocka_unit_test(forward_is_deterministic_in_eval_with_dropout),
      cmocka_unit_test(bf16_parameters_give_finite_bf16_outputs),
      cmocka_unit_test(parameter_names_are_readable),
      cmocka_unit_test(gradients_reach_all_parameters),
      cmocka_unit_test(sine_encoding_matches_the_formula),
      cmocka_unit_test(semantic_scores_are_class_weighted_mask_sums),
      cmocka_unit_test(semantic_scores_drop_no_object_mass),
      cmocka_unit_test(semantic_logits_preserve_argmax_and_normalised_scores),
      cmocka_unit_test(head_overfits_index_assigned_targets),
      cmocka_unit_test(invalid_options_throw),
      cmocka_unit_test(invalid_inputs_throw),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
