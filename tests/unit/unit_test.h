// Shared includes and helpers for the C++ unit tests of impl/ (CMocka from C++).
#pragma once
// LibTorch and the standard streams come first: cmocka.h defines a fail() macro that would
// rewrite std::basic_ios::fail and s4seg::fail in anything included after it.
#include <torch/torch.h>

#include <cmath>
#include <iostream>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" {
#include <cmocka.h>
}

#define ASSERT_NEAR(a, b, tol) assert_true(std::fabs(static_cast<double>(a) - static_cast<double>(b)) <= (tol))

// Runs `body` and asserts it throws s4seg::Error with `status`.
#define ASSERT_THROWS_STATUS(body, status_value)      \
  do {                                                \
    bool thrown_ = false;                             \
    try {                                             \
      body;                                           \
    } catch (const s4seg::Error& e_) {                \
      thrown_ = e_.status() == (status_value);        \
    }                                                 \
    assert_true(thrown_);                             \
  } while (0)

// For the optimizers' skip tests: `n` steps of `guarded` (told to apply) and of `plain` (not told
// anything) with the same gradients; their parameters p and q must stay equal bit for bit.
template <class Optimizer>
void step_in_lockstep(Optimizer& guarded, Optimizer& plain, torch::Tensor& p, torch::Tensor& q, int n) {
  const torch::Tensor go = torch::ones({}, torch::kBool);
  for (int k = 0; k < n; ++k) {
    p.mutable_grad() = torch::tensor({0.5f, -1.0f}) * (k + 1);
    q.mutable_grad() = torch::tensor({0.5f, -1.0f}) * (k + 1);
    guarded.step(0.1, go);
    plain.step(0.1);
    assert_true(torch::equal(p, q));
  }
}
