#include "losses/hungarian.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace s4seg {

namespace {

// Shortest augmenting paths with row/column potentials for an n × m matrix with n ≤ m (row-major
// `a`). Returns the column of each row. Indices are 1-based inside, column 0 being the virtual
// source of each augmentation, as in the classic formulation.
std::vector<int64_t> assign_rows_le_cols(const std::vector<double>& a, int64_t n, int64_t m) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(m + 1, 0.0), minv(m + 1);
  std::vector<int64_t> p(m + 1, 0), way(m + 1, 0);  // p[j]: row matched to column j (0 = none)
  std::vector<char> used(m + 1);
  for (int64_t i = 1; i <= n; ++i) {
    p[0] = i;
    int64_t j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      const int64_t i0 = p[j0];
      const double* row = a.data() + (i0 - 1) * m;
      double delta = inf;
      int64_t j1 = 0;
      for (int64_t j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = row[j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      // j1 stays 0 only if every reduced cost compared false (NaN), which the caller excludes;
      // the guard keeps a bad value from looping forever.
      if (j1 == 0) fail(Status::Internal, "hungarian_assign: no augmenting column found");
      for (int64_t j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int64_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int64_t> col_of_row(n, -1);
  for (int64_t j = 1; j <= m; ++j)
    if (p[j] != 0) col_of_row[p[j] - 1] = j - 1;
  return col_of_row;
}

}  // namespace

std::vector<int64_t> hungarian_assign(const torch::Tensor& cost) {
  require(cost.defined() && cost.dim() == 2 && cost.is_floating_point(),
          "hungarian_assign: cost must be a 2-D floating tensor");
  const int64_t rows = cost.size(0), cols = cost.size(1);
  if (rows == 0) return {};
  if (cols == 0) return std::vector<int64_t>(rows, -1);

  torch::Tensor c = cost.detach().to(torch::kCPU, torch::kDouble).contiguous();
  const double* data = c.data_ptr<double>();
  const int64_t total = rows * cols;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (int64_t k = 0; k < total; ++k) {
    if (!std::isfinite(data[k]))
      fail(Status::InvalidArgument, "hungarian_assign: cost has a non-finite entry at (" + std::to_string(k / cols) +
                                        ", " + std::to_string(k % cols) + ")");
    lo = std::min(lo, data[k]);
    hi = std::max(hi, data[k]);
  }
  // Potentials and reduced costs stay within (rows + cols)·(hi − lo) of the shifted costs; keep
  // that finite.
  const double spread = hi - lo;
  require(std::isfinite(spread) && spread < std::numeric_limits<double>::max() / (4.0 * static_cast<double>(rows + cols)),
          "hungarian_assign: cost values span too wide a range");

  // The algorithm wants rows ≤ cols: otherwise solve the transpose and invert the answer.
  const bool transpose = rows > cols;
  const int64_t n = transpose ? cols : rows, m = transpose ? rows : cols;
  std::vector<double> a(static_cast<size_t>(total));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < cols; ++k) {
      const double x = data[r * cols + k] - lo;  // shift so the potentials start near 0
      if (transpose)
        a[k * rows + r] = x;
      else
        a[r * cols + k] = x;
    }
  std::vector<int64_t> match = assign_rows_le_cols(a, n, m);
  if (!transpose) return match;
  std::vector<int64_t> out(rows, -1);
  for (int64_t k = 0; k < cols; ++k) out[match[k]] = k;
  return out;
}

}  // namespace s4seg
