#include "optim/optimizer.h"

#include "core/error.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace s4seg {
namespace {

// AdamW over parameter groups: Adam with decoupled weight decay and one learning-rate multiplier
// per parameter (its group's). Its records live under "adamw/".
class AdamWOptimizer final : public Optimizer {
 public:
  AdamWOptimizer(const std::vector<ParamGroup>& groups, AdamOptions options)
      : adam_(flatten_params(groups), options, flatten_mults(groups)) {}
  void zero_grad() override { adam_.zero_grad(); }
  void step(double lr, const torch::Tensor& apply) override { adam_.step(lr, apply); }
  std::vector<int64_t> host_counters() const override { return adam_.step_counts(); }
  void set_host_counters(const std::vector<int64_t>& counters) override { adam_.set_step_counts(counters); }
  void save(Records& out) const override { adam_.save(out, "adamw/"); }
  void load(const Records& in, const std::string& who) override { adam_.load(in, "adamw/", who); }

 private:
  static std::vector<torch::Tensor> flatten_params(const std::vector<ParamGroup>& groups) {
    std::vector<torch::Tensor> params;
    for (const auto& g : groups) params.insert(params.end(), g.params.begin(), g.params.end());
    return params;
  }
  static std::vector<double> flatten_mults(const std::vector<ParamGroup>& groups) {
    std::vector<double> mults;
    for (const auto& g : groups) mults.insert(mults.end(), g.params.size(), g.lr_mult);
    return mults;
  }
  Adam adam_;
};

class SgdOptimizer final : public Optimizer {
 public:
  SgdOptimizer(std::vector<ParamGroup> groups, SgdOptions options) : sgd_(std::move(groups), options) {}
  void zero_grad() override { sgd_.zero_grad(); }
  void step(double lr, const torch::Tensor& apply) override { sgd_.step(lr, apply); }
  void save(Records& out) const override { sgd_.save(out); }
  void load(const Records& in, const std::string& who) override { sgd_.load(in, who); }

 private:
  Sgd sgd_;
};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const Config& config, const std::vector<ParamGroup>& groups) {
  const std::string kind = config.get_string("train.optimizer");
  if (kind == "adamw") {
    AdamOptions o;
    o.beta1 = config.get_double("train.adam_beta1");
    o.beta2 = config.get_double("train.adam_beta2");
    o.weight_decay = config.get_double("train.weight_decay");
    o.decoupled_weight_decay = true;
    return std::make_unique<AdamWOptimizer>(groups, o);
  }
  require(kind == "sgd", "train.optimizer must be sgd or adamw, got '" + kind + "'");
  SgdOptions o;
  o.momentum = config.get_double("train.momentum");
  o.weight_decay = config.get_double("train.weight_decay");
  o.nesterov = config.get_bool("train.nesterov");
  return std::make_unique<SgdOptimizer>(groups, o);
}

}  // namespace s4seg
