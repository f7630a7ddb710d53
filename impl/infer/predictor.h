// Whole-image inference: normalise, forward (bf16 autocast per train.amp), upsample, softmax → labels
// and top-class confidence.
#pragma once
#include <torch/types.h>

#include <vector>

#include "io/image.h"
#include "models/model.h"

namespace s4seg {

struct Prediction {
  torch::Tensor labels;      // uint8 (H, W) on CPU
  torch::Tensor confidence;  // float (H, W) on CPU; undefined unless asked for
};

// Softmax class probabilities, float (B, C, H, W) on the model's device, of images that all have
// the same size. Caller holds model.mutex. `inputs`, when given, receives the normalised images
// (B, 3, H, W) the model saw (for a discriminator that judges prediction and image together).
torch::Tensor class_probabilities(Model& model, const std::vector<const Image*>& images, torch::Tensor* inputs = nullptr);

// Caller holds model.mutex. Consecutive images of equal size run as one batch (at most
// kMaxPredictBatch at a time).
std::vector<Prediction> predict_images(Model& model, const std::vector<const Image*>& images, bool with_confidence);

constexpr size_t kMaxPredictBatch = 8;

}  // namespace s4seg
