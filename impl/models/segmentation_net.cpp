#include "models/segmentation_net.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/upsampling.h>

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
  const int64_t rep = c.get_int("model.rep_dim");
  o.decoder.rep_dim = rep >= 0 ? rep : (c.get_string("train.method") == "css" ? o.decoder.aspp_channels : 0);
  std::string rates = c.get_string("model.aspp_rates");
  if (rates == "auto")
    o.decoder.aspp_rates = o.backbone.output_stride == 8 ? std::vector<int64_t>{12, 24, 36} : std::vector<int64_t>{6, 12, 18};
  else
    o.decoder.aspp_rates = parse_int_list("model.aspp_rates", rates);
  return o;
}

SegmentationNetImpl::SegmentationNetImpl(const SegNetOptions& o)
    : num_classes_(o.decoder.num_classes), rep_dim_(o.decoder.rep_dim) {
  backbone = register_module("backbone", ResNet(o.backbone));
  DeepLabOptions d = o.decoder;
  d.low_channels = backbone->low_channels();
  d.high_channels = backbone->high_channels();
  decoder = register_module("decoder", DeepLabV3Plus(d));
}

SegOutput SegmentationNetImpl::forward(torch::Tensor x) {
  ResNetFeatures f = backbone->forward(x);
  DecoderOutput d = decoder->forward(f.low, f.high);
  return {d.logits, d.feature, d.rep};
}

std::pair<SegOutput, SegOutput> SegmentationNetImpl::forward_with_feature_dropout(torch::Tensor x, double p) {
  namespace F = torch::nn::functional;
  ResNetFeatures f = backbone->forward(x);
  const auto drop = F::Dropout2dFuncOptions().p(p).training(is_training());
  torch::Tensor low = torch::cat({f.low, F::dropout2d(f.low, drop)});
  torch::Tensor high = torch::cat({f.high, F::dropout2d(f.high, drop)});
  DecoderOutput d = decoder->forward(low, high);
  const int64_t b = x.size(0);
  auto half = [b](const torch::Tensor& t, int64_t i) { return t.defined() ? t.narrow(0, i * b, b) : t; };
  return {SegOutput{half(d.logits, 0), half(d.feature, 0), half(d.rep, 0)},
          SegOutput{half(d.logits, 1), half(d.feature, 1), half(d.rep, 1)}};
}

std::vector<torch::Tensor> SegmentationNetImpl::encoder_parameters() { return backbone->parameters(); }
std::vector<torch::Tensor> SegmentationNetImpl::decoder_parameters() { return decoder->parameters(); }

torch::Tensor upsample_logits(const torch::Tensor& logits, int64_t height, int64_t width) {
  namespace F = torch::nn::functional;
  if (logits.size(2) == height && logits.size(3) == width) return logits;
  return F::interpolate(logits, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{height, width})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

}  // namespace s4seg
