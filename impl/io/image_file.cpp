#include <cstring>

#include "core/error.h"
#include "io/file_util.h"
#include "io/image.h"

namespace s4seg {

namespace {
enum class Kind { Png, Jpeg };

Kind sniff(const std::vector<uint8_t>& b, const std::string& path) {
  static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() >= 8 && std::memcmp(b.data(), png_sig, 8) == 0) return Kind::Png;
  if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return Kind::Jpeg;
  if (b.empty()) fail(Status::Format, "'" + path + "' is empty");
  fail(Status::Format, "'" + path + "' is neither a PNG nor a JPEG file");
}
}  // namespace

Image to_channels(Image image, int32_t channels) {
  if (image.channels == channels) return image;
  Image out;
  out.width = image.width;
  out.height = image.height;
  out.channels = channels;
  size_t n = static_cast<size_t>(image.width) * image.height;
  out.pixels.resize(n * channels);
  if (channels == 1) {
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* p = &image.pixels[i * 3];
      out.pixels[i] = static_cast<uint8_t>((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
    }
  } else {
    for (size_t i = 0; i < n; ++i) out.pixels[i * 3] = out.pixels[i * 3 + 1] = out.pixels[i * 3 + 2] = image.pixels[i];
  }
  return out;
}

Image load_image(const std::string& path, ImageMode mode) {
  std::vector<uint8_t> bytes = read_file(path);
  return sniff(bytes, path) == Kind::Png ? decode_png(bytes, mode, path) : decode_jpeg(bytes, mode, path);
}

ImageHeader probe_image(const std::string& path) {
  // Datasets probe every file when they are added (3000 Cityscapes frames of ~2 MB each), so read
  // little: PNG's header is in its first bytes; JPEG's SOF marker usually is too, but can follow
  // large EXIF blocks, hence the second, longer read.
  std::vector<uint8_t> bytes = read_file_prefix(path, 64 << 10);
  if (sniff(bytes, path) == Kind::Png) return probe_png(bytes, path);
  if (bytes.size() == (64u << 10)) {
    try {
      return probe_jpeg(bytes, path);
    } catch (const Error&) {
      bytes = read_file_prefix(path, 1 << 20);
    }
  }
  return probe_jpeg(bytes, path);
}

void save_png(const std::string& path, const Image& image) {
  require(image.channels == 1 || image.channels == 3, "PNG output needs 1 or 3 channels");
  write_file_atomic(path, encode_png(image));
}

}  // namespace s4seg
