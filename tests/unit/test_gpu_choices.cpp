// The decisions that CUDA-only code takes, made and checked on the CPU so that every LibTorch line
// tests them without a GPU: when an input shape's inference is captured as a CUDA graph, how
// gradients are bucketed for the collectives (NCCL's included), which devices get bf16 autocast and
// channels_last, and which data-parallel backend a device gets.
#include "core/config.h"
#include "core/device.h"
#include "core/error.h"
#include "dist/communicator.h"
#include "dist/tensor_packs.h"
#include "infer/graph_schedule.h"
#include "models/model.h"
#include "unit_test.h"  // last: cmocka.h defines a fail() macro

using namespace s4seg;

static GraphKey key_of(int64_t batch, int variant = 0) {
  GraphKey k;
  k.sizes = {batch, 3, 64, 64};
  k.strides = {3 * 64 * 64, 64 * 64, 64, 1};
  k.variant = variant;
  return k;
}

static void a_shape_runs_eagerly_then_captures_then_replays(void**) {
  GraphSchedule s(4, 32);
  GraphSchedule::Plan first = s.next(key_of(1));
  assert_int_equal(static_cast<int>(first.action), static_cast<int>(GraphAction::RunEagerly));
  GraphSchedule::Plan second = s.next(key_of(1));
  assert_int_equal(static_cast<int>(second.action), static_cast<int>(GraphAction::Capture));
  assert_true(second.release.empty());
  assert_true(second.id == first.id);
  s.captured(second.id, "");
  GraphSchedule::Plan third = s.next(key_of(1));
  assert_int_equal(static_cast<int>(third.action), static_cast<int>(GraphAction::Replay));
  assert_true(third.id == first.id);
  // Another variant (autocast on, say) or layout is another graph.
  assert_int_equal(static_cast<int>(s.next(key_of(1, 1)).action), static_cast<int>(GraphAction::RunEagerly));
  GraphKey channels_last = key_of(1);
  channels_last.strides = {3 * 64 * 64, 1, 64 * 3, 3};
  assert_int_equal(static_cast<int>(s.next(channels_last).action), static_cast<int>(GraphAction::RunEagerly));
  GraphKey bf16 = key_of(1);
  bf16.dtype = c10::ScalarType::BFloat16;
  assert_int_equal(static_cast<int>(s.next(bf16).action), static_cast<int>(GraphAction::RunEagerly));
}

static void a_failed_capture_is_not_tried_again(void**) {
  GraphSchedule s(4, 32);
  s.next(key_of(2));
  GraphSchedule::Plan capture = s.next(key_of(2));
  s.captured(capture.id, "operation not permitted when stream is capturing");
  for (int i = 0; i < 3; ++i) {
    GraphSchedule::Plan p = s.next(key_of(2));
    assert_int_equal(static_cast<int>(p.action), static_cast<int>(GraphAction::Failed));
    assert_string_equal(p.failure.c_str(), "operation not permitted when stream is capturing");
  }
  assert_int_equal(s.captured_count(), 0);
}

static void the_least_recently_used_graph_makes_room(void**) {
  GraphSchedule s(2, 32);
  uint64_t ids[3];
  for (int b = 0; b < 3; ++b) {
    s.next(key_of(b + 1));
    GraphSchedule::Plan p = s.next(key_of(b + 1));
    assert_int_equal(static_cast<int>(p.action), static_cast<int>(GraphAction::Capture));
    ids[b] = p.id;
    if (b < 2) assert_true(p.release.empty());
    else {
      // Batch 1 was used least recently: its graph goes before batch 3's capture.
      assert_int_equal(p.release.size(), 1);
      assert_true(p.release[0] == ids[0]);
    }
    s.captured(p.id, "");
  }
  assert_int_equal(s.captured_count(), 2);
  // Batch 1 is still known: seen again it is captured again (not run eagerly), releasing batch 2.
  GraphSchedule::Plan again = s.next(key_of(1));
  assert_int_equal(static_cast<int>(again.action), static_cast<int>(GraphAction::Capture));
  assert_int_equal(again.release.size(), 1);
  assert_true(again.release[0] == ids[1]);
}

