// PrototypeBank scoring, EMA arithmetic, initialisation and persistence on hand-made vectors.
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "models/prototype_bank.h"
#include "models/tensor_codec.h"
#include "unit_test.h"

using namespace s4seg;

namespace {

torch::Tensor floats(std::vector<float> v, std::vector<int64_t> shape) {
  return torch::tensor(v, torch::kFloat).view(shape);
}
torch::Tensor longs(std::vector<int64_t> v, std::vector<int64_t> shape) {
  return torch::tensor(v, torch::kLong).view(shape);
}
bool close(const torch::Tensor& a, const torch::Tensor& b, double tol = 1e-5) {
  return a.sizes() == b.sizes() && (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>() <= tol;
}

PrototypeBankOptions opts(int64_t classes, int64_t per_class, int64_t dim, double temperature = 0.1,
                          double momentum = 0.99) {
  PrototypeBankOptions o;
  o.classes = classes;
  o.per_class = per_class;
  o.dim = dim;
  o.temperature = temperature;
  o.momentum = momentum;
  return o;
}

// Puts known prototypes into a bank through load (the only public way in).
void set_bank(PrototypeBank& bank, const torch::Tensor& protos, const torch::Tensor& ready) {
  Records r;
  r["b.prototypes"] = encode_tensor(protos);
  r["b.initialized"] = encode_tensor(ready);
  bank.load(r, "b.", "test");
}

// C = 2, M = 2, D = 2. Class 0: (1,0) and (0,5); class 1: (-1,0) and (1,1).
PrototypeBank two_by_two(double momentum = 0.99) {
  PrototypeBank bank(opts(2, 2, 2, 0.1, momentum), torch::kCPU);
  set_bank(bank, floats({1, 0, 0, 5, -1, 0, 1, 1}, {2, 2, 2}), torch::tensor({true, true}));
  return bank;
}

// Two ranks as two threads of this process: sum() returns rank 0's tensors + rank 1's on both.
class ThreadPairSum {
 public:
  RankGroup group(int rank) {
    return {[this, rank](std::vector<torch::Tensor>& ts) { sum(rank, ts); }, rank, 2};
  }

 private:
  void sum(int rank, std::vector<torch::Tensor>& ts) {
    std::unique_lock<std::mutex> lock(mutex_);
    posted_[rank] = ts;
    wait_for_both(lock);
    std::vector<torch::Tensor> total;
    for (size_t i = 0; i < ts.size(); ++i) total.push_back(posted_[0][i] + posted_[1][i]);
    wait_for_both(lock);  // both have read before either writes
    for (size_t i = 0; i < ts.size(); ++i) ts[i].copy_(total[i]);
  }
  void wait_for_both(std::unique_lock<std::mutex>& lock) {
    const int generation = generation_;
    if (++arrived_ == 2) {
      arrived_ = 0;
      ++generation_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return generation_ != generation; });
    }
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0, generation_ = 0;
  std::vector<torch::Tensor> posted_[2];
};

}  // namespace

// x = (0,2): class 0 best is (0,5), cos 1 → 10; class 1 best is (1,1), cos 1/√2 → 7.071.
// x = (3,0): class 0 best is (1,0), cos 1 → 10; class 1 best is (1,1) (not (-1,0)) → 7.071.
static void score_takes_max_over_micro_prototypes(void**) {
  PrototypeBank bank = two_by_two();
  torch::Tensor x = floats({0, 2, 3, 0}, {2, 2}).requires_grad_(true);
  PrototypeScores s = bank.score(x);
  const float r = static_cast<float>(std::sqrt(0.5) / 0.1);
  assert_true(close(s.logits, floats({10.0f, r, 10.0f, r}, {2, 2})));
  assert_true(s.match.equal(longs({1, 1, 0, 1}, {2, 2})));
  // Gradient flows into the features, never into the bank.
  assert_true(s.logits.requires_grad());
  s.logits.sum().backward();
  assert_true(x.grad().defined());
  assert_true(!bank.prototypes().requires_grad());

  // Temperature scales exactly: T = 0.5 gives the cosines doubled.
  PrototypeBank warm(opts(2, 2, 2, 0.5), torch::kCPU);
  set_bank(warm, bank.prototypes(), bank.initialized());
  PrototypeScores w = warm.score(x.detach());
  assert_true(close(w.logits * 0.5, s.logits.detach() * 0.1));

  // The dense version agrees pixel for pixel: (1, D, 1, 2) → (1, C, 1, 2).
  torch::Tensor map = x.detach().t().reshape({1, 2, 1, 2});
  torch::Tensor dense = bank.score_map(map);
  assert_true(dense.sizes() == torch::IntArrayRef({1, 2, 1, 2}));
  assert_true(close(dense.reshape({2, 2}).t(), s.logits.detach()));
}

