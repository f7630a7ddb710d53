#include "infer/labeler.h"

#include <torch/torch.h>

#include <cstring>
#include <mutex>

#include "core/error.h"
#include "infer/predictor.h"
#include "pseudo/filter_config.h"
#include "pseudo/region_score.h"

namespace s4seg {

namespace {
Image plane_to_image(const torch::Tensor& plane_u8) {
  torch::Tensor t = plane_u8.to(torch::kCPU).contiguous();
  Image im;
  im.height = static_cast<int32_t>(t.size(0));
  im.width = static_cast<int32_t>(t.size(1));
  im.channels = 1;
  im.pixels.resize(static_cast<size_t>(t.numel()));
  std::memcpy(im.pixels.data(), t.data_ptr<uint8_t>(), im.pixels.size());
  return im;
}

std::vector<uint64_t> counts(const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kCPU, torch::kLong).contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<uint64_t>(p, p + c.numel());
}
}  // namespace

Labeler::Labeler(std::shared_ptr<Model> model, const Config& config) : model_(std::move(model)) {
  FilterOptions o = filter_options_from_config(config, model_->net->num_classes(), "threshold");
  require(o.kind != "agreement", "pseudo.filter = agreement needs prototypes, which a labeler does not have");
  require(o.kind != "discriminator" || model_->net->discriminator_count() > 0,
          "pseudo.filter = discriminator needs a model with discriminators (created and trained with train.method = rrn, "
          "or model.discriminator = patch|image)");
  uses_discriminators_ = o.kind == "discriminator";
  filter_ = make_filter(o);
}

LabelResult Labeler::run(const Image& image) {
  std::lock_guard<std::recursive_mutex> lock(model_->mutex);
  torch::NoGradGuard ng;
  torch::Tensor inputs;
  torch::Tensor probs = class_probabilities(*model_, {&image}, &inputs);
  PseudoLabels pl = pseudo_labels_from_probs(probs);
  torch::Tensor predicted = pl.labels.clone();
  FilterContext ctx;  // iteration 0 of 1: the entropy filter keeps pseudo.keep_start of the pixels
  if (uses_discriminators_) ctx.region_score = mean_region_score(*model_->net, probs, inputs);
  filter_->apply(pl, ctx);
  KeepStats stats = keep_stats(pl, predicted, model_->net->num_classes());
  LabelResult r;
  r.labels = plane_to_image(pl.labels[0].to(torch::kUInt8));
  r.confidence = plane_to_image((pl.confidence[0] * 255.0).round().clamp(0, 255).to(torch::kUInt8));
  r.predicted = counts(stats.predicted);
  r.kept = counts(stats.kept);
  return r;
}

}  // namespace s4seg
