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
