// PNG through libspng: error codes instead of libpng's setjmp, which does not mix with C++.
#include <spng.h>

#include <memory>

#include "core/error.h"
#include "io/image.h"

namespace s4seg {

namespace {
struct CtxDeleter {
  void operator()(spng_ctx* c) const { spng_ctx_free(c); }
};
using Ctx = std::unique_ptr<spng_ctx, CtxDeleter>;

void check(int rc, const std::string& name, const char* what) {
  if (rc != 0) fail(Status::Format, "PNG '" + name + "': " + what + ": " + spng_strerror(rc));
}

Ctx open_decoder(const std::vector<uint8_t>& bytes, const std::string& name, spng_ihdr* ihdr) {
  Ctx ctx(spng_ctx_new(0));
  if (!ctx) throw std::bad_alloc();
  // Guard against decompression bombs: 32k x 32k and 512 MiB of chunks at most.
  spng_set_image_limits(ctx.get(), 32768, 32768);
  spng_set_chunk_limits(ctx.get(), 64u << 20, 512u << 20);
  check(spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()), name, "cannot read");
  check(spng_get_ihdr(ctx.get(), ihdr), name, "bad header");
  return ctx;
}
}  // namespace

ImageHeader probe_png(const std::vector<uint8_t>& bytes, const std::string& name) {
  spng_ihdr ihdr{};
  Ctx ctx = open_decoder(bytes, name, &ihdr);
  return {static_cast<int32_t>(ihdr.width), static_cast<int32_t>(ihdr.height)};
}

Image decode_png(const std::vector<uint8_t>& bytes, ImageMode mode, const std::string& name) {
  spng_ihdr ihdr{};
  Ctx ctx = open_decoder(bytes, name, &ihdr);
  const bool indexed = ihdr.color_type == SPNG_COLOR_TYPE_INDEXED;
  const bool grey = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE || ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
  Image img;
  img.width = static_cast<int32_t>(ihdr.width);
  img.height = static_cast<int32_t>(ihdr.height);
  int fmt;
  if (mode == ImageMode::Indices) {
    if (ihdr.bit_depth != 8 || !(indexed || ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE))
      fail(Status::Format, "PNG '" + name + "': a mask must be an 8-bit grey or palette PNG (got colour type " +
                               std::to_string(ihdr.color_type) + ", " + std::to_string(ihdr.bit_depth) + " bits)");
    fmt = SPNG_FMT_PNG;  // raw samples: palette indices stay indices
    img.channels = 1;
  } else if (mode == ImageMode::Grey || (mode == ImageMode::Auto && grey)) {
    fmt = SPNG_FMT_G8;
    img.channels = 1;
  } else {
    fmt = SPNG_FMT_RGB8;
    img.channels = 3;
  }
  // spng's G8 output only supports grey sources; convert colour ourselves.
  if (fmt == SPNG_FMT_G8 && !grey) {
    Image rgb = decode_png(bytes, ImageMode::Rgb, name);
    return to_channels(std::move(rgb), 1);
  }
  size_t size = 0;
  check(spng_decoded_image_size(ctx.get(), fmt, &size), name, "cannot size image");
  img.pixels.resize(size);
  check(spng_decode_image(ctx.get(), img.pixels.data(), size, fmt, SPNG_DECODE_TRNS), name, "cannot decode");
  if (size != static_cast<size_t>(img.width) * img.height * img.channels)
    fail(Status::Format, "PNG '" + name + "': unexpected decoded size");
  return img;
}

std::vector<uint8_t> encode_png(const Image& image) {
  Ctx ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (!ctx) throw std::bad_alloc();
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<uint32_t>(image.width);
  ihdr.height = static_cast<uint32_t>(image.height);
  ihdr.bit_depth = 8;
  ihdr.color_type = image.channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR;
  int rc = spng_set_ihdr(ctx.get(), &ihdr);
  if (rc == 0)
    rc = spng_encode_image(ctx.get(), image.pixels.data(), image.pixels.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  if (rc != 0) fail(Status::Internal, std::string("PNG encoding failed: ") + spng_strerror(rc));
  size_t len = 0;
  int err = 0;
  void* buf = spng_get_png_buffer(ctx.get(), &len, &err);
  if (!buf) fail(Status::Internal, std::string("PNG encoding failed: ") + spng_strerror(err));
  std::vector<uint8_t> out(static_cast<uint8_t*>(buf), static_cast<uint8_t*>(buf) + len);
  free(buf);
  return out;
}

}  // namespace s4seg
