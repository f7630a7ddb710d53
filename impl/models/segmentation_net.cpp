#include "models/segmentation_net.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/upsampling.h>

#include "core/error.h"
#include "models/batch_norm.h"

namespace s4seg {

SegNetOptions SegNetOptions::from_config(const Config& c) {
  SegNetOptions o;
  o.backbone.depth = c.get_string("model.backbone");
  o.backbone.width = c.get_int("model.width");
  o.backbone.output_stride = c.get_int("model.output_stride");
  o.decoder.num_classes = c.get_int("model.num_classes");
  o.decoder.aspp_channels = c.get_int("model.aspp_channels");
  o.decoder.low_level_channels = c.get_int("model.low_level_channels");
  o.decoder.head_convs = c.get_int("model.head_convs");
  o.decoder.dropout = c.get_double("model.dropout");
  // "auto" values here are the plain model's; the method registry writes what a method's model
  // needs into the config before the model is built (apply_method_model_defaults).
  o.decoder.rep_dim = std::max<int64_t>(c.get_int("model.rep_dim"), 0);
  const int64_t branches = c.get_int("model.branches");
  o.branches = branches > 0 ? branches : 1;
  o.mask_head = c.get_string("model.head") == "mask";
  o.decoder.classifier = !o.mask_head;
  o.mask.num_classes = o.decoder.num_classes;
  o.mask.pixel_channels = o.decoder.aspp_channels;
  o.mask.hidden = c.get_int("model.mask_hidden");
  o.mask.queries = c.get_int("model.queries");
  o.mask.layers = c.get_int("model.mask_layers");
  o.mask.heads = c.get_int("model.mask_heads");
  o.mask.ffn = c.get_int("model.mask_ffn");
  require(o.mask.hidden % o.mask.heads == 0, "model.mask_hidden (" + std::to_string(o.mask.hidden) +
                                                 ") must be a multiple of model.mask_heads (" + std::to_string(o.mask.heads) + ")");
  const std::string disc = c.get_string("model.discriminator");
  o.discriminator = disc == "auto" ? "none" : disc;
  o.discriminator_width = c.get_int("model.discriminator_width");
  std::string rates = c.get_string("model.aspp_rates");
  if (rates == "auto")
    o.decoder.aspp_rates = o.backbone.output_stride == 8 ? std::vector<int64_t>{12, 24, 36} : std::vector<int64_t>{6, 12, 18};
  else
    o.decoder.aspp_rates = parse_int_list("model.aspp_rates", rates);
  return o;
}

SegmentationNetImpl::SegmentationNetImpl(const SegNetOptions& o)
    : num_classes_(o.decoder.num_classes), rep_dim_(o.decoder.rep_dim), branches_(o.branches) {
  require(o.branches == 1 || o.branches == 2, "model.branches must be 1 or 2");
  backbone = register_module("backbone", ResNet(o.backbone));
  DeepLabOptions d = o.decoder;
  d.low_channels = backbone->low_channels();
  d.high_channels = backbone->high_channels();
  decoder = register_module("decoder", DeepLabV3Plus(d));
  // The second branch is built after the first from the same generator, so its initialisation
  // differs (RRN/CPS need two differently initialised networks).
  if (branches_ == 2) {
    backbone2 = register_module("branch2_backbone", ResNet(o.backbone));
    decoder2 = register_module("branch2_decoder", DeepLabV3Plus(d));
  }
  if (o.mask_head) {
    MaskHeadOptions m = o.mask;
    m.memory_channels = backbone->high_channels();
    mask_head = register_module("mask_head", MaskHead(m));
  }
  if (o.discriminator != "none") {
    DiscriminatorOptions dopt;
    dopt.in_channels = num_classes_ + 3;
    dopt.ndf = o.discriminator_width;
    dopt.patch = o.discriminator == "patch";
    for (int64_t k = 0; k < branches_; ++k)
      discriminators_.push_back(register_module("discriminator" + std::to_string(k + 1), Discriminator(dopt)));
  }
}

SegOutput SegmentationNetImpl::forward_branch(torch::Tensor x, int64_t branch) {
  require(branch >= 0 && branch < branches_, "branch " + std::to_string(branch) + " of a " + std::to_string(branches_) +
                                                 "-branch model");
  ResNetFeatures f = (branch == 0 ? backbone : backbone2)->forward(x);
  DecoderOutput d = (branch == 0 ? decoder : decoder2)->forward(f.low, f.high);
  SegOutput o{d.logits, d.feature, d.rep, {}, {}, {}};
  if (!mask_head.is_empty()) {
    MaskHeadOutput m = mask_head->forward(d.head_feature, f.high);
    o.class_logits = m.class_logits;
    o.mask_logits = m.mask_logits;
    o.pixel_embed = m.pixel_embed;
    o.logits = mask_semantic_logits(m.class_logits, m.mask_logits);
  }
  return o;
}

SegOutput SegmentationNetImpl::forward(torch::Tensor x) {
  if (branches_ == 1) return forward_branch(x, 0);
  SegOutput a = forward_branch(x, 0);
  a.logits = (a.logits + forward_branch(x, 1).logits) * 0.5;  // RRN's inference: the mean of both branches
  return a;
}

std::pair<SegOutput, SegOutput> SegmentationNetImpl::forward_with_feature_dropout(torch::Tensor x, double p) {
  namespace F = torch::nn::functional;
  if (branches_ != 1 || !mask_head.is_empty())
    fail(Status::Unsupported, "feature perturbation (fixmatch.feature_dropout) needs a one-branch DeepLabV3+ model");
  ResNetFeatures f = backbone->forward(x);
  const auto drop = F::Dropout2dFuncOptions().p(p).training(is_training());
  torch::Tensor low = torch::cat({f.low, F::dropout2d(f.low, drop)});
  torch::Tensor high = torch::cat({f.high, F::dropout2d(f.high, drop)});
  DecoderOutput d = decoder->forward(low, high);
  const int64_t b = x.size(0);
  auto half = [b](const torch::Tensor& t, int64_t i) { return t.defined() ? t.narrow(0, i * b, b) : t; };
  return {SegOutput{half(d.logits, 0), half(d.feature, 0), half(d.rep, 0), {}, {}, {}},
          SegOutput{half(d.logits, 1), half(d.feature, 1), half(d.rep, 1), {}, {}, {}}};
}

namespace {
void append(std::vector<torch::Tensor>& to, const std::vector<torch::Tensor>& from) { to.insert(to.end(), from.begin(), from.end()); }
}  // namespace

std::vector<torch::Tensor> SegmentationNetImpl::encoder_parameters() {
  std::vector<torch::Tensor> p = backbone->parameters();
  if (!backbone2.is_empty()) append(p, backbone2->parameters());
  return p;
}

std::vector<torch::Tensor> SegmentationNetImpl::decoder_parameters() {
  std::vector<torch::Tensor> p = decoder->parameters();
  if (!decoder2.is_empty()) append(p, decoder2->parameters());
  if (!mask_head.is_empty()) append(p, mask_head->parameters());
  return p;
}

std::vector<torch::Tensor> SegmentationNetImpl::segmentation_parameters() {
  std::vector<torch::Tensor> p = encoder_parameters();
  append(p, decoder_parameters());
  return p;
}

void SegmentationNetImpl::set_batchnorm_frozen(bool frozen) {
  batchnorm_frozen_ = frozen;
  train(is_training());
}

void SegmentationNetImpl::set_activation_checkpointing(bool on) {
  for (ResNet* b : {&backbone, &backbone2})
    if (!b->is_empty()) (*b)->set_activation_checkpointing(on);
}

void SegmentationNetImpl::train(bool on) {
  torch::nn::Module::train(on);
  if (!on || !batchnorm_frozen_) return;
  for (const auto& m : modules(/*include_self=*/false))
    if (m->as<SyncBatchNorm2d>() != nullptr) m->eval();
}

torch::Tensor upsample_logits(const torch::Tensor& logits, int64_t height, int64_t width) {
  namespace F = torch::nn::functional;
  if (logits.size(2) == height && logits.size(3) == width) return logits;
  return F::interpolate(logits, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{height, width})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

}  // namespace s4seg
