#include "infer/evaluator.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "augment/input.h"
#include "core/error.h"
#include "data/batch_loader.h"
#include "infer/predictor.h"

namespace s4seg {

void accumulate_confusion(torch::Tensor& confusion, const torch::Tensor& gt, const torch::Tensor& pred, int64_t num_classes) {
  torch::Tensor g = gt.reshape(-1).to(torch::kLong);
  torch::Tensor p = pred.reshape(-1).to(torch::kLong);
  torch::Tensor valid = g < num_classes;  // 255 (ignore) and out-of-range labels are skipped
  torch::Tensor idx = g.masked_select(valid) * num_classes + p.masked_select(valid).clamp_max(num_classes - 1);
  confusion += torch::bincount(idx, {}, num_classes * num_classes).view({num_classes, num_classes});
}

EvalResult metrics_from_confusion(const torch::Tensor& confusion) {
  torch::Tensor cm = confusion.to(torch::kDouble).cpu();
  const int64_t c = cm.size(0);
  torch::Tensor tp = cm.diagonal();
  torch::Tensor union_ = cm.sum(0) + cm.sum(1) - tp;
  EvalResult r;
  double sum = 0;
  int64_t present = 0;
  auto tp_a = tp.accessor<double, 1>();
  auto un_a = union_.accessor<double, 1>();
  for (int64_t k = 0; k < c; ++k) {
    if (un_a[k] > 0) {
      double iou = tp_a[k] / un_a[k];
      r.class_iou.push_back(iou);
      sum += iou;
      ++present;
    } else {
      r.class_iou.push_back(std::numeric_limits<double>::quiet_NaN());
    }
  }
  r.miou = present ? sum / static_cast<double>(present) : 0;
  double total = cm.sum().item<double>();
  r.pixel_accuracy = total > 0 ? tp.sum().item<double>() / total : 0;
  return r;
}

EvalResult evaluate_dataset(Model& model, const Dataset& dataset) {
  const int64_t c = model.net->num_classes();
  require(dataset.masked_count() > 0, "the dataset has no masks to evaluate against");
  torch::Tensor confusion = torch::zeros({c, c}, torch::kLong);
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < dataset.size(); ++i)
    if (dataset.has_mask(i)) indices.push_back(i);
  // Decode a handful at a time (two threads) and predict them as a batch where sizes agree.
  for (size_t start = 0; start < indices.size(); start += kMaxPredictBatch) {
    std::vector<int64_t> chunk(indices.begin() + static_cast<long>(start),
                               indices.begin() + static_cast<long>(std::min(indices.size(), start + kMaxPredictBatch)));
    std::vector<LoadedSample> samples = load_samples(dataset, chunk, 2);
    std::vector<const Image*> images;
    for (auto& s : samples) images.push_back(&s.image);
    std::vector<Prediction> preds = predict_images(model, images, false);
    for (size_t k = 0; k < samples.size(); ++k) {
      torch::Tensor gt = torch::from_blob(samples[k].mask.pixels.data(), {samples[k].mask.height, samples[k].mask.width}, torch::kUInt8);
      accumulate_confusion(confusion, gt, preds[k].labels, c);
    }
  }
  EvalResult r = metrics_from_confusion(confusion);
  r.samples = static_cast<int64_t>(indices.size());
  return r;
}

}  // namespace s4seg
