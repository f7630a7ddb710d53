// Mean-teacher EMA: warm-up decay values, exact update arithmetic and the BatchNorm buffer policy,
// on a ResNet-18 of width 4 (a few thousand parameters, builds in milliseconds).
#include "core/error.h"
#include "models/segmentation_net.h"
#include "optim/ema_teacher.h"
#include "core/skippable_update.h"  // snapshot
#include "unit_test.h"

using namespace s4seg;

static SegmentationNet tiny_net(int64_t classes = 2) {
  SegNetOptions o;
  o.backbone.depth = "resnet18";
  o.backbone.width = 4;
  o.decoder.num_classes = classes;
  o.decoder.aspp_channels = 4;
  o.decoder.low_level_channels = 2;
  o.decoder.head_convs = 1;
  o.decoder.dropout = 0.0;
  return SegmentationNet(o);
}

// Adds `delta` to every parameter, as an optimizer step would.
static void shift_parameters(SegmentationNet& net, double delta) {
  torch::NoGradGuard ng;
  for (auto& p : net->parameters()) p.add_(delta);
}

static void fill_float_buffers(SegmentationNet& net, double value) {
  torch::NoGradGuard ng;
  for (auto& b : net->buffers())
    if (b.is_floating_point()) b.fill_(value);
}

static bool all_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

static void decay_warms_up_then_caps(void**) {
  ASSERT_NEAR(ema_decay(0, 0.99), 0.0, 1e-15);
  ASSERT_NEAR(ema_decay(1, 0.99), 0.5, 1e-15);
  ASSERT_NEAR(ema_decay(2, 0.99), 2.0 / 3.0, 1e-15);
  ASSERT_NEAR(ema_decay(98, 0.99), 98.0 / 99.0, 1e-15);  // still below the cap
  ASSERT_NEAR(ema_decay(99, 0.99), 0.99, 1e-15);         // 1 - 1/100 = cap
  ASSERT_NEAR(ema_decay(100000, 0.99), 0.99, 1e-15);
  ASSERT_NEAR(ema_decay(5, 0.0), 0.0, 1e-15);  // momentum 0: teacher = student
}

