// An owned 8-bit interleaved image (HWC) and the file codecs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace s4seg {

struct Image {
  int32_t width = 0;
  int32_t height = 0;
  int32_t channels = 0;  // 1 or 3
  std::vector<uint8_t> pixels;  // height * width * channels, no row padding
};

enum class ImageMode { Rgb = 0, Grey = 1, Indices = 2, Auto = 3 };

struct ImageHeader {
  int32_t width = 0;
  int32_t height = 0;
};

// Decodes PNG or JPEG by content. Throws Error(Io) when unreadable, Error(Format) when corrupt.
Image load_image(const std::string& path, ImageMode mode);
// Reads only the header (size); validates the signature. Same errors as load_image.
ImageHeader probe_image(const std::string& path);
// Atomic PNG write of a 1- or 3-channel image.
void save_png(const std::string& path, const Image& image);

// Codec internals, one file each.
Image decode_png(const std::vector<uint8_t>& bytes, ImageMode mode, const std::string& name);
ImageHeader probe_png(const std::vector<uint8_t>& bytes, const std::string& name);
std::vector<uint8_t> encode_png(const Image& image);
Image decode_jpeg(const std::vector<uint8_t>& bytes, ImageMode mode, const std::string& name);
ImageHeader probe_jpeg(const std::vector<uint8_t>& bytes, const std::string& name);

// RGB → grey (ITU-R BT.601 luma) and grey → RGB.
Image to_channels(Image image, int32_t channels);

// A training sample as decoded: what datasets hand out and weak augmentation takes.
struct LoadedSample {
  Image image;  // 1 or 3 channels, as stored
  Image mask;   // channels == 0 when the sample has no mask
};

}  // namespace s4seg
