// Tensor shapes as error messages show them.
#pragma once
#include <torch/types.h>

#include <string>

namespace s4seg {

// "(2, 3, 64, 64)"; "undefined" for an undefined tensor.
std::string shape_of(const torch::Tensor& t);

}  // namespace s4seg
