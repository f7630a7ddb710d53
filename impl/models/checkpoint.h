// Activation checkpointing: run a segment of the network without keeping its intermediate
// activations, and run it again during the backward pass to get them back. Memory falls to the
// segment's input and output; compute rises by one more forward of the segment.
//
// As PyTorch's reentrant torch.utils.checkpoint: the segment's parameters receive their gradients
// from a backward pass nested inside the outer one, so the outer pass must be a backward() (not
// torch::autograd::grad with explicit inputs). The recomputation runs with the forward's thread-
// local state (grad mode aside: autocast, dispatch keys), the forward's BatchNorm rank group, and
// BatchNorm running statistics left alone (the batch was counted by the forward). Segments must be
// deterministic: the ResNet stages it is used for hold no dropout.
#pragma once
#include <torch/types.h>

#include <functional>

namespace s4seg {

using Segment = std::function<torch::Tensor(const torch::Tensor&)>;

// segment(input) with the activations inside freed. Falls back to segment(input) itself (nothing
// saved, nothing recomputed) when gradients are off or `input` does not require them: then there
// is no backward pass that could recompute, and the parameters' gradients would be lost.
torch::Tensor checkpointed(const Segment& segment, const torch::Tensor& input);

}  // namespace s4seg
