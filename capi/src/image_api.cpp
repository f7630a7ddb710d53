#include <cstring>

#include "api_guard.h"
#include "handles.h"

namespace s4seg {

Image image_from_view(const s4seg_image_view* view, const char* what) {
  const std::string w = what;
  require(view != nullptr, w + " must not be NULL");
  require(view->data != nullptr, w + ".data must not be NULL");
  require(view->width > 0 && view->height > 0,
          w + " must have positive width and height, got " + std::to_string(view->width) + "x" + std::to_string(view->height));
  require(view->width <= 65536 && view->height <= 65536, w + " is larger than 65536 pixels on a side");
  require(view->channels == 1 || view->channels == 3, w + ".channels must be 1 or 3, got " + std::to_string(view->channels));
  const int64_t row = static_cast<int64_t>(view->width) * view->channels;
  require(view->row_stride >= row, w + ".row_stride " + std::to_string(view->row_stride) + " is less than width*channels = " +
                                       std::to_string(row));
  Image img;
  img.width = view->width;
  img.height = view->height;
  img.channels = view->channels;
  img.pixels.resize(static_cast<size_t>(row) * static_cast<size_t>(view->height));
  for (int32_t y = 0; y < view->height; ++y)
    std::memcpy(img.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(row), view->data + static_cast<int64_t>(y) * view->row_stride,
                static_cast<size_t>(row));
  return img;
}

}  // namespace s4seg

extern "C" {

s4seg_status s4seg_image_load(const char* path, s4seg_image_mode mode, s4seg_image** out) noexcept {
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_CHECK_ARG(mode >= S4SEG_IMAGE_RGB && mode <= S4SEG_IMAGE_AUTO, "mode must be one of the s4seg_image_mode values");
  S4SEG_API_BEGIN
  s4seg::Image img = s4seg::load_image(path, static_cast<s4seg::ImageMode>(mode));
  *out = new s4seg_image{std::move(img)};
  S4SEG_API_END
}

s4seg_status s4seg_image_create(const s4seg_image_view* view, s4seg_image** out) noexcept {
  S4SEG_CHECK_ARG(out, "out must not be NULL");
  S4SEG_API_BEGIN
  s4seg::Image img = s4seg::image_from_view(view, "view");
  *out = new s4seg_image{std::move(img)};
  S4SEG_API_END
}

s4seg_status s4seg_image_get_view(const s4seg_image* image, s4seg_image_view* view) noexcept {
  S4SEG_CHECK_ARG(image, "image must not be NULL");
  S4SEG_CHECK_ARG(view, "view must not be NULL");
  S4SEG_API_BEGIN
  view->data = image->image.pixels.data();
  view->width = image->image.width;
  view->height = image->image.height;
  view->channels = image->image.channels;
  view->row_stride = static_cast<int64_t>(image->image.width) * image->image.channels;
  S4SEG_API_END
}

void s4seg_image_free(s4seg_image* image) noexcept {
  S4SEG_API_VOID_BEGIN
  delete image;
  S4SEG_API_VOID_END
}

s4seg_status s4seg_image_save_png(const char* path, const s4seg_image_view* view) noexcept {
  S4SEG_CHECK_ARG(path, "path must not be NULL");
  S4SEG_API_BEGIN
  s4seg::save_png(path, s4seg::image_from_view(view, "view"));
  S4SEG_API_END
}

}  // extern "C"
