// toy: a method written the way a new file in impl/methods/ is, kept in the tests (not shipped).
// Cross-entropy on the labels plus entropy minimisation on the unlabeled images, with an
// image-level discriminator on its model (which it does not train) to show that a method's model
// needs reach model creation through the descriptor alone. unit_test_methods registers it with one
// register_method(toy_method()) call: no other file of the library knows it.
#include <torch/torch.h>

#include "methods/method_parts.h"
#include "methods/method_registry.h"

namespace s4seg {

namespace {
class Toy : public Method {
 public:
  Toy(const Config& c, std::shared_ptr<Model> model, const MethodDescriptor&) : model_(std::move(model)), config_(c), loss_(c) {}

  StepOutputs step(const StepInputs& in) override {
    const torch::Tensor& xl = in.labeled.images;
    const int64_t bl = xl.size(0), h = xl.size(2), w = xl.size(3);
    model_->net->train();
    torch::Tensor logits = upsample_logits(model_->net->forward(torch::cat({xl, in.unlabeled.images})).logits, h, w);
    StepOutputs o;
    o.losses["supervised"] = loss_(logits.narrow(0, 0, bl), in.labeled.masks);
    // H = -(1/N) Σ_p Σ_c p_c log p_c over the unlabeled pixels.
    torch::Tensor p = torch::softmax(logits.narrow(0, bl, in.unlabeled.images.size(0)).to(torch::kFloat), 1);
    o.losses["entropy"] = -(p * torch::log(p.clamp_min(1e-8))).sum(1).mean() * 0.1;
    return o;
  }
  std::vector<ParamGroup> param_groups() override { return segmentation_param_groups(*model_->net, config_); }
  Model& inference_model() override { return *model_; }

 private:
  std::shared_ptr<Model> model_;
  Config config_;
  SupervisedLoss loss_;
};
}  // namespace

MethodDescriptor toy_method() {
  MethodDescriptor d("toy", "cross-entropy plus entropy minimisation on unlabeled images (a test method)", kUsesUnlabeled,
                     construct_method<Toy>);
  d.model.discriminator = "image";
  return d;
}

}  // namespace s4seg
