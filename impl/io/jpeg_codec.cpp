// JPEG through the TurboJPEG API: error codes, no setjmp.
#include <turbojpeg.h>

#include "core/error.h"
#include "io/image.h"

namespace s4seg {

namespace {
struct Handle {
  tjhandle h = tjInitDecompress();
  ~Handle() {
    if (h) tjDestroy(h);
  }
};

ImageHeader read_header(Handle& d, const std::vector<uint8_t>& bytes, const std::string& name, int* subsamp,
                        int* colorspace) {
  if (!d.h) throw std::bad_alloc();
  int w = 0, h = 0;
  if (tjDecompressHeader3(d.h, bytes.data(), static_cast<unsigned long>(bytes.size()), &w, &h, subsamp, colorspace) != 0)
    fail(Status::Format, "JPEG '" + name + "': " + tjGetErrorStr2(d.h));
  if (w <= 0 || h <= 0 || w > 32768 || h > 32768) fail(Status::Format, "JPEG '" + name + "': bad size");
  return {w, h};
}
}  // namespace

ImageHeader probe_jpeg(const std::vector<uint8_t>& bytes, const std::string& name) {
  Handle d;
  int subsamp, cs;
  return read_header(d, bytes, name, &subsamp, &cs);
}

Image decode_jpeg(const std::vector<uint8_t>& bytes, ImageMode mode, const std::string& name) {
  if (mode == ImageMode::Indices)
    fail(Status::Format, "'" + name + "' is a JPEG; masks must be PNG (lossy compression corrupts class indices)");
  Handle d;
  int subsamp = 0, cs = 0;
  ImageHeader hdr = read_header(d, bytes, name, &subsamp, &cs);
  Image img;
  img.width = hdr.width;
  img.height = hdr.height;
  bool grey_out = mode == ImageMode::Grey || (mode == ImageMode::Auto && cs == TJCS_GRAY);
  img.channels = grey_out ? 1 : 3;
  img.pixels.resize(static_cast<size_t>(img.width) * img.height * img.channels);
  int rc = tjDecompress2(d.h, bytes.data(), static_cast<unsigned long>(bytes.size()), img.pixels.data(), img.width, 0,
                         img.height, grey_out ? TJPF_GRAY : TJPF_RGB, 0);
  // Warnings (e.g. premature end of data) still produce pixels; a truncated file is an error for us.
  if (rc != 0) fail(Status::Format, "JPEG '" + name + "': " + tjGetErrorStr2(d.h));
  return img;
}

}  // namespace s4seg
