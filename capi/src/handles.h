// What the opaque C handles hold. Models and datasets are shared so that a trainer keeps them
// alive after the host frees its handles (hosts with garbage collectors free in any order).
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "data/dataset.h"
#include "io/image.h"
#include "models/model.h"
#include "infer/labeler.h"
#include "train/trainer.h"
#include "s4seg/s4seg.h"

struct s4seg_config {
  s4seg::Config config;
};

struct s4seg_image {
  s4seg::Image image;
};

struct s4seg_dataset {
  std::shared_ptr<s4seg::Dataset> dataset;
};

struct s4seg_model {
  std::shared_ptr<s4seg::Model> model;
};

struct s4seg_trainer {
  std::unique_ptr<s4seg::Trainer> trainer;
  std::shared_ptr<s4seg::Model> model;
  std::shared_ptr<s4seg::Dataset> labeled;
  std::shared_ptr<s4seg::Dataset> unlabeled;
  std::vector<std::pair<std::string, double>> metrics;  // of the latest stats (see s4seg_trainer_metric)
  s4seg_progress_fn progress = nullptr;
  void* progress_user_data = nullptr;
};

struct s4seg_labeler {
  std::unique_ptr<s4seg::Labeler> labeler;
};

namespace s4seg {
// Validates a view and copies it into an Image; throws Error(InvalidArgument) naming `what`.
Image image_from_view(const s4seg_image_view* view, const char* what);
}  // namespace s4seg
