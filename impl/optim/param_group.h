// A set of parameters stepped at one learning-rate multiple: what a method hands the optimizer.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

namespace s4seg {

struct ParamGroup {
  std::string name;
  std::vector<torch::Tensor> params;
  double lr_mult = 1.0;
};

}  // namespace s4seg
