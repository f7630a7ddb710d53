// The learning-rate schedule every optimizer of the trainer follows.
#pragma once
#include <cstdint>

namespace s4seg {

// Poly schedule with linear warm-up: lr(t) = base·(t+1)/W for t < W, else
// base·(1 − (t−W)/(T−W))^power, floored at min_lr.
double poly_lr(double base, int64_t t, int64_t total, int64_t warmup, double power, double min_lr);

}  // namespace s4seg
