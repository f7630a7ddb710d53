#include "models/checkpoint.h"

#include <ATen/ThreadLocalState.h>
#include <torch/autograd.h>

#include "models/batch_norm.h"

namespace s4seg {

namespace {
struct SegmentState : torch::CustomClassHolder {
  SegmentState(Segment s, const RankGroup* g) : segment(std::move(s)), group(g) {}
  Segment segment;
  at::ThreadLocalState thread_state;  // captured at construction: the forward's
  const RankGroup* group;
};

struct CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const c10::intrusive_ptr<SegmentState>& state) {
    ctx->save_for_backward({input});
    ctx->saved_data["state"] = c10::IValue::make_capsule(state);
    return state->segment(input);  // Function::apply runs this with gradients off: nothing is kept
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    if (!grads[0].defined()) return {torch::Tensor(), torch::Tensor()};  // the output reached no loss
    auto state = c10::static_intrusive_pointer_cast<SegmentState>(ctx->saved_data["state"].toCapsule());
    torch::Tensor input = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    torch::Tensor output;
    {
      at::ThreadLocalStateGuard forward_state(state->thread_state);
      torch::AutoGradMode grad_on(true);
      BatchNormSyncScope sync(state->group);
      BatchNormRecomputeScope keep_running_statistics;
      output = state->segment(input);
    }
    torch::autograd::backward({output}, {grads[0]});
    return {input.grad(), torch::Tensor()};
  }
};
}  // namespace

torch::Tensor checkpointed(const Segment& segment, const torch::Tensor& input) {
  if (!torch::GradMode::is_enabled() || !input.requires_grad()) return segment(input);
  auto state = c10::make_intrusive<SegmentState>(segment, BatchNormSyncScope::current());
  return CheckpointFunction::apply(input, state);
}

}  // namespace s4seg
