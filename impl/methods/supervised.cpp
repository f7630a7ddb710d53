// Supervised-only training: cross-entropy (or OHEM) of the full-resolution logits on labeled crops.
#include "core/error.h"
#include "losses/cross_entropy.h"
#include "methods/methods.h"

namespace s4seg {

namespace {
class Supervised : public Method {
 public:
  Supervised(const Config& c, std::shared_ptr<Model> model) : model_(std::move(model)) {
    ohem_ = c.get_string("train.loss") == "ohem";
    ohem_thresh_ = c.get_double("train.ohem_thresh");
    ohem_min_kept_ = c.get_int("train.ohem_min_kept");
    decoder_lr_mult_ = c.get_double("train.decoder_lr_mult");
  }

  StepOutputs step(const StepInputs& in) override {
    model_->net->train();
    SegOutput out = model_->net->forward(in.labeled.images);
    torch::Tensor logits = upsample_logits(out.logits, in.labeled.images.size(2), in.labeled.images.size(3));
    StepOutputs o;
    o.losses["supervised"] = ohem_ ? ohem_cross_entropy(logits, in.labeled.masks, ohem_thresh_, ohem_min_kept_)
                                   : ignore_cross_entropy(logits, in.labeled.masks);
    return o;
  }

  std::vector<ParamGroup> param_groups() override {
    return {{"encoder", model_->net->encoder_parameters(), 1.0}, {"decoder", model_->net->decoder_parameters(), decoder_lr_mult_}};
  }

  Model& inference_model() override { return *model_; }

 private:
  std::shared_ptr<Model> model_;
  bool ohem_;
  double ohem_thresh_;
  int64_t ohem_min_kept_;
  double decoder_lr_mult_;
};
}  // namespace

std::unique_ptr<Method> make_supervised(const Config& c, std::shared_ptr<Model> model) {
  return std::make_unique<Supervised>(c, std::move(model));
}

}  // namespace s4seg