static void decay_rejects_bad_arguments(void**) {
  ASSERT_THROWS_STATUS(ema_decay(-1, 0.99), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(ema_decay(0, 1.5), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(ema_decay(0, -0.1), Status::InvalidArgument);
}

static void reset_copies_parameters_and_buffers(void**) {
  torch::manual_seed(1);
  SegmentationNet student = tiny_net(), teacher = tiny_net();
  fill_float_buffers(student, 0.25);
  assert_false(all_equal(teacher->parameters(), student->parameters()));  // independent inits
  EmaTeacher ema(EmaOptions{0.99, BnPolicy::Own});
  ema.set_updates(7);
  ema.reset(teacher, student);
  assert_true(all_equal(teacher->parameters(), student->parameters()));
  assert_true(all_equal(teacher->buffers(), student->buffers()));  // even under Own
  assert_int_equal(ema.updates(), 0);
}

static void update_follows_ema_formula(void**) {
  torch::manual_seed(2);
  SegmentationNet student = tiny_net(), teacher = tiny_net();
  EmaTeacher ema(EmaOptions{0.99, BnPolicy::Copy});
  ema.reset(teacher, student);

  // t = 0: d = 0, the teacher becomes the (shifted) student.
  shift_parameters(student, 1.0);
  ema.update(teacher, student);
  assert_int_equal(ema.updates(), 1);
  assert_true(all_equal(teacher->parameters(), student->parameters()));

  // t = 1: d = 0.5 → θ_T = 0.5·θ_T + 0.5·θ_S; t = 2: d = 2/3.
  for (double d : {0.5, 2.0 / 3.0}) {
    std::vector<torch::Tensor> old = snapshot(teacher->parameters());
    shift_parameters(student, 0.5);
    std::vector<torch::Tensor> s = student->parameters();
    ema.update(teacher, student);
    std::vector<torch::Tensor> t = teacher->parameters();
    for (size_t i = 0; i < t.size(); ++i) {
      torch::Tensor expected = old[i] * d + s[i].detach() * (1.0 - d);
      assert_true(torch::allclose(t[i], expected, /*rtol=*/0.0, /*atol=*/1e-6));
    }
  }
  assert_int_equal(ema.updates(), 3);
  for (const auto& p : teacher->parameters()) assert_false(p.grad().defined());  // no autograd history
}

static void update_respects_momentum_cap(void**) {
  torch::manual_seed(3);
  SegmentationNet student = tiny_net(), teacher = tiny_net();
  EmaTeacher ema(EmaOptions{0.9, BnPolicy::Own});
  ema.reset(teacher, student);
  ema.set_updates(1000);  // warm-up long over: d = 0.9
  std::vector<torch::Tensor> old = snapshot(teacher->parameters());
  shift_parameters(student, 1.0);  // θ_S = θ_T + 1 → θ_T' = θ_T + 0.1
  ema.update(teacher, student);
  std::vector<torch::Tensor> t = teacher->parameters();
  for (size_t i = 0; i < t.size(); ++i) assert_true(torch::allclose(t[i], old[i] + 0.1, 0.0, 1e-5));
}

static void copy_policy_copies_student_buffers(void**) {
  torch::manual_seed(4);
  SegmentationNet student = tiny_net(), teacher = tiny_net();
  EmaTeacher ema(EmaOptions{0.99, BnPolicy::Copy});
  ema.reset(teacher, student);
  ema.set_updates(50);  // d ≈ 0.98: a buffer EMA would be visibly different from a copy
  fill_float_buffers(student, 3.0);
  for (auto& b : student->named_buffers())
    if (!b.value().is_floating_point()) b.value().fill_(17);  // num_batches_tracked
  ema.update(teacher, student);
  assert_true(all_equal(teacher->buffers(), student->buffers()));
}

// apply = false (decided on the device) leaves the teacher's parameters and buffers as they were,
// for an update and for a reset; apply = true is the plain update, bit for bit.
static void skipped_update_leaves_the_teacher(void**) {
  torch::manual_seed(6);
  SegmentationNet student = tiny_net(), teacher = tiny_net(), twin = tiny_net();
  EmaTeacher guarded(EmaOptions{0.99, BnPolicy::Copy}), plain(EmaOptions{0.99, BnPolicy::Copy});
  guarded.reset(teacher, student);
  plain.reset(twin, student);
  const torch::Tensor skip = torch::zeros({}, torch::kBool), go = torch::ones({}, torch::kBool);
  for (int k = 0; k < 3; ++k) {
    shift_parameters(student, 0.25);
    fill_float_buffers(student, 1.0 + k);
    std::vector<torch::Tensor> params = snapshot(teacher->parameters()), buffers = snapshot(teacher->buffers());
    guarded.update(teacher, student, skip);
    assert_true(all_equal(teacher->parameters(), params));
    assert_true(all_equal(teacher->buffers(), buffers));
    guarded.reset(teacher, student, skip);
    assert_true(all_equal(teacher->parameters(), params));
    guarded.set_updates(plain.updates());  // the trainer puts the host count back
    guarded.update(teacher, student, go);
    plain.update(twin, student);
    assert_true(all_equal(teacher->parameters(), twin->parameters()));
    assert_true(all_equal(teacher->buffers(), twin->buffers()));
  }
  ASSERT_THROWS_STATUS(guarded.update(teacher, student, torch::ones({})), Status::InvalidArgument);
}

static void own_policy_leaves_teacher_buffers(void**) {
  torch::manual_seed(5);
  SegmentationNet student = tiny_net(), teacher = tiny_net();
  EmaTeacher ema(EmaOptions{0.99, BnPolicy::Own});
  ema.reset(teacher, student);
  fill_float_buffers(teacher, -2.0);  // as a train-mode teacher pass would refresh them
  std::vector<torch::Tensor> before = snapshot(teacher->buffers());
  fill_float_buffers(student, 3.0);
  ema.update(teacher, student);
  assert_true(all_equal(teacher->buffers(), before));
}

static void mismatched_architectures_are_rejected(void**) {
  SegmentationNet student = tiny_net(2), teacher = tiny_net(3);  // classifier shapes differ
  EmaTeacher ema(EmaOptions{});
  ASSERT_THROWS_STATUS(ema.reset(teacher, student), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(ema.update(teacher, student), Status::InvalidArgument);
  EmaTeacher bad(EmaOptions{1.5, BnPolicy::Copy});
  SegmentationNet same = tiny_net(2);
  ASSERT_THROWS_STATUS(bad.reset(same, student), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decay_warms_up_then_caps),
      cmocka_unit_test(decay_rejects_bad_arguments),
      cmocka_unit_test(reset_copies_parameters_and_buffers),
      cmocka_unit_test(update_follows_ema_formula),
      cmocka_unit_test(update_respects_momentum_cap),
      cmocka_unit_test(copy_policy_copies_student_buffers),
      cmocka_unit_test(own_policy_leaves_teacher_buffers), cmocka_unit_test(skipped_update_leaves_the_teacher),
      cmocka_unit_test(mismatched_architectures_are_rejected),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
