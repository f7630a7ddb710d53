#include <torch/torch.h>

#include <array>
#include <cmath>
#include <cstring>
#include <mutex>

#include "api_guard.h"
#include "handles.h"
#include "infer/evaluator.h"
#include "infer/flops.h"
#include "infer/predictor.h"
#include "io/weight_file.h"
#include "methods/method_registry.h"
#include "models/class_info.h"
#include "models/pretrained.h"

namespace {
// Throws Error(BufferTooSmall) unless the caller's buffers hold every pixel of `images`.
void check_capacities(const std::vector<s4seg::Image>& images, size_t labels_capacity, const float* confidence,
                      size_t confidence_capacity) {
  size_t total = 0;
  for (const auto& im : images) total += static_cast<size_t>(im.width) * static_cast<size_t>(im.height);
  if (labels_capacity < total) s4seg::fail(s4seg::Status::BufferTooSmall, "labels buffer holds " + std::to_string(labels_capacity) + " bytes; " +
                                               std::to_string(total) + " needed");
  if (confidence && confidence_capacity < total)
    s4seg::fail(s4seg::Status::BufferTooSmall, "confidence buffer holds " + std::to_string(confidence_capacity) +
                                                     " floats; " + std::to_string(total) + " needed");
}

s4seg_status predict_views(s4seg_model* model, const s4seg_image_view* views, size_t count, uint8_t* labels,
                           size_t labels_capacity, float* confidence, size_t confidence_capacity) {
  std::vector<s4seg::Image> images;
  images.reserve(count);
  for (size_t i = 0; i < count; ++i)
    images.push_back(s4seg::image_from_view(&views[i], count == 1 ? "image" : ("images[" + std::to_string(i) + "]").c_str()));
  check_capacities(images, labels_capacity, confidence, confidence_capacity);  // before running the network
  std::vector<const s4seg::Image*> ptrs;
  for (const auto& im : images) ptrs.push_back(&im);
  std::vector<s4seg::Prediction> preds;
  {
    std::lock_guard<std::recursive_mutex> lock(model->model->mutex);
    preds = s4seg::predict_images(*model->model, ptrs, confidence != nullptr);
  }
  size_t off = 0;
  for (const s4seg::Prediction& p : preds) {
    size_t n = static_cast<size_t>(p.labels.numel());
    std::memcpy(labels + off, p.labels.data_ptr<uint8_t>(), n);
    if (confidence) std::memcpy(confidence + off, p.confidence.data_ptr<float>(), n * sizeof(float));
    off += n;
  }
  return S4SEG_OK;
}
}  // namespace

extern "C" {

s4seg_status s4seg_model_create(const s4seg_config* config, s4seg_model** out) noexcept {
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  s4seg::Config c = config ? config->config : s4seg::Config();
  *out = new s4seg_model{s4seg::create_method_model(c)};
  S4SEG_API_END
}

void s4seg_model_free(s4seg_model* model) noexcept {
  S4SEG_API_VOID_BEGIN
  delete model;
  S4SEG_API_VOID_END
}

s4seg_status s4seg_model_save(const s4seg_model* model, const char* path) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_API_BEGIN
  std::lock_guard<std::recursive_mutex> lock(model->model->mutex);
  s4seg::save_model(*model->model, path);
  S4SEG_API_END
}

s4seg_status s4seg_model_load(const char* path, const char* device, s4seg_model** out) noexcept {
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  *out = new s4seg_model{s4seg::load_model(path, device ? device : "auto", s4seg::apply_method_model_defaults)};
  S4SEG_API_END
}

s4seg_status s4seg_model_num_classes(const s4seg_model* model, int32_t* num_classes) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(num_classes, "num_classes must not be NULL");
  S4SEG_API_BEGIN
  *num_classes = static_cast<int32_t>(model->model->net->num_classes());
  S4SEG_API_END
}

s4seg_status s4seg_model_get_config(const s4seg_model* model, s4seg_config** out) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  *out = new s4seg_config{model->model->config};
  S4SEG_API_END
}

s4seg_status s4seg_model_predict(s4seg_model* model, const s4seg_image_view* image, uint8_t* labels, size_t labels_capacity,
                                 float* confidence, size_t confidence_capacity) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(image, "image must not be NULL");
  S4SEG_CHECK_ARG(labels, "labels must not be NULL");
  S4SEG_API_BEGIN
  return predict_views(model, image, 1, labels, labels_capacity, confidence, confidence_capacity);
  S4SEG_API_END
}

s4seg_status s4seg_model_predict_batch(s4seg_model* model, const s4seg_image_view* images, size_t count, uint8_t* labels,
                                       size_t labels_capacity, float* confidence, size_t confidence_capacity) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(images, "images must not be NULL");
  S4SEG_CHECK_ARG(count > 0, "count must be at least 1");
  S4SEG_CHECK_ARG(labels, "labels must not be NULL");
  S4SEG_API_BEGIN
  return predict_views(model, images, count, labels, labels_capacity, confidence, confidence_capacity);
  S4SEG_API_END
}