// momentum 0.5. Pixels: (2,0) and (4,0) → class 0 micro 0; (0,3) → class 0 micro 1 but masked
// out; (3,1) → class 1 micro 1 (cos 0.894 with (1,1) against -0.95 with (-1,0)); one padding pixel.
static void ema_update_arithmetic(void**) {
  PrototypeBank bank = two_by_two(0.5);
  torch::Tensor x = floats({2, 0, 4, 0, 0, 3, 3, 1, 9, 9}, {5, 2});
  torch::Tensor y = longs({0, 0, 0, 1, 255}, {5});
  torch::Tensor match = bank.score(x).match;
  assert_true(match.select(1, 0).slice(0, 0, 3).equal(longs({0, 0, 1}, {3})));
  assert_int_equal(match[3][1].item<int64_t>(), 1);
  torch::Tensor mask = torch::tensor({true, true, false, true, true});
  bank.ema_update(x, y, match, mask);
  // c0m0 = 0.5·(1,0) + 0.5·(3,0) = (2,0); c0m1 unchanged; c1m0 unchanged; c1m1 = 0.5·(1,1) + 0.5·(3,1) = (2,1).
  assert_true(close(bank.prototypes(), floats({2, 0, 0, 5, -1, 0, 2, 1}, {2, 2, 2}), 1e-6));

  // Without a mask the (0,3) pixel moves c0m1: 0.5·(0,5) + 0.5·(0,3) = (0,4).
  PrototypeBank all = two_by_two(0.5);
  all.ema_update(x.slice(0, 2, 3), y.slice(0, 2, 3), all.score(x.slice(0, 2, 3)).match);
  assert_true(close(all.prototypes(), floats({1, 0, 0, 4, -1, 0, 1, 1}, {2, 2, 2}), 1e-6));
}

// With `apply` false (a queued iteration after a non-finite loss) the bank does not move, first
// sightings included; with it true the update is the unguarded one.
static void ema_update_skipped_leaves_the_bank(void**) {
  torch::Tensor x = floats({2, 0, 4, 0, 0, 3, 3, 1, 9, 9}, {5, 2});
  torch::Tensor y = longs({0, 0, 0, 1, 255}, {5});
  PrototypeBank guarded = two_by_two(0.5), plain = two_by_two(0.5);
  const torch::Tensor before = guarded.prototypes().clone(), ready = guarded.initialized().clone();
  guarded.ema_update(x, y, guarded.score(x).match, {}, nullptr, torch::zeros({}, torch::kBool));
  assert_true(torch::equal(guarded.prototypes(), before));
  assert_true(torch::equal(guarded.initialized(), ready));
  guarded.ema_update(x, y, guarded.score(x).match, {}, nullptr, torch::ones({1}, torch::kBool));
  plain.ema_update(x, y, plain.score(x).match);
  assert_true(torch::equal(guarded.prototypes(), plain.prototypes()));
  assert_false(torch::equal(guarded.prototypes(), before));

  PrototypeBankOptions o;
  o.classes = 3;
  o.dim = 2;
  PrototypeBank fresh(o, torch::kCPU);
  fresh.ema_update(x, longs({2, 2, 2, 2, 2}, {5}), torch::zeros({5, 3}, torch::kLong), {}, nullptr,
                   torch::zeros({}, torch::kBool));
  assert_false(fresh.initialized()[2].item<bool>());
  assert_true(torch::equal(fresh.prototypes(), torch::zeros({3, 1, 2})));
  ASSERT_THROWS_STATUS(fresh.ema_update(x, y, torch::zeros({5, 3}, torch::kLong), {}, nullptr, torch::ones({})),
                       Status::InvalidArgument);
}

