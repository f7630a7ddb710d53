// Dataset evaluation through a confusion matrix: IoU_c = TP / (TP + FP + FN), mIoU over classes
// present in ground truth or prediction, pixel accuracy = TP / labelled pixels.
#pragma once
#include <torch/types.h>

#include <vector>

#include "data/dataset.h"
#include "models/model.h"

namespace s4seg {

struct EvalResult {
  double miou = 0;
  double pixel_accuracy = 0;
  std::vector<double> class_iou;  // NaN for classes absent from both
  int64_t samples = 0;
};

// Accumulates confusion[gt][pred] (C x C, int64) over valid pixels (gt < C).
void accumulate_confusion(torch::Tensor& confusion, const torch::Tensor& gt, const torch::Tensor& pred, int64_t num_classes);
EvalResult metrics_from_confusion(const torch::Tensor& confusion);

// Caller holds model.mutex.
EvalResult evaluate_dataset(Model& model, const Dataset& dataset);

}  // namespace s4seg
