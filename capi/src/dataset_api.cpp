#include "api_guard.h"
#include "data/layouts.h"
#include "handles.h"

extern "C" {

s4seg_status s4seg_dataset_create(s4seg_dataset** out) noexcept {
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  *out = new s4seg_dataset{std::make_shared<s4seg::Dataset>()};
  S4SEG_API_END
}

void s4seg_dataset_free(s4seg_dataset* dataset) noexcept {
  S4SEG_API_VOID_BEGIN
  delete dataset;
  S4SEG_API_VOID_END
}

s4seg_status s4seg_dataset_add(s4seg_dataset* dataset, const s4seg_image_view* image, const s4seg_image_view* mask) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_CHECK_ARG(image, "image must not be NULL");
  S4SEG_API_BEGIN
  s4seg::Image img = s4seg::image_from_view(image, "image");
  s4seg::Image m;
  if (mask) {
    m = s4seg::image_from_view(mask, "mask");
    s4seg::require(m.channels == 1, "mask must have 1 channel (class indices), has " + std::to_string(m.channels));
  }
  dataset->dataset->add(std::move(img), std::move(m));
  S4SEG_API_END
}

s4seg_status s4seg_dataset_add_list(s4seg_dataset* dataset, const char* root, const char* list_path) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_CHECK_ARG(root, "root must not be NULL");
  S4SEG_CHECK_ARG(list_path, "list_path must not be NULL");
  S4SEG_API_BEGIN
  dataset->dataset->add_list(root, list_path);
  S4SEG_API_END
}

s4seg_status s4seg_dataset_add_layout(s4seg_dataset* dataset, s4seg_layout layout, const char* root, const char* split,
                                      uint32_t flags) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_CHECK_ARG(root, "root must not be NULL");
  S4SEG_CHECK_ARG(split, "split must not be NULL");
  S4SEG_CHECK_ARG((flags & ~S4SEG_DATASET_IGNORE_MASKS) == 0, "flags must be 0 or S4SEG_DATASET_IGNORE_MASKS");
  S4SEG_API_BEGIN
  const s4seg::Layout which = s4seg::layout_from_value(static_cast<int>(layout));
  const bool ignore_masks = (flags & S4SEG_DATASET_IGNORE_MASKS) != 0;
  dataset->dataset->add_files(s4seg::layout_samples(which, root, split, ignore_masks));
  S4SEG_API_END
}

s4seg_status s4seg_dataset_set_cache(s4seg_dataset* dataset, uint64_t bytes) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_API_BEGIN
  dataset->dataset->set_cache(bytes);
  S4SEG_API_END
}

s4seg_status s4seg_dataset_cache_stats(const s4seg_dataset* dataset, uint64_t* bytes, uint64_t* hits,
                                       uint64_t* misses) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_API_BEGIN
  const s4seg::DecodeCache::Stats stats = dataset->dataset->cache_stats();
  if (bytes) *bytes = stats.bytes;
  if (hits) *hits = stats.hits;
  if (misses) *misses = stats.misses;
  S4SEG_API_END
}

s4seg_status s4seg_dataset_add_synthetic(s4seg_dataset* dataset, int64_t count, int32_t width, int32_t height,
                                         int32_t num_classes, uint64_t seed) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_API_BEGIN
  dataset->dataset->add_synthetic(count, width, height, num_classes, seed);
  S4SEG_API_END
}

s4seg_status s4seg_dataset_size(const s4seg_dataset* dataset, int64_t* size) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_CHECK_ARG(size, "size must not be NULL");
  S4SEG_API_BEGIN
  *size = dataset->dataset->size();
  S4SEG_API_END
}

s4seg_status s4seg_dataset_image_path(const s4seg_dataset* dataset, int64_t index, char* buf, size_t capacity,
                                      size_t* needed) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_API_BEGIN
  return s4seg::copy_text_out(dataset->dataset->image_path(index), buf, capacity, needed, "image path");
  S4SEG_API_END
}

s4seg_status s4seg_dataset_get(const s4seg_dataset* dataset, int64_t index, s4seg_image** image, s4seg_image** mask) noexcept {
  S4SEG_CHECK_ARG(dataset, "dataset must not be NULL");
  S4SEG_CHECK_ARG(image, "image must not be NULL");
  S4SEG_API_BEGIN
  s4seg::LoadedSample s = dataset->dataset->load(index);
  auto img = std::make_unique<s4seg_image>(s4seg_image{std::move(s.image)});
  std::unique_ptr<s4seg_image> m;
  if (mask && s.mask.channels != 0) m = std::make_unique<s4seg_image>(s4seg_image{std::move(s.mask)});
  *image = img.release();
  if (mask) *mask = m.release();
  S4SEG_API_END
}

}  // extern "C"