s4seg_status s4seg_model_evaluate(s4seg_model* model, const s4seg_dataset* dataset, double* miou, double* pixel_accuracy,
                                  double* class_iou, size_t class_iou_capacity) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_API_BEGIN
  const size_t c = static_cast<size_t>(model->model->net->num_classes());
  if (class_iou)
    if (class_iou_capacity < c) s4seg::fail(s4seg::Status::BufferTooSmall, "class_iou holds " + std::to_string(class_iou_capacity) + " values; " +
                                                std::to_string(c) + " (num_classes) needed");
  s4seg::EvalResult r;
  {
    std::lock_guard<std::recursive_mutex> lock(model->model->mutex);
    r = s4seg::evaluate_dataset(*model->model, *dataset->dataset);
  }
  if (miou) *miou = r.miou;
  if (pixel_accuracy) *pixel_accuracy = r.pixel_accuracy;
  if (class_iou)
    for (size_t k = 0; k < c; ++k) class_iou[k] = r.class_iou[k];
  S4SEG_API_END
}

s4seg_status s4seg_model_device(const s4seg_model* model, char* buf, size_t capacity, size_t* needed) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_API_BEGIN
  std::string text = model->model->device.str();
  return s4seg::copy_text_out(text, buf, capacity, needed, "device");
  S4SEG_API_END
}

s4seg_status s4seg_model_flops(s4seg_model* model, int32_t width, int32_t height, double* flops) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(flops, "flops must not be NULL");
  S4SEG_API_BEGIN
  *flops = s4seg::forward_flops(*model->model, height, width);
  S4SEG_API_END
}

namespace {
s4seg_status load_backbone(s4seg_model* model, const char* path, bool partial) {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_API_BEGIN
  s4seg::Model& m = *model->model;
  std::lock_guard<std::recursive_mutex> lock(m.mutex);
  m.backbone_report = s4seg::load_backbone_file(m, path, partial).text();
  S4SEG_API_END
}
}  // namespace

s4seg_status s4seg_model_set_cuda_graphs(s4seg_model* model, int enabled) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_API_BEGIN
  std::lock_guard<std::recursive_mutex> lock(model->model->mutex);
  model->model->config.set_bool("model.cuda_graphs", enabled != 0);
  if (!enabled) model->model->inference_graphs.reset();  // their memory pools go back to the allocator
  S4SEG_API_END
}

s4seg_status s4seg_model_load_backbone(s4seg_model* model, const char* path) noexcept {
  return load_backbone(model, path, false);
}

s4seg_status s4seg_model_load_backbone_partial(s4seg_model* model, const char* path) noexcept {
  return load_backbone(model, path, true);
}

s4seg_status s4seg_model_backbone_report(const s4seg_model* model, char* buf, size_t capacity, size_t* needed) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_API_BEGIN
  std::lock_guard<std::recursive_mutex> lock(model->model->mutex);
  const std::string text = model->model->backbone_report;
  return s4seg::copy_text_out(text, buf, capacity, needed, "backbone report");
  S4SEG_API_END
}

s4seg_status s4seg_model_save_backbone(const s4seg_model* model, const char* path) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_API_BEGIN
  std::lock_guard<std::recursive_mutex> lock(model->model->mutex);
  s4seg::write_safetensors(path, s4seg::backbone_tensors(*model->model));
  S4SEG_API_END
}

s4seg_status s4seg_model_class_name(const s4seg_model* model, int32_t index, char* buf, size_t capacity, size_t* needed) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_API_BEGIN
  const std::vector<std::string> names = s4seg::class_names(model->model->config);
  s4seg::require(index >= 0 && static_cast<size_t>(index) < names.size(),
                 "class index " + std::to_string(index) + " out of range 0.." + std::to_string(names.size() - 1));
  return s4seg::copy_text_out(names[static_cast<size_t>(index)], buf, capacity, needed, "class name");
  S4SEG_API_END
}

s4seg_status s4seg_model_palette(const s4seg_model* model, uint8_t* rgb, size_t capacity, size_t* needed) noexcept {
  S4SEG_CHECK_ARG(model, "model must not be NULL");
  S4SEG_API_BEGIN
  const std::vector<std::array<uint8_t, 3>> palette = s4seg::class_palette(model->model->config);
  if (needed) *needed = 3 * palette.size();
  if (!rgb || capacity < 3 * palette.size())
    return s4seg::set_error(S4SEG_BUFFER_TOO_SMALL, "rgb holds " + std::to_string(capacity) + " bytes, the palette needs " +
                                                        std::to_string(3 * palette.size()));
  for (size_t i = 0; i < palette.size(); ++i)
    for (size_t c = 0; c < 3; ++c) rgb[3 * i + c] = palette[i][c];
  S4SEG_API_END
}

}  // extern "C"
