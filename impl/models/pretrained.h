// Pretrained (ImageNet) encoder weights: torchvision-named ResNet tensors from a torch.save state
// dict or a safetensors file, copied into every encoder of a model (both branches for rrn).
#pragma once
#include <string>
#include <vector>

#include "io/weight_file.h"
#include "models/model.h"

namespace s4seg {

struct BackboneLoadReport {
  std::string path;
  int64_t loaded = 0;                   // encoder tensors copied (once per name; step counters not counted)
  std::vector<std::string> classifier;  // the file's classification head (fc.*), never used
  std::vector<std::string> unexpected;  // in the file, not in the encoder
  std::vector<std::string> missing;     // in the encoder, not in the file
  std::vector<std::string> mismatched;  // "name: file [a, b] vs model [c, d]"
  bool complete() const { return unexpected.empty() && missing.empty() && mismatched.empty(); }
  std::string text() const;             // one paragraph a user can read
};

// Matches `tensors` by name to the encoder. Names may carry a "module." (DataParallel) and/or
// "backbone." (segmentation checkpoint) prefix; "num_batches_tracked" buffers may be absent (weights
// saved before PyTorch 0.4.1 have none). Strict (`allow_partial` false): any missing, unexpected or
// mis-shaped tensor → Error(Format) listing them all, and the model is unchanged. Partial: the
// matching tensors are copied and the report lists the rest. Nothing matching at all is an error
// either way (wrong file).
BackboneLoadReport load_backbone_tensors(Model& model, const std::vector<NamedTensor>& tensors, const std::string& source,
                                         bool allow_partial);
// Reads `path` (read_weight_file) and loads it as above.
BackboneLoadReport load_backbone_file(Model& model, const std::string& path, bool allow_partial);

// The encoder's tensors under torchvision names (branch 1), on the CPU: what s4seg_model_save_backbone writes.
std::vector<NamedTensor> backbone_tensors(const Model& model);

}  // namespace s4seg
