// hungarian_assign against brute force on small random cost matrices, plus its edge cases.
#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "core/error.h"
#include "losses/hungarian.h"
#include "unit_test.h"

using namespace s4seg;

// Minimum total cost over all assignments of min(R, C) distinct pairs, by exhaustive search.
static double brute_force_min(const torch::Tensor& cost) {
  const int64_t rows = cost.size(0), cols = cost.size(1);
  const bool transpose = rows > cols;
  torch::Tensor c = (transpose ? cost.t() : cost).to(torch::kDouble).contiguous();
  const int64_t n = c.size(0), m = c.size(1);
  auto a = c.accessor<double, 2>();
  std::vector<char> used(m, 0);
  double best = std::numeric_limits<double>::infinity();
  std::function<void(int64_t, double)> go = [&](int64_t r, double sum) {
    if (r == n) {
      best = std::min(best, sum);
      return;
    }
    for (int64_t j = 0; j < m; ++j) {
      if (used[j]) continue;
      used[j] = 1;
      go(r + 1, sum + a[r][j]);
      used[j] = 0;
    }
  };
  go(0, 0.0);
  return best;
}

// Checks that `match` is a valid assignment for `cost` and returns its total cost.
static double checked_total(const torch::Tensor& cost, const std::vector<int64_t>& match) {
  const int64_t rows = cost.size(0), cols = cost.size(1);
  assert_int_equal(static_cast<int64_t>(match.size()), rows);
  std::vector<char> taken(cols, 0);
  int64_t assigned = 0;
  double total = 0;
  torch::Tensor c = cost.to(torch::kDouble);
  for (int64_t r = 0; r < rows; ++r) {
    if (match[r] < 0) {
      assert_int_equal(match[r], -1);
      continue;
    }
    assert_true(match[r] < cols);
    assert_false(taken[match[r]]);
    taken[match[r]] = 1;
    ++assigned;
    total += c[r][match[r]].item<double>();
  }
  assert_int_equal(assigned, std::min(rows, cols));
  return total;
}

static void check_against_brute_force(const torch::Tensor& cost) {
  double got = checked_total(cost, hungarian_assign(cost));
  double want = brute_force_min(cost);
  ASSERT_NEAR(got, want, 1e-9 * (1 + std::fabs(want)));
}

static void square_matrices_match_brute_force(void**) {
  torch::manual_seed(1);
  for (int64_t n = 1; n <= 6; ++n)
    for (int rep = 0; rep < 40; ++rep) check_against_brute_force(torch::randn({n, n}, torch::kDouble) * 10);
}

static void wide_matrices_match_brute_force(void**) {
  torch::manual_seed(2);
  for (int64_t r = 1; r <= 5; ++r)
    for (int64_t c = r + 1; c <= 7; ++c)
      for (int rep = 0; rep < 15; ++rep) check_against_brute_force(torch::rand({r, c}, torch::kDouble));
}

static void tall_matrices_match_brute_force(void**) {
  torch::manual_seed(3);
  for (int64_t c = 1; c <= 5; ++c)
    for (int64_t r = c + 1; r <= 7; ++r)
      for (int rep = 0; rep < 15; ++rep) {
        torch::Tensor cost = torch::rand({r, c}, torch::kDouble) - 0.5;
        std::vector<int64_t> match = hungarian_assign(cost);
        // Exactly r − c rows are left out.
        assert_int_equal(std::count(match.begin(), match.end(), int64_t{-1}), r - c);
        check_against_brute_force(cost);
      }
}

static void ties_and_integer_costs_match_brute_force(void**) {
  torch::manual_seed(4);
  for (int rep = 0; rep < 200; ++rep) {
    int64_t r = 1 + rep % 6, c = 1 + (rep / 6) % 6;
    // Values in {0, 1, 2}: many equally cheap assignments.
    check_against_brute_force(torch::randint(0, 3, {r, c}, torch::kLong).to(torch::kFloat));
  }
  // All equal: any full assignment is optimal.
  check_against_brute_force(torch::full({5, 5}, 3.0));
  check_against_brute_force(torch::zeros({3, 6}));
}

static void known_example_and_float_input(void**) {
  // Classic 3×3: the optimum 1 + 2 + 2 = 5 is rows → columns (1, 0, 2).
  torch::Tensor cost = torch::tensor({4.0f, 1.0f, 3.0f, 2.0f, 0.0f, 5.0f, 3.0f, 2.0f, 2.0f}).view({3, 3});
  std::vector<int64_t> match = hungarian_assign(cost);
  assert_int_equal(match[0], 1);
  assert_int_equal(match[1], 0);
  assert_int_equal(match[2], 2);
  // A non-contiguous view and large offsets give the same answer.
  std::vector<int64_t> shifted = hungarian_assign((cost.t() * 1e6 - 1e9).t());
  assert_true(shifted == match);
  // Half precision is accepted too.
  assert_true(hungarian_assign(cost.to(torch::kHalf)) == match);
}

static void empty_dimensions(void**) {
  assert_true(hungarian_assign(torch::zeros({0, 4})).empty());
  assert_true(hungarian_assign(torch::zeros({0, 0})).empty());
  std::vector<int64_t> none = hungarian_assign(torch::zeros({3, 0}));
  assert_true(none == std::vector<int64_t>(3, -1));
}

static void rejects_bad_input(void**) {
  torch::Tensor cost = torch::rand({3, 3});
  torch::Tensor nan = cost.clone();
  nan[1][2] = std::numeric_limits<float>::quiet_NaN();
  ASSERT_THROWS_STATUS(hungarian_assign(nan), Status::InvalidArgument);
  torch::Tensor inf = cost.clone();
  inf[0][0] = std::numeric_limits<float>::infinity();
  ASSERT_THROWS_STATUS(hungarian_assign(inf), Status::InvalidArgument);
  inf[0][0] = -std::numeric_limits<float>::infinity();
  ASSERT_THROWS_STATUS(hungarian_assign(inf), Status::InvalidArgument);
  torch::Tensor huge = torch::tensor({1e308, -1e308, 0.0, 1.0}, torch::kDouble).view({2, 2});
  ASSERT_THROWS_STATUS(hungarian_assign(huge), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(hungarian_assign(torch::rand({3})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(hungarian_assign(torch::rand({2, 2, 2})), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(hungarian_assign(torch::ones({2, 2}, torch::kLong)), Status::InvalidArgument);
  ASSERT_THROWS_STATUS(hungarian_assign(torch::Tensor()), Status::InvalidArgument);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(square_matrices_match_brute_force),
      cmocka_unit_test(wide_matrices_match_brute_force),
      cmocka_unit_test(tall_matrices_match_brute_force),
      cmocka_unit_test(ties_and_integer_costs_match_brute_force),
      cmocka_unit_test(known_example_and_float_input),
      cmocka_unit_test(empty_dimensions),
      cmocka_unit_test(rejects_bad_input),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
