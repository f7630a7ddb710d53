// A model as the library holds it: the network, the config that built it, its device and a lock
// that serialises predict/evaluate/training on it. Shared by the model handle and trainers.
#pragma once
#include <c10/core/Device.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "io/records.h"
#include "models/segmentation_net.h"

namespace s4seg {

class InferenceGraphs;

struct Model {
  Config config;
  c10::Device device{c10::kCPU};
  SegmentationNet net{nullptr};
  bool channels_last = false;
  // What the latest encoder-weight load (model.pretrained or s4seg_model_load_backbone) did; not saved.
  std::string backbone_report;
  // The inference forwards captured as CUDA graphs (model.cuda_graphs); created on first use.
  std::shared_ptr<InferenceGraphs> inference_graphs;
  // Recursive: a progress callback runs inside a training step (which holds the lock) and may
  // predict, evaluate or save with the same model.
  std::recursive_mutex mutex;
};

// Resolves `device`, seeds initialisation with train.seed, builds and moves the network, and loads
// model.pretrained into the encoder.
std::shared_ptr<Model> create_model(const Config& config);

// A second model of the same architecture, config and device with a copy of the weights (the
// student of a mean-teacher method).
std::shared_ptr<Model> clone_model(const Model& model);

// Weights as "param/<name>" and "buffer/<name>" records, plus "config".
void write_model_records(const Model& model, Records& out);
// Weights only, as "<prefix>param/<name>" and "<prefix>buffer/<name>".
void write_weight_records(const Model& model, Records& out, const std::string& prefix);
// Resolves what a stored config leaves at "auto" before the network is built (the method
// registry's apply_method_model_defaults: files from before 0.3 stored auto architecture keys).
using ConfigResolver = void (*)(Config&);
// Builds a model from records onto `device_spec`; Error(Format) on missing or mis-shaped tensors.
std::shared_ptr<Model> model_from_records(const Records& records, const std::string& device_spec, const std::string& who,
                                          ConfigResolver resolve = nullptr);
// Weights decoded and checked against the model, not yet copied in: commit() cannot fail on
// shapes, so callers can validate everything else before touching the model.
class StagedWeights {
 public:
  StagedWeights(Model& model, const Records& records, const std::string& who, const std::string& prefix = "");
  void commit();

 private:
  std::vector<std::pair<torch::Tensor, torch::Tensor>> pairs_;  // (destination, source)
};
// Copies weights from records into an existing model of the same architecture.
void load_weights(Model& model, const Records& records, const std::string& who);

void save_model(const Model& model, const std::string& path);
std::shared_ptr<Model> load_model(const std::string& path, const std::string& device_spec, ConfigResolver resolve = nullptr);

// train.amp for a model on `d`: bf16 autocast when "bf16", or "auto" on CUDA.
bool wants_bf16_autocast(const Config& c, const c10::Device& d);
// train.channels_last for a model on `d`: on when "on", or "auto" on CUDA.
bool wants_channels_last(const Config& c, const c10::Device& d);

// Converts 4-D parameters to channels_last (CUDA fast path); a no-op when not enabled.
void apply_memory_format(Model& model);

}  // namespace s4seg
