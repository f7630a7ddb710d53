// Supervised-only training: cross-entropy (or OHEM) of the full-resolution logits on labeled crops;
// for a mask-classification model, its own set loss (so it is the labeled-only baseline of rc2l).
#include "core/error.h"
#include "methods/method_parts.h"
#include "methods/methods.h"

namespace s4seg {

namespace {
class Supervised : public Method {
 public:
  Supervised(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor&) : model_(std::move(model)), config_(c), loss_(c), set_loss_(c) {}

  StepOutputs step(const StepInputs& in) override {
    model_->net->train();
    SegOutput out = model_->net->forward(in.labeled.images);
    torch::Tensor logits = upsample_logits(out.logits, in.labeled.images.size(2), in.labeled.images.size(3));
    StepOutputs o;
    o.losses["supervised"] = model_->net->has_mask_head() ? set_loss_(out, in.labeled.masks) : loss_(logits, in.labeled.masks);
    return o;
  }

  std::vector<ParamGroup> param_groups() override {
    return segmentation_param_groups(*model_->net, config_);
  }

  Model& inference_model() override { return *model_; }

 private:
  std::shared_ptr<Model> model_;
  Config config_;
  SupervisedLoss loss_;
  MaskSetLoss set_loss_;
};
}  // namespace

MethodDescriptor supervised_method() {
  // Skips on the device: it keeps no state outside the optimizer's.
  return MethodDescriptor("supervised", "labeled images only: cross-entropy (or OHEM); the set loss for a mask-classification model",
                          kSkipsOnDevice, construct_method<Supervised>);
}

}  // namespace s4seg