static void keys_beyond_the_tracked_limit_are_forgotten_with_their_graphs(void**) {
  GraphSchedule s(4, 3);
  s.next(key_of(1));
  GraphSchedule::Plan captured = s.next(key_of(1));
  s.captured(captured.id, "");
  s.next(key_of(2));
  s.next(key_of(3));
  GraphSchedule::Plan fourth = s.next(key_of(4));  // batch 1 is the oldest of four keys
  assert_int_equal(static_cast<int>(fourth.action), static_cast<int>(GraphAction::RunEagerly));
  assert_int_equal(fourth.release.size(), 1);
  assert_true(fourth.release[0] == captured.id);
  assert_int_equal(s.tracked(), 3);
  assert_int_equal(static_cast<int>(s.next(key_of(1)).action), static_cast<int>(GraphAction::RunEagerly));
}

static void buckets_split_by_dtype_device_and_size(void**) {
  // 100 + 100 floats fill a 800-byte bucket; the third float tensor starts another; the int64 and
  // the meta-device tensor (standing in for a second device) travel apart from the floats.
  std::vector<torch::Tensor> t = {torch::zeros({100}), torch::zeros({10, 10}), torch::zeros({50}),
                                  torch::zeros({4}, torch::kLong), torch::empty({8}, torch::device(torch::kMeta)),
                                  torch::zeros({300})};
  std::vector<TensorPack> packs = make_packs(t, 800);
  assert_int_equal(packs.size(), 5);
  assert_int_equal(packs[0].members.size(), 2);
  assert_int_equal(packs[0].numel, 200);
  assert_int_equal(packs[0].offsets[1], 100);
  assert_int_equal(packs[1].sources[0], 2);
  assert_int_equal(packs[2].sources[0], 3);  // int64
  assert_int_equal(packs[3].sources[0], 4);  // meta device
  // 50 + 300 floats pass 800 bytes: the 300 (larger than a bucket on its own) gets a bucket of its own.
  assert_int_equal(packs[4].sources[0], 5);
  assert_int_equal(packs[4].numel, 300);
  // No limit: one bucket per (dtype, device).
  assert_int_equal(make_packs(t, 0).size(), 3);
}

static void cuda_gets_bf16_autocast_and_channels_last_by_default(void**) {
  const c10::Device cuda(c10::kCUDA, 0), cpu(c10::kCPU);
  Config c;
  assert_string_equal(c.get_string("train.amp").c_str(), "auto");
  assert_true(wants_bf16_autocast(c, cuda));
  assert_false(wants_bf16_autocast(c, cpu));
  c.set_string("train.amp", "bf16");
  assert_true(wants_bf16_autocast(c, cpu));
  c.set_string("train.amp", "off");
  assert_false(wants_bf16_autocast(c, cuda));
  Config d;
  assert_true(wants_channels_last(d, cuda));
  assert_false(wants_channels_last(d, cpu));
}

static void cuda_gets_nccl_and_the_cpu_gloo(void**) {
  const c10::Device cuda(c10::kCUDA, 0), cpu(c10::kCPU);
  if (backend_compiled_in("nccl"))
    assert_string_equal(choose_backend("auto", cuda).c_str(), "nccl");
  else
    ASSERT_THROWS_STATUS(choose_backend("auto", cuda), Status::Unsupported);
  if (backend_compiled_in("gloo")) {
    assert_string_equal(choose_backend("auto", cpu).c_str(), "gloo");
    assert_string_equal(choose_backend("gloo", cuda).c_str(), "gloo");
  } else {
    ASSERT_THROWS_STATUS(choose_backend("auto", cpu), Status::Unsupported);
  }
  ASSERT_THROWS_STATUS(choose_backend("nccl", cpu), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(choose_backend("mpi", cpu), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_shape_runs_eagerly_then_captures_then_replays),
      cmocka_unit_test(a_failed_capture_is_not_tried_again),
      cmocka_unit_test(the_least_recently_used_graph_makes_room),
      cmocka_unit_test(keys_beyond_the_tracked_limit_are_forgotten_with_their_graphs),
      cmocka_unit_test(buckets_split_by_dtype_device_and_size),
      cmocka_unit_test(cuda_gets_bf16_autocast_and_channels_last_by_default),
      cmocka_unit_test(cuda_gets_nccl_and_the_cpu_gloo),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
