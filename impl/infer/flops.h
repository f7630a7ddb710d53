// Model FLOPs for benchmarks: what one forward pass of the network costs, counted from the
// operators that actually run, so every model family (DeepLabV3+, two branches, mask head) is
// covered without a hand-written formula per architecture.
#pragma once
#include <cstdint>

#include "models/model.h"

namespace s4seg {

// FLOPs (2 per multiply-add) of the convolutions and matrix products of one forward pass of
// `model` on one image of height x width, in eval mode without gradients (element-wise ops,
// normalisation, pooling and resizing are not counted: the usual convention, and what the
// Python reference in bench/ counts). Runs a forward pass on the model's device.
double forward_flops(Model& model, int64_t height, int64_t width);

}  // namespace s4seg