// Data parallel: each rank updates with its own pixels, summed over the ranks. Both banks end
// equal to one bank updated with all the pixels, including a class only rank 1 saw (first
// sighting) and a micro-prototype only rank 0's pixels match.
static void ema_update_over_ranks_equals_one_bank_with_all_pixels(void**) {
  torch::Tensor x0 = floats({2, 0, 4, 0, 0, 3}, {3, 2}), y0 = longs({0, 0, 0}, {3});
  torch::Tensor x1 = floats({6, 0, 3, 1, 5, 5}, {3, 2}), y1 = longs({0, 1, 2}, {3});
  auto three_classes = [] {
    PrototypeBank bank(opts(3, 2, 2, 0.1, 0.5), torch::kCPU);
    set_bank(bank, floats({1, 0, 0, 5, -1, 0, 1, 1, 0, 0, 0, 0}, {3, 2, 2}), torch::tensor({true, true, false}));
    return bank;
  };
  PrototypeBank whole = three_classes();
  torch::Tensor x = torch::cat({x0, x1}), y = torch::cat({y0, y1});
  whole.ema_update(x, y, whole.score(x).match);

  PrototypeBank rank0 = three_classes(), rank1 = three_classes();
  ThreadPairSum pair;
  RankGroup g0 = pair.group(0), g1 = pair.group(1);
  std::thread other([&] { rank1.ema_update(x1, y1, rank1.score(x1).match, {}, &g1); });
  rank0.ema_update(x0, y0, rank0.score(x0).match, {}, &g0);
  other.join();
  // c0m0 = 0.5·(1,0) + 0.5·mean((2,0),(4,0),(6,0)) = (2.5,0); c0m1 = 0.5·(0,5) + 0.5·(0,3) = (0,4);
  // c1m1 = 0.5·(1,1) + 0.5·(3,1) = (2,1); class 2 first seen on rank 1: both micro-prototypes (5,5).
  torch::Tensor expected = floats({2.5, 0, 0, 4, -1, 0, 2, 1, 5, 5, 5, 5}, {3, 2, 2});
  assert_true(close(whole.prototypes(), expected, 1e-6));
  assert_true(close(rank0.prototypes(), expected, 1e-6));
  assert_true(rank0.prototypes().equal(rank1.prototypes()));
  assert_true(rank0.initialized().equal(torch::tensor({true, true, true})));
  assert_true(rank1.initialized().equal(rank0.initialized()));

  // Without the ranks, rank 0's bank sees only its own pixels: class 2 stays unset.
  PrototypeBank alone = three_classes();
  alone.ema_update(x0, y0, alone.score(x0).match);
  assert_false(alone.all_initialized());
}

// A bank of zeros: the first sighting of a class sets it to the class mean, later ones are EMA.
static void ema_update_first_sighting_sets_mean(void**) {
  PrototypeBank bank(opts(3, 1, 2, 0.1, 0.9), torch::kCPU);
  assert_true(!bank.all_initialized());
  torch::Tensor x = floats({1, 2, 3, 4, 5, 6}, {3, 2});
  torch::Tensor y = longs({0, 0, 2}, {3});
  bank.ema_update(x, y, bank.score(x).match);
  assert_true(close(bank.prototypes(), floats({2, 3, 0, 0, 5, 6}, {3, 1, 2}), 1e-6));
  assert_true(bank.initialized().equal(torch::tensor({true, false, true})));
  assert_true(!bank.all_initialized());

  // Second sighting of class 0: 0.9·(2,3) + 0.1·(12,13) = (3,4); class 1 first seen → its mean.
  torch::Tensor x2 = floats({12, 13, 7, 7}, {2, 2});
  torch::Tensor y2 = longs({0, 1}, {2});
  bank.ema_update(x2, y2, bank.score(x2).match);
  assert_true(close(bank.prototypes(), floats({3, 4, 7, 7, 5, 6}, {3, 1, 2}), 1e-5));
  assert_true(bank.all_initialized());
}

