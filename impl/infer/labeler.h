// Pseudo-labels for a host (the s4seg_labeler handle): a trained model as teacher, one of the
// pseudo-label filters, one image at a time.
#pragma once
#include <memory>
#include <vector>

#include "core/config.h"
#include "io/image.h"
#include "models/model.h"
#include "pseudo/pseudo_labels.h"

namespace s4seg {

struct LabelResult {
  Image labels;      // 1 channel: class index, 255 where filtered out
  Image confidence;  // 1 channel: round(255 · teacher confidence)
  std::vector<uint64_t> predicted;  // per class: pixels the teacher predicted
  std::vector<uint64_t> kept;       // per class: pixels the filter kept
};

class Labeler {
 public:
  // Reads the pseudo.* keys of `config` (pseudo.filter auto = threshold).
  Labeler(std::shared_ptr<Model> model, const Config& config);
  // Locks the model while it runs. Adaptive filters keep adapting across calls.
  LabelResult run(const Image& image);
  int64_t num_classes() const { return model_->net->num_classes(); }

 private:
  std::shared_ptr<Model> model_;
  std::unique_ptr<PseudoFilter> filter_;
  bool uses_discriminators_ = false;
};

}  // namespace s4seg
