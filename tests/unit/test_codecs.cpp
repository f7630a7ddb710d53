// Image codecs against real files: a palette PNG mask (VOC style) reads as indices, a JPEG made by
// TurboJPEG decodes to the same size and close colours, and corrupt inputs are FORMAT.
#include <turbojpeg.h>

#include "core/error.h"
#include "io/image.h"
#include "unit_test.h"

using namespace s4seg;

static const std::string kPalettePng = std::string(S4SEG_TEST_DATA_DIR) + "/palette_mask_4x3.png";

static void palette_png_reads_as_indices(void**) {
  Image m = load_image(kPalettePng, ImageMode::Indices);
  assert_int_equal(m.width, 4);
  assert_int_equal(m.height, 3);
  assert_int_equal(m.channels, 1);
  const uint8_t expected[12] = {0, 1, 2, 255, 2, 2, 1, 0, 255, 0, 1, 2};
  assert_memory_equal(m.pixels.data(), expected, 12);
}

static void palette_png_reads_as_colours_in_rgb_mode(void**) {
  Image m = load_image(kPalettePng, ImageMode::Rgb);
  assert_int_equal(m.channels, 3);
  // Pixel (1, 0) has index 1, whose palette colour is (128, 0, 0).
  assert_int_equal(m.pixels[3], 128);
  assert_int_equal(m.pixels[4], 0);
  assert_int_equal(m.pixels[5], 0);
}

static std::vector<uint8_t> make_jpeg(int w, int h, int channels) {
  std::vector<uint8_t> px(static_cast<size_t>(w * h * channels));
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(100 + (i % 7));
  tjhandle c = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  int rc = tjCompress2(c, px.data(), w, 0, h, channels == 1 ? TJPF_GRAY : TJPF_RGB, &buf, &size,
                       channels == 1 ? TJSAMP_GRAY : TJSAMP_444, 95, 0);
  assert_int_equal(rc, 0);
  std::vector<uint8_t> out(buf, buf + size);
  tjFree(buf);
  tjDestroy(c);
  return out;
}

static void jpeg_decodes_to_rgb_and_grey(void**) {
  std::vector<uint8_t> jpg = make_jpeg(20, 10, 3);
  Image rgb = decode_jpeg(jpg, ImageMode::Auto, "mem.jpg");
  assert_int_equal(rgb.width, 20);
  assert_int_equal(rgb.height, 10);
  assert_int_equal(rgb.channels, 3);
  for (uint8_t v : rgb.pixels) assert_true(v >= 90 && v <= 116);  // lossy, but close
  Image grey = decode_jpeg(make_jpeg(8, 8, 1), ImageMode::Auto, "mem.jpg");
  assert_int_equal(grey.channels, 1);
  ImageHeader h = probe_jpeg(jpg, "mem.jpg");
  assert_int_equal(h.width, 20);
}

static void jpeg_as_mask_is_refused(void**) {
  ASSERT_THROWS_STATUS(decode_jpeg(make_jpeg(8, 8, 1), ImageMode::Indices, "mask.jpg"), Status::Format);
}

static void truncated_jpeg_is_format(void**) {
  std::vector<uint8_t> jpg = make_jpeg(32, 32, 3);
  jpg.resize(jpg.size() / 3);
  ASSERT_THROWS_STATUS(decode_jpeg(jpg, ImageMode::Rgb, "cut.jpg"), Status::Format);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(palette_png_reads_as_indices), cmocka_unit_test(palette_png_reads_as_colours_in_rgb_mode),
      cmocka_unit_test(jpeg_decodes_to_rgb_and_grey), cmocka_unit_test(jpeg_as_mask_is_refused),
      cmocka_unit_test(truncated_jpeg_is_format),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