// M = 1: class means. M = 2: each micro-prototype is the mean of a non-empty random half.
static void init_from_batch_splits_class_pixels(void**) {
  torch::manual_seed(3);
  PrototypeBank one(opts(3, 1, 2), torch::kCPU);
  torch::Tensor x = floats({1, 0, 3, 0, 0, 2, 0, 4, 9, 9}, {5, 2});
  torch::Tensor y = longs({0, 0, 1, 1, 255}, {5});
  one.init_from_batch(x, y);
  assert_true(close(one.prototypes(), floats({2, 0, 0, 3, 0, 0}, {3, 1, 2})));
  assert_true(one.initialized().equal(torch::tensor({true, true, false})));
  // Already initialised classes are left alone; class 2 is taken on its first appearance.
  one.init_from_batch(floats({100, 100, 8, 8}, {2, 2}), longs({0, 2}, {2}));
  assert_true(close(one.prototypes(), floats({2, 0, 0, 3, 8, 8}, {3, 1, 2})));

  // Class 0: two obvious clusters of two pixels, (10,0) and (0,10), but M = 2 with 2 pixels: each
  // micro-prototype is one pixel. Class 1: a single pixel repeats into both micro-prototypes.
  PrototypeBank two(opts(2, 2, 2), torch::kCPU);
  two.init_from_batch(floats({10, 0, 0, 10, 5, 5}, {3, 2}), longs({0, 0, 1}, {3}));
  torch::Tensor p = two.prototypes();
  bool a = close(p[0], floats({10, 0, 0, 10}, {2, 2})), b = close(p[0], floats({0, 10, 10, 0}, {2, 2}));
  assert_true(a || b);
  assert_true(close(p[1], floats({5, 5, 5, 5}, {2, 2})));

  // Four pixels, M = 2: two groups of two whose means add up to the pixel mean ×2.
  PrototypeBank four(opts(2, 2, 1), torch::kCPU);
  four.init_from_batch(floats({1, 2, 4, 8}, {4, 1}), longs({1, 1, 1, 1}, {4}));
  torch::Tensor q = four.prototypes()[1].view(-1);
  ASSERT_NEAR((q[0] + q[1]).item<double>(), 7.5, 1e-6);
  std::vector<double> pair_means = {1.5, 2.5, 4.5, 3.0, 5.0, 6.0};
  bool found = false;
  for (double v : pair_means) found = found || std::fabs(q[0].item<double>() - v) < 1e-6;
  assert_true(found);
  assert_true(four.initialized().equal(torch::tensor({false, true})));
}

// Class 0 holds two clusters in direction: around (1,0) and around (0,1). Class 1 has a single
// pixel, fewer than M = 2, and stays untouched. Several seeds: the answer must not hinge on the draw.
static void init_kmeans_separates_two_clusters(void**) {
  torch::Tensor x = floats({1.0f, 0.1f, 1.0f, -0.1f, 2.0f, 0.1f, 0.1f, 1.0f, -0.1f, 1.0f, 0.1f, 2.0f, 3.0f, 3.0f},
                           {7, 2});
  torch::Tensor y = longs({0, 0, 0, 0, 0, 0, 1}, {7});
  torch::Tensor mean_a = floats({4.0f / 3, 0.1f / 3}, {2});
  torch::Tensor mean_b = floats({0.1f / 3, 4.0f / 3}, {2});
  for (int seed = 0; seed < 8; ++seed) {
    torch::manual_seed(seed);
    PrototypeBank bank(opts(2, 2, 2), torch::kCPU);
    bank.init_kmeans(x, y, 10);
    torch::Tensor p = bank.prototypes()[0];
    bool ab = close(p[0], mean_a) && close(p[1], mean_b);
    bool ba = close(p[0], mean_b) && close(p[1], mean_a);
    assert_true(ab || ba);
    assert_true(bank.initialized().equal(torch::tensor({true, false})));
    assert_true(close(bank.prototypes()[1], torch::zeros({2, 2})));
    // Scoring then sends each cluster's pixels to its own micro-prototype.
    torch::Tensor m = bank.score(x.slice(0, 0, 6)).match.select(1, 0);
    assert_true(m[0].item<int64_t>() == m[1].item<int64_t>() && m[1].item<int64_t>() == m[2].item<int64_t>());
    assert_true(m[3].item<int64_t>() == m[4].item<int64_t>() && m[4].item<int64_t>() == m[5].item<int64_t>());
    assert_true(m[0].item<int64_t>() != m[3].item<int64_t>());
  }
}

