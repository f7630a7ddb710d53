#include "infer/predictor.h"

#include <torch/torch.h>

#include "augment/input.h"
#include "core/error.h"
#include "core/torch_compat.h"
#include "infer/cuda_graphs.h"
#include "models/conv.h"

namespace s4seg {

torch::Tensor class_probabilities(Model& model, const std::vector<const Image*>& images, torch::Tensor* inputs) {
  require(!images.empty(), "no images to predict");
  const Image& first = *images.front();
  require(first.width >= 8 && first.height >= 8, "images must be at least 8x8 pixels");
  torch::NoGradGuard ng;
  InferenceConvScope onednn_at_any_batch;
  model.net->eval();
  const bool amp = wants_bf16_autocast(model.config, model.device);
  std::vector<torch::Tensor> batch;
  for (const Image* im : images) {
    require(im->width == first.width && im->height == first.height, "images of one batch must have the same size");
    batch.push_back(image_to_device(*im, model.device));
  }
  torch::Tensor x = normalize_images(torch::cat(batch, 0).to(torch::kFloat));
  if (model.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
  if (inputs) *inputs = x;
  auto forward = [&model, amp, h = first.height, w = first.width](const torch::Tensor& images) {
    torch::Tensor logits;
    {
      Bf16Autocast autocast(model.device.type(), amp);
      logits = model.net->forward(images).logits;
    }
    return torch::softmax(upsample_logits(logits.to(torch::kFloat), h, w), 1);
  };
  if (model.device.is_cuda() && model.config.get_bool("model.cuda_graphs")) return run_as_cuda_graph(model, x, amp ? 1 : 0, forward);
  return forward(x);
}

std::vector<Prediction> predict_images(Model& model, const std::vector<const Image*>& images, bool with_confidence) {
  std::vector<Prediction> out;
  out.reserve(images.size());
  size_t i = 0;
  while (i < images.size()) {
    const Image& first = *images[i];
    require(first.width >= 8 && first.height >= 8, "images must be at least 8x8 pixels");
    size_t j = i + 1;
    while (j < images.size() && j - i < kMaxPredictBatch && images[j]->width == first.width && images[j]->height == first.height) ++j;
    torch::Tensor prob = class_probabilities(model, std::vector<const Image*>(images.begin() + i, images.begin() + j));
    auto [conf, lab] = prob.max(1);
    lab = lab.to(torch::kUInt8).cpu();
    if (with_confidence) conf = conf.cpu();
    for (size_t k = 0; k < j - i; ++k) {
      Prediction p;
      p.labels = lab[static_cast<int64_t>(k)].contiguous();
      if (with_confidence) p.confidence = conf[static_cast<int64_t>(k)].contiguous();
      out.push_back(std::move(p));
    }
    i = j;
  }
  return out;
}

}  // namespace s4seg
