#include <cstring>

#include "api_guard.h"
#include "handles.h"

extern "C" {

s4seg_status s4seg_labeler_create(s4seg_model* model, const s4seg_config* config, s4seg_labeler** out) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  s4seg::Config c = config ? config->config : s4seg::Config();
  auto l = std::make_unique<s4seg_labeler>();
  l->labeler = std::make_unique<s4seg::Labeler>(model->model, c);
  *out = l.release();
  S4SEG_API_END
}

void s4seg_labeler_free(s4seg_labeler* labeler) noexcept {
  S4SEG_API_VOID_BEGIN
  delete labeler;
  S4SEG_API_VOID_END
}

s4seg_status s4seg_labeler_run(s4seg_labeler* labeler, const s4seg_image_view* image, s4seg_image** labels,
                               s4seg_image** confidence, uint64_t* predicted, uint64_t* kept, size_t class_capacity) noexcept {
  S4SEG_CHECK_ARG(labeler, "labeler must not be NULL");
  S4SEG_CHECK_ARG(labels, "labels must not be NULL");
  S4SEG_API_BEGIN
  const size_t classes = static_cast<size_t>(labeler->labeler->num_classes());
  if ((predicted || kept) && class_capacity < classes)
    return s4seg::set_error(S4SEG_BUFFER_TOO_SMALL, "class counts hold " + std::to_string(class_capacity) + " entries; " +
                                                        std::to_string(classes) + " (num_classes) needed");
  s4seg::LabelResult r = labeler->labeler->run(s4seg::image_from_view(image, "image"));
  // Allocate both handles before writing any out-parameter.
  auto lab = std::make_unique<s4seg_image>();
  lab->image = std::move(r.labels);
  std::unique_ptr<s4seg_image> conf;
  if (confidence) {
    conf = std::make_unique<s4seg_image>();
    conf->image = std::move(r.confidence);
  }
  if (predicted) std::memcpy(predicted, r.predicted.data(), classes * sizeof(uint64_t));
  if (kept) std::memcpy(kept, r.kept.data(), classes * sizeof(uint64_t));
  *labels = lab.release();
  if (confidence) *confidence = conf.release();
  S4SEG_API_END
}

}  // extern "C"
