#include "models/batch_norm.h"

#include <torch/torch.h>

namespace s4seg {

namespace {
thread_local const RankGroup* t_group = nullptr;
thread_local bool t_recomputing = false;

torch::Tensor per_channel(const torch::Tensor& v) { return v.view({1, -1, 1, 1}); }

struct SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, torch::Tensor running_mean, torch::Tensor running_var,
                               double momentum, double eps, int64_t sum_address) {
    const auto& group = *reinterpret_cast<const RankGroup*>(sum_address);
    const int64_t c = x.size(1);
    torch::Tensor xf = x.to(torch::kFloat);  // statistics in fp32 also under bf16 autocast
    auto [local_var, local_mean] = torch::var_mean(xf, {0, 2, 3}, /*unbiased=*/false);
    // All-gather through a sum: each rank fills its own row of a zero table.
    torch::Tensor table = torch::zeros({group.world, 2 * c + 1}, xf.options());
    table[group.rank] = torch::cat({local_mean, local_var, torch::full({1}, static_cast<double>(x.numel() / c), xf.options())});
    std::vector<torch::Tensor> gathered{table};
    group.sum(gathered);
    torch::Tensor n = table.narrow(1, 2 * c, 1), means = table.narrow(1, 0, c), vars = table.narrow(1, c, c);
    const double count = n.sum().item<double>();
    torch::Tensor mean = (n * means).sum(0) / count;
    torch::Tensor var = (n * (vars + (means - mean).pow(2))).sum(0) / count;
    torch::Tensor invstd = torch::rsqrt(var + eps);
    {
      torch::NoGradGuard ng;
      running_mean.mul_(1 - momentum).add_(mean * momentum);
      running_var.mul_(1 - momentum).add_(var * (count / std::max(count - 1, 1.0)) * momentum);
    }
    torch::Tensor y = (xf - per_channel(mean)) * per_channel(invstd);
    if (weight.defined()) y = y * per_channel(weight.to(torch::kFloat)) + per_channel(bias.to(torch::kFloat));
    ctx->save_for_backward({xf, weight, mean, invstd});
    ctx->saved_data["count"] = count;
    ctx->saved_data["group"] = sum_address;
    ctx->saved_data["dtype"] = static_cast<int64_t>(x.scalar_type());
    return y.to(x.scalar_type());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &xf = saved[0], &weight = saved[1], &mean = saved[2], &invstd = saved[3];
    const double count = ctx->saved_data["count"].toDouble();
    const auto& group = *reinterpret_cast<const RankGroup*>(ctx->saved_data["group"].toInt());
    const auto dtype = static_cast<torch::ScalarType>(ctx->saved_data["dtype"].toInt());
    const int64_t c = xf.size(1);
    torch::Tensor dy = grads[0].to(torch::kFloat);
    torch::Tensor xmu = xf - per_channel(mean);
    torch::Tensor sum_dy = dy.sum({0, 2, 3}), sum_dy_xmu = (dy * xmu).sum({0, 2, 3});
    // This rank's share of the affine gradients; the trainer averages parameter gradients.
    torch::Tensor grad_weight, grad_bias;
    if (weight.defined()) {
      grad_weight = (sum_dy_xmu * invstd).to(weight.scalar_type());
      grad_bias = sum_dy.to(weight.scalar_type());
    }
    std::vector<torch::Tensor> g{torch::cat({sum_dy, sum_dy_xmu})};
    group.sum(g);
    torch::Tensor mean_dy = g[0].narrow(0, 0, c) / count, mean_dy_xmu = g[0].narrow(0, c, c) / count;
    torch::Tensor scale = weight.defined() ? invstd * weight.to(torch::kFloat) : invstd;
    torch::Tensor dx = (dy - per_channel(mean_dy) - xmu * per_channel(invstd * invstd * mean_dy_xmu)) * per_channel(scale);
    return {dx.to(dtype), grad_weight, grad_bias, {}, {}, {}, {}, {}};
  }
};
}  // namespace

BatchNormSyncScope::BatchNormSyncScope(const RankGroup* group) : previous_(t_group) { t_group = group; }
BatchNormSyncScope::~BatchNormSyncScope() { t_group = previous_; }
const RankGroup* BatchNormSyncScope::current() { return t_group; }

BatchNormRecomputeScope::BatchNormRecomputeScope() : previous_(t_recomputing) { t_recomputing = true; }
BatchNormRecomputeScope::~BatchNormRecomputeScope() { t_recomputing = previous_; }

torch::Tensor sync_batch_norm(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                              const torch::Tensor& running_mean, const torch::Tensor& running_var, double momentum, double eps,
                              const RankGroup& group) {
  return SyncBatchNormFunction::apply(x, weight, bias, running_mean, running_var, momentum, eps,
                                      reinterpret_cast<int64_t>(&group));
}

SyncBatchNorm2dImpl::SyncBatchNorm2dImpl(int64_t features, double eps_value, double momentum_value)
    : num_features(features), eps(eps_value), momentum(momentum_value) {
  reset();
}

void SyncBatchNorm2dImpl::reset() {
  weight = register_parameter("weight", torch::ones({num_features}));
  bias = register_parameter("bias", torch::zeros({num_features}));
  running_mean = register_buffer("running_mean", torch::zeros({num_features}));
  running_var = register_buffer("running_var", torch::ones({num_features}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
}

void SyncBatchNorm2dImpl::pretty_print(std::ostream& stream) const {
  stream << "s4seg::SyncBatchNorm2d(" << num_features << ", eps=" << eps << ", momentum=" << momentum << ")";
}

torch::Tensor SyncBatchNorm2dImpl::forward(const torch::Tensor& input) {
  TORCH_CHECK(input.dim() == 4, "SyncBatchNorm2d: expected a 4-D input, got ", input.dim(), "-D");
  if (is_training() && !t_recomputing) {
    torch::NoGradGuard ng;
    num_batches_tracked.add_(1);
  }
  // Momentum 0 keeps the running statistics exactly: r ← (1 − 0)·r + 0·batch.
  const double m = t_recomputing ? 0.0 : momentum;
  if (!is_training() || t_group == nullptr)
    return torch::batch_norm(input, weight, bias, running_mean, running_var, is_training(), m, eps,
                             at::globalContext().userEnabledCuDNN());
  return sync_batch_norm(input, weight, bias, running_mean, running_var, m, eps, *t_group);
}

}  // namespace s4seg
