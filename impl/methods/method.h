// The Method interface (DESIGN.md section 3): a method builds one iteration's loss graph from
// batches that the trainer prepared; the trainer owns the optimizer, schedule and bookkeeping.
#pragma once
#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "io/records.h"
#include "models/model.h"

namespace s4seg {

struct Batch {
  torch::Tensor images;  // float (B, 3, H, W), normalised, on the model's device
  torch::Tensor masks;   // int64 (B, H, W), 255 = ignore; undefined for unlabeled batches
};

struct StepInputs {
  Batch labeled;
  Batch unlabeled;  // empty for supervised-only training
  int64_t iteration = 0;
};

struct StepOutputs {
  std::map<std::string, torch::Tensor> losses;  // named terms; the trainer sums them
};

struct ParamGroup {
  std::string name;
  std::vector<torch::Tensor> params;
  double lr_mult = 1.0;
};

class Method {
 public:
  virtual ~Method() = default;
  virtual StepOutputs step(const StepInputs& in) = 0;  // builds the graph; no optimizer step
  virtual std::vector<ParamGroup> param_groups() = 0;
  virtual Model& inference_model() = 0;  // what predict / evaluate / save use
  virtual void after_step(int64_t /*iteration*/) {}
  virtual void save(Records& /*out*/) const {}
  virtual void load(const Records& /*in*/, const std::string& /*who*/) {}
};

// Builds the method named by train.method for `model`.
std::unique_ptr<Method> make_method(const Config& config, std::shared_ptr<Model> model);

}  // namespace s4seg
