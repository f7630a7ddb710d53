#include "losses/gathered_dot.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/error.h"
#include "core/tensor_text.h"
#include "core/torch_compat.h"

namespace s4seg {

namespace {

// Rows of `a` per chunk: (rows, K, D) floats stay near 16 MB (32 rows for K = 512, D = 256).
int64_t chunk_rows(int64_t k, int64_t d) { return std::max<int64_t>(1, (int64_t{4} << 20) / std::max<int64_t>(1, k * d)); }

// (r, K, D): the table rows that rows [r0, r0 + r) of `index` name.
torch::Tensor gather_rows(const torch::Tensor& table, const torch::Tensor& index, int64_t r0, int64_t r) {
  return table.index_select(0, index.narrow(0, r0, r).reshape(-1)).view({r, index.size(1), table.size(1)});
}

class GatheredDot : public torch::autograd::Function<GatheredDot> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a, const torch::Tensor& table,
                               const torch::Tensor& index) {
    NoAutocast float32;  // bmm would run in bf16 under CUDA autocast; the similarities stay in a's type
    ctx->save_for_backward({table, index});
    const int64_t q = a.size(0), step = chunk_rows(index.size(1), a.size(1));
    torch::Tensor out = torch::empty({q, index.size(1)}, a.options());
    for (int64_t r0 = 0; r0 < q; r0 += step) {
      const int64_t r = std::min(step, q - r0);
      out.narrow(0, r0, r).copy_(torch::bmm(gather_rows(table, index, r0, r), a.narrow(0, r0, r).unsqueeze(2)).squeeze(2));
    }
    return out;
  }

  // ∂L/∂a[q] = Σ_k g[q, k] · table[index[q, k]], gathered again chunk by chunk.
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    NoAutocast float32;
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& table = saved[0];
    const torch::Tensor& index = saved[1];
    const torch::Tensor& g = grads[0];
    const int64_t q = index.size(0), step = chunk_rows(index.size(1), table.size(1));
    torch::Tensor grad_a = torch::empty({q, table.size(1)}, g.options());
    for (int64_t r0 = 0; r0 < q; r0 += step) {
      const int64_t r = std::min(step, q - r0);
      grad_a.narrow(0, r0, r).copy_(torch::bmm(g.narrow(0, r0, r).unsqueeze(1), gather_rows(table, index, r0, r)).squeeze(1));
    }
    return {grad_a, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor gathered_dot(const torch::Tensor& a, const torch::Tensor& table, const torch::Tensor& index) {
  require(a.defined() && a.dim() == 2 && a.is_floating_point(), "gathered_dot: a must be floating (Q, D), got " + shape_of(a));
  require(table.defined() && table.dim() == 2 && table.size(1) == a.size(1) && table.scalar_type() == a.scalar_type(),
          "gathered_dot: table must be (N, D) of a's type with D = " + std::to_string(a.size(1)) + ", got " + shape_of(table));
  require(index.defined() && index.dim() == 2 && index.size(0) == a.size(0) && index.scalar_type() == torch::kLong,
          "gathered_dot: index must be int64 (Q, K) with Q = " + std::to_string(a.size(0)) + ", got " + shape_of(index));
  require(a.device() == table.device() && index.device() == a.device(), "gathered_dot: a, table and index must be on one device");
  // Against a table of at most 8·K rows, one matrix product with every row and a gather of the K
  // columns is cheaper than gathering Q·K rows (a GEMM's multiply-adds cost far less than the
  // memory traffic of the gathered block); autograd keeps only `a`, the table and the (Q, K)
  // index. Larger tables (full-resolution crops) take the chunked gather.
  if (table.size(0) <= 8 * index.size(1)) {
    NoAutocast float32;
    return torch::matmul(a, table.detach().t()).gather(1, index);
  }
  return GatheredDot::apply(a, table.detach(), index);
}

}  // namespace s4seg