static void save_load_round_trip_and_bad_records(void**) {
  PrototypeBank bank = two_by_two();
  torch::Tensor x = floats({1, 2, 3, 4}, {2, 2});
  bank.ema_update(x, longs({0, 1}, {2}), bank.score(x).match);
  Records r;
  bank.save(r, "model.proto.");
  assert_true(r.count("model.proto.prototypes") == 1 && r.count("model.proto.initialized") == 1);

  PrototypeBank copy(opts(2, 2, 2), torch::kCPU);
  copy.load(r, "model.proto.", "test");
  assert_true(copy.prototypes().equal(bank.prototypes()));
  assert_true(copy.initialized().equal(bank.initialized()));

  PrototypeBank victim = two_by_two();
  torch::Tensor before = victim.prototypes().clone();
  torch::Tensor ready_before = victim.initialized().clone();
  auto unchanged = [&] {
    return victim.prototypes().equal(before) && victim.initialized().equal(ready_before);
  };
  Records bad = r;
  bad["model.proto.prototypes"] = encode_tensor(torch::ones({2, 1, 2}));  // M = 1 instead of 2
  ASSERT_THROWS_STATUS(victim.load(bad, "model.proto.", "test"), Status::Format);
  assert_true(unchanged());
  bad["model.proto.prototypes"] = encode_tensor(torch::ones({2, 2, 2}, torch::kDouble));  // wrong dtype
  ASSERT_THROWS_STATUS(victim.load(bad, "model.proto.", "test"), Status::Format);
  assert_true(unchanged());
  bad = r;
  bad["model.proto.initialized"] = encode_tensor(torch::ones({3}, torch::kBool));
  ASSERT_THROWS_STATUS(victim.load(bad, "model.proto.", "test"), Status::Format);
  assert_true(unchanged());
  bad = r;
  bad["model.proto.prototypes"] = "garbage";
  ASSERT_THROWS_STATUS(victim.load(bad, "model.proto.", "test"), Status::Format);
  bad.erase("model.proto.prototypes");
  ASSERT_THROWS_STATUS(victim.load(bad, "model.proto.", "test"), Status::Format);
  assert_true(unchanged());
}

static void rejects_bad_options_and_shapes(void**) {
  ASSERT_THROWS_STATUS(PrototypeBank(opts(1, 1, 2), torch::kCPU), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(PrototypeBank(opts(2, 0, 2), torch::kCPU), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(PrototypeBank(opts(2, 1, 2, 0.0), torch::kCPU), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(PrototypeBank(opts(2, 1, 2, 0.1, 1.5), torch::kCPU), Status::InvalidArgument);
  PrototypeBank bank(opts(2, 1, 2), torch::kCPU);
  ASSERT_THROWS_STATUS(bank.score(torch::zeros({3, 4})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(bank.score_map(torch::zeros({1, 3, 2, 2})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(bank.ema_update(torch::zeros({3, 2}), torch::zeros({2}, torch::kLong), torch::zeros({3, 2}, torch::kLong)),
                       Status::InvalidArgument);
  ASSERT_THROWS_STATUS(bank.ema_update(torch::zeros({3, 2}), torch::zeros({3}, torch::kLong), torch::zeros({3, 1}, torch::kLong)),
                       Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(score_takes_max_over_micro_prototypes),
      cmocka_unit_test(ema_update_arithmetic), cmocka_unit_test(ema_update_skipped_leaves_the_bank),
      cmocka_unit_test(ema_update_first_sighting_sets_mean),
      cmocka_unit_test(ema_update_over_ranks_equals_one_bank_with_all_pixels),
      cmocka_unit_test(init_from_batch_splits_class_pixels),
      cmocka_unit_test(init_kmeans_separates_two_clusters),
      cmocka_unit_test(save_load_round_trip_and_bad_records),
      cmocka_unit_test(rejects_bad_options_and_shapes),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
