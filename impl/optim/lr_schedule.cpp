#include "optim/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace s4seg {

double poly_lr(double base, int64_t t, int64_t total, int64_t warmup, double power, double min_lr) {
  double lr;
  if (t < warmup) {
    lr = base * static_cast<double>(t + 1) / static_cast<double>(warmup);
  } else {
    double span = static_cast<double>(std::max<int64_t>(1, total - warmup));
    double frac = std::min(1.0, static_cast<double>(t - warmup) / span);
    lr = base * std::pow(1.0 - frac, power);
  }
  return std::max(lr, min_lr);
}

}  // namespace s4seg
